"""One id, one record per document: duplicates are resolved before merge, with a warning.

Two records of one kind with one id inside one document are a producer's bug
(two JSON Feed items with ``"id": "dup"``, a GeoJSON file with two features
that are one place). The later one is kept, as a reader of the document would
take the last word, and a warning names both; ``sitmon validate`` then exits 1.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

from typing import Any

from .records import kind_of

__all__ = ["drop_duplicate_ids", "record_label"]


def record_label(rec: Any) -> str:
    """A short human name for a record: its title, name, speaker or metric, quoted."""
    for attr in ("title", "name", "speaker", "metric"):
        value = getattr(rec, attr, None)
        if isinstance(value, str) and value:
            text = value if len(value) <= 60 else value[:59] + "…"
            return repr(text)
    return repr(rec.id)


def drop_duplicate_ids(result: Any, what: str = "") -> None:
    """Keep the last record of each (kind, id) in ``result.records``; warn naming both.

    ``result`` is an :class:`~store.adapters.base.AdaptResult`; ``what`` prefixes
    each warning (e.g. ``"feed 'wire'"``). Records that are equal are dropped
    silently (a feed may repeat its Source record).
    """
    last: dict[tuple[str, str], int] = {}
    records = result.records
    for i, rec in enumerate(records):
        last[(kind_of(rec), rec.id)] = i
    if len(last) == len(records):
        return
    keep = []
    prefix = f"{what}: " if what else ""
    for i, rec in enumerate(records):
        key = (kind_of(rec), rec.id)
        j = last[key]
        if j == i:
            keep.append(rec)
            continue
        later = records[j]
        if later != rec:
            result.warnings.append(
                f"{prefix}{key[0]} {record_label(rec)} and {record_label(later)} share the id "
                f"{key[1]!r}; the later one is kept"
            )
    result.records = keep
