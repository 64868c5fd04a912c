"""The plain-text writer: a view or a situation report, no line wider than the width."""

from __future__ import annotations

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
from sitmon.widgets.timeline_render import empty_message, timeline_rows

from .context import _as_of_text, _body, _Ctx, _day_long, _day_short, _header_bits
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

# --------------------------------------------------------------------------- text


def _wrap(ctx: _Ctx, text: str, first: str = "", rest: str | None = None) -> list[str]:
    """Word-wrapped to the width; a URL is never broken (see widgets.paste_text)."""
    return wrap_keep_urls(text, ctx.width, first, rest, ascii=ctx.ascii)


def _cite(ctx: _Ctx):
    """The ``cite(refs) -> [n, ...]`` the paste-text pieces number references with."""
    return lambda refs: ctx.cites.add_all(refs, ctx.snap)


def _legend(ctx: _Ctx, events) -> list[str]:
    """The faction symbols the events show, explained (in the order of the store)."""
    used = {e.factions[0] for e in events if e.factions}
    factions = [f for fid, f in ctx.snap.factions.items() if fid in used]
    return faction_legend(factions, ctx.width, ascii=ctx.ascii)


def _text_events(ctx: _Ctx, events) -> list[str]:
    """Events wrapped whole with [n] references, under a legend of their symbols."""
    return [
        *_legend(ctx, events),
        "",
        *text_events(ctx.snap, events, _cite(ctx), ctx.width, ascii=ctx.ascii),
    ]


def _text_charts(ctx: _Ctx) -> list[str]:
    """A chart per metric with observations on two or more days (the maximised pane's view)."""
    out: list[str] = []
    for m in ctx.snap.figures:
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


def _events_count(rows) -> str:
    return f"{len(rows)} event{'s' * (len(rows) != 1)}"


def _cite_timeline(ctx: _Ctx, rows) -> None:
    """Number the sources of the timeline's rows, in order: each row's own, then (a
    corroborated row) every other report's, as :func:`text_events` cites them."""
    snap = ctx.snap
    groups, table = snap.groups, snap.event_table
    ref_lists = []
    for e in rows:
        ref_lists.append(e.sources)
        group = groups.get(e.id) if groups else None
        if group:  # a corroborated row cites every report
            ref_lists += [table[rid].sources for rid in group if rid != e.id and rid in table]
    ctx.cites.add_each(ref_lists, snap)


def _cite_view(ctx: _Ctx, view: str) -> str:
    """Cite the sources of a single view's records (not the timeline: see
    :func:`_text_view`); return the header's count."""
    snap = ctx.snap
    if view == "quotes":
        rows = quote_rows(snap)
        for q in rows:
            ctx.cites.add_all(q.sources, snap)
        return f"{len(rows)} quote{'s' * (len(rows) != 1)}"
    if view == "stats":
        metrics = snap.figures
        for m in metrics:
            for f in _figures_of(m):
                ctx.cites.add_all(f.sources, snap)
        return f"{len(metrics)} figure{'s' * (len(metrics) != 1)}"
    rows = _control_rows(ctx)
    for c in rows:
        ctx.cites.add_all(c.sources, snap)
    return f"{len(rows)} place{'s' * (len(rows) != 1)}"


def _text_view(ctx: _Ctx, view: str) -> str:
    if view == "timeline":
        rows = timeline_rows(ctx.snap, newest_first=ctx.req.newest_first)
        head = _text_header(ctx, view, _events_count(rows))
        shown = rows
        if ctx.height is not None:  # the rows the pane shows (entries, each wrapped whole)
            shown = rows[: max(0, ctx.height)]
            _cite_timeline(ctx, rows)  # the Sources list still covers every row
        # (else the rows are numbered as they are written, in the same order)
        body = _text_events(ctx, shown) if shown else [ctx.s(empty_message(ctx.snap))]
        head += _wrap(ctx, PASTE_NOTE)
        out = "\n".join([*head, "", *body, ""])
    elif view == "quotes":
        count = _cite_view(ctx, view)
        head = _text_header(ctx, view, count)
        rows = quote_rows(ctx.snap)
        body = (
            text_quotes(ctx.snap, rows, _cite(ctx), ctx.width, ascii=ctx.ascii)
            if rows
            else [ctx.s(empty_message(ctx.snap, "quotes"))]
        )
        head += _wrap(ctx, PASTE_NOTE)
        out = "\n".join(head) + "\n\n" + "\n".join(body) + "\n"
    else:
        head = _text_header(ctx, view, _cite_view(ctx, view))
        out = "\n".join(head) + "\n\n" + _body(ctx, view)
        if view == "stats":
            charts = _text_charts(ctx)
            if charts:
                out += "\n".join(charts) + "\n"
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
