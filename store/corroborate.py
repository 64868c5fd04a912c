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
a snapshot, so it is recomputed whenever a merge changes them. The group's
**lead** is its earliest report (then the smallest id); the timeline shows the
lead with "3 sources", and the detail view lists every report.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .records import Event
from .timeutil import SITUATION_TZ

__all__ = ["corroboration_groups", "feed_of", "similar_titles"]

_GROUND = frozenset({"offensive", "capture", "withdrawal", "battle"})
_FROM_AFAR = frozenset({"strike", "violence_against_civilians"})
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP = frozenset(
    "the and for from with into over after near says said has have was were are its".split()
)


def feed_of(event: Event) -> str:
    """The feed an event came from: the ``feed-...`` Source it cites, else its id's namespace."""
    for ref in event.sources:
        if ref.source.startswith("feed-"):
            return ref.source
    return event.id.split("-", 1)[0]


def _words(title: str) -> set[str]:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return {w for w in _WORD.findall(text) if w not in _STOP}


def similar_titles(a: str, b: str) -> bool:
    """Two or more shared words, and half the shorter title's (see the module rules)."""
    return _similar_words(_words(a), _words(b))


def _similar_words(wa: set[str], wb: set[str]) -> bool:
    small, big = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    shared = len(small & big)
    return shared >= 2 and shared * 2 >= len(small)


def _compatible(a: str, b: str) -> bool:
    if a == b or "other" in (a, b):
        return True
    return (a in _GROUND and b in _GROUND) or (a in _FROM_AFAR and b in _FROM_AFAR)


def corroboration_groups(events: Iterable[Event]) -> dict[str, tuple[str, ...]]:
    """Event id -> the ids of its group (lead first, then by time and id), for every
    event that has at least one corroborating report. Events alone are absent."""
    evs = list(events)
    feeds = [feed_of(e) for e in evs]
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

    words: dict[int, set[str]] = {}

    def title_words(i: int) -> set[str]:
        w = words.get(i)
        if w is None:
            w = words[i] = _words(evs[i].title)
        return w

    for members in by_key.values():
        if len(members) < 2:
            continue
        by_feed: dict[str, list[int]] = {}
        for i in members:
            by_feed.setdefault(feeds[i], []).append(i)
        if len(by_feed) < 2:
            continue  # one feed's own records never group: no pair to look at
        parts = list(by_feed.values())
        for x, left in enumerate(parts):
            for right in parts[x + 1 :]:
                for i in left:
                    for j in right:
                        if (
                            find(i) != find(j)
                            and _compatible(evs[i].type, evs[j].type)
                            and _similar_words(title_words(i), title_words(j))
                        ):
                            parent[find(j)] = find(i)
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
