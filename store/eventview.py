"""Lazy, read-only views of the store's time-ordered event list: no copies per query.

A day step or a filter keystroke at a million events must not copy the history.
:meth:`Store.events` returns an :class:`EventView`: a ``Sequence[Event]`` over the
store's list (which a merge never changes in place; it installs a new list), cut to
a time range by binary search and, when a filter narrows it, to the positions a
:class:`Selection` holds (a bitmap: bit ``p`` set = the event at position ``p``).
Indexing, ``len`` and iteration cost what they touch: a screen of rows costs a
screen of rows. :class:`NewestFirst` reads any such sequence backwards.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any, overload

from .records import Event

__all__ = [
    "EventView",
    "NewestFirst",
    "Selection",
    "Without",
    "bits_of",
    "event_key",
    "first_difference",
]

#: bytes per block of a :class:`Selection` (4096 positions): the unit of select and decode
_BLOCK = 512
_BLOCK_BITS = _BLOCK * 8
#: byte value -> the offsets of its set bits
_BITS_OF_BYTE = tuple(tuple(b for b in range(8) if v >> b & 1) for v in range(256))


def event_key(e: Event) -> tuple:
    """The time order of the store's event list: (time, id)."""
    return (e.time, e.id)


def bits_of(positions, offset: int = 0) -> int:
    """A bitmap (an ``int``) with bit ``offset + p`` set for each ``p`` of ``positions``
    (non-negative ints, any order). Cost: one pass over ``positions``."""
    positions = positions if isinstance(positions, (list, array, range)) else list(positions)
    if not positions:
        return 0
    top = max(positions)
    buf = bytearray(top // 8 + 1)
    for p in positions:
        buf[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(buf, "little") << offset


def _same_items(a: Sequence[Any], b: object) -> bool:
    """``a == b`` for a lazy sequence: the same items in the same order (any sequence)."""
    if isinstance(b, Sequence) and not isinstance(b, (str, bytes)):
        return len(a) == len(b) and all(x is y or x == y for x, y in zip(a, b, strict=True))
    return NotImplemented


class Selection(Sequence[int]):
    """The set bits of a bitmap as a sorted sequence of positions.

    ``len`` is a popcount; ``sel[k]`` (the k-th smallest position) finds its block of
    4096 positions by binary search over cumulative counts and decodes that block once
    (kept for the next row). :meth:`rank` is the inverse.
    """

    __slots__ = ("_cum", "_data", "_decoded")

    def __init__(self, bits: int) -> None:
        if bits < 0:
            raise ValueError("a selection's bitmap is a non-negative int")
        data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        self._data = data
        cum = array("q", [0])
        total = 0
        for a in range(0, len(data), _BLOCK):
            total += int.from_bytes(data[a : a + _BLOCK], "little").bit_count()
            cum.append(total)
        self._cum = cum
        self._decoded: dict[int, array] = {}

    def __len__(self) -> int:
        return self._cum[-1]

    def _block(self, b: int) -> array:
        got = self._decoded.get(b)
        if got is None:
            got = array("i")
            base = b * _BLOCK_BITS
            a = b * _BLOCK
            for i, v in enumerate(self._data[a : a + _BLOCK]):
                if v:
                    o = base + 8 * i
                    got.extend([o + x for x in _BITS_OF_BYTE[v]])
            if len(self._decoded) > 64:
                self._decoded.clear()
            self._decoded[b] = got
        return got

    @overload
    def __getitem__(self, k: int) -> int: ...
    @overload
    def __getitem__(self, k: slice) -> list[int]: ...
    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        n = len(self)
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("selection index out of range")
        b = bisect.bisect_right(self._cum, k) - 1
        return self._block(b)[k - self._cum[b]]

    def __iter__(self) -> Iterator[int]:
        for b in range(len(self._cum) - 1):
            if self._cum[b + 1] > self._cum[b]:
                yield from self._block(b)

    def __contains__(self, p: object) -> bool:
        if not isinstance(p, int) or p < 0 or p >> 3 >= len(self._data):
            return False
        return bool(self._data[p >> 3] >> (p & 7) & 1)

    def rank(self, p: int) -> int | None:
        """The index of position ``p`` in the selection, or None when it is not selected."""
        if p not in self:
            return None
        b = p // _BLOCK_BITS
        below = self._data[b * _BLOCK : p >> 3] if p >> 3 > b * _BLOCK else b""
        partial = self._data[p >> 3] & ((1 << (p & 7)) - 1)
        return self._cum[b] + int.from_bytes(below, "little").bit_count() + partial.bit_count()


class EventView(Sequence[Event]):
    """Events of a time-ordered list, chronological, without copying it.

    ``events[lo:hi]`` when ``selection`` is None, else the events at the selection's
    positions (all within ``lo..hi``). Equal to any sequence of the same events in the
    same order (so ``store.events() == [e1, e2]`` reads as it always did); slicing
    gives a list.
    """

    __slots__ = ("_events", "_hi", "_lo", "_sel")

    def __init__(
        self,
        events: list[Event],
        lo: int = 0,
        hi: int | None = None,
        selection: Selection | None = None,
    ) -> None:
        self._events = events
        self._lo = lo
        self._hi = len(events) if hi is None else hi
        self._sel = selection

    def __len__(self) -> int:
        return len(self._sel) if self._sel is not None else max(0, self._hi - self._lo)

    @overload
    def __getitem__(self, i: int) -> Event: ...
    @overload
    def __getitem__(self, i: slice) -> list[Event]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if self._sel is None and step == 1:
                return self._events[self._lo + start : self._lo + max(start, stop)]
            return [self[k] for k in range(start, stop, step)]
        if self._sel is not None:
            return self._events[self._sel[i]]
        n = self._hi - self._lo
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("event view index out of range")
        return self._events[self._lo + i]

    def __iter__(self) -> Iterator[Event]:
        if self._sel is not None:
            return map(self._events.__getitem__, self._sel)
        return map(self._events.__getitem__, range(self._lo, self._hi))

    def __reversed__(self) -> Iterator[Event]:
        if self._sel is not None:
            sel = self._sel
            return (self._events[sel[k]] for k in range(len(sel) - 1, -1, -1))
        return map(self._events.__getitem__, range(self._hi - 1, self._lo - 1, -1))

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        return _same_items(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> list[Event]:
        return [*self, *other]

    def __repr__(self) -> str:
        return f"EventView({len(self)} events)"

    @property
    def span(self) -> tuple[int, int]:
        """(lo, hi): the positions of the store's list this view lies within."""
        return self._lo, self._hi

    def holds(self, p: int) -> bool:
        """Is position ``p`` of the store's list in this view?"""
        if not self._lo <= p < self._hi:
            return False
        return self._sel is None or p in self._sel

    def rank(self, event: Event) -> int | None:
        """The index of ``event`` in this view (a binary search on (time, id)), or None."""
        events = self._events
        p = bisect.bisect_left(events, event_key(event), self._lo, self._hi, key=event_key)
        if p >= self._hi or events[p].id != event.id:
            return None
        if self._sel is not None:
            return self._sel.rank(p)
        return p - self._lo


class Without(Sequence[Event]):
    """A view without the items at a few sorted indexes ``drop`` (the followers of
    corroborated groups): row ``k`` is found by binary search over ``drop``."""

    __slots__ = ("_base", "_drop")

    def __init__(self, base: EventView, drop: Sequence[int]) -> None:
        self._base = base
        self._drop = sorted(set(drop))

    def __len__(self) -> int:
        return len(self._base) - len(self._drop)

    def _index(self, k: int) -> int:
        i = k
        while True:  # the smallest i with i - (dropped at or below i) == k, i not dropped
            j = k + bisect.bisect_right(self._drop, i)
            if j == i:
                return i
            i = j

    def __getitem__(self, k):
        n = len(self)
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(n))]
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("row index out of range")
        return self._base[self._index(k)]

    def __iter__(self) -> Iterator[Event]:
        drop = set(self._drop)
        return (e for i, e in enumerate(self._base) if i not in drop)

    def __reversed__(self) -> Iterator[Event]:
        return (self[k] for k in range(len(self) - 1, -1, -1))

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        return _same_items(self, other)

    __hash__ = None  # type: ignore[assignment]

    def rank(self, event: Event) -> int | None:
        r = self._base.rank(event)
        if r is None:
            return None
        i = bisect.bisect_left(self._drop, r)
        if i < len(self._drop) and self._drop[i] == r:
            return None
        return r - i


class NewestFirst(Sequence[Any]):
    """A sequence read backwards (row 0 = its last item), without copying it."""

    __slots__ = ("_base",)

    def __init__(self, base: Sequence[Any]) -> None:
        self._base = base

    def __len__(self) -> int:
        return len(self._base)

    def __getitem__(self, i):
        n = len(self._base)
        if isinstance(i, slice):
            return [self._base[n - 1 - k] for k in range(*i.indices(n))]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("row index out of range")
        return self._base[n - 1 - i]

    def __iter__(self) -> Iterator[Any]:
        return reversed(self._base)

    def __reversed__(self) -> Iterator[Any]:
        return iter(self._base)

    def __bool__(self) -> bool:
        return len(self._base) > 0

    def __eq__(self, other: object) -> bool:
        return _same_items(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> list[Any]:
        return list(chain(self, other))

    def __repr__(self) -> str:
        return f"NewestFirst({len(self)})"

    def rank(self, item: Any) -> int | None:
        """The row of ``item`` (via the base's ``rank``), or None."""
        rank = getattr(self._base, "rank", None)
        if rank is None:
            for i, x in enumerate(self):
                if x is item or x == item:
                    return i
            return None
        r = rank(item)
        return None if r is None else len(self._base) - 1 - r


def first_difference(old: list[Event], new: list[Event]) -> int:
    """The first position where ``old`` and ``new`` hold different events (by identity
    first: a merge keeps every unchanged record object). C-level chunk compares."""
    n = min(len(old), len(new))
    step = 1 << 14
    a = 0
    while a < n:
        b = min(n, a + step)
        if old[a:b] != new[a:b]:
            for i in range(a, b):
                if old[i] is not new[i] and old[i] != new[i]:
                    return i
        a = b
    return n
