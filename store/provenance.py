"""Provenance chains: who published a figure, who relayed it, and which figure leads.

A figure (or any record) cites sources in order. Its **publisher** is the first
cited source whose role is ``primary_publisher``; else the first that is not a
relay by kind (``article`` or ``media``: an outlet passing on someone else's
count); else the first cited. The other cited
sources are its **relays**: SOHR's 727 "via the seed article", WFP's figure
"via" an outlet. Figures are grouped per metric **and** publisher: one
publisher's counts over time are one series, and other publishers' figures
stand beside it, never inside it.

The **headline** figure of a metric as of a moment (rule stated in
``docs/data-model.md``): the latest ``as_of``; on the same day, the publisher
of the higher tier (:data:`TIER`: UN agencies, then monitors, NGOs, research,
governments, armed groups, others, media, articles); then a figure published
directly over one relayed; then the larger id.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .records import Figure, Source

__all__ = ["RELAY_KINDS", "TIER", "headline", "publisher_of", "relays_of", "series_by_publisher"]

#: source kinds that pass on other publishers' figures
RELAY_KINDS = frozenset({"article", "media"})
#: publisher tier by source kind: lower leads when two publishers speak on one day
TIER = {
    "un": 0,
    "monitor": 1,
    "ngo": 2,
    "research": 3,
    "government": 4,
    "armed_group": 5,
    "other": 6,
    "media": 7,
    "article": 8,
}


def _kind(sid: str, sources: Mapping[str, Source]) -> str:
    s = sources.get(sid)
    return s.kind if s is not None else "other"


def publisher_of(rec: Any, sources: Mapping[str, Source]) -> str:
    """The id of the source that published ``rec`` ("" when it cites none)."""
    ids = [ref.source for ref in rec.sources]
    if not ids:
        return ""
    for sid in ids:
        s = sources.get(sid)
        if s is not None and s.role == "primary_publisher":
            return sid
    for sid in ids:
        if _kind(sid, sources) not in RELAY_KINDS:
            return sid
    return ids[0]


def relays_of(rec: Any, sources: Mapping[str, Source]) -> list[str]:
    """The ids of the other sources ``rec`` cites (who relayed it), in citation order."""
    pub = publisher_of(rec, sources)
    return list(dict.fromkeys(ref.source for ref in rec.sources if ref.source != pub))


def _rank(f: Figure, sources: Mapping[str, Source]) -> tuple:
    pub = publisher_of(f, sources)
    direct = not relays_of(f, sources)
    return (f.as_of, -TIER.get(_kind(pub, sources), 6), direct, f.id)


def headline(figures: Iterable[Figure], sources: Mapping[str, Source]) -> Figure:
    """The figure that leads (see the module docstring for the rule)."""
    return max(figures, key=lambda f: _rank(f, sources))


def series_by_publisher(
    figures: Iterable[Figure], sources: Mapping[str, Source]
) -> dict[str, list[Figure]]:
    """Publisher id -> that publisher's figures, oldest first (``as_of``, then rank)."""
    out: dict[str, list[Figure]] = {}
    for f in sorted(figures, key=lambda f: _rank(f, sources)):
        out.setdefault(publisher_of(f, sources), []).append(f)
    return out
