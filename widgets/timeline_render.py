"""The timeline: one line per event, newest first by default.

Pure: snapshot in, :class:`~widgets.lines.StyledLine` out (no Textual, no
Rich). The Timeline pane renders only the rows it shows (one call of
:func:`render_timeline_row` per visible row); exports call
:func:`render_timeline` with ``height=None`` for every row.

A row (wide)::

    ▶* 2024-12-05        H Hama           Rebels enter Hama; army redeploys outside

``▶`` (``>``) marks the cursor row, ``*`` a row the latest refresh added or
changed, ``H`` is the first faction's map symbol (in its colour). An event
marked ``context`` (background reported that day, not that day's event) has its
title after ``context:``, dimmed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sitmon.store.eventview import NewestFirst, Without
from sitmon.store.query import Snapshot
from sitmon.store.records import Event
from sitmon.store.timeutil import fmt_day, fmt_when, when_formatter

from .lines import StyledLine
from .render_util import (
    CONTEXT_LABEL,
    faction_style,
    fit,
    glyphs,
    highlight_line,
    line_of,
    safe,
    style,
)

__all__ = [
    "CURSOR_STYLE",
    "empty_message",
    "render_timeline",
    "render_timeline_row",
    "sources_note",
    "timeline_rows",
]

CURSOR_STYLE = "reverse"
_WHEN_WIDTH = 16  # "2024-12-05 14:30"
_NARROW = 60


def timeline_rows(snapshot: Snapshot, *, newest_first: bool = True) -> Sequence[Event]:
    """The events the timeline lists, in display order: one row per corroborated
    group (its lead; :mod:`sitmon.store.corroborate`), the others stay records.

    Without groups, the snapshot's events themselves, read backwards for newest
    first (:class:`~sitmon.store.eventview.NewestFirst`) and without the followers'
    rows (:class:`~sitmon.store.eventview.Without`): no copy, so a day step or a
    filter keystroke costs the rows on screen, not the history.
    """
    events = snapshot.events  # chronological
    groups = snapshot.groups
    if groups:
        followers = {rid for ids in groups.values() for rid in ids[1:]}
        rank = getattr(events, "rank", None)
        table = snapshot.event_table
        if followers and rank is not None and table:
            # the store's view: drop the followers' rows by index, no copy
            drop = [r for fid in followers if fid in table and (r := rank(table[fid])) is not None]
            events = Without(events, drop)
        elif followers:
            events = [e for e in events if e.id not in followers]
    return NewestFirst(events) if newest_first else events


def sources_note(event: Event, snapshot: Snapshot) -> str:
    """``" · 3 sources"`` for a corroborated event's row, else ``""``."""
    group = snapshot.groups.get(event.id)
    return f" · {len(group)} sources" if group else ""


def _when(event: Event, narrow: bool, when_of: Callable[[datetime, str], str] = fmt_when) -> str:
    text = when_of(event.time, event.precision)
    if narrow and len(text) >= 10:
        return text[5:]  # "12-05 14:30" / "12-05"
    return text


def _place_text(event: Event, snapshot: Snapshot) -> str:
    names = []
    for pid in event.places:
        p = snapshot.places.get(pid)
        names.append(p.name if p else pid)
    return ", ".join(names)


def render_timeline_row(
    event: Event,
    snapshot: Snapshot,
    width: int,
    *,
    selected: bool = False,
    marked: bool = False,
    colour: bool = True,
    ascii: bool = False,
    when_of: Callable[[datetime, str], str] = fmt_when,
) -> StyledLine:
    """One event as one line of at most ``width`` characters.

    ``when_of`` formats the row's time (:func:`~sitmon.store.timeutil.fmt_when`; a
    caller rendering many rows passes one :func:`~sitmon.store.timeutil.when_formatter`).
    """
    g = glyphs(ascii)
    narrow = width < _NARROW
    faction = snapshot.factions.get(event.factions[0]) if event.factions else None
    symbol = faction.symbol if faction else g.none
    place = safe(_place_text(event, snapshot), ascii=ascii)
    title = safe(event.title, ascii=ascii)
    title_parts = [(title, "")]
    if event.context:
        title_parts = [
            (CONTEXT_LABEL, style(colour, "dim italic", "")),
            (title, style(colour, "dim")),
        ]
    note = sources_note(event, snapshot)
    if note:
        title_parts.append((note, style(colour, "bold green", "bold")))
    lead = (g.cursor if selected else " ") + (g.marked if marked else " ")
    when = _when(event, narrow, when_of)
    parts: list[tuple[str, str]] = [
        (lead[0], "bold" if selected else ""),
        (lead[1], style(colour, "bold yellow", "bold") if marked else ""),
        (" ", ""),
    ]
    if narrow:
        parts += [
            (fit(when, 11, pad=True), style(colour, "dim")),
            (" ", ""),
            (symbol, faction_style(faction, colour)),
            (" ", ""),
        ]
        if place:
            parts.append((place + ": ", "bold"))
        parts += title_parts
    else:
        place_w = 18 if width >= 110 else 14
        parts += [
            (fit(when, _WHEN_WIDTH, pad=True), style(colour, "dim")),
            (" ", ""),
            (symbol, faction_style(faction, colour)),
            (" ", ""),
            (fit(place or g.none, place_w, ascii=ascii, pad=True), "bold"),
            (" ", ""),
            *title_parts,
        ]
    line = line_of(parts, width, ascii=ascii)
    if selected:
        line = highlight_line(line, width, CURSOR_STYLE)
    return line


def empty_message(snapshot: Snapshot, what: str = "events") -> str:
    """``No events as of 2024-11-26.`` (with the filter and place, when set)."""
    bits = [f"No {what}"]
    if not snapshot.filter.empty:
        bits.append(f"match '{snapshot.filter}'")
    if snapshot.place:
        p = snapshot.places.get(snapshot.place)
        bits.append(f"at {p.name if p else snapshot.place}")
    bits.append(f"as of {fmt_day(snapshot.as_of)}.")
    return " ".join(bits)


def render_timeline(
    snapshot: Snapshot,
    width: int,
    height: int | None = None,
    *,
    newest_first: bool = True,
    selected: str | None = None,
    top: int = 0,
    marked: frozenset[str] = frozenset(),
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    """Rows ``top .. top+height`` of the timeline (every row when ``height`` is None)."""
    rows = timeline_rows(snapshot, newest_first=newest_first)
    if not rows:
        text = fit(safe(empty_message(snapshot), ascii=ascii), width, ascii=ascii)
        return [StyledLine(text, ())] if height is None or height > 0 else []
    top = max(0, top)
    end = len(rows) if height is None else min(len(rows), top + max(0, height))
    when_of = when_formatter()  # one for every row (no strftime per row)
    return [
        render_timeline_row(
            ev,
            snapshot,
            width,
            selected=ev.id == selected,
            marked=ev.id in marked,
            colour=colour,
            ascii=ascii,
            when_of=when_of,
        )
        for ev in rows[top:end]
    ]
