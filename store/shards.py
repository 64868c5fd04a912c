"""Event shards: one TinyDB file per calendar month (UTC) of events, copy-on-write.

Layout of a store at ``sitmon.json`` (schema version 2)::

    sitmon.json                   the core: meta (with the manifest), sources, factions,
                                  places, control, quotes, figures, tombstones
    sitmon.json.events/
        2024-11.g17.json          {"events": {"1": {...}, ...}}: that month's events in
        2024-12.g18.json          time order, written by generation 17 / 18

The manifest is ``meta["shards"]``: ``{"2024-12": {"file": "2024-12.g18.json",
"count": 5120}}``. A batch writes a *new* file for each month it touches (named by
the new generation), then replaces the core atomically: that rename commits the
whole batch, across every month, at once. Files no manifest names any more (the
old versions, or new ones of a batch that died before its commit) are removed by
the next writer. Every file opens with ``TinyDB(path, storage=AtomicJSONStorage)``.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from .records import Event
from .storage import TEMP_MARK, StoreError, atomic_write_bytes, real_path

__all__ = [
    "Shard",
    "decode_shard",
    "encode_shard",
    "month_key",
    "month_slices",
    "read_shard",
    "remove_unreferenced",
    "shard_folder",
    "write_shard",
]


class _ShardDoc(msgspec.Struct):
    events: dict[str, Event] = {}


_decoder = msgspec.json.Decoder(_ShardDoc)
_encoder = msgspec.json.Encoder()

#: a manifest entry: {"file": name, "count": events, "first": iso time, "last": iso time}
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


def decode_shard(raw: bytes) -> list[Event]:
    """The events of a shard file, in file (time) order. Raises ``msgspec.DecodeError``."""
    return list(_decoder.decode(raw).events.values())


def read_shard(folder: Path, entry: Shard) -> list[Event]:
    """Read one shard named by a manifest entry.

    Raises ``FileNotFoundError`` when the file is gone (a writer committed a newer
    generation meanwhile: the caller re-reads the core) and :class:`StoreError`
    when it is unreadable or does not hold what the manifest says.
    """
    name = entry.get("file")
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        raise StoreError(f"the store's manifest names a bad shard file {name!r}")
    path = folder / name
    raw = path.read_bytes()
    try:
        events = decode_shard(raw)
    except msgspec.DecodeError as exc:
        raise StoreError(f"the event shard {path} does not parse: {exc}") from None
    if len(events) != entry.get("count"):
        raise StoreError(
            f"the event shard {path} holds {len(events)} events, the manifest says "
            f"{entry.get('count')}"
        )
    return events


def write_shard(folder: Path, key: str, generation: int, events: list[Event]) -> Shard:
    """Write a new shard file for ``key`` (atomically, fsynced) and return its manifest entry.

    The name carries the generation, so the file of the committed state is never
    overwritten. Raises :class:`StoreWriteError`.
    """
    name = f"{key}.g{generation}.json"
    atomic_write_bytes(folder / name, encode_shard(events))
    return {
        "file": name,
        "count": len(events),
        "first": events[0].time.isoformat(),
        "last": events[-1].time.isoformat(),
    }


def remove_unreferenced(folder: Path, manifest: Mapping[str, Shard]) -> list[str]:
    """Remove shard files (and temp files) the manifest does not name. Hold the writer lock."""
    keep = {e.get("file") for e in manifest.values()}
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
