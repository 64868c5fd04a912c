"""The plain-text writer: a view or a situation report, no line wider than the width."""

from __future__ import annotations

from operator import attrgetter, itemgetter

from sitmon.widgets.chart_render import render_chart
from sitmon.widgets.lines import plain
from sitmon.widgets.paste_text import (
    PASTE_NOTE,
    faction_legend,
    text_events,
    text_quotes,
    text_source,
    wrap_keep_urls,
)
from sitmon.widgets.quotes_render import quote_rows
from sitmon.widgets.render_util import safe
from sitmon.widgets.stats_render import stats_blocks
from sitmon.widgets.timeline_render import empty_message, timeline_rows

from .context import (
    _as_of_text,
    _body,
    _Ctx,
    _day_long,
    _day_short,
    _header_bits,
    _map_render,
)
from .request import _VIEW_LABEL, SITREP_EVENTS
from .safety import is_web_url
from .sitrep import (
    _Change,
    _changes,
    _control_rows,
    _figures_of,
    _holder,
    _period_events,
    _summary_control,
    _summary_figures,
    _summary_latest,
)

_FACTIONS = attrgetter("factions")
_FIRST = itemgetter(0)

# --------------------------------------------------------------------------- text


def _wrap(ctx: _Ctx, text: str, first: str = "", rest: str | None = None) -> list[str]:
    """Word-wrapped to the width; a URL is never broken (see widgets.paste_text)."""
    return wrap_keep_urls(text, ctx.width, first, rest, ascii=ctx.ascii)


def _cite(ctx: _Ctx):
    """The ``cite(refs) -> [n, ...]`` the paste-text pieces number references with."""
    return lambda refs: ctx.cites.add_all(refs, ctx.snap)


def _legend(ctx: _Ctx, events) -> list[str]:
    """The faction symbols the events show, explained (in the order of the store)."""
    used = set(map(_FIRST, filter(None, map(_FACTIONS, events))))  # (C-level: 10^5 rows)
    factions = [f for fid, f in ctx.snap.factions.items() if fid in used]
    return faction_legend(factions, ctx.width, ascii=ctx.ascii)


def _text_events(ctx: _Ctx, events) -> list[str]:
    """Events wrapped whole with [n] references, under a legend of their symbols."""
    return [
        *_legend(ctx, events),
        "",
        *text_events(ctx.snap, events, _cite(ctx), ctx.width, ascii=ctx.ascii),
    ]


def _text_charts(ctx: _Ctx, metrics) -> list[str]:
    """A chart per metric of ``metrics`` with observations on two or more days (the
    maximised pane's view)."""
    out: list[str] = []
    for m in metrics:
        if len({f.as_of.date() for f in m.history}) < 2:
            continue
        out.append("")
        out += (
            plain(render_chart(m, ctx.snap, ctx.width, 16, colour=False, ascii=ctx.ascii))
            .rstrip("\n")
            .split("\n")
        )
    return out


def _text_heading(ctx: _Ctx, text: str) -> list[str]:
    text = safe(text, ascii=ctx.ascii)[: ctx.width]
    return ["", text, ctx.g.rule * len(text)]


def _text_header(ctx: _Ctx, view: str, count: str) -> list[str]:
    g = ctx.g
    bits = [_as_of_text(ctx.moment), *_header_bits(ctx, count, ctx.s)]
    lines = _wrap(ctx, f"{ctx.s(ctx.title)}{g.sep}{_VIEW_LABEL[view]}")
    lines += _wrap(ctx, g.sep.join(bits))
    return lines


def _text_sources(ctx: _Ctx) -> list[str]:
    """The Sources list: ``[n]`` and the name, then the URL whole on a line of its own."""
    entries = ctx.cites.entries
    if not entries:
        return []
    out = _text_heading(ctx, "Sources")
    pad = len(f"[{len(entries)}] ")
    for n, c in enumerate(entries, 1):
        label = ctx.s(c.label)
        url = c.url
        if c.url and not is_web_url(c.url):
            label += " (address not a web link: " + ctx.s(c.url) + ")"
            url = ""
        elif not c.url:
            label += " (no link)"
        out += text_source(n, pad, label, url, ctx.width, ascii=ctx.ascii)
    return out


