#!/usr/bin/env python3
"""Build the map's packaged geography (``widgets/data/syria-admin1.json`` and
``widgets/data/neighbours.json``) from the shared GeoJSON sources.

A maintenance tool, not part of the installed package: the monitor only reads the
packaged files (:func:`sitmon.widgets.geo.load_geography`).

    python tools/build_geography.py [/path/to/shared/data/geo]
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from sitmon.widgets.geo import (
    DATA_DIR,
    NEIGHBOURS_FILE,
    REF_LAT,
    SYRIA_FILE,
    load_geography,
    point_in_rings,
)

_ATTR_OCHA = "OCHA COD-AB Syria admin1 (CC BY 3.0 IGO). Source: OCHA / UN Cartographic Section"
_ATTR_NE = "Natural Earth 1:110m (public domain) via johan/world.geo.json"
_SHORT = {"Turkey": "Tur.", "Lebanon": "Leb.", "Israel": "Isr.", "Jordan": "Jor.", "Iraq": "Iraq"}


def _rings_of(geom: dict) -> list[list[list[float]]]:
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return list(geom["coordinates"])
    raise ValueError(f"unsupported geometry {geom['type']}")


def _chain(
    edges: list[tuple[tuple[float, float], tuple[float, float]]],
) -> list[list[tuple[float, float]]]:
    """Join undirected edges into polylines, breaking at vertices whose degree is not 2."""
    adj: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    used: set[tuple[tuple[float, float], tuple[float, float]]] = set()

    def key(a, b):
        return (a, b) if a <= b else (b, a)

    lines = []
    starts = sorted(p for p, nb in adj.items() if len(nb) != 2) + sorted(adj)
    for start in starts:
        for nxt in sorted(adj[start]):
            if key(start, nxt) in used:
                continue
            line = [start]
            prev, cur = start, nxt
            used.add(key(prev, cur))
            line.append(cur)
            while len(adj[cur]) == 2 and cur != start:
                a, b = adj[cur]
                cand = b if a == prev else a
                if key(cur, cand) in used:
                    break
                used.add(key(cur, cand))
                prev, cur = cur, cand
                line.append(cur)
            lines.append(line)
    return lines


def _seg_dist(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    L2 = dx * dx + dy * dy
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L2))
    qx, qy = ax + t * dx - px, ay + t * dy - py
    return math.hypot(qx, qy)


def build_packaged_geography(src: Path, out: Path = DATA_DIR, near: float = 0.09) -> None:
    """Derive ``widgets/data/*.json`` from the shared GeoJSON files in ``src``.

    Syria's border is the union outline of the 14 governorates: edges with
    governorate on one side only (the simplified polygons do not all share
    vertices, so an edge used once can still be internal: it is internal when
    both of its sides are inside some governorate). Neighbour outlines keep
    only the stretches that are neither inside Syria nor within ``near``
    degrees of its border (Syria's own border is drawn there).
    """
    with open(src / "syria-governorates-simplified.geojson", encoding="utf-8") as f:
        govs = json.load(f)
    with open(src / "neighbours-ne110m.geo.json", encoding="utf-8") as f:
        nbrs = json.load(f)

    regions = []
    polys: list[list[list[list[float]]]] = []
    for ft in sorted(govs["features"], key=lambda ft: ft["properties"]["ADM1_PCODE"]):
        props = ft["properties"]
        for poly in _rings_of(ft["geometry"]):
            polys.append(poly)
        regions.append(
            {
                "name": props["ADM1_EN"],
                "pcode": props["ADM1_PCODE"],
                "rings": [
                    [round(v, 4) for p in ring[:-1] for v in p]
                    for poly in _rings_of(ft["geometry"])
                    for ring in poly
                ],
            }
        )
    flat_polys = [[tuple(v for p in ring for v in p) for ring in poly] for poly in polys]

    def inside_any(x: float, y: float) -> int:
        return sum(point_in_rings(x, y, p) for p in flat_polys)

    count: dict = {}
    for poly in polys:
        for ring in poly:
            for a, b in zip(ring, ring[1:], strict=False):
                e = tuple(sorted((tuple(a), tuple(b))))
                count[e] = count.get(e, 0) + 1
    border_edges, internal_edges = [], []
    for (a, b), n in sorted(count.items()):
        if n >= 2:
            internal_edges.append((a, b))
            continue
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / length * 1e-4, dx / length * 1e-4
        s1, s2 = inside_any(mx + nx, my + ny), inside_any(mx - nx, my - ny)
        (border_edges if (s1 == 0) != (s2 == 0) else internal_edges).append((a, b))

    def flat_lines(lines):
        return [[round(v, 4) for p in line for v in p] for line in lines]

    border = flat_lines(_chain(border_edges))
    boundaries = flat_lines(_chain(internal_edges))

    border_segs = []
    for line in border:
        for i in range(0, len(line) - 2, 2):
            border_segs.append(tuple(line[i : i + 4]))
    k = math.cos(math.radians(REF_LAT))

    def near_border(x: float, y: float) -> bool:
        for ax, ay, bx, by in border_segs:
            if _seg_dist(x * k, y, ax * k, ay, bx * k, by) < near:
                return True
        return False

    def keep(x: float, y: float) -> bool:
        return not near_border(x, y) and inside_any(x, y) == 0

    countries = []
    for ft in nbrs["features"]:
        name = ft["properties"]["name"]
        rings = [ring for poly in _rings_of(ft["geometry"]) for ring in poly]
        # keep only rings near the region of interest
        rings = [r for r in rings if any(30 <= p[0] <= 50 and 28 <= p[1] <= 42 for p in r)]
        simple = []
        for ring in rings:
            lines: list[list[tuple[float, float]]] = []
            # sample the ring densely, keep runs of kept samples (plus one sample
            # on each side so that the runs reach Syria's border)
            samples: list[tuple[float, float]] = []
            for a, b in zip(ring, ring[1:], strict=False):
                n = max(1, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 0.02))
                samples.extend(
                    (a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n)
                )
            vertices = {tuple(p) for p in ring}
            flags = [keep(x, y) for x, y in samples]
            m = len(samples)
            if all(flags):
                run = samples + [samples[0]]
                lines.append(run)
            else:
                # start at a dropped sample so that runs don't wrap
                s0 = flags.index(False)
                run = []
                for j in range(m + 1):
                    i = (s0 + j) % m
                    if flags[i]:
                        if not run:
                            run.append(samples[(i - 1) % m])
                        run.append(samples[i])
                    elif run:
                        run.append(samples[i])
                        lines.append(run)
                        run = []
                if run:
                    lines.append(run)
            # simplify: keep original vertices and run ends only
            for run in lines:
                pts = [run[0]] + [p for p in run[1:-1] if p in vertices] + [run[-1]]
                simple.append([round(v, 4) for p in pts for v in p])
        countries.append(
            {
                "name": name,
                "iso": ft["properties"].get("iso_a3", ft.get("id", "")),
                "short": _SHORT.get(name, name[:3] + "."),
                "rings": [[round(v, 4) for p in ring[:-1] for v in p] for ring in rings],
                "lines": simple,
            }
        )

    out.mkdir(parents=True, exist_ok=True)
    syria_doc = {
        "_about": "Syria admin1 (governorates) for the sitmon map: border = union outline of the 14 governorates, boundaries = internal governorate boundaries, as polylines of flat [lon, lat, lon, lat, ...]. Derived by widgets/geo.py:build_packaged_geography.",
        "_source": _ATTR_OCHA,
        "border": border,
        "boundaries": boundaries,
        "governorates": regions,
    }
    nbr_doc = {
        "_about": "Context outlines of Syria's neighbours for the sitmon map: rings (polygon, for label placement) and lines (what is drawn: the outline minus the stretches along or inside Syria), flat [lon, lat, ...].",
        "_source": _ATTR_NE,
        "countries": countries,
    }
    for name, doc in ((SYRIA_FILE, syria_doc), (NEIGHBOURS_FILE, nbr_doc)):
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        (out / name).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    src_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/geo")
    build_packaged_geography(src_dir)
    load_geography.cache_clear()
    geo = load_geography()
    print(
        f"border: {len(geo.border)} lines, boundaries: {len(geo.boundaries)} lines, "
        f"{len(geo.governorates)} governorates, {len(geo.neighbours)} neighbours"
    )
