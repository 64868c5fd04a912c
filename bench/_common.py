"""Shared bench helpers: timing and the synthetic store generator."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def timeit(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` in seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def make_store(path: Path, n_events: int, seed: int = 1):
    """A store file with the small base world plus ``n_events`` synthetic events (one write)."""
    from sitmon.store import Store

    from tests.support import factories as f

    if path.exists():
        path.unlink()
    s = Store.open(path, seed=False)
    s.merge(f.base_world() + f.synthetic_events(n_events, seed=seed))
    return s


def row(label: str, value: float, unit: str, floor_label: str, floor: float, target: str) -> str:
    ratio = value / floor if floor else float("nan")
    return f"{label:<44} {value:9.3f} {unit}  | {floor_label:<30} {floor:9.3f} {unit}  ratio {ratio:5.2f}  (target {target})"
