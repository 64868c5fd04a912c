"""The merge engine: one batch of records in, one :class:`ChangeSet` out.

Rules (the properties the tests check):

- merge-only: a record absent from a batch is kept; only a :class:`Tombstone`
  deletes, and only versions not newer than itself;
- versions: a record's ``updated_at`` is its version (the source's own
  modification time, else the time its document arrived; see
  ``docs/data-model.md``). Against the store, the newer version wins, and on
  an equal version with different content the batch wins: it arrived later.
  A record whose content equals the stored one apart from ``updated_at`` is
  unchanged (the stored version is kept), so re-importing the same bytes
  changes nothing. A changed record is never counted "unchanged";
- inside one batch, two versions of one id are resolved by version, then by
  the larger canonical encoding, so the result does not depend on the order
  records sit in the batch (one document's duplicate ids are resolved before
  merge: the later one is kept, with a warning);
- idempotent: merging the same batch again changes nothing;
- referential: a record that names a place, faction, source or event that is
  in neither the store nor the batch (after the batch's own tombstones, and
  after the batch's other rejections) is rejected with a reason, and the rest
  of the batch goes in;
- flips: a change of the latest (faction, status) of a place that had
  control before; a new place's first control is not a flip.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import datetime
from typing import Any

import msgspec

from .records import TABLES, ControlChange, Record, Tombstone, kind_of

__all__ = ["ChangeSet", "ControlFlip", "Rejection", "Tables", "apply_batch", "empty_tables"]

#: every record kind, in merge order (:data:`.records.TABLES`)
TABLE_KINDS = tuple(TABLES)
Tables = dict[str, dict[str, Any]]

_enc = msgspec.json.Encoder()


def empty_tables() -> Tables:
    return {k: {} for k in TABLE_KINDS}


class Rejection(msgspec.Struct, frozen=True):
    kind: str
    id: str | None
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.id!r}: {self.reason}" if self.id else f"{self.kind}: {self.reason}"
        )


class ControlFlip(msgspec.Struct, frozen=True):
    place: str
    from_faction: str | None
    to_faction: str
    when: datetime
    from_status: str | None = None
    to_status: str = "held"


class ChangeSet(msgspec.Struct):
    """What one merge did. ``flips`` lists control changes of the latest state."""

    added: list[tuple[str, str]] = msgspec.field(default_factory=list)
    updated: list[tuple[str, str]] = msgspec.field(default_factory=list)
    deleted: list[tuple[str, str]] = msgspec.field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejection] = msgspec.field(default_factory=list)
    flips: list[ControlFlip] = msgspec.field(default_factory=list)
    feed: str | None = None
    at: datetime | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def touched_ids(self) -> set[tuple[str, str]]:
        return set(self.added) | set(self.updated)

    def summary(self, names: dict[str, str] | None = None) -> str:
        """One line: counts, then control flips (``Homs: government -> hts_led``)."""
        names = names or {}
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.deleted)} deleted",
            f"{self.unchanged} unchanged",
            f"{len(self.rejected)} rejected",
        ]
        line = ", ".join(parts)
        if self.flips:
            flips = "; ".join(
                f"{names.get(f.place, f.place)}: {names.get(f.from_faction or '', f.from_faction or 'none')}"
                f" -> {names.get(f.to_faction, f.to_faction)}"
                for f in self.flips
            )
            line = f"{len(self.flips)} control flip(s): {flips}. {line}"
        return line

    def log_entry(self, limit: int = 50) -> dict[str, Any]:
        """A compact record for the store's refresh log: exact counts, at most
        ``limit`` ids per list (a 10k-record refresh must not bloat the file)."""
        entry = self.to_dict()
        entry["counts"] = {
            "added": len(self.added),
            "updated": len(self.updated),
            "deleted": len(self.deleted),
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }
        for key in ("added", "updated", "deleted", "rejected"):
            entry[key] = entry[key][:limit]
        return entry

    def to_dict(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "at": self.at.isoformat() if self.at else None,
            "added": [list(x) for x in self.added],
            "updated": [list(x) for x in self.updated],
            "deleted": [list(x) for x in self.deleted],
            "unchanged": self.unchanged,
            "rejected": [{"kind": r.kind, "id": r.id, "reason": r.reason} for r in self.rejected],
            "flips": [
                {
                    "place": f.place,
                    "from": f.from_faction,
                    "to": f.to_faction,
                    "when": f.when.isoformat(),
                    "from_status": f.from_status,
                    "to_status": f.to_status,
                }
                for f in self.flips
            ],
        }


def _wins(new: Any, old: Any) -> bool:
    """Inside one batch: does ``new`` beat ``old``? Newer updated_at; ties broken by
    canonical bytes (so the batch's order does not matter)."""
    if new.updated_at != old.updated_at:
        return new.updated_at > old.updated_at
    return _enc.encode(new) > _enc.encode(old)


def _replaces(new: Any, old: Any) -> bool:
    """Does the arriving ``new`` replace the stored ``old`` (see the module rules)?"""
    if new.updated_at < old.updated_at or new == old:
        return False
    if new.updated_at > old.updated_at and _same_content(new, old):
        return False  # only the version moved: keep what is stored
    return True


def _same_content(a: Any, b: Any) -> bool:
    return msgspec.structs.replace(a, updated_at=b.updated_at) == b


def latest_control(changes: Iterable[ControlChange]) -> ControlChange | None:
    best = None
    for c in changes:
        if best is None or (c.valid_from, c.id) > (best.valid_from, best.id):
            best = c
    return best


def _refs_problem(
    kind: str,
    rec: Any,
    tables: Tables,
    batch_ids: dict[str, set[str]],
    gone: dict[str, set[str]],
    elsewhere: Mapping[str, Container[str]],
) -> str | None:
    """Why ``rec`` names something that will not exist after the batch, or None.

    Known: in the store (``tables``, or ``elsewhere``: stored but not read) and not
    deleted by the batch (``gone``), or kept from the batch.
    """

    def known(table: str, rid: str) -> bool:
        if rid in batch_ids[table]:
            return True
        stored = rid in tables[table] or rid in elsewhere.get(table, ())
        return stored and rid not in gone[table]

    for ref in rec.sources:
        if not known("source", ref.source):
            return f"field `sources`: unknown source {ref.source!r}"
    if kind == "control":
        if not known("place", rec.place):
            return f"field `place`: unknown place {rec.place!r}"
        if not known("faction", rec.faction):
            return f"field `faction`: unknown faction {rec.faction!r}"
    elif kind in ("event", "quote"):
        for p in rec.places:
            if not known("place", p):
                return f"field `places`: unknown place {p!r}"
        if kind == "event":
            for f in rec.factions:
                if not known("faction", f):
                    return f"field `factions`: unknown faction {f!r}"
        elif rec.event is not None and not known("event", rec.event):
            return f"field `event`: unknown event {rec.event!r}"
    return None


def apply_batch(
    tables: Tables,
    records: Iterable[Record],
    rejected: Iterable[Rejection] = (),
    *,
    elsewhere: Mapping[str, Container[str]] | None = None,
) -> tuple[Tables, ChangeSet]:
    """Merge ``records`` into a copy of ``tables``; return the new tables and the ChangeSet.

    ``tables`` itself is not modified, so a failed write can simply drop the result.

    ``tables`` may hold only part of a table (the store reads only the event months a
    batch touches): then every stored record the batch adds to, replaces or deletes
    must be in it, and ``elsewhere`` (kind -> ids) names records that exist in the
    store without being in ``tables``; they count only for the reference checks (a
    quote naming an event of a month that was not read is accepted).
    """
    elsewhere = elsewhere or {}
    records = list(records)
    cs = ChangeSet(rejected=list(rejected))
    # Only the tables the batch touches are copied.
    new: Tables = dict(tables)
    copied: set[str] = set()

    def table(kind: str) -> dict[str, Any]:
        if kind not in copied:
            new[kind] = dict(new[kind])
            copied.add(kind)
        return new[kind]

    # One version per id from the batch: the newest, ties by canonical bytes.
    best: dict[tuple[str, str], Any] = {}
    tombs_in_batch: dict[tuple[str, str], Tombstone] = {}
    for rec in records:
        if isinstance(rec, Tombstone):
            key = (rec.kind, rec.id)
            prev = tombs_in_batch.get(key)
            if prev is None or rec.updated_at > prev.updated_at:
                tombs_in_batch[key] = rec
            continue
        key = (kind_of(rec), rec.id)
        prev = best.get(key)
        if prev is None or _wins(rec, prev):
            best[key] = rec

    # What will exist after the batch, for reference checks: a batch record
    # survives unless a tombstone (the batch's or the store's) is not older.
    def survives(kind: str, rec: Any) -> bool:
        tomb = tombs_in_batch.get((kind, rec.id))
        if tomb is not None and tomb.updated_at >= rec.updated_at:
            return False
        stored = tables["tombstone"].get(f"{kind}:{rec.id}")
        return stored is None or stored.updated_at < rec.updated_at

    batch_ids: dict[str, set[str]] = {k: set() for k in TABLE_KINDS}
    for (kind, rid), rec in best.items():
        if survives(kind, rec):
            batch_ids[kind].add(rid)
    gone: dict[str, set[str]] = {k: set() for k in TABLE_KINDS}
    for kind, rid in tombs_in_batch:
        if kind in gone and rid not in batch_ids[kind]:
            gone[kind].add(rid)
    # A rejected record is not there either: recheck until nothing more falls
    # (only sources, factions, places and events are referred to).
    refused: dict[int, str] = {}
    candidates = [r for r in best.values()]
    while True:
        fallen = False
        for rec in candidates:
            if id(rec) in refused:
                continue
            kind = kind_of(rec)
            problem = _refs_problem(kind, rec, tables, batch_ids, gone, elsewhere)
            if problem:
                refused[id(rec)] = problem
                if rec.id in batch_ids[kind]:
                    batch_ids[kind].discard(rec.id)
                    if kind in ("source", "faction", "place", "event"):
                        fallen = True
        if not fallen:
            break

    places_before = {r.place for r in best.values() if isinstance(r, ControlChange)} | {
        tables["control"][r.id].place
        for r in records
        if isinstance(r, Tombstone) and r.kind == "control" and r.id in tables["control"]
    }
    control_before = _latest_by_place(tables, places_before)

    status: dict[tuple[str, str], str] = {}  # (kind, id) -> added/updated/deleted
    for rec in records:
        kind = kind_of(rec)
        if kind == "tombstone":
            _apply_tombstone(rec, tables, table, status, cs, best.get((rec.kind, rec.id)))
            continue
        if best.get((kind, rec.id)) is not rec:
            cs.unchanged += 1  # an older version of a record later in this batch
            continue
        problem = refused.get(id(rec))
        if problem:
            cs.rejected.append(Rejection(kind, rec.id, problem))
            continue
        tomb = new["tombstone"].get(f"{kind}:{rec.id}")
        if tomb is not None and tomb.updated_at >= rec.updated_at:
            cs.unchanged += 1  # deleted upstream later than this version
            continue
        t = new[kind]
        old = t.get(rec.id)
        if old is None:
            table(kind)[rec.id] = rec
            key = (kind, rec.id)
            status[key] = "updated" if status.get(key) == "deleted" else "added"
        elif not _replaces(rec, old):
            cs.unchanged += 1
        else:
            table(kind)[rec.id] = rec
            key = (kind, rec.id)
            if status.get(key) != "added":
                status[key] = "updated"

    for key, what in status.items():
        getattr(cs, what).append(key)

    control_after = _latest_by_place(new, places_before)
    for place in sorted(places_before):
        before = control_before.get(place)
        after = control_after.get(place)
        if after is None:
            continue
        if before is None or (before.faction, before.status) != (after.faction, after.status):
            cs.flips.append(
                ControlFlip(
                    place=place,
                    from_faction=before.faction if before else None,
                    to_faction=after.faction,
                    when=after.valid_from,
                    from_status=before.status if before else None,
                    to_status=after.status,
                )
            )
    # A place that had no control before is a new place, not a flip.
    cs.flips = [f for f in cs.flips if f.from_faction is not None]
    cs.flips.sort(key=lambda f: (f.when, f.place))
    return new, cs


def _latest_by_place(tables: Tables, places: set[str]) -> dict[str, ControlChange]:
    """The latest control change of each of ``places`` (one pass over the table)."""
    out: dict[str, ControlChange] = {}
    if not places:
        return out
    for c in tables["control"].values():
        if c.place in places:
            best = out.get(c.place)
            if best is None or (c.valid_from, c.id) > (best.valid_from, best.id):
                out[c.place] = c
    return out


def _apply_tombstone(
    rec: Tombstone, tables: Tables, table, status, cs: ChangeSet, in_batch: Any = None
) -> None:
    """Apply one tombstone. ``in_batch``: the batch's own version of the record, whose
    version counts even where the stored copy was kept (same content, newer version)."""
    key = f"{rec.kind}:{rec.id}"
    tombs = table("tombstone")
    old_tomb = tombs.get(key)
    if old_tomb is None or _wins(rec, old_tomb):
        tombs[key] = rec
    target = tables[rec.kind].get(rec.id) if rec.kind in tables else None
    current = table(rec.kind).get(rec.id)
    newest = current.updated_at if current is not None else None
    if current is not None and in_batch is not None and in_batch.updated_at > newest:
        newest = in_batch.updated_at
    if current is not None and newest <= rec.updated_at:
        del table(rec.kind)[rec.id]
        k = (rec.kind, rec.id)
        if status.get(k) == "added":
            del status[k]
        elif target is not None:
            status[k] = "deleted"
    else:
        cs.unchanged += 1
