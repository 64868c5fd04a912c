"""The search index: which events (positions in the store's time-ordered list) a
filter term matches, without scanning the events.

**What a word matches** (unchanged from the scan it replaces, :mod:`.filtering`): a
word term matches an event when it is a *substring* of the event's search text, the
lower-cased title, summary, type, actors, place names, faction short names and
source names, one per line (:func:`event_text`); ``ell`` finds "shelling". Terms are
lower-cased by :func:`~.query.parse_filter`.

**How** (exact, not approximate): the index keeps every whitespace-separated *token*
of every event's search text with the positions of the events holding it. A term
without whitespace occurs in a text exactly when it occurs inside one of its tokens
(an occurrence holds no whitespace, so it lies within one maximal run of
non-whitespace), so its events are the union of the postings of the tokens that
contain it; those tokens are found by one ``str.find`` pass over the sorted
vocabulary joined into one string. A quoted term with spaces (``"street fighting"``)
narrows by its words, then checks the remaining candidates' texts.

``place:``, ``faction:`` and ``type:`` terms and the selected place use the
postings of the events' place ids, faction ids and types.

**Shape and memory**: results are bitmaps (Python ``int``; bit ``p`` = the event at
position ``p``), so AND/OR of terms and the time cut are a few C-level operations
even at a million events. A token held by at least one event in 32 is stored as a
bitmap (n/8 bytes); rarer tokens' postings live in one ``array('i')`` (4 bytes a
posting) with per-token offsets; the vocabulary is one string plus an offsets
array, not a dict of strings. :meth:`SearchIndex.nbytes` reports the size.

**Merges**: the index covers ``base_end`` positions compactly plus a small *tail*
(raw postings of the events from ``base_end`` on). A merge that changes events only
at or after position ``p`` keeps the base below ``p`` (bitmaps are cut at query time)
and rebuilds the tail from ``p``: a refresh of recent events costs its recent events,
not the history. When the tail would grow past :data:`TAIL_LIMIT` events, or a
place, faction or source name changed (it is part of every text naming it), the
index is dropped and rebuilt (the monitor does it in a worker).

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .corroborate import day_start, grouped_positions
from .eventview import bits_of, first_difference
from .gcpause import gc_paused
from .records import Event

__all__ = [
    "INDEX_MODES",
    "NAME_TABLES",
    "TAIL_LIMIT",
    "SearchIndex",
    "SearchPending",
    "event_text",
    "grouped_positions",  # (store/corroborate.py's; an index keeps its positions)
    "names_of",
]

#: what a query does with a filter's words when the search index is not built
#: (``Store.events(index=...)``): ``build`` it there (seconds at a million events),
#: raise :class:`SearchPending` (``ready``: the monitor's UI thread, whose worker
#: builds it), or ``skip`` the words (the events are not narrowed by them)
INDEX_MODES = ("build", "ready", "skip")


class SearchPending(Exception):
    """A filter's words need the search index, which is not built for the store's
    current events yet (raised by queries asked with ``index="ready"``; ask again
    when :attr:`Store.search_ready <sitmon.store.db.Store.search_ready>` is True)."""


#: most events a merge leaves to the tail (positions past the compact base): past it,
#: the index is rebuilt; a larger store allows a larger tail (one event in five). A
#: feed's window (e.g. the last 30 days, re-delivered with updates) lands in the tail
#: at every refresh, so the tail must hold a window and the refreshes after it: with
#: one in twenty, every refresh of a 1M store past the fifth rebuilt the whole index
#: (11 s of CPU each, measured with bench/_scale.py's feeds)
TAIL_LIMIT = 50_000
TAIL_SHARE = 5
#: a token held by at least one event in this many is kept as a bitmap
_BITMAP_EVERY = 32
_FIELDS = ("place", "faction", "type")
#: remembered term results per index (the words of the filter being typed)
_TERM_CACHE = 64
#: a remembered term's tokens narrow a longer term's search when they are this few
_NARROW_LIMIT = 20_000


def event_text(e: Event, tables: Mapping[str, Mapping[str, Any]]) -> str:
    """An event's lower-cased search text: title, summary, type, actors, place names,
    faction short names, source names, one per line (the words a filter matches)."""
    places, factions, sources = tables["place"], tables["faction"], tables["source"]
    parts = [e.title, e.summary, e.type, *e.actors]
    for p in e.places:
        pl = places.get(p)
        parts.append(pl.name if pl else p)
    for f in e.factions:
        fa = factions.get(f)
        parts.append(fa.short if fa else f)
    for s in e.sources:
        so = sources.get(s.source)
        parts.append(so.name if so else s.source)
    return "\n".join(parts).lower()


#: the tables an index reads (the names in the event texts); never the event table
NAME_TABLES = ("place", "faction", "source")


def names_of(tables: Mapping[str, Mapping[str, Any]]) -> tuple:
    """What of the tables is part of event texts: place names, faction short names,
    source names (a change to one of them changes the texts naming it)."""
    return (
        {k: p.name for k, p in tables["place"].items()},
        {k: f.short for k, f in tables["faction"].items()},
        {k: s.name for k, s in tables["source"].items()},
    )


#: items per C-level sort of :func:`sorted_in_runs`
_RUN = 1 << 15


def sorted_in_runs(items: list, run: int = _RUN) -> list:
    """``sorted(items)``, as sorts of ``run`` items and then merges of pairs of runs.

    One ``sorted`` holds the interpreter lock (the GIL) until it is done: a million
    vocabulary tokens took 1.2-1.7 s, a freeze of the monitor's UI thread while its
    worker built the index. Each call here holds it for one run or one merge (the
    last merges two halves: timsort merges two sorted runs in one linear pass), for
    about a fifth more CPU.
    """
    runs = [sorted(items[at : at + run]) for at in range(0, len(items), run)]
    while len(runs) > 1:
        runs = [sorted(runs[k] + runs[k + 1]) for k in range(0, len(runs) - 1, 2)] + (
            [runs[-1]] if len(runs) % 2 else []
        )
    return runs[0] if runs else []


class _Raw:
    """Postings as built: token -> positions, field -> value -> positions.

    The texts' tokens come in two kinds: those of an event's own words (title,
    summary, actors), collected per event, and those of the names it refers to
    (type, place names, faction short names, source names), derived from the
    field postings once per distinct name (:meth:`name_tokens`): lower-casing and
    splitting each line alone gives the tokens of the whole text.
    """

    def __init__(self, events: Sequence[Event], start: int, tables: Mapping[str, Any]) -> None:
        tokens: dict[str, int | list[int]] = {}
        fields: dict[str, dict[str, list[int]]] = {f: {} for f in (*_FIELDS, "source")}
        places, factions, types, sources = (
            fields["place"],
            fields["faction"],
            fields["type"],
            fields["source"],
        )
        for i in range(start, len(events)):
            e = events[i]
            words = [e.title, e.summary, *e.actors] if e.actors else [e.title, e.summary]
            for tok in "\n".join(words).lower().split():
                got = tokens.get(tok)
                if got is None:  # most tokens are held once: an int, not a list
                    tokens[tok] = i
                elif got.__class__ is int:
                    if got != i:
                        tokens[tok] = [got, i]
                elif got[-1] != i:  # a word twice in one event
                    got.append(i)
            for postings, keys in (
                (places, e.places),
                (factions, e.factions),
                (types, (e.type,)),
                (sources, [ref.source for ref in e.sources]),
            ):
                for key in keys:
                    got = postings.get(key)
                    if got is None:
                        postings[key] = [i]
                    elif got[-1] != i:  # a place (or faction...) twice in one event
                        got.append(i)
        self.tokens = tokens
        self.fields = fields
        self.names = self._name_tokens(tables)

    def _name_tokens(self, tables: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
        """Token of a name -> the (field, value) pairs whose name holds it."""
        places, factions, sources = tables["place"], tables["faction"], tables["source"]
        out: dict[str, list[tuple[str, str]]] = {}
        for field, values in self.fields.items():
            for v in values:
                if field == "type":
                    name = v
                elif field == "place":
                    name = places[v].name if v in places else v
                elif field == "faction":
                    name = factions[v].short if v in factions else v
                else:
                    name = sources[v].name if v in sources else v
                for tok in set(name.lower().split()):
                    out.setdefault(tok, []).append((field, v))
        return out

    def token_positions(self, tok: str) -> list[int]:
        """Every position whose text holds ``tok`` (sorted; for the small tail)."""
        own = self.tokens.get(tok, ())
        out = [own] if own.__class__ is int else list(own)
        for field, v in self.names.get(tok, ()):
            out += self.fields[field][v]
        return sorted(set(out)) if tok in self.names else out

    def vocabulary(self) -> set[str]:
        return self.tokens.keys() | self.names.keys()


class _Postings:
    """Compact postings for values ``vocab`` (sorted): a bitmap for common ones, else a
    slice of one ``array('i')``."""

    def __init__(
        self, raw: Mapping[str, int | list[int]], n: int, extra: Mapping[str, int] | None = None
    ) -> None:
        """``raw``: value -> its positions (ascending; one position as an int);
        ``extra``: value -> a bitmap of more positions (from the names the texts hold)."""
        extra = extra or {}
        vocab = sorted_in_runs(list(raw.keys() | extra.keys()))
        self.vocab = vocab
        offsets = array("i", [0])
        flat = array("i")
        bitmaps: dict[int, int] = {}
        common = max(64, n // _BITMAP_EVERY)
        empty: list[int] = []
        for j, v in enumerate(vocab):
            pos = raw.get(v, empty)
            if pos.__class__ is int:
                pos = [pos]
            more = extra.get(v)
            if more is not None:
                bitmaps[j] = more | bits_of(pos)
            elif len(pos) >= common:
                bitmaps[j] = bits_of(pos)
            else:
                flat.extend(pos)
            offsets.append(len(flat))
        self.offsets = offsets
        self.flat = flat
        self.bitmaps = bitmaps

    def bits(self, indexes: Iterable[int]) -> int:
        """The union of the postings of vocabulary entries ``indexes``."""
        out = 0
        rare: list[int] = []
        offsets, flat, bitmaps = self.offsets, self.flat, self.bitmaps
        for j in indexes:
            b = bitmaps.get(j)
            if b is not None:
                out |= b
            elif offsets[j + 1] > offsets[j]:
                rare += flat[offsets[j] : offsets[j + 1]]
        return out | bits_of(rare) if rare else out

    def nbytes(self) -> int:
        import sys

        return (
            self.offsets.itemsize * len(self.offsets)
            + self.flat.itemsize * len(self.flat)
            + sum(sys.getsizeof(b) for b in self.bitmaps.values())
        )


class _Vocabulary(_Postings):
    """Token postings plus the vocabulary as one string, for substring search."""

    def __init__(
        self, raw: Mapping[str, int | list[int]], n: int, extra: Mapping[str, int] | None = None
    ) -> None:
        super().__init__(raw, n, extra)
        self.text = "\n".join(self.vocab) + "\n"
        starts = array("q")
        at = 0
        for v in self.vocab:
            starts.append(at)
            at += len(v) + 1
        self.starts = starts
        self.vocab = []  # the joined text holds it: one string, not a million

    def token(self, j: int) -> str:
        """Vocabulary entry ``j``."""
        end = self.starts[j + 1] - 1 if j + 1 < len(self.starts) else len(self.text) - 1
        return self.text[self.starts[j] : end]

    def containing(self, term: str, within: list[int] | None = None) -> list[int]:
        """The vocabulary entries that contain ``term`` (no whitespace in it); only
        among ``within`` when given (the entries of a term that ``term`` contains: the
        word being typed narrows the previous keystroke's tokens, not the vocabulary)."""
        if within is not None:
            return [j for j in within if term in self.token(j)]
        text, starts, out = self.text, self.starts, []
        find = text.find
        i = find(term)
        while i >= 0:
            j = bisect.bisect_right(starts, i) - 1
            out.append(j)
            # the next token: no second hit in this one
            i = find(term, starts[j + 1]) if j + 1 < len(starts) else -1
        return out

    def nbytes(self) -> int:
        import sys

        return super().nbytes() + sys.getsizeof(self.text) + self.starts.itemsize * len(self.starts)


class SearchIndex:
    """Postings for one state of the store's event list (see the module docstring).

    ``events``: the store's events in time order; ``tables``: its tables (for the
    names in the texts). Build cost: one pass over the events' texts.
    """

    def __init__(
        self,
        events: list[Event],
        tables: Mapping[str, Any],
        *,
        base: SearchIndex | None = None,
        base_end: int | None = None,
    ) -> None:
        self.events = events
        self.names = names_of(tables)
        # the cyclic GC paused: postings allocate no cycles, and collections triggered
        # by a million new lists would rescan them again and again (10x slower)
        with gc_paused():
            self._build(events, tables, base, base_end)
        self._mask = (1 << self.base_end) - 1
        self._terms: dict[str, int] = {}
        self._tokens_of: dict[str, list[int]] = {}

    def _build(
        self,
        events: list[Event],
        tables: Mapping[str, Any],
        base: SearchIndex | None,
        base_end: int | None,
    ) -> None:
        if base is None:
            raw = _Raw(events, 0, tables)
            n = len(events)
            self.base_end = n
            value_bits = {
                (field, v): bits_of(ps) for field, vs in raw.fields.items() for v, ps in vs.items()
            }
            name_bits = {}
            for tok, pairs in raw.names.items():
                bits = 0
                for pair in pairs:
                    bits |= value_bits[pair]
                name_bits[tok] = bits
            self._words = _Vocabulary(raw.tokens, n, name_bits)
            common = max(64, n // _BITMAP_EVERY)
            self._fields = {
                f: _Postings(
                    {v: ps for v, ps in raw.fields[f].items() if len(ps) < common},
                    n,
                    {v: value_bits[f, v] for v, ps in raw.fields[f].items() if len(ps) >= common},
                )
                for f in _FIELDS
            }
            self._field_vocab = {f: self._fields[f].vocab for f in _FIELDS}
            self.grouped = grouped_positions(events, 0)
            self.tail = _Raw(events, n, tables)
        else:
            assert base_end is not None
            self.base_end = min(base_end, base.base_end)
            self._words = base._words
            self._fields = base._fields
            self._field_vocab = base._field_vocab
            self.tail = _Raw(events, self.base_end, tables)
            # groups never span two days: recompute from the start of the first day
            # that the change touches, in the old list and the new
            old = base.events
            cut = min(
                self.base_end,
                day_start(old, min(self.base_end, len(old) - 1)),
                day_start(events, min(self.base_end, len(events) - 1)),
            )
            i = bisect.bisect_left(base.grouped, cut)
            self.grouped = base.grouped[:i] + grouped_positions(
                events, cut, previous=(old, base.grouped)
            )

    # ------------------------------------------------------------------ merges

    def after_merge(self, events: list[Event], tables: Mapping[str, Any]) -> SearchIndex | None:
        """The index for ``events`` (the list after a merge), reusing this one below the
        first position that changed; None when that would leave too long a tail or a
        name in the texts changed (rebuild it then)."""
        if events is self.events:
            return self if names_of(tables) == self.names else None
        if names_of(tables) != self.names:
            return None
        p = first_difference(self.events, events)
        keep = min(p, self.base_end)
        if len(events) - keep > max(TAIL_LIMIT, len(events) // TAIL_SHARE):
            return None
        return SearchIndex(events, tables, base=self, base_end=keep)

    # ----------------------------------------------------------------- queries

    def select(
        self,
        lo: int,
        hi: int,
        *,
        words: Iterable[str] = (),
        place_sets: Iterable[set[str]] = (),
        faction_sets: Iterable[set[str]] = (),
        types: Iterable[str] = (),
        tables: Mapping[str, Any] | None = None,
    ) -> int:
        """The bitmap of positions in ``lo..hi-1`` whose events match every term:
        each set of ``place_sets`` names one of the event's places, each of
        ``faction_sets`` one of its factions, each of ``types`` is a prefix of its
        type, each of ``words`` is in its text (``tables`` give the names a quoted
        term with spaces checks)."""
        bits = ((1 << hi) - 1) ^ ((1 << lo) - 1)
        for ps in place_sets:
            bits &= self._field_bits("place", lambda v, ps=ps: v in ps)
        for fs in faction_sets:
            bits &= self._field_bits("faction", lambda v, fs=fs: v in fs)
        for t in types:
            bits &= self._field_bits("type", lambda v, t=t: v.startswith(t))
        for w in words:
            if not bits:
                break
            bits &= self._word_bits(w, bits, tables)
        return bits

    def _field_bits(self, field: str, wanted) -> int:
        post = self._fields[field]
        vocab = self._field_vocab[field]
        out = post.bits(j for j, v in enumerate(vocab) if wanted(v)) & self._mask
        tail = [p for v, ps in self.tail.fields[field].items() if wanted(v) for p in ps]
        return out | bits_of(tail) if tail else out

    def _word_bits(self, term: str, candidates: int, tables: Mapping[str, Any] | None) -> int:
        pieces = term.split()
        if len(pieces) == 1 and pieces[0] == term:
            return self._token_bits(term)
        # a phrase: its words narrow, then the texts say
        for piece in pieces:
            candidates &= self._token_bits(piece)
        if not candidates or tables is None:
            return candidates
        from .eventview import Selection

        events = self.events
        return bits_of(p for p in Selection(candidates) if term in event_text(events[p], tables))

    def _token_bits(self, term: str) -> int:
        got = self._terms.get(term)
        if got is None:
            # a remembered term inside this one (the previous keystroke's) narrows the search
            within = None
            for known, tokens in self._tokens_of.items():
                if known in term and len(tokens) <= _NARROW_LIMIT:
                    if within is None or len(tokens) < len(within):
                        within = tokens
            tokens = self._words.containing(term, within)
            got = self._words.bits(tokens) & self._mask
            tail = [
                p
                for tok in self.tail.vocabulary()
                if term in tok
                for p in self.tail.token_positions(tok)
            ]
            if tail:
                got |= bits_of(tail)
            if len(self._terms) >= _TERM_CACHE:
                self._terms.clear()
                self._tokens_of.clear()
            self._terms[term] = got
            self._tokens_of[term] = tokens
        return got

    def nbytes(self) -> int:
        """Approximate bytes held by the compact part (postings, bitmaps, vocabulary)."""
        return self._words.nbytes() + sum(p.nbytes() for p in self._fields.values())
