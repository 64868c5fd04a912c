"""View state -> snapshot: the one function behind every pane and every export.

A pane shows, and ``e`` / ``sitmon export --view V`` writes, exactly
``view_snapshot(store, V, as_of=..., place=..., filter=...)``: the same records,
filtered the same way (:mod:`.filtering`), so an export is "exactly as shown" by
construction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec.structs import replace

from .filtering import check_filter
from .query import Filter, Snapshot, parse_filter

__all__ = ["VIEWS", "VIEW_KINDS", "view_snapshot"]

#: every view: four panes and the situation report (``all``)
VIEWS: tuple[str, ...] = ("timeline", "map", "quotes", "stats", "all")

#: view -> the record kinds it lists (what its filter must apply to)
VIEW_KINDS: dict[str, tuple[str, ...]] = {
    "timeline": ("event",),
    "map": ("place",),
    "quotes": ("quote",),
    "stats": ("figure",),
    "all": ("event", "quote", "figure", "place"),
}


def view_snapshot(
    store: Any,
    view: str,
    *,
    as_of: datetime | None = None,
    place: str | None = None,
    filter: Filter | str | None = None,
    index: str = "build",
) -> Snapshot:
    """What ``view`` shows as of ``as_of`` (None: the latest), about ``place`` (an id).

    ``place`` narrows the events and quotes of ``timeline``, ``quotes`` and
    ``all``; on the map it is the selected place, not a filter. The quotes view
    keeps every event known as of the moment (a quote names its event whatever the
    filter). Raises :class:`~.filtering.FilterError` (a ``ValueError``, one line) if
    a filter term does not apply to a kind of record the view lists, and
    ``KeyError`` for an unknown view. ``index``: what the filter's words do to the
    events while the search index is not built (``Store.events``: ``build`` it,
    ``ready`` raises ``SearchPending``, ``skip`` them).
    """
    kinds = VIEW_KINDS[view]
    flt = parse_filter(filter) if isinstance(filter, str) or filter is None else filter
    check_filter(flt, kinds)
    snap = store.snapshot(as_of, place=place, filter=flt, index=index)
    if view == "quotes":
        snap = replace(snap, events=store.events(as_of=snap.as_of))
    return snap
