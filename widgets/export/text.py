"""The plain-text writer: a view or a situation report, no line wider than the width."""

from __future__ import annotations

import dataclasses

from sitmon.store.timeutil import fmt_when
from sitmon.widgets.lines import plain
from sitmon.widgets.quotes_render import quote_rows
from sitmon.widgets.render_util import cells, safe, wrap
from sitmon.widgets.timeline_render import render_timeline, timeline_rows

from .context import _as_of_text, _body, _Ctx, _day_long, _day_short, _version
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
    rest = " " * cells(first) if rest is None else rest
    rows = wrap(text, max(1, ctx.width - max(cells(first), cells(rest))), ascii=ctx.ascii)
    return [(first if i == 0 else rest) + row for i, row in enumerate(rows)]


def _text_heading(ctx: _Ctx, text: str) -> list[str]:
    text = safe(text, ascii=ctx.ascii)[: ctx.width]
    return ["", text, ctx.g.rule * len(text)]


def _text_header(ctx: _Ctx, view: str, count: str) -> list[str]:
    g = ctx.g
    bits = [_as_of_text(ctx.moment)]
    if count:
        bits.append(count)
    if ctx.snap.place:
        bits.append(f"place: {ctx.s(ctx.place_name(ctx.snap.place))}")
    if not ctx.snap.filter.empty:
        bits.append(f"filter: {ctx.s(str(ctx.snap.filter))}")
    if ctx.req.timestamp is not None:
        bits.append(f"generated {fmt_when(ctx.req.timestamp)} (UTC+03) by sitmon {_version()}")
    lines = _wrap(ctx, f"{ctx.s(ctx.title)}{g.sep}{_VIEW_LABEL[view]}")
    lines += _wrap(ctx, g.sep.join(bits))
    return lines


def _text_sources(ctx: _Ctx) -> list[str]:
    entries = ctx.cites.entries
    if not entries:
        return []
    out = _text_heading(ctx, "Sources")
    pad = len(f"[{len(entries)}] ")
    for n, c in enumerate(entries, 1):
        lead = f"[{n}]".ljust(pad)
        label = ctx.s(c.label)
        if c.url and not is_web_url(c.url):
            label += " (address not a web link: " + ctx.s(c.url) + ")"
        elif not c.url:
            label += " (no link)"
        out += _wrap(ctx, label, lead, " " * pad)
        if c.url and is_web_url(c.url):
            # a URL longer than the line is cut into pieces (wrap splits words by cells)
            for piece in wrap(ctx.s(c.url), max(1, ctx.width - pad), ascii=ctx.ascii):
                out.append(" " * pad + piece)
    return out


def _cite_view(ctx: _Ctx, view: str) -> str:
    """Cite the sources of a single view's records; return the header's count."""
    snap = ctx.snap
    if view == "timeline":
        rows = timeline_rows(snap, newest_first=ctx.req.newest_first)
        for e in rows:
            ctx.cites.add_all(e.sources, snap)
        return f"{len(rows)} event{'s' * (len(rows) != 1)}"
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
    count = _cite_view(ctx, view)
    out = "\n".join(_text_header(ctx, view, count)) + "\n\n" + _body(ctx, view)
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
    if snap.place:
        bits.append(f"place: {ctx.s(ctx.place_name(snap.place))}")
    if not snap.filter.empty:
        bits.append(f"filter: {ctx.s(str(snap.filter))}")
    if ctx.req.timestamp is not None:
        bits.append(f"generated {fmt_when(ctx.req.timestamp)} (UTC+03) by sitmon {_version()}")
    out += _wrap(ctx, g.sep.join(bits))
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
        sub = dataclasses.replace(snap, events=sorted(shown, key=lambda e: (e.time, e.id)))
        out += (
            plain(
                render_timeline(
                    sub, ctx.width, newest_first=ctx.req.newest_first, colour=False, ascii=ctx.ascii
                )
            )
            .rstrip("\n")
            .split("\n")
        )
    else:
        out += _wrap(ctx, f"No events reported{since} as of {_day_long(snap.as_of)}.")
    if len(events) > len(shown):
        more = len(events) - len(shown)
        out += _wrap(
            ctx, f"({more} earlier event{'s' * (more != 1)}{since} not listed: see the timeline.)"
        )

    out += _text_heading(ctx, "Quotes")
    for q in quote_rows(snap):
        ctx.cites.add_all(q.sources, snap)
    out += _body(ctx, "quotes").rstrip("\n").split("\n")

    out += _text_sources(ctx)
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
