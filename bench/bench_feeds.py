#!/usr/bin/env python3
"""Feed benchmarks (synthetic data only: ACLED's terms forbid real rows).

1. Decode + sanitize + adapt + validate a 10k-event ACLED response, beside a raw
   ``msgspec.json.decode`` and ``json.loads`` of the same bytes (target: <= 3x),
   timed interleaved (best of ``--repeat`` each); then the same for rows whose
   notes hold escaped quotes, brackets and non-ASCII text, as real notes do.
2. One ingest path: the same 10k-event ACLED bytes as ``sitmon import`` reads them
   and as a scheduled refresh reads them (both ``ingest_bytes``), beside the
   decode-then-adapt path refreshes took before, and both whole commands (read,
   ingest, merge, write) into a copy of the bundled store.
3. A full refresh round trip over loopback (HTTP server on 127.0.0.1) of a
   10k-event feed into a 100k-event store, beside one decode + one
   encode-and-write of that store file.

    python bench/bench_feeds.py [--events 10000] [--store-events 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402
from sitmon.store import Store  # noqa: E402
from sitmon.store.db import encode_core  # noqa: E402
from sitmon.store.ingest import ingest_bytes  # noqa: E402
from sitmon.store.records import Event, Place, Source, SourceRef  # noqa: E402
from sitmon.store.refresh import refresh_feed  # noqa: E402
from sitmon.store.shards import encode_shard  # noqa: E402
from sitmon.store.storage import atomic_write_bytes  # noqa: E402
from sitmon.store.timeutil import SITUATION_TZ  # noqa: E402

SUB_EVENTS = [
    ("Battles", "Armed clash"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Looting/property destruction"),
]
ACTORS = [
    "Military Forces of Syria (2000-)",
    "HTS: Hayat Tahrir al Sham",
    "QSD: Syrian Democratic Forces",
    "Sultan Murad Division",
    "Unidentified Armed Group (Syria)",
]


def acled_document(n: int, seed: int = 1) -> bytes:
    """A synthetic ACLED API response with ``n`` rows (numbers as strings, like the live API)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        etype, sub = rng.choice(SUB_EVENTS)
        day = datetime(2024, 11, 27) + timedelta(days=rng.randrange(12))
        loc = f"Synthtown {rng.randrange(400)}"
        rows.append(
            {
                "event_id_cnty": f"SYNTH{i:06d}",
                "event_date": day.strftime("%Y-%m-%d"),
                "year": "2024",
                "time_precision": "1",
                "disorder_type": "Political violence",
                "event_type": etype,
                "sub_event_type": sub,
                "actor1": rng.choice(ACTORS),
                "assoc_actor_1": "",
                "inter1": "2",
                "actor2": rng.choice(ACTORS),
                "assoc_actor_2": "",
                "inter2": "1",
                "interaction": "12",
                "civilian_targeting": "",
                "iso": "760",
                "region": "Middle East",
                "country": "Syria",
                "admin1": "Example Governorate",
                "admin2": "Example District",
                "admin3": "",
                "location": loc,
                "latitude": f"{34 + rng.random() * 3:.4f}",
                "longitude": f"{36 + rng.random() * 4:.4f}",
                "geo_precision": "1",
                "source": "Synthetic Observer",
                "source_scale": "National",
                "notes": f"Synthetic event {i}: " + "clashes reported near the town. " * 4,
                "fatalities": str(rng.randrange(20)),
                "tags": "",
                "timestamp": str(1733000000 + i),
            }
        )
    return json.dumps(
        {"status": 200, "success": True, "count": n, "data": rows}, ensure_ascii=False
    ).encode()


def acled_document_noisy(n: int, seed: int = 1) -> bytes:
    """Like :func:`acled_document`, with what real notes hold: quotes (escaped in
    JSON), brackets ("[size=no report]") and non-ASCII punctuation and names."""
    doc = json.loads(acled_document(n, seed))
    rng = random.Random(seed + 100)
    for row in doc["data"]:
        if rng.random() < 0.3:
            row["notes"] += " [size=no report]"
        if rng.random() < 0.2:
            row["notes"] += ' The "army" said it\u2019d hold \u1e24alab.'
    return json.dumps(doc, ensure_ascii=False).encode()


