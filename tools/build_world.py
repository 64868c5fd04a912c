"""Build the packaged world country layer, ``store/data/world-admin0.json``.

Input: Natural Earth 1:50m Admin-0 countries as GeoJSON (public domain; the
project keeps a copy, already simplified to 0.02 degrees, in
``../shared/data/geo/world-admin0-ne50m.geojson``; see SOURCES-natural-earth.md
there). Output: one compact JSON document, about a fifth of the input::

    {"_source": "...", "countries": [
        {"iso": "SDN", "name": "Sudan", "rings": [[lon0, lat0, lon1, lat1, ...], ...]},
        ...]}

Each ring is open (the closing point is dropped), simplified with
Douglas-Peucker at ``--tolerance`` degrees (default 0.05: a cell of an
80-column map of a small country is still wider) and rounded to 2 decimals
(about 1 km). Rings that collapse below 3 points keep their unsimplified
vertices, so every island survives. Holes are kept as rings: the map fills
with the even-odd rule, so orientation does not matter.

Usage::

    python tools/build_world.py [SRC.geojson] [--tolerance DEG]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "data" / "geo" / "world-admin0-ne50m.geojson"
OUT = ROOT / "store" / "data" / "world-admin0.json"
SOURCE = (
    "Natural Earth 1:50m Admin-0 countries v4.0.0 (public domain, naturalearthdata.com), "
    "simplified by tools/build_world.py"
)


def _simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on an open ring (iterative; endpoints kept)."""
    n = len(pts)
    if n <= 3:
        return pts
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tol * tol
    while stack:
        i0, i1 = stack.pop()
        (ax, ay), (bx, by) = pts[i0], pts[i1]
        dx, dy = bx - ax, by - ay
        l2 = dx * dx + dy * dy
        far, fi = -1.0, -1
        for i in range(i0 + 1, i1):
            px, py = pts[i][0] - ax, pts[i][1] - ay
            d2 = px * px + py * py if l2 == 0 else (px * dy - py * dx) ** 2 / l2
            if d2 > far:
                far, fi = d2, i
        if fi >= 0 and far > tol2:
            keep[fi] = True
            stack += [(i0, fi), (fi, i1)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def _ring(coords: list[list[float]], tol: float) -> list[float]:
    pts = [(float(x), float(y)) for x, y, *_ in coords]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    # closed for the simplification, so the ring's first vertex may go too
    simple = _simplify(pts + [pts[0]], tol)[:-1]
    if len(simple) < 3:
        simple = pts
    out: list[float] = []
    last = None
    for x, y in simple:
        p = (round(x, 2), round(y, 2))
        if p != last:
            out += p
            last = p
    if len(out) >= 4 and out[:2] == out[-2:]:
        out = out[:-2]
    return out if len(out) >= 6 else [round(v, 3) for x, y in pts for v in (x, y)]


def build(src: Path, out: Path = OUT, tol: float = 0.05) -> dict:
    doc = json.loads(src.read_text(encoding="utf-8"))
    countries = []
    for ft in doc["features"]:
        props, geom = ft["properties"], ft["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        rings = [_ring(ring, tol) for poly in polys for ring in poly]
        countries.append({"iso": props["iso_a3"], "name": props["name"], "rings": rings})
    countries.sort(key=lambda c: c["iso"])
    result = {"_source": SOURCE, "countries": countries}
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    out.write_text(text + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--tolerance", type=float, default=0.05, metavar="DEG")
    args = ap.parse_args(argv)
    result = build(args.src, tol=args.tolerance)
    size = OUT.stat().st_size
    print(f"{OUT.relative_to(ROOT)}: {len(result['countries'])} countries, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
