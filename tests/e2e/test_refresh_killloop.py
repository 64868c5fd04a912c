"""SIGKILL `sitmon refresh` at random moments while it fetches a large feed over loopback
and merges it: the store always opens, and each refresh's batch is all there or not there
at all. 30 kills by default; 100 with ``pytest -m soak``."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time

import pytest
from sitmon.store import Store
from sitmon.store.adapters.sitmon import adapt

from tests.support.feedserver import FeedServer, Reply
from tests.support.forked import Forker, forked_run

pytestmark = pytest.mark.slow

BATCH = 400
STAMP = "2024-12-06T12:00:00+03:00"


def feed_for(round_no: int) -> bytes:
    events = [
        {
            "id": f"kill-r{round_no}-{j}",
            "time": f"2024-12-06T{j % 24:02d}:{j % 60:02d}:00+03:00",
            "precision": "exact",
            "title": f"Synthetic report {j} of round {round_no} near Homs",
            "summary": "x" * 200,
            "type": "battle",
            "places": ["homs"],
            "factions": ["government"],
            "updated_at": STAMP,
            "sources": [{"source": "sohr", "url": "https://example.org/r"}],
        }
        for j in range(BATCH)
    ]
    return json.dumps({"sitmon_feed": 1, "events": events}).encode()


def rounds_present(path) -> dict[int, int]:
    s = Store.open(path)
    assert not s.warnings, s.warnings
    counts: dict[int, int] = {}
    for rid in s.tables["event"]:
        if rid.startswith("kill-r"):
            r = int(rid.split("-")[1][1:])
            counts[r] = counts.get(r, 0) + 1
    return counts


def test_kill_refresh_at_random_moments(tmp_path):
    kill_loop(tmp_path, rounds=30, each_side=2)


@pytest.mark.soak
def test_kill_refresh_at_random_moments_100_times(tmp_path):
    kill_loop(tmp_path, rounds=100, each_side=5)


def kill_loop(tmp_path, rounds: int, each_side: int) -> None:
    """``rounds`` kills; at least ``each_side`` must land before and after the commit."""
    path = tmp_path / "s.json"
    store = Store.open(path)  # bundled dataset
    # a bigger store makes each write take long enough to be hit mid-way
    template = json.loads(feed_for(-1))["events"][0]
    base = adapt(
        {"sitmon_feed": 1, "events": [dict(template, id=f"base-{i}") for i in range(6000)]}
    )
    assert not base.rejected
    store.merge(base.records)
    state = {"round": 0}
    rng = random.Random(20241205)
    committed: set[int] = set()
    outcomes = {"before": 0, "after": 0}
    # each `sitmon refresh` is forked from one warm parent (tests/support/forked.py): a real
    # process and a real SIGKILL, without an interpreter start-up and imports per round
    preload = ("sitmon.tui.cli", "sitmon.tui.cli.feeds", "sitmon.store.refresh", "httpx")
    with FeedServer() as srv, Forker(*preload) as forker:
        srv.route("/big.json", lambda req: Reply(200, body=feed_for(state["round"])))
        argv = ("-m", "sitmon", "--store", path, "refresh", "--feed", srv.url("/big.json"))
        # how long one whole refresh takes, to spread the kills over it
        t0 = time.monotonic()
        state["round"] = 10_000
        code, output = forked_run(forker, *argv)
        assert code == 0, output
        full = time.monotonic() - t0
        committed.add(10_000)
        for round_no in range(rounds):
            state["round"] = round_no
            proc = forker.run(*argv)
            try:
                proc.wait(timeout=rng.uniform(0.3 * full, 1.1 * full))  # the random moment
            except subprocess.TimeoutExpired:
                pass
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            counts = rounds_present(path)
            for r_no, n in counts.items():
                assert n == BATCH, f"round {r_no}: {n} of {BATCH} records (a half-written batch)"
            assert committed <= set(counts), "a committed batch was lost"
            if round_no in counts:
                committed.add(round_no)
                outcomes["after"] += 1
            else:
                outcomes["before"] += 1
    # the kills really did land on both sides of the write
    assert outcomes["before"] >= each_side and outcomes["after"] >= each_side, outcomes
    print(f"\nrefresh kill loop: {rounds} kills, {outcomes} (one refresh takes {full:.2f}s)")