def _text_other_sources(ctx: _Ctx) -> list[str]:
    """The store's other sources, for the situation report: every source with a web
    address that the report did not cite (baselines, earlier records, other places),
    by name, each URL whole on a line of its own, so a reader can check every source
    the store holds from the report alone."""
    cited = {c.url for c in ctx.cites.entries if c.url}
    rest = sorted(
        (
            s
            for s in ctx.snap.sources.values()
            if s.url and is_web_url(s.url) and s.url not in cited
        ),
        key=lambda s: (s.name.casefold(), s.url),
    )
    if not rest:
        return []
    out = _text_heading(ctx, "Other sources in this store")
    out += _wrap(ctx, "Not cited by what this report shows (baselines, earlier records):")
    for src in rest:
        out += _wrap(ctx, ctx.s(src.name), "- ", "  ")
        out.append(src.url)
    return out


def _shown(ctx: _Ctx, rows: list) -> list:
    """The rows a single text view shows: the first ``--height`` of them, each whole
    (an event, a quote, a figure), or every row without ``--height``."""
    return rows if ctx.height is None else rows[: max(0, ctx.height)]


def _count(shown: int, total: int, noun: str) -> str:
    """The header's count: ``18 events``, or ``3 of 18 events`` when fewer are shown
    (``--height``, a zoomed map)."""
    plural = f"{noun}{'s' * (total != 1)}"
    return f"{total} {plural}" if shown == total else f"{shown} of {total} {plural}"


def _text_stats(ctx: _Ctx, metrics) -> str:
    """The statistics pane's lines for the first ``len(metrics)`` figures, each whole,
    then their charts."""
    if len(metrics) == len(ctx.snap.figures):
        out = _body(ctx, "stats")
    else:  # the blocks of the figures shown, a blank line between them
        blocks = stats_blocks(
            ctx.snap, ctx.width, selected=ctx.req.selected, colour=False, ascii=ctx.ascii
        )
        lines = [line for _, block in blocks[: len(metrics)] for line in block][:-1]
        out = plain(lines)
    charts = _text_charts(ctx, metrics)
    if charts:
        out += "\n".join(charts) + "\n"
    return out


def _text_view(ctx: _Ctx, view: str) -> str:
    """A single view as text: its header, the rows shown, then the Sources those rows
    cite (numbered in the order the rows cite them: without ``--height`` or with it,
    a row reads the same)."""
    snap = ctx.snap
    if view == "timeline":
        rows = timeline_rows(snap, newest_first=ctx.req.newest_first)
        shown = _shown(ctx, rows)
        head = _text_header(ctx, view, _count(len(shown), len(rows), "event"))
        body = _text_events(ctx, shown) if shown else [ctx.s(empty_message(snap))]
        head += _wrap(ctx, PASTE_NOTE)
        out = "\n".join([*head, "", *body, ""])
    elif view == "quotes":
        rows = quote_rows(snap)
        shown = _shown(ctx, rows)
        head = _text_header(ctx, view, _count(len(shown), len(rows), "quote"))
        body = (
            text_quotes(snap, shown, _cite(ctx), ctx.width, ascii=ctx.ascii)
            if shown
            else [ctx.s(empty_message(snap, "quotes"))]
        )
        head += _wrap(ctx, PASTE_NOTE)
        out = "\n".join(head) + "\n\n" + "\n".join(body) + "\n"
    elif view == "stats":
        metrics = _shown(ctx, snap.figures)
        for m in metrics:
            for f in _figures_of(m):
                ctx.cites.add_all(f.sources, snap)
        head = _text_header(ctx, view, _count(len(metrics), len(snap.figures), "figure"))
        out = "\n".join(head) + "\n\n" + _text_stats(ctx, metrics)
    else:  # the map: the places it draws (a zoomed or small map draws fewer)
        drawn = _map_render(ctx)
        rows = _control_rows(ctx)
        shown = [c for c in rows if c.place in drawn.positions]
        for c in shown:
            ctx.cites.add_all(c.sources, snap)
        head = _text_header(ctx, view, _count(len(shown), len(rows), "place"))
        out = "\n".join(head) + "\n\n" + plain(drawn.lines)
    tail = _text_sources(ctx)
    if tail:
        out += "\n".join(tail) + "\n"
    return out


