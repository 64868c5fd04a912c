"""Cost against history: each figure of the README's scale table beside its floor, in one run.

    python bench/bench_scale.py                 # 1k / 10k / 100k stores (a few minutes)
    python bench/bench_scale.py --large         # adds the 1M-event rows (slow: ~10+ minutes)
    python bench/bench_scale.py --only rss,info # a subset of rows

Rows (targets from issue 13; every ratio is measured in this run, floor first):

- ``rss``     monitor peak RSS after 10 refreshes of 10k events (the real app, headless,
              refreshing a local sitmon feed); floor: the same monitor idle, its whole history read
              and its search index built (target <= 250 /
              800 MiB at 100k / 1M); and the wall time of those 10 refreshes in the monitor
              (its worker: merge, index, corroboration) beside the same into a 10k store
- ``decode``  memory per event of the store's decoded events (``shards.read_shard``: typed
              records with their repeated values shared, store/compact.py), by tracemalloc,
              beside the same typed decode without the sharing pass and the file's own bytes
              per event; and the CPU time of each (the sharing pass's cost)
- ``refresh`` a 10k refresh (``sitmon import`` of a 10k-event feed file, whole process) into the big store vs the
              same refresh into a 10k store (target <= 2x)
- ``info``    ``sitmon info`` on the big store vs on a 1k store, whole process (target <= 1.3x)
- ``keys``    filter keystroke / day step p95 in the running app (targets < 50 / 100 ms);
              floor: a timeline cursor step in the same app
- ``export``  ``sitmon export --view timeline`` at 100k vs a process that only decodes the
              same store file (target <= 3x)

The garbage collector is in the same state for the figure and its floor: both are
whole processes with Python's defaults, or both run in the same app. The load average
is printed with the results; benches print, they never fail.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _scale  # noqa: F401  (puts the repo on sys.path)
from _scale import feed_file, ready_store, store_copy, store_file, uptime

PY = sys.executable
ROOT = Path(__file__).resolve().parents[1]

RSS_CHILD = r"""
import asyncio, os, resource, shutil, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from sitmon.tui.config import Config, FeedConfig
from tests.support.tui_fixtures import make_app

store, feed_path, rounds = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:]

def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

async def main():
    cfg = Config(feeds=[FeedConfig(name="bench", url=str(feed_path), format="sitmon")])
    app = make_app(store, config=cfg)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.wait_until_loaded()
        # idle = the whole history in memory and the search index built (the monitor
        # paints from the newest months first and reads the rest in a worker)
        while not (app.history.done and app.store._search is not None):
            await asyncio.sleep(0.05)
        await pilot.pause()
        idle = rss_mib()
        t0 = time.perf_counter()
        for src in rounds:
            shutil.copyfile(src, feed_path)
            assert app.scheduler.start(cfg.feeds[0])
            while app.scheduler.status["bench"].running:
                await asyncio.sleep(0.02)  # poll the app's own flag: the worker posts back
            await pilot.pause()
            err = app.scheduler.status["bench"].last_error
            assert err is None, err
        print(idle, rss_mib(), time.perf_counter() - t0, len(app.store.tables["event"]))

asyncio.run(main())
"""

DECODE_CHILD = r"""
import gc, json, sys, time, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import msgspec
from sitmon.store import shards

store = Path(sys.argv[2])
manifest = msgspec.json.decode(store.read_bytes())["meta"]["1"]["shards"]
folder = shards.shard_folder(store)
raws = [(folder / manifest[k]["file"]).read_bytes() for k in sorted(manifest)]

def shared():  # what Store.open does with each shard
    out = []
    for raw in raws:
        out += shards.decode_shard(raw)
    return out

def plain():  # the same typed decode, nothing shared
    out = []
    for raw in raws:
        out += shards._decoder.decode(raw).events.values()
    return out

