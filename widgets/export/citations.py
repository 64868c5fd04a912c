"""The numbered, deduplicated list of sources a report cites."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sitmon.store.query import Snapshot
from sitmon.store.records import SourceRef

#: a citation whose note starts so says who relayed the source's words ("as reported in
#: the seed article"): it is listed on its own, with that note, so a report never reads as
#: if the source had been consulted directly (the bundled dataset's convention)
RELAYED_PREFIX = "as reported in "


@dataclass
class _Cite:
    label: str
    url: str


@dataclass
class _Citations:
    """Every source cited by a report, numbered in order of first citation, deduplicated by URL."""

    entries: list[_Cite] = field(default_factory=list)
    _index: dict[tuple[str, ...], int] = field(default_factory=dict)
    #: citation -> its number, for the snapshot ``_memo_snap`` (a report cites the same
    #: few sources on most of its rows: each is worked out once)
    _memo: dict[SourceRef, int] = field(default_factory=dict)
    _memo_snap: Snapshot | None = None

    def add(self, ref: SourceRef, snap: Snapshot) -> int:
        src = snap.sources.get(ref.source)
        url = ref.url or (src.url if src is not None else "")
        name = src.name if src is not None else ref.source
        relayed = ref.note.startswith(RELAYED_PREFIX) and not ref.url
        if relayed:
            # "SOHR, as reported in the seed article" (the relay, without what follows it)
            relay = ref.note.split(":")[0].split(";")[0].strip()
            key: tuple[str, ...] = ("relay", ref.source, relay)
            name = f"{name}, {relay}"
        else:
            key = ("url", url) if url else ("source", ref.source)
        n = self._index.get(key)
        if n is None:
            # other notes describe one citation, not the address: they stay with the citation
            self.entries.append(_Cite(name, url))
            n = self._index[key] = len(self.entries)
        return n

    def _memo_for(self, snap: Snapshot) -> dict[SourceRef, int]:
        if snap is not self._memo_snap:  # the numbers depend on the snapshot's sources
            self._memo.clear()
            self._memo_snap = snap
        return self._memo

    def add_all(self, refs: Iterable[SourceRef], snap: Snapshot) -> list[int]:
        """The numbers of ``refs`` (each once, in order), adding the new ones to the list."""
        memo = self._memo_for(snap)
        out: list[int] = []
        for ref in refs:
            n = memo.get(ref)
            if n is None:
                n = memo[ref] = self.add(ref, snap)
            if n not in out:
                out.append(n)
        return out
