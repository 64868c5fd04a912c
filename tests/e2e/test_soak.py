"""Soak: the real app refreshing a large feed again and again (bench/soak.py).

The full run is opt-in (`pytest -m soak`: a 100k-event store, a 10k-event feed, 10
minutes); a short smoke run (10k store, 1k feed, a refresh asked for every second for
9 s: about 20 s in all) runs by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import soak  # noqa: E402


def check(result) -> None:
    assert result.exit_code == 0
    assert result.lost == 0, f"{result.lost} records lost"
    assert result.max_inflight <= 1, "two refreshes of one feed overlapped"
    assert result.refreshes >= 3


@pytest.mark.slow
def test_soak_smoke():
    # 9 s of presses one second apart: as many refreshes (6) as 18 s two seconds apart gave
    result = soak.run(minutes=0.15, n_events=10_000, n_feed=1_000, press_every=1.0, log=_quiet)
    check(result)


def _quiet(*_args: object) -> None:
    pass


@pytest.mark.soak
def test_soak_full():
    result = soak.run(minutes=10, n_events=100_000, n_feed=10_000)
    check(result)
    # memory stays flat: after the warm-up (the first fifth, while the refresh log and
    # the session's change list fill to their caps) it plateaus instead of climbing
    second, *rest = result.fifths_kib[1:]
    assert max(rest) <= second * 1.10, result
    print(result)
