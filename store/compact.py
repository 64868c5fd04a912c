"""Compact records: one shared object for each value a long history repeats.

A store that follows a long war holds 10^5 to 10^6 events, and they repeat a
few values over and over: the same place, faction and actor tuples, the same
source references, the same ``updated_at`` (every record of a feed's batch
carries its stamp), the same day (day-precision events), the same casualty
counts. Decoded as they are, each event held its own copy of each of them:
about 900 bytes per event for 250 bytes of file. Here every such value is
kept once and the records point at it; what is left per event is the record
itself, its id, its time and its title (about 330 bytes for the synthetic
events of ``bench/_scale.py``).

What is shared, and the rule that keeps it invisible:

- tuples (``places``, ``factions``, ``actors``, ``sources``, ``alt_names``) and
  :class:`~.records.Casualties`: equal values (``==`` on immutable values) are
  interchangeable;
- datetimes (``updated_at``; ``time`` where neighbours in time order are equal):
  only when the instant *and* the tzinfo are equal, and only fixed-offset
  :class:`datetime.timezone` (what decoding gives): two datetimes that compare
  equal across different offsets are *not* shared, so every record re-encodes
  to the same bytes;
- strings need no pass: ``type`` and ``precision`` are ``Literal`` fields, which
  msgspec decodes to the one string object of the type annotation, and the id
  strings inside a shared tuple are shared with it.

Records are immutable (frozen structs of tuples), so sharing cannot leak a change
from one record to another. The interner is process-wide and bounded (it forgets
everything past :data:`LIMIT` entries and starts again: a store with more distinct
values than that simply shares less), so new records from a refresh point at the
same tuples as the stored ones.

Cost: the bulk pass (:meth:`Interner.share_events`) runs a few C-level ``map``
calls per field over a decoded shard (no Python code per event, one lookup per run
of equal stamps). It checks the id pattern of references once per distinct value
(:data:`~.records.RefId`), which the decoder no longer does per reference; together
the decode of 100k events takes about 18% more CPU than the old decoder (lists, a
regex per reference). Records entering through a merge go through
:func:`compact_records` one by one (a batch is small).

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from itertools import compress, repeat
from operator import attrgetter, eq, ne
from typing import Any

import msgspec
from msgspec.structs import force_setattr

from .records import ID_PROBLEM, KINDS, Event, Place, Quote, Record, is_id

__all__ = ["LIMIT", "SHARED", "Interner", "compact_records"]

#: entries the process-wide interner holds before it starts again
LIMIT = 1 << 17

#: record class -> its tuple fields (coerced from lists, then shared)
_TUPLE_FIELDS: dict[type, tuple[str, ...]] = {cls: ("sources",) for cls in KINDS.values()}
_TUPLE_FIELDS[Event] = ("places", "factions", "actors", "sources")
_TUPLE_FIELDS[Quote] = ("places", "sources")
_TUPLE_FIELDS[Place] = ("alt_names", "sources")
#: record class -> its other immutable shared values
_VALUE_FIELDS: dict[type, tuple[str, ...]] = {Event: ("fatalities",)}
#: record class -> its datetime fields shared record by record (the bulk pass shares
#: an event's ``time`` with its neighbour in time order instead)
_TIME_FIELDS: dict[type, tuple[str, ...]] = {cls: ("updated_at",) for cls in KINDS.values()}
_TIME_FIELDS[Event] = ("time", "updated_at")

_EVENT_VALUES = ("places", "factions", "actors", "sources", "fatalities")


def _consume(iterator: Iterable[Any]) -> None:
    deque(iterator, maxlen=0)


class _Shared(dict):
    """value -> the one shared object equal to it. A value seen for the first time is
    first checked by ``check`` (which raises ``msgspec.ValidationError``): hits, the
    usual case, cost one C-level lookup and no check."""

    __slots__ = ("check",)

    def __init__(self, check: Callable[[Any], None] | None = None) -> None:
        super().__init__()
        self.check = check

    def __missing__(self, key: Any) -> Any:
        if self.check is not None:
            self.check(key)
        return self.setdefault(key, key)


def _id_checker(name: str) -> Callable[[tuple[Any, ...]], None]:
    def check(value: tuple[Any, ...]) -> None:
        for i, item in enumerate(value):
            if not is_id(item):
                raise msgspec.ValidationError(f"{ID_PROBLEM} - at `{name}[{i}]`: {item!r:.80}")

    return check


def _check_refs(value: tuple[Any, ...]) -> None:
    for i, ref in enumerate(value):
        if not is_id(getattr(ref, "source", None)):
            raise msgspec.ValidationError(
                f"{ID_PROBLEM} - at `sources[{i}].source`: {getattr(ref, 'source', None)!r:.80}"
            )


class Interner:
    """Canonical objects for equal immutable values (see the module docstring).

    The id tuples (``places``, ``factions``) and source references are checked
    against :data:`~.records.ID_PATTERN` the first time each distinct value is seen
    (:data:`~.records.RefId`): a decoded shard holding a bad one raises
    ``msgspec.ValidationError`` naming the field.

    Thread use: the dict operations are atomic under the GIL; two threads sharing
    at once at worst share less (a value kept twice), never a wrong value.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._tables: dict[str, _Shared] = {
            "places": _Shared(_id_checker("places")),
            "factions": _Shared(_id_checker("factions")),
            "sources": _Shared(_check_refs),
        }
        #: everything else (actors, alt_names, casualty counts): nothing to check
        self._plain = _Shared()
        #: (offset, name) of a fixed-offset timezone -> {datetime: the shared one}
        self._times: dict[tuple[Any, str | None], dict[datetime, datetime]] = {}

    def _table(self, name: str) -> _Shared:
        return self._tables.get(name, self._plain)

    def __len__(self) -> int:
        tables = (*self._tables.values(), self._plain, *self._times.values())
        return sum(len(t) for t in tables)

    def _trim(self) -> None:
        if len(self) > self.limit:
            for table in (*self._tables.values(), self._plain):
                table.clear()
            self._times.clear()

    def _time_table(self, tz: Any) -> dict[datetime, datetime] | None:
        """The table of datetimes in the fixed-offset zone ``tz`` (None: not shared)."""
        if type(tz) is not timezone:
            return None
        key = (tz.utcoffset(None), tz.tzname(None))
        table = self._times.get(key)
        if table is None:
            table = self._times.setdefault(key, {})
        return table

    # ------------------------------------------------------------ the bulk pass

    def share_events(self, events: list[Event]) -> list[Event]:
        """Share the repeated values of freshly decoded ``events`` (in place; returned).

        The events must hold tuples (as decoding gives) and be in time order (a
        shard's order) for their times to be shared; out of order, fewer are.
        Raises ``msgspec.ValidationError`` for a place, faction or source id that
        does not follow the id pattern.
        """
        if not events:
            return events
        self._trim()
        for name in _EVENT_VALUES:
            get = attrgetter(name)
            if not any(map(get, events)):  # all empty (or None): nothing to share
                continue
            shared = map(self._table(name).__getitem__, map(get, events))
            _consume(map(force_setattr, events, repeat(name), shared))
        self._share_datetimes(events, "updated_at")
        self._share_neighbour_times(events)
        return events

    def _share_datetimes(self, records: list[Any], name: str) -> None:
        """Share field ``name`` (a datetime) of ``records``. A feed's batch stamps its
        records alike, so equal values come in runs: one lookup per run (hashing an
        aware datetime builds another one), the run set in C."""
        values = list(map(attrgetter(name), records))
        zones = set(map(attrgetter("tzinfo"), values))
        if len(zones) != 1:  # several offsets in one shard: one lookup each
            _consume(map(force_setattr, records, repeat(name), map(self.datetime, values)))
            return
        table = self._time_table(zones.pop())
        if table is None:
            return
        n = len(values)
        # one tzinfo: equal values are equal instants in the same offset
        starts = [0, *compress(range(1, n), map(ne, values, values[1:])), n]
        for a, b in zip(starts, starts[1:], strict=False):
            value = values[a]
            shared = table.setdefault(value, value)
            _consume(map(force_setattr, records[a:b], repeat(name), repeat(shared, b - a)))

    @staticmethod
    def _share_neighbour_times(events: list[Event]) -> None:
        """Equal times sit side by side in time order: point each at its neighbour's."""
        times = list(map(attrgetter("time"), events))
        for i in compress(range(1, len(times)), map(eq, times, times[1:])):
            earlier, t = times[i - 1], times[i]
            if earlier is not t and type(t.tzinfo) is timezone and earlier.tzinfo == t.tzinfo:
                if earlier.tzinfo.tzname(None) == t.tzinfo.tzname(None):
                    times[i] = earlier
                    force_setattr(events[i], "time", earlier)

    # --------------------------------------------------------- record by record

    def datetime(self, value: datetime) -> datetime:
        """The shared datetime equal to ``value`` in the same fixed offset (else ``value``)."""
        table = self._time_table(value.tzinfo)
        return value if table is None else table.setdefault(value, value)

    def value(self, name: str, value: Any) -> Any:
        """The shared object equal to ``value`` of field ``name`` (``value`` itself when
        it is unhashable or, for an id field, not made of ids: such a record is the
        merge's to reject, and nothing unchecked is kept)."""
        try:
            return self._table(name)[value]
        except (TypeError, msgspec.ValidationError):
            return value

    def record(self, rec: Record) -> Record:
        """``rec`` with tuples for lists (a new record if it held any) and shared values.

        Records built in code may hold lists; stored records always hold tuples, and
        ``[] != ()``: without this a list-built record would never equal its stored copy.
        """
        cls = type(rec)
        tuple_fields = _TUPLE_FIELDS.get(cls)
        if tuple_fields is None:
            return rec
        lists = {name: tuple(v) for name in tuple_fields if type(v := getattr(rec, name)) is list}
        if lists:
            rec = msgspec.structs.replace(rec, **lists)
        for name in tuple_fields + _VALUE_FIELDS.get(cls, ()):
            force_setattr(rec, name, self.value(name, getattr(rec, name)))
        for name in _TIME_FIELDS[cls]:
            value = getattr(rec, name)
            if isinstance(value, datetime):
                force_setattr(rec, name, self.datetime(value))
        return rec


#: the process-wide interner: stored records and new ones from every merge share values
SHARED = Interner()


def compact_records(records: Iterable[Record], interner: Interner | None = None) -> list[Record]:
    """``records`` as the store keeps them: tuples, not lists, and shared values.

    Records holding lists are replaced by copies holding tuples (the caller's
    objects are not changed); the others are kept and their values shared.
    """
    interner = interner or SHARED
    interner._trim()
    return [interner.record(rec) for rec in records]
