"""Keystroke cost with a 100k-event store: the app's time per key, not the terminal's.

For each kind of key it measures, in the running app (headless, 160x48), the
action plus the render of every visible line of the affected pane(s) (what
Textual does before it writes the frame):

- timeline selection down / up (target < 16 ms)
- timeline page down (target < 16 ms)
- a filter keystroke: the filter line's text grows by one character and the
  timeline is re-queried and re-rendered (target < 50 ms)
- a day back / forward (every pane re-queried)
- a map selection step

Run: ``python bench/bench_keys.py [--events 100000] [--repeat 60]``. It prints
the median and 95th percentile per key and the ratio to its target; it never
fails (benches are not tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.tui_fixtures import big_store, make_app  # noqa: E402

TARGETS_MS = {
    "timeline down": 16.0,
    "timeline up": 16.0,
    "timeline page down": 16.0,
    "filter keystroke": 50.0,
    "day back/forward": 100.0,
    "map step": 16.0,
}


def _render_visible(*panes) -> None:
    for pane in panes:
        for y in range(pane.size.height):
            pane.render_line(y)


def _stats(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95


async def measure(store_path: Path, repeat: int) -> dict[str, list[float]]:
    app = make_app(store_path)
    out: dict[str, list[float]] = {k: [] for k in TARGETS_MS}
    async with app.run_test(size=(160, 48)) as pilot:
        await app.wait_until_loaded()
        # the whole history in memory and the search index built: the monitor paints
        # from the newest months first and reads the rest in a worker; keys measured
        # before that would query the newest months only
        t0 = time.perf_counter()
        while not (app.history.done and app.store._search is not None):
            await asyncio.sleep(0.05)
        out["history and index ready (s)"] = [time.perf_counter() - t0]
        await pilot.pause()
        tl = app.main_screen.timeline
        panes = app.main_screen.panes()
        _render_visible(*panes)

        def timed(name: str, fn, *render) -> None:
            t0 = time.perf_counter()
            fn()
            _render_visible(*render)
            out[name].append((time.perf_counter() - t0) * 1000)

        for _ in range(repeat):
            timed("timeline down", tl.action_cursor_down, tl, app.main_screen.map_pane)
        for _ in range(repeat):
            timed("timeline up", tl.action_cursor_up, tl, app.main_screen.map_pane)
        for _ in range(repeat):
            timed("timeline page down", tl.action_page_down, tl, app.main_screen.map_pane)
        words = "shelling clash prison bridge convoy district"
        for i in range(repeat):
            text = words[: 1 + i % len(words)]
            timed("filter keystroke", lambda t=text: app.main_screen.set_filter("timeline", t), tl)
        app.main_screen.set_filter("timeline", "")
        for i in range(max(10, repeat // 3)):
            step = -1 if i % 2 == 0 else 1
            timed("day back/forward", lambda s=step: app.main_screen.action_step_day(s), *panes)
        app.main_screen.set_active("map")
        for i in range(repeat):
            direction = ("left", "right", "up", "down")[i % 4]
            timed(
                "map step",
                lambda d=direction: app.main_screen.map_pane._step(d),
                app.main_screen.map_pane,
                tl,
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--store", type=Path, help="reuse this store file (created if missing)")
    parser.add_argument(
        "--size", type=int, help="use the cached four-year synthetic store of bench/_scale.py"
    )
    parser.add_argument("--json", action="store_true", help="last line: {key: [median, p95]}")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.size:
        sys.path.insert(0, str(ROOT / "bench"))
        from _scale import ready_store

        path = ready_store(args.size)
    else:
        path = args.store or Path(tempfile.gettempdir()) / f"sitmon-bench-{args.events}.json"
        big_store(path, args.events)
    print(f"store: {path} (ready in {time.perf_counter() - t0:.1f} s)")
    results = asyncio.run(measure(path, args.repeat))
    if args.json:
        print(json.dumps({k: list(_stats(v)) for k, v in results.items()}))
        return 0
    print(f"{'key':<22}{'median ms':>10}{'p95 ms':>9}{'target':>8}{'median/target':>15}")
    for name, samples in results.items():
        med, p95 = _stats(samples)
        if name not in TARGETS_MS:
            print(f"{name:<22}{med:>10.2f}")
            continue
        target = TARGETS_MS[name]
        verdict = "ok" if med <= target else "SLOW"
        print(f"{name:<22}{med:>10.2f}{p95:>9.2f}{target:>8.0f}{med / target:>14.2f}x  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
