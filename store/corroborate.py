"""Corroboration: the same event reported by several feeds is one row with a count of sources.

Two events are reports of one thing when (rules stated in ``docs/data-model.md``):

- they come from **different feeds** (:func:`feed_of`: the feed Source an
  adapter cites, ``feed-<identity>``; else the id's namespace, so the records
  of one curated document never group with each other);
- they happened on the **same day** in the situation's time zone;
- they share at least one **place**;
- their **types are compatible**: equal, or either is ``other``, or both are
  fighting over ground (offensive, capture, withdrawal, battle) or both are
  violence from afar or against civilians (strike, violence_against_civilians);
- their **titles are similar**: they share at least two distinct words and at
  least half of the shorter title's words (words of 3+ letters, case and
  accents ignored, a few function words dropped): a shared place name alone
  is not enough.

Grouping is transitive (a report like two others joins their group). Nothing is
deleted: every report stays a record; the group is computed from the events of
a snapshot, so it follows every merge and every filter. Every link joins two
reports of one day, so a group never spans two days: :class:`DayGroups` works
out one day at a time, when a renderer asks about an event of that day, and a
:class:`GroupCache` keeps each day's answer for the next snapshot (a day step
or a refresh recomputes only the days whose events changed). The group's
**lead** is its earliest report (then the smallest id); the timeline shows the
lead with "3 sources", and the detail view lists every report.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, time, timedelta
from itertools import repeat
from operator import attrgetter, itemgetter

from .records import Event, SourceRef
from .timeutil import SITUATION_TZ

__all__ = [
    "DayGroups",
    "GroupCache",
    "corroboration_groups",
    "day_start",
    "feed_of",
    "grouped_positions",
    "similar_titles",
]

_GROUND = frozenset({"offensive", "capture", "withdrawal", "battle"})
_FROM_AFAR = frozenset({"strike", "violence_against_civilians"})
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP = frozenset(
    "the and for from with into over after near says said has have was were are its".split()
)


def feed_of(event: Event) -> str:
    """The feed an event came from: the ``feed-...`` Source it cites, else its id's namespace."""
    found = _feed_source(event.sources)
    return found if found is not None else event.id.partition("-")[0]


_ID = attrgetter("id")
_TIME = attrgetter("time")
_SOURCES = attrgetter("sources")
_NAMESPACE = itemgetter(0)


def _feeds(events: Sequence[Event]) -> list[str]:
    """``[feed_of(e) for e in events]``, worked out once per distinct ``sources`` tuple
    (a history repeats a few) and, for the ids' namespaces, by C-level maps: no Python
    code per event unless the events mix feed Sources and namespaces."""
    try:
        cited = list(map(_SOURCES, events))
        feed = {refs: _feed_source(refs) for refs in set(cited)}
    except TypeError:  # an unhashable oddity (records are built of tuples): one by one
        return [feed_of(e) for e in events]
    found = list(map(feed.__getitem__, cited))
    if None not in feed.values():
        return found
    spaces = list(map(_NAMESPACE, map(str.partition, map(_ID, events), repeat("-"))))
    if not any(feed.values()):  # no event cites a feed Source
        return spaces
    return [f if f is not None else ns for f, ns in zip(found, spaces, strict=True)]


def _feed_source(refs: Sequence[SourceRef]) -> str | None:
    for ref in refs:
        if ref.source.startswith("feed-"):
            return ref.source
    return None


#: non-ASCII titles' words, remembered (normalising costs ~10 us a title; a refresh
#: recomputes the days it touched, mostly of titles seen before); cleared when full
_WORDS_SEEN: dict[str, frozenset[str]] = {}
_WORDS_SEEN_LIMIT = 50_000


def _words(title: str) -> frozenset[str]:
    """A title's words as the similarity rule counts them (see the module rules)."""
    if title.isascii():  # NFKD and casefold of ASCII: lower-casing, nothing to strip
        return frozenset(w for w in _WORD.findall(title.lower()) if w not in _STOP)
    got = _WORDS_SEEN.get(title)
    if got is None:
        text = unicodedata.normalize("NFKD", title.casefold())
        text = "".join(c for c in text if not unicodedata.combining(c))
        got = frozenset(w for w in _WORD.findall(text) if w not in _STOP)
        if len(_WORDS_SEEN) >= _WORDS_SEEN_LIMIT:
            _WORDS_SEEN.clear()
        _WORDS_SEEN[title] = got
    return got


def similar_titles(a: str, b: str) -> bool:
    """Two or more shared words, and half the shorter title's (see the module rules)."""
    return _similar_words(_words(a), _words(b))


def _similar_words(wa: frozenset[str], wb: frozenset[str]) -> bool:
    small, big = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    shared = len(small & big)
    return shared >= 2 and shared * 2 >= len(small)


#: a type's class: two types are compatible (the module rules) when their classes are
#: equal (a type outside both sets is its own class; an int never equals a type's
#: name), or either is "other"
_CLASS = {**dict.fromkeys(_GROUND, 0), **dict.fromkeys(_FROM_AFAR, 1)}


