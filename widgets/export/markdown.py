"""The Markdown writer: a view or a situation report, data text escaped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sitmon.store.provenance import publisher_of
from sitmon.store.records import Event, SourceRef
from sitmon.store.timeutil import fmt_day, fmt_when, when_formatter
from sitmon.widgets.quotes_render import quote_rows
from sitmon.widgets.render_util import CONTEXT_LABEL, fmt_value, metric_label
from sitmon.widgets.timeline_render import empty_message, timeline_rows

from .context import _as_of_text, _body, _Ctx, _day_long, _day_short, _header_bits
from .mdtext import _fence, _md_link, _md_table, _md_url
from .request import _VIEW_LABEL, SITREP_EVENTS
from .safety import is_web_url
from .sitrep import (
    _changes,
    _control_rows,
    _figures_of,
    _holder,
    _period_events,
    _summary_control,
    _summary_figures,
    _summary_latest,
)

# --------------------------------------------------------------------------- Markdown


def _md_sources(ctx: _Ctx, refs: Iterable[SourceRef]) -> str:
    """Source links for a table cell; cites them too."""
    out = []
    seen = set()
    for r in refs:
        ctx.cites.add(r, ctx.snap)
        name, url = ctx.source_name(r), ctx.ref_url(r)
        if (name, url, r.note) in seen:
            continue
        seen.add((name, url, r.note))
        link = _md_link(name, url, ctx.ascii)
        out.append(f"{link} ({ctx.md(r.note)})" if r.note else link)
    return "; ".join(out) or "unsourced"


def _md_provenance(ctx: _Ctx, rec: Any) -> str:
    """Who published ``rec`` and who relayed it, as links: ``[SOHR](…) (note) via Seed
    article: "…"`` (the publisher and relays of :mod:`sitmon.store.provenance`, the
    wording of :func:`~sitmon.widgets.render_util.provenance_label` that the text
    export and the panes use); cites them too."""
    pub = publisher_of(rec, ctx.snap.sources)
    if not pub:
        return "unsourced"
    head = _md_sources(ctx, [r for r in rec.sources if r.source == pub])
    relays = [r for r in rec.sources if r.source != pub]
    return f"{head} via {_md_sources(ctx, relays)}" if relays else head


def _md_header(ctx: _Ctx, view: str, count: str) -> list[str]:
    bits = [f"**{_as_of_text(ctx.moment)}**"]
    if ctx.snap.first is not None and view == "all":
        bits.append(f"period from {_day_long(ctx.snap.first)}")
    bits += _header_bits(ctx, count, ctx.md)
    head = "Situation report" if view == "all" else _VIEW_LABEL[view]
    return [f"# {head}: {ctx.md(ctx.title)}", "", ctx.msep.join(bits).strip()]


def _md_sources_section(ctx: _Ctx) -> list[str]:
    entries = ctx.cites.entries
    if not entries:
        return []
    out = ["", "## Sources", ""]
    for n, c in enumerate(entries, 1):
        label = ctx.md(c.label)
        if is_web_url(c.url):
            out.append(f"{n}. {label}: <{_md_url(c.url)}>")
        elif c.url:
            out.append(f"{n}. {label} (address not a web link: {ctx.md(c.url)})")
        else:
            out.append(f"{n}. {label} (no link)")
    return out


def _md_events(ctx: _Ctx, events: list[Event], *, who: bool = True) -> list[str]:
    if not events:
        return [f"_{ctx.md(empty_message(ctx.snap))}_"]
    rows = []
    when_of = when_formatter()  # one for every row (no strftime per row)
    for e in events:
        row = [
            when_of(e.time, e.precision),
            ctx.md(", ".join(ctx.place_name(p) for p in e.places)) or ctx.g.none,
        ]
        if who:
            row.append(ctx.md(", ".join(ctx.faction_name(f) for f in e.factions)) or ctx.g.none)
        title = ctx.md(e.title)
        if e.context:  # background reported that day, not that day's event
            title = f"_{CONTEXT_LABEL.strip()}_ {title}"
        row += [title, _md_sources(ctx, e.sources)]
        rows.append(row)
    header = ["When", "Where", *(["Who"] if who else []), "Event", "Sources"]
    return _md_table(header, rows)


def _md_quotes(ctx: _Ctx) -> list[str]:
    g = ctx.g
    quotes = quote_rows(ctx.snap)
    if not quotes:
        return [f"_{ctx.md(empty_message(ctx.snap, 'quotes'))}_"]
    rows = []
    events = {e.id: e for e in ctx.snap.events}
    for q in quotes:
        who = f"**{ctx.md(q.speaker)}**"
        if q.role:
            who += f", {ctx.md(q.role)}"
        if q.outlet:
            who += f" (to {ctx.md(q.outlet)})"
        about = []
        if q.places:
            about.append(ctx.md(", ".join(ctx.place_name(p) for p in q.places)))
        if q.context:
            about.append(ctx.md(q.context))
        elif q.event and q.event in events:
            about.append(ctx.md(events[q.event].title))
        rows.append(
            [
                fmt_when(q.said_at, q.precision),
                who,
                f"{g.open_q}{ctx.md(q.text)}{g.close_q}",
                ctx.msep.join(about) if about else g.none,
                _md_sources(ctx, q.sources),
            ]
        )
    return _md_table(["When", "Who", "Quote", "Context", "Sources"], rows)


def _md_figures(ctx: _Ctx) -> list[str]:
    metrics = ctx.snap.figures
    if not metrics:
        return [f"_No figures known as of {_day_long(ctx.snap.as_of)}._"]
    rows = []
    for m in metrics:
        for i, f in enumerate(_figures_of(m)):
            scope = f.scope or ""
            rows.append(
                [
                    f"**{ctx.md(metric_label(m.metric))}**" if i == 0 else "",
                    ctx.md(fmt_value(f)),
                    _md_provenance(ctx, f),
                    fmt_day(f.as_of),
                    ctx.md(scope) or ctx.g.none,
                ]
            )
    return _md_table(["Figure", "Value", "Source", "As of", "Scope"], rows)


def _md_control(ctx: _Ctx) -> list[str]:
    snap = ctx.snap
    rows = []
    start = _day_short(snap.first) if snap.first else None
    for c in _control_rows(ctx):
        before = snap.control_at_start.get(c.place)
        changed = ""
        if start and before is not None and before.id != c.id:
            if (before.faction, before.status) != (c.faction, c.status):
                changed = f"was {ctx.md(_holder(ctx, before))} on {start}"
        rows.append(
            [
                f"**{ctx.md(ctx.place_name(c.place))}**",
                ctx.md(ctx.faction_name(c.faction)),
                c.status,
                fmt_day(c.valid_from),
                changed or ctx.g.none,
                ctx.md(c.note) or ctx.g.none,
                _md_sources(ctx, c.sources),
            ]
        )
    if not rows:
        return ["_No control of any place is known._"]
    return _md_table(["Place", "Held by", "Status", "Since", "Change", "Note", "Sources"], rows)


def _md_changes(ctx: _Ctx) -> list[str]:
    changes = _changes(ctx)
    if not changes:
        return ["None."]
    rows = []
    g = ctx.g
    for ch in changes:
        for i, step in enumerate(ch.steps):
            prev = ch.before if i == 0 else ch.steps[i - 1]
            rows.append(
                [
                    f"**{ctx.md(ctx.place_name(ch.place))}**" if i == 0 else "",
                    fmt_day(step.valid_from),
                    f"{ctx.md(_holder(ctx, prev))} {g.arrow} {ctx.md(_holder(ctx, step))}",
                    ctx.md(step.note) or g.none,
                    _md_sources(ctx, step.sources),
                ]
            )
    return _md_table(["Place", "Date", "Control", "Note", "Sources"], rows)


def _md_map(ctx: _Ctx) -> list[str]:
    return _fence(_body(ctx, "map").rstrip("\n").split("\n"))


def _md_view(ctx: _Ctx, view: str) -> str:
    count = {
        "timeline": lambda: len(timeline_rows(ctx.snap)),
        "quotes": lambda: len(ctx.snap.quotes),
        "stats": lambda: len(ctx.snap.figures),
        "map": lambda: len(ctx.snap.control),
    }[view]()
    noun = {"timeline": "event", "quotes": "quote", "stats": "figure", "map": "place"}[view]
    out = _md_header(ctx, view, f"{count} {noun}{'s' * (count != 1)}")
    out.append("")
    if view == "timeline":
        out += _md_events(ctx, timeline_rows(ctx.snap, newest_first=ctx.req.newest_first))
    elif view == "quotes":
        out += _md_quotes(ctx)
    elif view == "stats":
        out += _md_figures(ctx)
    else:
        out += _md_map(ctx)
        out += ["", "## Control", ""]
        out += _md_control(ctx)
    out += _md_sources_section(ctx)
    return "\n".join(out) + "\n"


def _md_sitrep(ctx: _Ctx) -> str:
    snap = ctx.snap
    out = _md_header(ctx, "all", "")
    out += ["", "## Summary", ""]
    out.append(f"- **Control:** {ctx.md(_summary_control(ctx))}")
    out.append(f"- **Latest:** {_summary_latest(ctx, markdown=True)}")
    out.append(f"- **Figures:** {_summary_figures(ctx, markdown=True)}")
    out += ["", "## Map", ""]
    out += _md_map(ctx)
    if snap.first is not None:
        out += ["", f"## Changes of control since {_day_short(snap.first)}", ""]
        out += _md_changes(ctx)
    out += ["", "## Key figures", ""]
    if snap.figures:
        out += [
            "As reported: every source's latest figure stands beside the newest; "
            "none is averaged or verified here.",
            "",
        ]
    out += _md_figures(ctx)
    out += ["", "## Latest events", ""]
    events = _period_events(ctx)
    shown = events[:SITREP_EVENTS]
    since = f" since {_day_short(snap.first)}" if snap.first else ""
    if shown:
        out += _md_events(ctx, shown, who=False)
    else:
        out.append(f"_No events reported{since} as of {_day_long(snap.as_of)}._")
    if len(events) > len(shown):
        more = len(events) - len(shown)
        out += ["", f"_{more} earlier event{'s' * (more != 1)}{since} not listed._"]
    out += ["", "## Quotes", ""]
    out += _md_quotes(ctx)
    out += _md_sources_section(ctx)
    return "\n".join(out) + "\n"
