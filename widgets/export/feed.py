"""The feed writer: the whole store as a sitmon feed v1 document."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sitmon.store.timeutil import fmt_day, fmt_when

from .context import _is_end_of_day, _version
from .safety import _clean_tree, _record, sanitize_output


def export_feed(
    store: Any,
    *,
    as_of: datetime | None = None,
    ascii: bool = False,
    timestamp: datetime | None = None,
) -> str:
    """The whole store (or what was known as of ``as_of``) as a sitmon feed v1 document.

    Records dated after ``as_of`` (control by ``valid_from``, events by ``time``,
    quotes by ``said_at``, figures by ``as_of``) are left out; sources, factions,
    places and tombstones are all kept. Importing the output into an empty store
    reproduces the records (text cleaned as ingest would; ``url`` values that are
    not http(s) are dropped).
    """
    t = store.tables

    def keep(dt: datetime) -> bool:
        return as_of is None or dt <= as_of

    situation = store.meta.get("situation")
    situation = (
        {k: v for k, v in situation.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(situation, dict)
        else {}
    )
    title = situation.get("title") or "sitmon"
    label = f"as of {fmt_when(as_of)}" if as_of is not None else "latest"
    if as_of is not None and _is_end_of_day(as_of):
        label = f"as of {fmt_day(as_of)}"
    doc: dict[str, Any] = {
        "sitmon_feed": 1,
        "title": f"sitmon export: {title} ({label})",
        "situation": situation,
    }
    if timestamp is not None:
        doc["generated_at"] = timestamp.isoformat()
    doc["generated_by"] = f"sitmon {_version()}"
    doc["sources"] = sorted(t["source"].values(), key=lambda r: r.id)
    doc["factions"] = sorted(t["faction"].values(), key=lambda r: r.id)
    doc["places"] = sorted(t["place"].values(), key=lambda r: r.id)
    doc["control"] = sorted(
        (c for c in t["control"].values() if keep(c.valid_from)),
        key=lambda c: (c.place, c.valid_from, c.id),
    )
    doc["events"] = sorted(
        (e for e in t["event"].values() if keep(e.time)), key=lambda e: (e.time, e.id)
    )
    doc["quotes"] = sorted(
        (q for q in t["quote"].values() if keep(q.said_at)), key=lambda q: (q.said_at, q.id)
    )
    doc["figures"] = sorted(
        (f for f in t["figure"].values() if keep(f.as_of)), key=lambda f: (f.metric, f.as_of, f.id)
    )
    doc["tombstones"] = sorted(t["tombstone"].values(), key=lambda r: (r.kind, r.id))
    for key, value in doc.items():
        if isinstance(value, list):
            doc[key] = [_record(r) for r in value]
    doc = _clean_tree(doc)
    return sanitize_output(json.dumps(doc, indent=2, ensure_ascii=ascii) + "\n", ascii=ascii)
