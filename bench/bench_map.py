"""Map renderer benchmark: ``python bench/bench_map.py``.

Cold = the first render of a view (background rasterised, nothing cached);
warm = median of repeated renders of the same view (what a redraw costs).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sitmon.store.adapters.sitmon import adapt  # noqa: E402
from sitmon.store.records import ControlChange, Faction, Place  # noqa: E402
from sitmon.widgets.geo import load_geography  # noqa: E402
from sitmon.widgets.map_render import MapOptions, clear_cache, render_map  # noqa: E402

AS_OF = datetime.fromisoformat("2024-12-05T23:59:59+03:00")


def bundled():
    with open(ROOT / "store" / "data" / "bundled.json", encoding="utf-8") as f:
        records = adapt(json.load(f)).records
    places = [r for r in records if isinstance(r, Place)]
    factions = {r.id: r for r in records if isinstance(r, Faction)}
    control: dict[str, ControlChange] = {}
    for c in sorted(
        (r for r in records if isinstance(r, ControlChange)), key=lambda c: (c.valid_from, c.id)
    ):
        if c.valid_from <= AS_OF:
            control[c.place] = c
    return places, control, factions


def synthetic(n: int, seed: int = 7):
    """``n`` places scattered over Syria's bounding box, six factions."""
    rng = random.Random(seed)
    t = datetime(2024, 12, 1, tzinfo=UTC)
    factions = {
        f"f{i}": Faction(
            id=f"f{i}",
            name=f"Faction {i}",
            short=f"F{i}",
            symbol="GHKTSF"[i],
            colour=c,
            updated_at=t,
        )
        for i, c in enumerate(("#d62728", "#2e9e44", "#b8860b", "#3a7bd5", "#9b59b6", "#a0522d"))
    }
    places, control = [], {}
    statuses = ("held",) * 8 + ("contested", "besieged")
    for i in range(n):
        pid = f"p{i:04d}"
        places.append(
            Place(
                id=pid,
                name=f"Town {i}",
                lat=rng.uniform(32.4, 37.2),
                lon=rng.uniform(35.7, 42.3),
                importance=rng.randint(1, 5),
                population=rng.randint(1_000, 2_000_000),
                updated_at=t,
            )
        )
        if rng.random() < 0.95:
            control[pid] = ControlChange(
                id=f"c{i}",
                place=pid,
                faction=f"f{rng.randrange(6)}",
                status=rng.choice(statuses),
                valid_from=t,
                updated_at=t,
            )
    return places, control, factions


def measure(
    label: str, data, width: int, height: int, options: MapOptions, target_ms: float, repeat: int
) -> None:
    places, control, factions = data
    clear_cache()
    t0 = time.perf_counter()
    render_map(places, control, factions, width, height, options)
    cold = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        render_map(places, control, factions, width, height, options)
        times.append((time.perf_counter() - t0) * 1000)
    warm = statistics.median(times)
    print(
        f"map {label}: {warm:.2f} ms (target {target_ms:g} ms) ratio {warm / target_ms:.2f}"
        f"   [cold {cold:.1f} ms, {repeat} warm runs, min {min(times):.2f} ms]"
    )


def main() -> None:
    load_geography()  # reading the packaged files once is not part of a frame
    b = bundled()
    s = synthetic(1000)
    sel = MapOptions(as_of_label="as of 2024-12-05", selected="hama")
    measure("80x24 braille", b, 80, 24, sel, 5, 300)
    measure(
        "80x24 ascii",
        b,
        80,
        24,
        MapOptions(charset="ascii", as_of_label="as of 2024-12-05", selected="hama"),
        5,
        300,
    )
    measure("120x40 braille", b, 120, 40, sel, 5, 200)
    measure(
        "120x40 ascii",
        b,
        120,
        40,
        MapOptions(charset="ascii", as_of_label="as of 2024-12-05"),
        5,
        200,
    )
    measure("200x60 braille 1000 places", s, 200, 60, MapOptions(selected="p0001"), 25, 40)
    measure(
        "200x60 ascii 1000 places",
        s,
        200,
        60,
        MapOptions(charset="ascii", selected="p0001"),
        25,
        40,
    )


if __name__ == "__main__":
    main()
