"""sitmon's own feed format, version 1 (see docs/feed-format.md).

A JSON object::

    {"sitmon_feed": 1, "title": ..., "situation": {"title": ..., "start": "2024-11-27"},
     "generated_at": ..., "sources": [...], "factions": [...], "places": [...],
     "control": [...], "events": [...], "quotes": [...], "figures": [...],
     "tombstones": [...]}

Each list holds records exactly as :mod:`store.records` defines them. Every
list is optional. A bad record is rejected with a reason; the rest go in.
"""

from __future__ import annotations

from typing import Any

from ..merge import Rejection
from ..records import TABLES, RecordError, convert_record
from .base import AdaptResult, FeedError

FORMAT_VERSION = 1

#: document key -> record kind, in the order records are merged (:data:`TABLES`)
SECTIONS: dict[str, str] = {section: kind for kind, section in TABLES.items()}


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and "sitmon_feed" in doc


def adapt(doc: Any) -> AdaptResult:
    """Records from a decoded (and sanitized) sitmon feed document."""
    if not isinstance(doc, dict):
        raise FeedError(f"sitmon feed: expected a JSON object at the top, got {type(doc).__name__}")
    version = doc.get("sitmon_feed")
    if version != FORMAT_VERSION:
        raise FeedError(
            f"sitmon feed: unsupported `sitmon_feed` version {version!r} (this sitmon reads {FORMAT_VERSION})"
        )
    result = AdaptResult(format="sitmon")
    for key in ("title", "generated_at", "home_page_url"):
        if isinstance(doc.get(key), str):
            result.meta[key] = doc[key]
    situation = doc.get("situation")
    if isinstance(situation, dict):
        result.meta["situation"] = {
            k: v for k, v in situation.items() if isinstance(k, str) and isinstance(v, str)
        }
        # the situation is as of the document: a later document may update its title
        if isinstance(doc.get("generated_at"), str) and "updated_at" not in situation:
            result.meta["situation"]["updated_at"] = doc["generated_at"]
    for section, kind in SECTIONS.items():
        items = doc.get(section, [])
        if not isinstance(items, list):
            raise FeedError(f"sitmon feed: `{section}` must be a list, got {type(items).__name__}")
        for i, item in enumerate(items):
            try:
                result.records.append(convert_record(kind, item))
            except RecordError as exc:
                rid = exc.record_id or f"{section}[{i}]"
                result.rejected.append(Rejection(kind, rid, f"field `{exc.field}`: {exc.problem}"))
    return result
