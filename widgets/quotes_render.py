"""The quotes pane: who said what, when, to whom, about which place and event.

Pure (no Textual, no Rich). Each quote is a block of lines::

    ▶ Abu Mohammed al-Joulani · leader of HTS · 2024-12-05 · CNN
    ┃   “I ask God Almighty that this be a conquest without revenge”
    ┃   → Hama · HTS-led rebels capture Hama

The cursor block has ``▶`` on its first line and a bar down its left edge.
Quotes are listed newest first.
"""

from __future__ import annotations

import bisect

from sitmon.store.query import Snapshot
from sitmon.store.records import Quote
from sitmon.store.timeutil import fmt_when

from .lines import StyledLine
from .render_util import (
    fit,
    glyphs,
    highlight_line,
    line_of,
    place_names,
    safe,
    stacked_blocks,
    style,
    wrap,
)
from .timeline_render import CURSOR_STYLE, empty_message

__all__ = ["quote_rows", "render_quote_block", "render_quotes", "quote_blocks"]


def quote_rows(snapshot: Snapshot) -> list[Quote]:
    """The quotes in display order: newest first."""
    return snapshot.quotes[::-1]


def render_quote_block(
    quote: Quote,
    snapshot: Snapshot,
    width: int,
    *,
    selected: bool = False,
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    """One quote as a block of lines (no blank separator)."""
    g = glyphs(ascii)
    width = max(1, width)
    head: list[tuple[str, str]] = [
        (g.cursor if selected else " ", "bold" if selected else ""),
        (" ", ""),
        (safe(quote.speaker, ascii=ascii), style(colour, "bold cyan", "bold")),
    ]
    for bit, st in (
        (quote.role, "italic"),
        (fmt_when(quote.said_at, quote.precision), style(colour, "dim")),
        (quote.outlet, ""),
    ):
        if bit:
            head += [(g.sep, style(colour, "dim")), (safe(bit, ascii=ascii), st)]
    lines = [line_of(head, width, ascii=ascii)]
    if selected:
        lines[0] = highlight_line(lines[0], width, CURSOR_STYLE)
    left = (g.bar if selected else " ") + "   "
    left_style = "bold" if selected else ""
    body_w = max(1, width - len(left))
    text = f"{g.open_q}{quote.text.strip()}{g.close_q}"
    for row in wrap(text, body_w, ascii=ascii):
        lines.append(line_of([(left, left_style), (row, "italic" if colour else "")], width))
    links: list[str] = []
    if quote.places:
        links.append(place_names(quote.places, snapshot.places))
    if quote.event:
        ev = _event(snapshot, quote.event)
        links.append(ev.title if ev is not None else quote.event)
    if links:
        link_text = safe(g.sep.join(links), ascii=ascii)
        lines.append(
            line_of(
                [(left, left_style), (g.arrow + " ", style(colour, "dim")), (link_text, "dim")],
                width,
                ascii=ascii,
            )
        )
    return lines


_index_cache: list = [None, None, {}]  # [id(events list), events list, index]


def _event_key(e) -> tuple:
    return (e.time, e.id)


def _event(snapshot: Snapshot, event_id: str):
    """The event ``event_id`` among the snapshot's events.

    With the store's table (``snapshot.event_table``): one lookup and a binary search
    in the time-ordered ``events``. Without it: an id index over ``events``, cached per list.
    """
    events = snapshot.events
    if snapshot.event_table:
        ev = snapshot.event_table.get(event_id)
        if ev is None:
            return None
        key = (ev.time, ev.id)
        i = bisect.bisect_left(events, key, key=_event_key)
        return events[i] if i < len(events) and events[i].id == event_id else None
    if _index_cache[1] is not events:
        _index_cache[:] = [id(events), events, {e.id: e for e in events}]
    return _index_cache[2].get(event_id)


def quote_ids(snapshot: Snapshot) -> list[str]:
    """The quote ids :func:`quote_blocks` draws, in its order (without drawing them)."""
    return [q.id for q in quote_rows(snapshot)]


def quote_blocks(
    snapshot: Snapshot,
    width: int,
    *,
    selected: str | None = None,
    colour: bool = True,
    ascii: bool = False,
) -> list[tuple[str, list[StyledLine]]]:
    """(quote id, its lines) for every quote, blank line between blocks included."""
    return stacked_blocks(
        quote_rows(snapshot),
        lambda q: q.id,
        lambda q: render_quote_block(
            q, snapshot, width, selected=q.id == selected, colour=colour, ascii=ascii
        ),
    )


def render_quotes(
    snapshot: Snapshot,
    width: int,
    height: int | None = None,
    *,
    selected: str | None = None,
    top: int = 0,
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    """Lines ``top .. top+height`` of the quotes view (all of them when ``height`` is None)."""
    blocks = quote_blocks(snapshot, width, selected=selected, colour=colour, ascii=ascii)
    if not blocks:
        lines = [
            StyledLine(
                fit(safe(empty_message(snapshot, "quotes"), ascii=ascii), width, ascii=ascii)
            )
        ]
    else:
        lines = [line for _, block in blocks for line in block]
    top = max(0, top)
    if height is None:
        return lines[top:]
    return lines[top : top + max(0, height)]
