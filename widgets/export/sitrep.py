"""What a view shows, and the situation report's summary wording (text and Markdown)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sitmon.store.query import MetricSummary
from sitmon.store.records import ControlChange, Event, Figure, SourceRef
from sitmon.store.timeutil import day_of
from sitmon.widgets.render_util import fmt_value, metric_label

from .context import _Ctx, _day_long, _day_short
from .mdtext import _md_link

# --------------------------------------------------------------------------- what a view shows


def _period_events(ctx: _Ctx) -> list[Event]:
    """The sitrep's events: those since the start of the period, in display order."""
    first = ctx.snap.first
    events = [e for e in ctx.snap.events if first is None or e.time >= first]
    return events[::-1] if ctx.req.newest_first else events


def _control_rows(ctx: _Ctx) -> list[ControlChange]:
    """Current control of every place, most important places first."""
    snap = ctx.snap

    def key(c: ControlChange):
        p = snap.places.get(c.place)
        return (p.importance if p else 9, p.name if p else c.place, c.place)

    return sorted(snap.control.values(), key=key)


@dataclass(frozen=True)
class _Change:
    place: str
    before: ControlChange | None
    after: ControlChange
    steps: tuple[ControlChange, ...]


def _changes(ctx: _Ctx) -> list[_Change]:
    """Places whose control differs from the start of the period, in order of the change."""
    snap = ctx.snap
    if snap.first is None or ctx.moment is None or ctx.moment < snap.first:
        return []
    out = []
    for pid, now in snap.control.items():
        before = snap.control_at_start.get(pid)
        steps = tuple(
            c for c in ctx.store.control_history(pid) if snap.first <= c.valid_from <= ctx.moment
        )
        if not steps:
            continue
        if before is not None and (before.faction, before.status) == (now.faction, now.status):
            if all((c.faction, c.status) == (now.faction, now.status) for c in steps):
                continue
        out.append(_Change(pid, before, now, steps))
    out.sort(key=lambda c: (c.after.valid_from, ctx.place_name(c.place), c.place))
    return out


def _holder(ctx: _Ctx, c: ControlChange | None) -> str:
    if c is None:
        return "unknown"
    name = ctx.faction_name(c.faction)
    return name if c.status == "held" else f"{c.status} by {name}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _change_phrases(ctx: _Ctx, changes: list[_Change]) -> list[str]:
    """``Aleppo (29 Nov) and Hama (5 Dec) passed from Government to HTS-led MOC``, ..."""
    start = _day_short(ctx.snap.first) if ctx.snap.first else "the start"
    groups: dict[tuple[str, str, str], list[str]] = {}
    for ch in changes:
        a, b = ch.before, ch.after
        to = ctx.faction_name(b.faction)
        if a is None:
            key = ("new", "", f"held by {to}" if b.status == "held" else _holder(ctx, b))
        elif (a.faction, a.status) == (b.faction, b.status):
            key = ("back", "", to)
        elif b.status == "held" and a.faction != b.faction:
            key = ("passed", ctx.faction_name(a.faction), to)
        elif b.status == "held":
            key = ("firm", _holder(ctx, a), to)
        else:
            key = (b.status, _holder(ctx, a), to)
        groups.setdefault(key, []).append(
            f"{ctx.place_name(ch.place)} ({_day_short(b.valid_from)})"
        )
    out = []
    for (kind, frm, to), places in groups.items():
        names = _join(places)
        if kind == "passed":
            out.append(f"{names} passed from {frm} to {to}")
        elif kind == "new":
            out.append(f"{names} now {to}")
        elif kind == "back":
            out.append(f"{names} changed hands and returned to {to}")
        elif kind == "firm":
            out.append(f"{names} now held by {to} (was {frm} on {start})")
        else:
            out.append(f"{names} {kind} by {to} (was {frm} on {start})")
    return out


def _summary_control(ctx: _Ctx) -> str:
    snap = ctx.snap
    if snap.first is None:
        return "No start date for the period is known, so no change of control is measured."
    start = _day_short(snap.first)
    if ctx.moment is None or ctx.moment < snap.first:
        return f"No change of control yet: the period begins on {_day_long(snap.first)}."
    phrases = _change_phrases(ctx, _changes(ctx))
    if not phrases:
        return f"Since {start}: no place changed hands."
    return f"Since {start}: " + "; ".join(phrases) + "."


_HEADLINE_TYPES = {"capture": 5, "withdrawal": 4, "offensive": 3, "battle": 2, "strike": 1}


def _latest_event(ctx: _Ctx) -> Event | None:
    first = ctx.snap.first
    events = [e for e in ctx.snap.events if first is None or e.time >= first]
    strong = [e for e in events if e.type in _HEADLINE_TYPES]
    pool = strong or events
    if not pool:
        return None
    return max(pool, key=lambda e: (day_of(e.time), _HEADLINE_TYPES.get(e.type, 0), e.time, e.id))


def _summary_latest(ctx: _Ctx, *, markdown: bool) -> str:
    snap = ctx.snap
    first = snap.first
    n = len([e for e in snap.events if first is None or e.time >= first])
    since = f" since {_day_short(first)}" if first is not None else ""
    ev = _latest_event(ctx)
    if ev is None:
        return f"No events reported{since}."
    title = ctx.md(ev.title) if markdown else ctx.s(ev.title)
    plural = "event" if n == 1 else "events"
    return f"{title} ({_day_short(ev.time)}); {n} {plural} reported{since}."


def _summary_figures(ctx: _Ctx, *, markdown: bool) -> str:
    rows = ctx.snap.figures[:3]
    if not rows:
        day = _day_long(ctx.moment) if ctx.moment else "now"
        return f"No figures reported as of {day}."
    parts = []
    for m in rows:
        f = m.latest
        if markdown:
            names = ", ".join(
                _md_link(ctx.source_name(r), ctx.ref_url(r), ctx.ascii) for r in _uniq_refs(f)
            )
            value = ctx.md(fmt_value(f))
            label = ctx.md(metric_label(m.metric))
        else:
            names = ", ".join(ctx.s(ctx.source_name(r)) for r in _uniq_refs(f))
            value = ctx.s(fmt_value(f))
            label = ctx.s(metric_label(m.metric))
        src = f"{names or 'unsourced'}; {_day_short(f.as_of)}"
        parts.append(f"{label}: {value} ({src})")
    return "; ".join(parts) + "."


def _uniq_refs(rec: Any) -> list[SourceRef]:
    """A record's sources, one per source id (the first citation of each)."""
    seen: set[str] = set()
    out = []
    for r in rec.sources:
        if r.source not in seen:
            seen.add(r.source)
            out.append(r)
    return out


def _figures_of(m: MetricSummary) -> list[Figure]:
    return [m.latest, *m.others]
