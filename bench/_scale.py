"""Synthetic stores and feeds at scale, generated fast and cached.

A store of ``n`` events is the mini-situation of ``tests/support/tui_fixtures``
(4 sources, 4 factions, 8 places, control, quotes, figures) plus ``n``
synthetic events spread over the four years before the situation's last day
(2021-01 .. 2024-12, like a long war's history). The newest event is always
``MARKER_TITLE`` so a bench can wait for the first timeline row.

The file is written straight as JSON (no Store, no merge: 1M events in a few
seconds) in exactly the layout ``Store`` writes (TinyDB tables, events in time
order), and cached under ``$TMPDIR/sitmon-bench-cache/``; a later run reuses it.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: bump when the generated content changes, so stale caches are not reused
GEN_VERSION = 2
MARKER_TITLE = "Newest synthetic event on screen"
WORDS = (
    "offensive shelling clash capture airstrike convoy checkpoint prison bridge district".split()
)
PLACES = ["aleppo", "damascus", "hama", "homs", "idlib", "raqqa", "saraqib", "tal_rifaat"]
FACTIONS = ["government", "hts_led", "sna", "sdf"]
TYPES = ["battle", "strike", "capture", "other"]
SPAN_MINUTES = 4 * 365 * 24 * 60


def cache_dir() -> Path:
    d = Path(tempfile.gettempdir()) / "sitmon-bench-cache"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _last_moment() -> datetime:
    from tests.support.tui_fixtures import _d

    return _d(8, 12)


def _event_dicts(
    n: int, seed: int, prefix: str, stamp: str, span: int = SPAN_MINUTES
) -> list[dict]:
    """``n`` event documents over the ``span`` minutes before the last day, oldest first."""
    rng = random.Random(seed)
    end = _last_moment()
    tz = end.tzinfo
    base = end - timedelta(minutes=span)
    offsets = sorted(rng.randrange(1, span) for _ in range(n))
    out = []
    choice = rng.choice
    for i, m in enumerate(offsets):
        t = (base + timedelta(minutes=m)).astimezone(tz)
        out.append(
            {
                "id": f"{prefix}{i}",
                "time": t.isoformat(),
                "precision": "exact",
                "title": f"{choice(WORDS)} {choice(WORDS)} {choice(WORDS)} {choice(WORDS)} #{i}",
                "type": choice(TYPES),
                "places": [choice(PLACES)],
                "factions": [choice(FACTIONS)],
                "updated_at": stamp,
                "sources": [{"source": "sohr"}],
            }
        )
    return out


def _base_tables() -> dict[str, list[dict]]:
    from sitmon.store.db import TABLE_NAMES
    from sitmon.store.records import kind_of

    from tests.support.tui_fixtures import situation_records

    tables: dict[str, list[dict]] = {name: [] for name in TABLE_NAMES.values()}
    for rec in situation_records():
        tables[TABLE_NAMES[kind_of(rec)]].append(msgspec.to_builtins(rec))
    return tables


def store_file(n: int, seed: int = 7) -> Path:
    """A cached one-file (schema 1) store with the mini-situation plus ``n`` events.

    Never open it with ``Store`` (that would migrate it): it is the raw material of
    :func:`ready_store` and the file decode-only floors read.
    """
    path = cache_dir() / f"onefile-{n}-v{GEN_VERSION}.json"
    if path.exists():
        return path
    from tests.support.tui_fixtures import STAMP

    tables = _base_tables()
    events = tables["events"]
    events.extend(_event_dicts(n, seed, "syn-", STAMP.isoformat()))
    last = _last_moment()
    events.append(
        {
            "id": "syn-marker",
            "time": (last + timedelta(hours=6)).isoformat(),
            "precision": "exact",
            "title": MARKER_TITLE,
            "type": "other",
            "places": ["hama"],
            "factions": ["hts_led"],
            "updated_at": STAMP.isoformat(),
            "sources": [{"source": "sohr"}],
        }
    )
    events.sort(key=lambda e: (datetime.fromisoformat(e["time"]), e["id"]))
    doc: dict[str, dict] = {"meta": {"1": {"schema_version": 1, "generation": 1}}}
    for name, docs in tables.items():
        doc[name] = {str(i): d for i, d in enumerate(docs, 1)}
    _write(_tail_path(path), msgspec.json.encode(events[-TAIL:]))
    _write(path, msgspec.json.encode(doc))
    return path


#: how many of the newest stored events a feed may re-deliver as updates
TAIL = 10_000


def _tail_path(store: Path) -> Path:
    return store.with_name(store.stem + "-tail.json")


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def ready_store(n: int) -> Path:
    """A cached store of ``n`` events in the current layout (core + month shards), to open.

    Made once from :func:`store_file` by opening a copy (which migrates it); treat it as
    read-only (copy it with :func:`store_copy` to write).
    """
    folder = cache_dir() / f"ready-{n}-v{GEN_VERSION}-m3"  # m3: with the id lists (id -> month)
    path = folder / "sitmon.json"
    if path.exists():
        return path
    from sitmon.store import Store

    work = cache_dir() / f".ready-{n}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copyfile(store_file(n), work / "sitmon.json")
    Store.open(work / "sitmon.json", seed=False)  # migrates: core + shards
    for p in work.glob("sitmon.json.v1-backup*"):
        p.unlink()
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(work, folder)
    return path


def store_copy(n: int, folder: Path) -> Path:
    """A private, writable copy of the ready store of ``n`` events in ``folder``."""
    src = ready_store(n)
    shutil.copytree(src.parent, folder, dirs_exist_ok=True)
    return Path(folder) / src.name


def feed_file(store_n: int, n: int, folder: Path, round_: int = 0, seed: int = 99) -> Path:
    """A sitmon feed of ``n`` events for the cached store of ``store_n`` events.

    Like a real feed's window: half are updates of the store's newest events
    (same ids and times, newer ``updated_at``, new title), half are new events
    of the last 30 days. ``round_`` makes each refresh's batch differ.
    """
    from tests.support.tui_fixtures import STAMP

    stamp = (STAMP + timedelta(hours=1 + round_)).isoformat()
    tail = msgspec.json.decode(_tail_path(store_file(store_n)).read_bytes())
    half = min(n // 2, len(tail))
    updated = tail[len(tail) - half :]
    for d in updated:
        d["title"] += f" (update {round_})"
        d["updated_at"] = stamp
    new = _event_dicts(n - half, seed + round_, f"new{round_}-", stamp, span=30 * 24 * 60)
    doc = {
        "sitmon_feed": 1,
        "events": updated + new,
    }
    path = Path(folder) / f"feed-{n}-{round_}.sitmon.json"
    path.write_bytes(msgspec.json.encode(doc))
    return path


def uptime() -> str:
    """The load average line, as ``uptime`` prints it."""
    try:
        with open("/proc/loadavg") as fh:
            a, b, c = fh.read().split()[:3]
        return f"load average: {a}, {b}, {c}"
    except OSError:
        return "load average: unknown"