def _text_sitrep(ctx: _Ctx) -> str:
    g, snap = ctx.g, ctx.snap
    out: list[str] = []
    out += _wrap(ctx, f"SITUATION REPORT{g.sep}{ctx.s(ctx.title)}")
    bits = [_as_of_text(ctx.moment)]
    if snap.first is not None:
        bits.append(f"period from {_day_long(snap.first)}")
    bits += _header_bits(ctx, "", ctx.s)
    out += _wrap(ctx, g.sep.join(bits))
    out += _wrap(ctx, PASTE_NOTE)
    out.append(("=" if ctx.ascii else "═") * ctx.width)

    out += _text_heading(ctx, "Summary")
    bullet = g.bullet + " "
    out += _wrap(ctx, "Control: " + ctx.s(_summary_control(ctx)), bullet)
    out += _wrap(ctx, "Latest: " + _summary_latest(ctx, markdown=False), bullet)
    out += _wrap(ctx, "Figures: " + _summary_figures(ctx, markdown=False), bullet)

    out += _text_heading(ctx, "Map")
    out += _body(ctx, "map").rstrip("\n").split("\n")

    changes = _changes(ctx)
    if snap.first is not None:
        out += _text_heading(ctx, f"Changes of control since {_day_short(snap.first)}")
        if not changes:
            out.append("None.")
        for ch in changes:
            out += _text_change(ctx, ch)

    out += _text_heading(ctx, "Key figures")
    metrics = snap.figures
    if metrics:
        out += _wrap(
            ctx,
            "As reported: every source's latest figure stands beside the newest; "
            "none is averaged or verified here.",
        )
        out.append("")
    for m in metrics:
        for f in _figures_of(m):
            ctx.cites.add_all(f.sources, snap)
    out += _body(ctx, "stats").rstrip("\n").split("\n")

    events = _period_events(ctx)
    shown = events[:SITREP_EVENTS]
    since = f" since {_day_short(snap.first)}" if snap.first else ""
    out += _text_heading(ctx, "Latest events")
    for e in shown:
        ctx.cites.add_all(e.sources, snap)
    if shown:
        out += _text_events(ctx, shown)
    else:
        out += _wrap(ctx, f"No events reported{since} as of {_day_long(snap.as_of)}.")
    if len(events) > len(shown):
        more = len(events) - len(shown)
        out += _wrap(
            ctx, f"({more} earlier event{'s' * (more != 1)}{since} not listed: see the timeline.)"
        )

    out += _text_heading(ctx, "Quotes")
    quotes = quote_rows(snap)
    if quotes:
        out += text_quotes(snap, quotes, _cite(ctx), ctx.width, ascii=ctx.ascii)
    else:
        out.append(ctx.s(empty_message(snap, "quotes")))

    out += _text_sources(ctx)
    out += _text_other_sources(ctx)
    return "\n".join(out) + "\n"


def _text_change(ctx: _Ctx, ch: _Change) -> list[str]:
    g = ctx.g
    path = [_holder(ctx, ch.before)]
    for step in ch.steps:
        path.append(f"{_holder(ctx, step)} ({_day_short(step.valid_from)})")
    text = f"{ctx.s(ctx.place_name(ch.place))}: " + f" {g.arrow} ".join(ctx.s(p) for p in path)
    lines = _wrap(ctx, text, g.bullet + " ")
    for step in ch.steps:
        nums = sorted(ctx.cites.add_all(step.sources, ctx.snap))
        refs = "".join(f"[{n}]" for n in nums)
        note = ctx.s(step.note) if step.note else ""
        when = f"{_day_short(step.valid_from)}: " if len(ch.steps) > 1 else ""
        lines += _wrap(ctx, f"{when}{note} {refs}".strip(), "  ")
    return lines
