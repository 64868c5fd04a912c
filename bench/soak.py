"""Soak: the real sitmon in a pseudo-terminal on a large store, refreshing a large
feed over loopback every few seconds, for minutes. Reports memory at start and end,
refresh count, overlapping requests and lost records.

    python bench/soak.py --minutes 10                      # the full run (opt-in)
    python bench/soak.py --minutes 0.5 --events 10000 --feed-events 1000   # a smoke run

Each refresh serves the same ``--feed-events`` events with a newer ``updated_at``, so
the store keeps its size and every refresh rewrites it: memory must stay flat.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import _common  # noqa: F401  (puts the repo on sys.path)

T0 = datetime(2024, 11, 27, tzinfo=timezone(timedelta(hours=3)))
PLACES = ["aleppo", "hama", "homs", "damascus", "idlib", "raqqa", "deir_ez_zor", "daraa"]


def events(n: int, prefix: str, version: int) -> list[dict]:
    stamp = f"2024-12-06T00:{version // 60 % 60:02d}:{version % 60:02d}+03:00"
    return [
        {
            "id": f"{prefix}-{i}",
            "time": (T0 + timedelta(days=i % 9, hours=i % 24, minutes=i % 60)).isoformat(),
            "precision": "exact",
            "title": f"Synthetic report {i} ({prefix}) near {PLACES[i % len(PLACES)]} v{version}",
            "summary": "Synthetic soak data. " * 4,
            "type": "battle",
            "places": [PLACES[i % len(PLACES)]],
            "factions": ["government"],
            "updated_at": stamp,
            "sources": [{"source": "sohr", "url": "https://example.org/soak"}],
        }
        for i in range(n)
    ]


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


@dataclass
class SoakResult:
    refreshes: int
    max_inflight: int
    rss_start_kib: int
    rss_end_kib: int
    hwm_start_kib: int
    hwm_end_kib: int
    lost: int
    seconds: float
    exit_code: int
    #: the highest RSS in each fifth of the run, KiB (a plateau means flat memory)
    fifths_kib: tuple[int, ...] = ()


def run(
    minutes: float, n_events: int, n_feed: int, press_every: float = 2.0, log=print
) -> SoakResult:
    from sitmon.store import Store
    from sitmon.store.adapters.sitmon import adapt

    from tests.support.feedserver import FeedServer, Reply
    from tests.support.pty_harness import PtyApp, sitmon_argv

    tmp = Path(tempfile.mkdtemp(prefix="sitmon-soak-"))
    store_path = tmp / "s.json"
    store = Store.open(store_path)
    base = adapt({"sitmon_feed": 1, "events": events(n_events, "base", 0)})
    assert not base.rejected, base.rejected[:3]
    store.merge(base.records)
    log(f"store: {n_events} base events + bundled, {store_path.stat().st_size / 1e6:.1f} MB")

    lock = threading.Lock()
    state = {"version": 0, "inflight": 0, "max_inflight": 0, "served": 0}

    def handler(_req):
        with lock:
            state["inflight"] += 1
            state["max_inflight"] = max(state["max_inflight"], state["inflight"])
            state["version"] += 1
            version = state["version"]
        try:
            body = json.dumps(
                {"sitmon_feed": 1, "events": events(n_feed, "feed", version)}
            ).encode()
            return Reply(200, body=body)
        finally:
            with lock:
                state["inflight"] -= 1
                state["served"] += 1

    with FeedServer() as srv:
        srv.route("/soak.json", handler)
        cfg = tmp / "config.toml"
        cfg.write_text(
            f'[[feeds]]\nname = "soak"\nurl = "{srv.url("/soak.json")}"\ninterval = 3600\nmax_bytes = 104857600\n'
        )
        env = {"SITMON_CONFIG": str(cfg), "HOME": str(tmp)}
        with PtyApp(
            sitmon_argv("--store", str(store_path), "run", "--no-refresh"),
            cols=160,
            rows=48,
            env=env,
        ) as app:
            app.wait_text("as of 2024-", 120)  # the store has loaded
            app.press("r")
            app.wait_for(
                lambda s: state["served"] >= 1 and "feeds 1 ok" in s, 300, "the first refresh"
            )
            rss0, hwm0 = rss_kib(app.pid)
            log(f"after the first refresh: RSS {rss0 / 1024:.0f} MiB (peak {hwm0 / 1024:.0f} MiB)")
            t0 = time.monotonic()
            deadline = t0 + minutes * 60
            samples: list[tuple[float, int]] = []
            while time.monotonic() < deadline:
                app.press("r")  # a refresh every few seconds; a running one is never doubled
                app.settle(quiet=press_every, timeout=press_every * 2)
                samples.append((time.monotonic() - t0, rss_kib(app.pid)[0]))
            # let the last refresh finish
            app.wait_for(
                lambda s: state["inflight"] == 0 and "feeds 1 ok" in s, 300, "the last refresh"
            )
            app.settle(quiet=1.0, timeout=30)
            rss1, hwm1 = rss_kib(app.pid)
            seconds = time.monotonic() - t0
            app.press("q")
            code = app.wait_exit(60)
    # RSS by fifths of the run: flat memory shows as a plateau, a leak as a climb
    fifths = []
    for k in range(5):
        part = [r for t, r in samples if k * seconds / 5 <= t < (k + 1) * seconds / 5]
        if part:
            fifths.append(max(part))
    log("RSS max per fifth of the run (MiB): " + " ".join(f"{r / 1024:.0f}" for r in fifths))
    final = Store.open(store_path)
    want = {f"base-{i}" for i in range(n_events)} | {f"feed-{i}" for i in range(n_feed)}
    lost = len(want - set(final.tables["event"]))
    return SoakResult(
        state["served"], state["max_inflight"], rss0, rss1, hwm0, hwm1, lost, seconds, code
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--feed-events", type=int, default=10_000)
    ap.add_argument("--press-every", type=float, default=2.0)
    args = ap.parse_args()
    r = run(args.minutes, args.events, args.feed_events, args.press_every)
    print(
        f"soak: {r.seconds / 60:.1f} min, {r.refreshes} refreshes, max overlapping requests {r.max_inflight}, "
        f"lost records {r.lost}, exit code {r.exit_code}\n"
        f"      RSS after first refresh {r.rss_start_kib / 1024:.0f} MiB -> at end {r.rss_end_kib / 1024:.0f} MiB; "
        f"peak {r.hwm_start_kib / 1024:.0f} MiB -> {r.hwm_end_kib / 1024:.0f} MiB"
    )
    sys.exit(0 if (r.lost == 0 and r.max_inflight <= 1 and r.exit_code == 0) else 1)


if __name__ == "__main__":
    main()