def corroboration_groups(
    events: Iterable[Event], feeds: Sequence[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """Event id -> the ids of its group (lead first, then by time and id), for every
    event that has at least one corroborating report. Events alone are absent.

    ``feeds``: ``feed_of`` of each event, when the caller has worked them out."""
    evs = list(events)
    if feeds is None:
        feeds = _feeds(evs)
    if len(set(feeds)) < 2:
        return {}  # one feed's records never group: the usual single-source store costs a scan
    by_key: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(evs):
        day = e.time.astimezone(SITUATION_TZ).date().isoformat()
        for p in set(e.places):
            by_key.setdefault((day, p), []).append(i)
    parent = list(range(len(evs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # i -> its type's class (_CLASS; None: "other", compatible with every type)
    kinds = [None if e.type == "other" else _CLASS.get(e.type, e.type) for e in evs]
    words: list[frozenset[str] | None] = [None] * len(evs)  # worked out when first needed

    # a group is a connected set of links, whatever order the pairs are looked at in:
    # the cheap tests first (compatible types, then not yet one group), the titles last
    for members in by_key.values():
        if len(members) < 2:
            continue
        by_feed: dict[str, dict[object, list[int]]] = {}
        for i in members:
            by_feed.setdefault(feeds[i], {}).setdefault(kinds[i], []).append(i)
        if len(by_feed) < 2:
            continue  # one feed's own records never group: no pair to look at
        parts = list(by_feed.values())
        for x, left in enumerate(parts):
            for right in parts[x + 1 :]:
                for kind, lefts in left.items():
                    rights = (
                        [j for js in right.values() for j in js]
                        if kind is None
                        else right.get(kind, []) + right.get(None, [])
                    )
                    if rights:
                        _link(lefts, rights, evs, words, parent, find)
    groups: dict[int, list[Event]] = {}
    for i, e in enumerate(evs):
        groups.setdefault(find(i), []).append(e)
    out: dict[str, tuple[str, ...]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        ids = tuple(e.id for e in sorted(members, key=lambda e: (e.time, e.id)))
        for rid in ids:
            out[rid] = ids
    return out


def _link(
    lefts: list[int],
    rights: list[int],
    evs: list[Event],
    words: list[frozenset[str] | None],
    parent: list[int],
    find,
) -> None:
    """Join each of ``lefts`` with each of ``rights`` (reports of compatible types, one
    place, one day, two feeds) whose titles are similar (:func:`_similar_words`,
    inlined: this is the inner loop of a refresh's corroboration)."""
    for i in lefts:
        root = find(i)  # stays the root: every join below hangs a root under it
        wi = words[i]
        if wi is None:
            wi = words[i] = _words(evs[i].title)
        ni = len(wi)
        for j in rights:
            up = parent[j]
            if up == root:
                continue
            rj = j if up == j else find(j)
            if rj == root:
                continue
            wj = words[j]
            if wj is None:
                wj = words[j] = _words(evs[j].title)
            shared = len(wi & wj)
            if shared >= 2 and shared * 2 >= min(ni, len(wj)):
                parent[rj] = root


_ONE_DAY = timedelta(days=1)


class GroupCache:
    """Corroboration per day, kept between snapshots: the ids of one day's events (in
    time order) -> that day's groups. A day whose events did not change is looked up,
    not recomputed. Bounded: cleared when it holds more than ``limit`` days.
    Safe to share between threads (the UI and a refresh worker)."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._days: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def day(
        self, events: Sequence[Event], feeds: Sequence[str] | None = None
    ) -> dict[str, tuple[str, ...]]:
        """The groups among ``events`` (one day's, in time order; ``feeds``: their
        :func:`feed_of`, when known)."""
        key = tuple(map(_ID, events))
        found = self._days.get(key)
        if found is None:
            found = corroboration_groups(events, feeds)
            with self._lock:
                if len(self._days) >= self.limit:
                    self._days.clear()
                self._days[key] = found
        return found


class DayGroups(Mapping[str, tuple[str, ...]]):
    """Event id -> its group's ids (lead first), for the events of one snapshot,
    worked out one day at a time on first use (:func:`corroboration_groups` on
    that day's events), so a screen of rows costs a few days, not the history.

    ``events``: the snapshot's events in time order (as :class:`~.query.Snapshot`
    holds them); ``lookup``: any event id -> the event (the store's table), to find
    an id's day. Iterating or ``len`` works out every day (an export does that).
    Equal to the dict :func:`corroboration_groups` returns for the same events.
    """

    def __init__(
        self,
        events: Sequence[Event],
        lookup: Mapping[str, Event],
        cache: GroupCache | None = None,
    ) -> None:
        self._events = events
        self._lookup = lookup
        self._cache = cache if cache is not None else GroupCache()
        self._zone = SITUATION_TZ
        #: the first event's index of each day worked out -> that day's groups
        self._done: dict[int, dict[str, tuple[str, ...]]] = {}
        self._all: dict[str, tuple[str, ...]] | None = None

    def _day_bounds(self, when: datetime) -> tuple[int, int]:
        day = when.astimezone(self._zone).date()
        start = datetime.combine(day, time(0), tzinfo=self._zone)
        lo = bisect.bisect_left(self._events, start, key=_TIME)
        hi = bisect.bisect_left(self._events, start + _ONE_DAY, lo, key=_TIME)
        return lo, hi

    def _groups_at(self, lo: int, hi: int) -> dict[str, tuple[str, ...]]:
        found = self._done.get(lo)
        if found is None:
            found = self._done[lo] = self._cache.day(self._events[lo:hi])
        return found

    def group_of(self, event: Event) -> tuple[str, ...] | None:
        """``event``'s group, or None when no other feed corroborates it (or it is not
        one of the snapshot's events)."""
        lo, hi = self._day_bounds(event.time)
        return self._groups_at(lo, hi).get(event.id)

    def get(self, key: str, default=None):  # type: ignore[override]
        event = self._lookup.get(key)
        if event is None:
            return default
        found = self.group_of(event)
        return default if found is None else found

    def __getitem__(self, key: str) -> tuple[str, ...]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def _everything(self) -> dict[str, tuple[str, ...]]:
        """Every day's groups, walking the days in order over a plain list of the events
        (a view's items cost a Python call each; a day's end is one C-level binary search
        from its first event), with the feeds worked out in bulk: a day whose events all
        come from one feed (a day of one event among them) has no group and is skipped
        at C speed."""
        if self._all is None:
            events = list(self._events)
            times = list(map(_TIME, events))
            feeds = _feeds(events)
            zone = self._zone
            out: dict[str, tuple[str, ...]] = {}
            lo, n = 0, len(events)
            while lo < n:
                start = datetime.combine(times[lo].astimezone(zone).date(), time(0), tzinfo=zone)
                hi = bisect.bisect_left(times, start + _ONE_DAY, lo)
                if len(set(feeds[lo:hi])) > 1:
                    found = self._done.get(lo)
                    if found is None:
                        found = self._done[lo] = self._cache.day(events[lo:hi], feeds[lo:hi])
                    out.update(found)
                lo = hi
            self._all = out
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def items(self):  # type: ignore[override]
        return self._everything().items()

    def values(self):  # type: ignore[override]
        return self._everything().values()

    def __len__(self) -> int:
        return len(self._everything())

    def __bool__(self) -> bool:
        # cheap: "maybe"; a renderer then asks per row (every group holds 2+ events)
        return len(self._events) > 1

    def __repr__(self) -> str:
        return f"DayGroups({len(self._events)} events)"


def day_start(events: Sequence[Event], p: int) -> int:
    """The first position of the day (situation time) of the event at ``p`` (0 if none)."""
    if p < 0 or not events:
        return 0
    day = events[p].time.astimezone(SITUATION_TZ).date()
    start = datetime.combine(day, time(0), tzinfo=SITUATION_TZ)
    return bisect.bisect_left(events, start, 0, p + 1, key=_TIME)


def grouped_positions(
    events: Sequence[Event],
    start: int = 0,
    *,
    previous: tuple[Sequence[Event], Sequence[int]] | None = None,
) -> array:
    """Positions (from ``start``, which begins a day) of the events that belong to a
    corroboration group among all of ``events`` (:mod:`.corroborate`), ascending.

    An event in no group there is in no group among any subset of the events
    either (a group is a connected set of pairwise links), so a snapshot's groups
    are the groups among its events at these positions: a few, not the history.

    ``previous``: (an earlier event list, its grouped positions): a day whose events
    are equal there (a merge keeps every unchanged record) has the same groups, so
    its positions are taken over, not worked out again; only the days a batch
    touched cost corroboration.
    """
    out = array("i")
    i, n = start, len(events)
    old, old_grouped = previous if previous is not None else ((), ())
    while i < n:
        begin = datetime.combine(
            events[i].time.astimezone(SITUATION_TZ).date(), time(0), tzinfo=SITUATION_TZ
        )
        end = datetime.combine(begin.date() + timedelta(days=1), time(0), tzinfo=SITUATION_TZ)
        j = bisect.bisect_left(events, end, i, n, key=_TIME)
        if j - i > 1:
            chunk = events[i:j]
            if old:
                a = bisect.bisect_left(old, begin, key=_TIME)
                b = bisect.bisect_left(old, end, a, len(old), key=_TIME)
            if old and b - a == j - i and old[a:b] == chunk:  # the same day as before
                lo = bisect.bisect_left(old_grouped, a)
                hi = bisect.bisect_left(old_grouped, b, lo)
                out.extend(p - a + i for p in old_grouped[lo:hi])
            else:
                groups = corroboration_groups(chunk)
                if groups:
                    out.extend(i + k for k, e in enumerate(chunk) if e.id in groups)
        i = max(j, i + 1)
    return out