def best_of(fn, repeat: int) -> float:
    return best_of_each([fn], repeat)[0]


def best_of_each(fns, repeat: int) -> list[float]:
    """The best time of each function, the runs interleaved (fair on a noisy machine)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - t0)
    return [min(bucket) for bucket in times]


def bench_decode(n: int, repeat: int) -> None:
    factions = {"government", "hts_led", "sdf", "sna", "sfa", "southern_opposition"}
    for label, raw in (
        ("", acled_document(n)),
        (" (notes with quotes, brackets, non-ASCII)", acled_document_noisy(n)),
    ):
        result = ingest_bytes(raw, "acled", source_name="acled", factions=factions)
        assert all(r.kind == "control" for r in result.rejected), result.rejected[:3]
        t_ingest, t_msgspec, t_json = best_of_each(
            [
                lambda: ingest_bytes(raw, "acled", source_name="acled", factions=factions),
                lambda: msgspec.json.decode(raw),
                lambda: json.loads(raw),
            ],
            repeat,
        )
        print(f"ACLED {n} events{label}, {len(raw) / 1e6:.1f} MB, {len(result.records)} records:")
        print(f"  decode+sanitize+adapt+validate  {t_ingest * 1000:8.1f} ms")
        print(
            f"  msgspec.json.decode             {t_msgspec * 1000:8.1f} ms   ratio {t_ingest / t_msgspec:5.1f}x"
            + ("   (target <= 3x)" if not label else "")
        )
        print(
            f"  json.loads                      {t_json * 1000:8.1f} ms   ratio {t_ingest / t_json:5.1f}x"
        )


def bench_feed(name: str, url: str, fmt: str):
    """A feed config for the benches: big limits, no secrets."""
    from types import SimpleNamespace

    return SimpleNamespace(
        name=name, url=url, format=fmt, timeout=60.0, max_bytes=64 * 1024 * 1024, max_pages=20,
        headers={},
    )  # fmt: skip


def bench_paths(n: int, repeat: int) -> None:
    import shutil

    from sitmon.store.ingest import decode_document, ingest_document
    from sitmon.tui.cli import main as cli_main

    raw = acled_document(n, seed=3)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        doc = d / "acled.json"
        doc.write_bytes(raw)
        feed = bench_feed("acled", str(doc), "auto")
        seed = d / "seed.json"
        base = Store.open(seed)  # the bundled dataset: what a new store holds
        places, factions = base.places, set(base.factions)

        def ingest():
            return ingest_bytes(raw, "auto", source_name="acled", places=places, factions=factions)

        def decode_then_adapt():  # what a refresh did before it used ingest_bytes
            return ingest_document(decode_document(raw, what="feed 'acled'"), "acled")

        def command(which: str):
            target = d / f"{which}.json"
            shutil.copyfile(seed, target)  # the core file and its event shards (schema 2)
            shards = seed.with_name(seed.name + ".events")
            if shards.is_dir():
                shutil.rmtree(target.with_name(target.name + ".events"), ignore_errors=True)
                shutil.copytree(shards, target.with_name(target.name + ".events"))

            def run():
                if which == "import":
                    args = ["--store", str(target), "--config", str(d / "none.toml")]
                    # 1: imported, some rows rejected (the synthetic actors map to no faction)
                    assert cli_main([*args, "import", str(doc), "--name", "acled"]) in (0, 1)
                else:
                    assert refresh_feed(Store.open(target, seed=False), feed).ok

            return run

        def fresh(which: str):
            def run():
                command(which)()

            return run

        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            t_ingest, t_old = best_of_each([ingest, decode_then_adapt], repeat)
            t_import, t_refresh = best_of_each([fresh("import"), fresh("refresh")], repeat)
        print(f"One ingest path, ACLED {n} events ({len(raw) / 1e6:.1f} MB):")
        print(f"  ingest_bytes (import, validate and refresh)  {t_ingest * 1000:8.1f} ms")
        print(f"  decode_document + ingest_document (old refresh path) {t_old * 1000:8.1f} ms")
        print(
            f"  sitmon import (read+ingest+merge+write)   {t_import * 1000:8.1f} ms"
            f"   refresh_feed of the same file {t_refresh * 1000:8.1f} ms"
            f"   ratio {t_refresh / t_import:4.2f}x"
        )


def big_store(path: Path, n: int) -> Store:
    stamp = datetime(2024, 12, 5, 23, tzinfo=SITUATION_TZ)
    t0 = datetime(2024, 11, 27, tzinfo=SITUATION_TZ)
    store = Store.open(path)  # the bundled dataset first
    src = Source(id="bench", name="Bench", updated_at=stamp)
    places = [
        Place(id=f"bench-p{i}", name=f"Bench place {i}", lat=35.0, lon=37.0, updated_at=stamp)
        for i in range(200)
    ]
    batch = 25_000
    for start in range(0, n, batch):
        events = [
            Event(
                id=f"bench-e{i:06d}",
                time=t0 + timedelta(minutes=i),
                title=f"Synthetic event {i}",
                summary="Synthetic text for the benchmark. " * 3,
                type="battle",
                places=[places[i % 200].id],
                factions=["government", "hts_led"],
                updated_at=stamp,
                sources=[SourceRef(source="bench")],
            )
            for i in range(start, min(n, start + batch))
        ]
        store.merge([src, *places, *events] if start == 0 else events)
    return store


def bench_round_trip(feed_events: int, store_events: int) -> None:
    from tests.support.feedserver import FeedServer

    with tempfile.TemporaryDirectory() as d, FeedServer() as srv:
        path = Path(d) / "store.json"
        t0 = time.perf_counter()
        store = big_store(path, store_events)
        built = time.perf_counter() - t0
        size = path.stat().st_size
        srv.serve_bytes("/acled.json", acled_document(feed_events, seed=2))
        feed = bench_feed("bench-acled", srv.url("/acled.json"), "acled")
        t0 = time.perf_counter()
        result = refresh_feed(store, feed)
        t_refresh = time.perf_counter() - t0
        assert result.ok, result.message
        t0 = time.perf_counter()
        again = refresh_feed(store, feed)
        t_304 = time.perf_counter() - t0
        assert again.not_modified
        # the floor: one decode of the store file + one encode-and-write of it
        t0 = time.perf_counter()
        reopened = Store.open(path, seed=False)
        t_decode = time.perf_counter() - t0
        t0 = time.perf_counter()
        everything = encode_core(reopened.tables, reopened.meta) + encode_shard(
            list(reopened.tables["event"].values())
        )  # the whole store, encoded and written once (to a side file)
        atomic_write_bytes(path.with_name(path.name + ".floor"), everything)
        t_write = time.perf_counter() - t0
        floor = t_decode + t_write
        print(
            f"Refresh round trip: {feed_events} ACLED events over loopback into a "
            f"{store_events}-event store ({size / 1e6:.0f} MB; built in {built:.1f} s):"
        )
        print(
            f"  refresh (fetch+decode+adapt+merge+write)  {t_refresh:6.2f} s   [{result.message[:90]}]"
        )
        print(f"  refresh again (304, nothing written)      {t_304:6.3f} s")
        print(
            f"  store decode {t_decode:.2f} s + encode-and-write {t_write:.2f} s = {floor:.2f} s"
            f"   ratio {t_refresh / floor:4.1f}x"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--store-events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    bench_decode(args.events, args.repeat)
    bench_paths(args.events, args.repeat)
    bench_round_trip(args.events, args.store_events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
