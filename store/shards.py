"""Event shards: one TinyDB file per calendar month (UTC) of events, copy-on-write.

Layout of a store at ``sitmon.json`` (schema version 2)::

    sitmon.json                   the core: meta (with the manifest), sources, factions,
                                  places, control, quotes, figures, tombstones
    sitmon.json.events/
        2024-11.g17.json          {"events": {"1": {...}, ...}}: that month's events in
        2024-12.g18.json          time order, written by generation 17 / 18

        2024-12.g18.ids.json      {"ids": {"1": {"month": "2024-12", "ids": [...]}}}: the
                                  ids of that shard's events (the id -> month index)

The manifest is ``meta["shards"]``: ``{"2024-12": {"file": "2024-12.g18.json",
"ids": "2024-12.g18.ids.json", "count": 5120, "first": iso, "last": iso}}``. A batch
writes a *new* shard file and id list for each month it touches (named by the new
generation), then replaces the core atomically: that rename commits the whole batch,
across every month, with its index, at once. Files no manifest names any more (the
old versions, or new ones of a batch that died before its commit) are removed by
the next writer. Every file opens with ``TinyDB(path, storage=AtomicJSONStorage)``.

The id lists let a batch find which month holds each id it names without reading
any event: :func:`locate` reads only the lists (1M ids: ~13 MB, a few hundred ms),
and the merge then reads and writes only the months the batch touches. A store
whose entries have no ``"ids"`` (written before the index) gets them at its next
write (:meth:`Store._commit <store.db.Store._commit>`).

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec

from .compact import SHARED
from .records import ID_PROBLEM, Event, first_non_id
from .storage import TEMP_MARK, StoreError, atomic_write_bytes, real_path

__all__ = [
    "Shard",
    "check_event_ids",
    "decode_shard",
    "encode_ids",
    "encode_shard",
    "locate",
    "manifest_files",
    "month_key",
    "month_slices",
    "read_ids",
    "read_shard",
    "remove_unreferenced",
    "shard_folder",
    "write_ids",
    "write_shard",
]


class _ShardDoc(msgspec.Struct):
    events: dict[str, Event] = {}


class _IdList(msgspec.Struct):
    month: str
    ids: list[str]


class _IdsDoc(msgspec.Struct):
    ids: dict[str, _IdList] = {}


class _RawShardDoc(msgspec.Struct):
    events: dict[str, msgspec.Raw] = {}


_decoder = msgspec.json.Decoder(_ShardDoc)
_ID = attrgetter("id")
_raw_decoder = msgspec.json.Decoder(_RawShardDoc)
_events_decoder = msgspec.json.Decoder(list[Event])
#: events per piece of a piecewise decode (:func:`decode_shard`): ~40 ms of decoding
PIECE = 2000
_ids_decoder = msgspec.json.Decoder(_IdsDoc)
_encoder = msgspec.json.Encoder()

#: a manifest entry: {"file": name, "ids": name, "count": events, "first": iso time,
#: "last": iso time} ("ids" is missing in stores written before the id index)
Shard = dict[str, Any]


def shard_folder(store_path: Path) -> Path:
    """``<store>.events/``, beside the core file: the real file when the store is a
    symlink (its shards live beside its target, as its lock does, so the link and the
    target name one store; rule: issue 12, "follow symlinks")."""
    store_path = real_path(Path(store_path))
    return store_path.with_name(store_path.name + ".events")


def month_key(when: datetime) -> str:
    """``"YYYY-MM"`` of the UTC month holding ``when`` (an aware datetime)."""
    u = when.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}"


def _month_start(key: str) -> datetime:
    year, month = key.split("-")
    return datetime(int(year), int(month), 1, tzinfo=UTC)


def _next_month(key: str) -> datetime:
    start = _month_start(key)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def month_slices(times: list[datetime], keys: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``{month: (lo, hi)}``: the positions of each month's events in the time-ordered list
    whose times are ``times`` (binary search, no scan)."""
    out = {}
    for key in keys:
        lo = bisect.bisect_left(times, _month_start(key))
        hi = bisect.bisect_left(times, _next_month(key))
        out[key] = (lo, hi)
    return out


def encode_shard(events: list[Event]) -> bytes:
    """A TinyDB document with one ``events`` table, doc ids 1..n in the given (time) order."""
    return _encoder.encode({"events": {str(i): e for i, e in enumerate(events, 1)}})


def decode_shard(raw: bytes, *, piecewise: bool = False) -> list[Event]:
    """The events of a shard file, in file (time) order, compact: their repeated
    values shared with every other decoded event (:mod:`.compact`). Raises
    ``msgspec.DecodeError`` (``msgspec.ValidationError`` for an id that does not
    follow the id pattern, as the type would: :data:`~.records.EventId`).

    ``piecewise``: the same events, decoded :data:`PIECE` at a time after one scan of
    the document. A decode holds the interpreter lock (the GIL) throughout; a month
    of a 1M-event store takes 0.2-0.5 s whole, which the UI thread of a monitor
    reading its history in a worker waits out (its keys stutter); in pieces each
    wait is ~40 ms, the scan ~60-100 ms, for about a third more CPU.
    """
    if not piecewise:
        events = list(_decoder.decode(raw).events.values())
    else:
        try:
            values = list(_raw_decoder.decode(raw).events.values())
            events = []
            for at in range(0, len(values), PIECE):
                events += _events_decoder.decode(b"[" + b",".join(values[at : at + PIECE]) + b"]")
        except msgspec.DecodeError:
            return decode_shard(raw)  # (raises the whole document's error, with its path)
    check_event_ids(events)
    return SHARED.share_events(events)


