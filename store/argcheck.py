"""One rule for what a user may ask for: the as-of range and filter values.

The monitor (``g``, ``--as-of``, the filter line) and the command line
(``export --as-of``, ``--filter``) call these, so both refuse the same things
with the same one-line message stating what is valid:

- an as-of day must lie from the day before the situation's start (to see
  the situation as it began) to the latest day in the data;
- ``type:`` must start one of the event types (``type:cap`` is ``capture``);
- ``faction:`` must name a faction by id, short name or a name it is known by;
- ``place:`` must name a place (id, name or alternative name).

Pure: no Textual, no Rich.
"""

from __future__ import annotations

import typing
from datetime import date, datetime, timedelta
from typing import Any

from .query import Filter
from .records import EventType
from .timeutil import day_of

__all__ = ["EVENT_TYPES", "as_of_problem", "as_of_range", "day_problem", "filter_problems"]

#: the event types a ``type:`` term may start (the record schema's list)
EVENT_TYPES: tuple[str, ...] = typing.get_args(EventType)


def as_of_range(store: Any, today: date | None = None) -> tuple[date, date]:
    """(first, last) day a user may ask for: the day before the start .. the latest day.

    A store without dated records gives ``today`` (default: the current day)
    for both ends, less one day for the first.
    """
    first, last = store.time_bounds()
    hi = day_of(last) if last is not None else (today or date.today())
    lo = (day_of(first) if first is not None else hi) - timedelta(days=1)
    return min(lo, hi), hi


def as_of_problem(moment: datetime | date, store: Any, today: date | None = None) -> str | None:
    """Why ``moment`` cannot be shown (None: it can): ``2030-01-01 is after the data ...``."""
    day = day_of(moment) if isinstance(moment, datetime) else moment
    return day_problem(day, *as_of_range(store, today))


def day_problem(day: date, lo: date, hi: date) -> str | None:
    """Why ``day`` lies outside ``lo``..``hi`` (None: it does not), in the words
    the command line and the monitor's go-to-date dialog both show."""
    if lo <= day <= hi:
        return None
    side = "after" if day > hi else "before"
    return f"{day.isoformat()} is {side} the data: choose a day from {lo.isoformat()} to {hi.isoformat()}"


def filter_problems(flt: Filter, store: Any) -> list[str]:
    """One line per ``type:``, ``faction:`` or ``place:`` value that matches nothing known."""
    out: list[str] = []
    for term in flt.type:
        if not any(t.startswith(term) for t in EVENT_TYPES):
            out.append(f"unknown type {term!r}: use one of {', '.join(EVENT_TYPES)}")
    for term in flt.faction:
        if not store.resolve_factions(term):
            known = ", ".join(sorted(f"{fid} ({f.short})" for fid, f in store.factions.items()))
            out.append(f"unknown faction {term!r}: use one of {known or '(none in the store)'}")
    for term in flt.place:
        if not store.resolve_places(term):
            out.append(f"unknown place {term!r} (try a name like Aleppo or Hama)")
    return out