gc.disable()  # as Store.open pauses it
res = {}
for name, fn in (("shared", shared), ("plain", plain)):
    cpu = []
    for _ in range(int(sys.argv[3])):
        shards.SHARED.__init__()  # a fresh interner: every run pays for its misses
        t = time.process_time()
        events = fn()
        cpu.append(time.process_time() - t)
        del events
    shards.SHARED.__init__()
    tracemalloc.start()
    events = fn()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    res[name] = (held / len(events), min(cpu), len(events))
    del events
res["file"] = sum(map(len, raws)) / res["plain"][2]
print(json.dumps(res))
"""

# the GC paused while decoding, as Store.open pauses it: the floor runs on equal terms
DECODE_ONLY = (
    "import gc, sys, msgspec; gc.disable(); msgspec.json.decode(open(sys.argv[1], 'rb').read())"
)


def run(cmd: list[str], **kw) -> float:
    """Wall seconds of one whole process (stdout discarded); raises on failure."""
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, **kw)
    return time.perf_counter() - t


def median_run(cmd: list[str], reps: int, **kw) -> float:
    return statistics.median(run(cmd, **kw) for _ in range(reps))


def line(label: str, value: str, floor_label: str, floor: str, ratio: float, target: str) -> None:
    print(f"  {label:<46} {value:>10} | {floor_label:<34} {floor:>10} | {ratio:6.2f}x  {target}")


def verdict(ratio: float, limit: float) -> str:
    return f"(target <= {limit}x) {'ok' if ratio <= limit else 'MISS'}"


def sitmon(store: Path, *args: str) -> list[str]:
    return [PY, "-m", "sitmon", "--store", str(store), *args]


def _monitor_refreshes(n: int, tmp: Path) -> tuple[float, float, float, str]:
    """(idle MiB, peak MiB, wall seconds of 10 refreshes of 10k, events after) of the
    real monitor on a copy of the ``n``-event store (:data:`RSS_CHILD`)."""
    work = Path(tempfile.mkdtemp(prefix=f"rss-{n}-", dir=tmp))
    store = store_copy(n, work)
    rounds = [str(feed_file(n, 10_000, work, r)) for r in range(10)]
    out = subprocess.run(
        [PY, "-c", RSS_CHILD, str(ROOT), str(store), str(work / "feed.sitmon.json"), *rounds],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, SITMON_CONFIG=str(work / "none.toml")),
    )
    idle, peak, secs, count = out.stdout.split()
    return float(idle), float(peak), float(secs), count


def bench_rss(n: int, tmp: Path, target: float) -> None:
    idle, peak, secs, count = _monitor_refreshes(n, tmp)
    ratio = peak / idle
    ok = "ok" if peak <= target else "MISS"
    line(
        f"monitor peak RSS, 10 refreshes of 10k, {n:,}",
        f"{peak:.0f} MiB",
        "the same monitor idle",
        f"{idle:.0f} MiB",
        ratio,
        f"(target <= {target:.0f} MiB) {ok}; {secs:.1f} s for 10 refreshes, {count} events",
    )
    # the same refreshes into a 10k store: what the monitor's worker spends on history
    _, _, floor, _ = _monitor_refreshes(10_000, tmp)
    line(
        f"monitor: 10 refreshes of 10k into {n:,} (wall)",
        f"{secs:.1f} s",
        "the same into a 10k store",
        f"{floor:.1f} s",
        secs / floor,
        "(report; issue 13's refresh row is <= 2x)",
    )


def bench_decode(n: int, reps: int) -> None:
    out = subprocess.run(
        [PY, "-c", DECODE_CHILD, str(ROOT), str(ready_store(n)), str(reps)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    res = json.loads(out.stdout)
    (shared_b, shared_s, count), (plain_b, plain_s, _) = res["shared"], res["plain"]
    line(
        f"memory per decoded event, {count:,} events",
        f"{shared_b:.0f} B",
        "the same decode, nothing shared",
        f"{plain_b:.0f} B",
        shared_b / plain_b,
        f"(file: {res['file']:.0f} B/event)",
    )
    line(
        f"decode the shards, {count:,} events (CPU, min of {reps})",
        f"{shared_s * 1e3:.0f} ms",
        "the same decode, nothing shared",
        f"{plain_s * 1e3:.0f} ms",
        shared_s / plain_s,
        "(the sharing pass's cost; report)",
    )


def bench_refresh(n: int, tmp: Path, reps: int) -> None:
    def one(size: int) -> float:
        times = []
        for r in range(reps):
            work = tmp / f"refresh-{n}-{size}-{r}"
            work.mkdir()
            store = store_copy(size, work)
            feed = feed_file(size, 10_000, work, r)
            times.append(run(sitmon(store, "import", str(feed))))
        return statistics.median(times)

    small, big = one(10_000), one(n)
    line(
        f"10k refresh into {n:,} (whole process)",
        f"{big * 1e3:.0f} ms",
        "the same into a 10k store",
        f"{small * 1e3:.0f} ms",
        big / small,
        verdict(big / small, 2.0),
    )


def bench_info(n: int, reps: int) -> None:
    small = median_run(sitmon(ready_store(1000), "info"), reps)
    big = median_run(sitmon(ready_store(n), "info"), reps)
    line(
        f"sitmon info, {n:,} (whole process)",
        f"{big * 1e3:.0f} ms",
        "sitmon info, 1k",
        f"{small * 1e3:.0f} ms",
        big / small,
        verdict(big / small, 1.3),
    )


def bench_export(n: int, reps: int) -> None:
    path = ready_store(n)
    floor = median_run([PY, "-c", DECODE_ONLY, str(store_file(n))], reps)
    value = median_run(sitmon(path, "export", "--view", "timeline"), reps)
    line(
        f"export --view timeline, {n:,}",
        f"{value * 1e3:.0f} ms",
        "decode-only process, same file",
        f"{floor * 1e3:.0f} ms",
        value / floor,
        verdict(value / floor, 3.0),
    )


def bench_keys(n: int, repeat: int) -> None:
    out = subprocess.run(
        [
            PY,
            str(ROOT / "bench" / "bench_keys.py"),
            "--size",
            str(n),
            "--repeat",
            str(repeat),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    floor = res["timeline down"][1]
    for key, target in (("filter keystroke", 50.0), ("day back/forward", 100.0)):
        p95 = res[key][1]
        ok = "ok" if p95 < target else "MISS"
        line(
            f"{key} p95, {n:,}",
            f"{p95:.1f} ms",
            "timeline cursor step p95",
            f"{floor:.1f} ms",
            p95 / floor if floor else float("nan"),
            f"(target < {target:.0f} ms) {ok}; median {res[key][0]:.1f} ms",
        )
    ready = res["history and index ready (s)"][0]
    print(
        f"  (keys measured once the whole history was read and the search index built:"
        f" {ready:.1f} s after the first data frame; a filter typed before that waits)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="add the 1M-event rows (slow)")
    ap.add_argument("--only", default="rss,decode,refresh,info,keys,export")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sizes", help="big-store sizes, comma-separated (default 100000)")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    sizes = [100_000] + ([1_000_000] if args.large else [])
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",") if x]
    print(f"start: {uptime()}")
    t0 = time.perf_counter()
    for n in [1000, 10_000, *sizes]:
        ready_store(n)  # generate (or reuse) the cached stores before timing anything
    print(f"stores ready in {time.perf_counter() - t0:.1f} s (cache: {store_file(1000).parent})")
    with tempfile.TemporaryDirectory(prefix="sitmon-scale-") as d:
        tmp = Path(d)
        for n in sizes:
            print(f"--- {n:,} events")
            if "rss" in only:
                bench_rss(n, tmp, 250.0 if n <= 100_000 else 800.0)
            if "decode" in only:
                bench_decode(n, args.reps)
            if "refresh" in only:
                bench_refresh(n, tmp, args.reps)
            if "info" in only:
                bench_info(n, args.reps)
            if "keys" in only:
                bench_keys(n, 30)
            if "export" in only and n <= 100_000:
                bench_export(n, args.reps)
    print(f"end: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