def check_event_ids(events: list[Event]) -> None:
    """Raise ``msgspec.ValidationError`` (msgspec's own words and path) when an event's
    id does not follow :data:`~.records.ID_PATTERN`; all of them checked in one pass."""
    if first_non_id(list(map(_ID, events))) is not None:
        raise msgspec.ValidationError(f"{ID_PROBLEM} - at `$.events[...].id`")


def _named(folder: Path, entry: Shard, field: str) -> Path:
    """The file ``entry[field]`` names in ``folder``; :class:`StoreError` for a name that
    is not a plain file name of that folder."""
    name = entry.get(field)
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        raise StoreError(f"the store's manifest names a bad shard file {name!r}")
    return folder / name


def read_shard(folder: Path, entry: Shard, *, piecewise: bool = False) -> list[Event]:
    """Read one shard named by a manifest entry (``piecewise``: see :func:`decode_shard`).

    Raises ``FileNotFoundError`` when the file is gone (a writer committed a newer
    generation meanwhile: the caller re-reads the core) and :class:`StoreError`
    when it is unreadable or does not hold what the manifest says.
    """
    path = _named(folder, entry, "file")
    raw = path.read_bytes()
    try:
        events = decode_shard(raw, piecewise=piecewise)
    except msgspec.DecodeError as exc:
        raise StoreError(f"the event shard {path} does not parse: {exc}") from None
    if len(events) != entry.get("count"):
        raise StoreError(
            f"the event shard {path} holds {len(events)} events, the manifest says "
            f"{entry.get('count')}"
        )
    return events


def write_shard(folder: Path, key: str, generation: int, events: list[Event]) -> Shard:
    """Write a new shard file for ``key`` and its id list (atomically, fsynced) and
    return its manifest entry.

    The names carry the generation, so the files of the committed state are never
    overwritten. Raises :class:`StoreWriteError`.
    """
    name = f"{key}.g{generation}.json"
    atomic_write_bytes(folder / name, encode_shard(events))
    return {
        "file": name,
        "ids": write_ids(folder, key, generation, [e.id for e in events]),
        "count": len(events),
        "first": events[0].time.isoformat(),
        "last": events[-1].time.isoformat(),
    }


def encode_ids(key: str, ids: list[str]) -> bytes:
    """The id list of month ``key`` as a TinyDB document: one ``ids`` table, one doc."""
    return _encoder.encode({"ids": {"1": {"month": key, "ids": ids}}})


def write_ids(folder: Path, key: str, generation: int, ids: list[str]) -> str:
    """Write the id list of month ``key`` (atomically, fsynced); return its file name.

    Raises :class:`StoreWriteError`."""
    name = f"{key}.g{generation}.ids.json"
    atomic_write_bytes(folder / name, encode_ids(key, ids))
    return name


def read_ids(folder: Path, key: str, entry: Shard) -> list[str]:
    """The ids of month ``key``'s events, from the id list its manifest entry names.

    Raises ``FileNotFoundError`` when the file is gone (as :func:`read_shard`) and
    :class:`StoreError` when it does not parse or does not list ``count`` ids of ``key``.
    """
    path = _named(folder, entry, "ids")
    raw = path.read_bytes()
    try:
        docs = list(_ids_decoder.decode(raw).ids.values())
    except msgspec.DecodeError as exc:
        raise StoreError(f"the event id list {path} does not parse: {exc}") from None
    if len(docs) != 1 or docs[0].month != key or len(docs[0].ids) != entry.get("count"):
        raise StoreError(
            f"the event id list {path} does not list the {entry.get('count')} events of {key}"
            " the manifest names"
        )
    return docs[0].ids


def locate(folder: Path, manifest: Mapping[str, Shard], wanted: set[str]) -> dict[str, str]:
    """``{id: month}`` for each id of ``wanted`` held by a month of ``manifest``.

    Reads only the months' id lists, never their events; a month whose entry has no
    id list is not searched (the caller reads that month instead). Raises as
    :func:`read_ids`.
    """
    found: dict[str, str] = {}
    if not wanted:
        return found
    for key in sorted(manifest):
        entry = manifest[key]
        if entry.get("ids") is None:
            continue
        for rid in wanted.intersection(read_ids(folder, key, entry)):
            found[rid] = key
    return found


def manifest_files(manifest: Mapping[str, Shard]) -> set[str]:
    """Every file name the manifest's entries name (shards and their id lists)."""
    names = set()
    for e in manifest.values():
        names.add(e.get("file"))
        if e.get("ids") is not None:
            names.add(e["ids"])
    return names


def remove_unreferenced(folder: Path, manifest: Mapping[str, Shard]) -> list[str]:
    """Remove shard files, id lists and temp files the manifest does not name. Hold the
    writer lock."""
    keep = manifest_files(manifest)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        shard_like = name.endswith(".json") and ".g" in name
        if name in keep or not (shard_like or TEMP_MARK in name):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
            removed.append(name)
    return removed
