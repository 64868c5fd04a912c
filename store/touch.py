"""Which event months a batch touches, found without reading the months' events.

A merge into a store whose month shards are not all read (``Store._deferred``:
the manifest entries of the months not read yet) must still compare each
incoming event with its stored version, delete what a tombstone names, and
check a quote's event against the whole store. :func:`plan_reads` says which
unread months hold those records, from the months' id lists alone
(:func:`.shards.locate`), so the merge reads and rewrites only those months.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import msgspec

from .records import Event, Quote, Record, Tombstone
from .shards import Shard, locate, month_key

__all__ = ["ReadPlan", "plan_reads"]


class ReadPlan(msgspec.Struct, frozen=True):
    """``months``: the unread months to read before merging; ``stored``: ids of events
    held by unread months (read or not), for the reference checks."""

    months: frozenset[str]
    stored: frozenset[str]


def plan_reads(records: Iterable[Record], unread: Mapping[str, Shard], folder: Path) -> ReadPlan:
    """The unread months (keys of ``unread``) a batch of ``records`` needs, and which of the
    events it names are stored in them.

    Read: the old month of each event the batch updates or tombstones (an update
    may move an event to another month: the old month's copy is removed), the
    month of each incoming event's time (it may be added there), and every month
    whose entry has no id list (a store written before the index: reading it is
    how the index is built). Only id lists are read here (:func:`.shards.locate`);
    raises as :func:`.shards.read_ids`.
    """
    changed: set[str] = set()
    referenced: set[str] = set()
    months: set[str] = set()
    for rec in records:
        if isinstance(rec, Event):
            changed.add(rec.id)
            months.add(month_key(rec.time))
        elif isinstance(rec, Tombstone):
            if rec.kind == "event":
                changed.add(rec.id)
        elif isinstance(rec, Quote) and rec.event is not None:
            referenced.add(rec.event)
    months &= set(unread)
    months |= {k for k, e in unread.items() if e.get("ids") is None}
    found = locate(folder, unread, changed | referenced) if changed or referenced else {}
    months |= {found[rid] for rid in changed if rid in found}
    return ReadPlan(frozenset(months), frozenset(found))
