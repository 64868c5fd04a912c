"""Packaged geography, projection and rasterisation for the map.

Pure Python: no Textual, no Rich. The map renderer (:mod:`widgets.map_render`)
builds on three pieces from here:

* :func:`load_geography` reads the compact geography shipped in
  ``widgets/data/`` (derived once from the OCHA COD-AB admin1 boundaries and
  Natural Earth 1:110m neighbours by ``tools/build_geography.py``; run
  ``python tools/build_geography.py /path/to/shared/data/geo`` to rebuild it).
* :class:`Projection`: equirectangular with a cos(latitude) correction, in
  terminal cells that are :data:`CELL_ASPECT` times taller than wide, fitted to
  Syria and centred in a viewport, with zoom and centre.
* Rasterisers: :class:`BrailleCanvas` (2x4 dots per cell) and
  :class:`AsciiCanvas` (1 point per cell, line glyphs), both drawing clipped
  Bresenham/DDA lines (no gaps on steep segments), and :func:`fill_mask`, a
  scanline polygon fill (even-odd, so holes work) used to tell land from sea.

Coordinates in the data files are ``[lon, lat]`` pairs flattened into one list
per ring/polyline: ``[lon0, lat0, lon1, lat1, ...]``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import msgspec

__all__ = [
    "CELL_ASPECT",
    "SYRIA_BBOX",
    "AsciiCanvas",
    "BrailleCanvas",
    "Country",
    "Geography",
    "Projection",
    "Region",
    "fill_mask",
    "fit_projection",
    "load_geography",
    "point_in_rings",
    "simplify",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
SYRIA_FILE = "syria-admin1.json"
NEIGHBOURS_FILE = "neighbours.json"

#: A terminal cell is about twice as tall as it is wide.
CELL_ASPECT = 2.0
#: Reference latitude of the cos(latitude) correction (Syria's middle).
REF_LAT = 35.0
#: (min_lon, min_lat, max_lon, max_lat) of Syria (union of the governorates).
SYRIA_BBOX = (35.6142, 32.3164, 42.3847, 37.3181)

Flat = tuple[float, ...]  # lon0, lat0, lon1, lat1, ...


# --------------------------------------------------------------------------- data


class Region(msgspec.Struct, frozen=True):
    """A governorate: name, pcode and rings (outer first, then holes)."""

    name: str
    pcode: str
    rings: tuple[Flat, ...]


class Country(msgspec.Struct, frozen=True):
    """A neighbouring country: its polygon rings (for inside tests and label
    placement) and the polylines to draw (its outline minus the stretches that
    run along Syria's border or through Syria)."""

    name: str
    iso: str
    short: str
    rings: tuple[Flat, ...]
    lines: tuple[Flat, ...]


class Geography(msgspec.Struct, frozen=True):
    border: tuple[Flat, ...]  # Syria's national border (union outline), polylines
    boundaries: tuple[Flat, ...]  # internal governorate boundaries, polylines
    governorates: tuple[Region, ...]
    neighbours: tuple[Country, ...]


def _flat(values: Iterable[float]) -> Flat:
    return tuple(float(v) for v in values)


@lru_cache(maxsize=1)
def load_geography() -> Geography:
    """The packaged geography (read once)."""
    with open(DATA_DIR / SYRIA_FILE, encoding="utf-8") as f:
        syr = json.load(f)
    with open(DATA_DIR / NEIGHBOURS_FILE, encoding="utf-8") as f:
        nbr = json.load(f)
    return Geography(
        border=tuple(_flat(line) for line in syr["border"]),
        boundaries=tuple(_flat(line) for line in syr["boundaries"]),
        governorates=tuple(
            Region(g["name"], g["pcode"], tuple(_flat(r) for r in g["rings"]))
            for g in syr["governorates"]
        ),
        neighbours=tuple(
            Country(
                c["name"],
                c["iso"],
                c["short"],
                tuple(_flat(r) for r in c["rings"]),
                tuple(_flat(line) for line in c["lines"]),
            )
            for c in nbr["countries"]
        ),
    )


def point_in_rings(lon: float, lat: float, rings: Sequence[Flat]) -> bool:
    """Even-odd test: is (lon, lat) inside the polygon given by ``rings``?"""
    inside = False
    for ring in rings:
        n = len(ring) // 2
        x1, y1 = ring[2 * n - 2], ring[2 * n - 1]
        for i in range(n):
            x2, y2 = ring[2 * i], ring[2 * i + 1]
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            x1, y1 = x2, y2
    return inside


# --------------------------------------------------------------------------- projection


class Projection(msgspec.Struct, frozen=True):
    """lon/lat <-> fractional cell coordinates of a ``width`` x ``height`` viewport.

    ``x = lon * k`` (k = cos of :data:`REF_LAT`), ``y = lat``; ``scale`` is cell
    widths per unit of x; a cell is :data:`CELL_ASPECT` cell widths tall. Cell
    (c, r) covers ``c <= col < c + 1`` and ``r <= row < r + 1``.
    """

    width: int
    height: int
    k: float
    cx: float  # world x at the viewport centre
    cy: float  # latitude at the viewport centre
    scale: float
    #: longitudes below this are moved by +360 (an area across the antimeridian)
    wrap: float | None = None

    def to_cell(self, lat: float, lon: float) -> tuple[float, float]:
        if self.wrap is not None and lon < self.wrap:
            lon += 360.0
        col = (lon * self.k - self.cx) * self.scale + self.width / 2
        row = (self.cy - lat) * self.scale / CELL_ASPECT + self.height / 2
        return col, row

    def to_lonlat(self, col: float, row: float) -> tuple[float, float]:
        lon = ((col - self.width / 2) / self.scale + self.cx) / self.k
        lat = self.cy - (row - self.height / 2) * CELL_ASPECT / self.scale
        if self.wrap is not None and lon > 180.0:
            lon -= 360.0
        return lon, lat

    def cell_of(self, lat: float, lon: float) -> tuple[int, int] | None:
        """The integer cell holding (lat, lon), or None when outside the viewport."""
        col, row = self.to_cell(lat, lon)
        if not (0.0 <= col < self.width and 0.0 <= row < self.height):
            return None
        c, r = int(col), int(row)
        if c >= self.width or r >= self.height:  # float edge cases
            return None
        return c, r

    def project_flat(self, flat: Flat, sx: float = 1.0, sy: float = 1.0) -> list[float]:
        """A flat lon/lat list as flat (col*sx, row*sy) coordinates."""
        k, cx, cy, s = self.k, self.cx, self.cy, self.scale
        hw, hh = self.width / 2, self.height / 2
        sa = s / CELL_ASPECT
        out = [0.0] * len(flat)
        for i in range(0, len(flat), 2):
            out[i] = ((flat[i] * k - cx) * s + hw) * sx
            out[i + 1] = ((cy - flat[i + 1]) * sa + hh) * sy
        return out


#: A little room around Syria at zoom 1.
FIT_MARGIN = 1.04


def fit_projection(
    width: int,
    height: int,
    zoom: float = 1.0,
    center: tuple[float, float] | None = None,
    *,
    bbox: tuple[float, float, float, float] = SYRIA_BBOX,
    ref_lat: float = REF_LAT,
    wrap: float | None = None,
) -> Projection:
    """``bbox`` (default Syria's; min_lon, min_lat, max_lon, max_lat in degrees)
    fitted and centred in ``width`` x ``height`` cells, then zoomed ``zoom``
    times around ``center`` (lat, lon; default the box's centre). ``ref_lat``
    is the latitude of the cos(latitude) correction; ``wrap`` see
    :class:`Projection`."""
    k = math.cos(math.radians(ref_lat))
    min_lon, min_lat, max_lon, max_lat = bbox
    span_x = (max_lon - min_lon) * k * FIT_MARGIN
    span_y = (max_lat - min_lat) * FIT_MARGIN
    scale = min(max(width, 1) / span_x, max(height, 1) * CELL_ASPECT / span_y)
    if not (isinstance(zoom, int | float) and math.isfinite(zoom)) or zoom <= 0:
        zoom = 1.0
    scale *= min(max(zoom, 0.05), 1000.0)
    if center is None:
        lat0, lon0 = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
    else:
        lat0, lon0 = float(center[0]), float(center[1])
        if not (math.isfinite(lat0) and math.isfinite(lon0)):
            lat0, lon0 = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
        lat0 = min(max(lat0, -90.0), 90.0)
        lon0 = min(max(lon0, -180.0), 180.0)
        if wrap is not None and lon0 < wrap:
            lon0 += 360.0
    return Projection(width, height, k, lon0 * k, lat0, scale, wrap)


# --------------------------------------------------------------------------- clipping


def _clip(
    x0: float, y0: float, x1: float, y1: float, xmax: float, ymax: float
) -> tuple[float, float, float, float] | None:
    """Liang-Barsky clip of a segment to [-1, xmax] x [-1, ymax]."""
    lo, hi = -1.0, -1.0
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - lo), (dx, xmax - x0), (-dy, y0 - hi), (dy, ymax - y0)):
        if p == 0.0:
            if q < 0.0:
                return None
            continue
        t = q / p
        if p < 0.0:
            if t > t1:
                return None
            if t > t0:
                t0 = t
        else:
            if t < t0:
                return None
            if t < t1:
                t1 = t
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy


# --------------------------------------------------------------------------- braille

# bit of dot (dx, dy) in a braille cell (U+2800 block)
_BRAILLE_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


class BrailleCanvas:
    """``width`` x ``height`` cells of 2x4 dots each; one bit plane per layer.

    ``bits[layer][row * width + col]`` holds the dots of that layer in the cell.
    """

    def __init__(self, width: int, height: int, layers: int) -> None:
        self.width = width
        self.height = height
        self.bits = [bytearray(width * height) for _ in range(layers)]

    def line(self, layer: int, x0: float, y0: float, x1: float, y1: float, dash: int = 0) -> int:
        """Bresenham line in dot coordinates (clipped); ``dash`` > 0 skips every
        ``dash``-th dot (a lighter, dotted line). Returns the dots stepped."""
        wd, hd = self.width * 2, self.height * 4
        clipped = _clip(x0, y0, x1, y1, wd, hd)
        if clipped is None:
            return 0
        ax, ay, bx, by = clipped
        ix0, iy0, ix1, iy1 = (
            int(math.floor(ax)),
            int(math.floor(ay)),
            int(math.floor(bx)),
            int(math.floor(by)),
        )
        dx, dy = abs(ix1 - ix0), -abs(iy1 - iy0)
        sx = 1 if ix0 < ix1 else -1
        sy = 1 if iy0 < iy1 else -1
        err = dx + dy
        plane = self.bits[layer]
        w = self.width
        n = 0
        while True:
            if 0 <= ix0 < wd and 0 <= iy0 < hd and (dash == 0 or n % dash != dash - 1):
                plane[(iy0 >> 2) * w + (ix0 >> 1)] |= _BRAILLE_BITS[ix0 & 1][iy0 & 3]
            n += 1
            if ix0 == ix1 and iy0 == iy1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                ix0 += sx
            if e2 <= dx:
                err += dx
                iy0 += sy
        return n

    def polyline(self, layer: int, pts: Sequence[float], dash: int = 0) -> None:
        """Draw a flat list of dot coordinates as connected segments."""
        for i in range(0, len(pts) - 2, 2):
            self.line(layer, pts[i], pts[i + 1], pts[i + 2], pts[i + 3], dash)

    def render(self) -> tuple[list[list[str]], list[bytearray]]:
        """Per row: the cell characters (all layers' dots combined; blank cells
        are spaces) and the top layer present in each cell (1-based; 0 none)."""
        w, h = self.width, self.height
        chars: list[list[str]] = []
        tops: list[bytearray] = []
        planes = self.bits
        for r in range(h):
            row_chars = [" "] * w
            row_top = bytearray(w)
            base = r * w
            for c in range(w):
                bits = 0
                top = 0
                for li, plane in enumerate(planes):
                    b = plane[base + c]
                    if b:
                        bits |= b
                        top = li + 1
                if bits:
                    row_chars[c] = chr(0x2800 + bits)
                    row_top[c] = top
            chars.append(row_chars)
            tops.append(row_top)
        return chars, tops


# --------------------------------------------------------------------------- ascii


class AsciiCanvas:
    """``width`` x ``height`` cells, one point each, drawn with line glyphs.

    Each layer has its own glyph style: ``"lines"`` picks ``- | / \\`` from the
    segment's on-screen direction, any other string is used as is (e.g. ``"."``).
    A higher layer overwrites a lower one in a cell.
    """

    def __init__(self, width: int, height: int, glyphs: Sequence[str]) -> None:
        self.width = width
        self.height = height
        self.glyphs = tuple(glyphs)
        self.chars = [[" "] * width for _ in range(height)]
        self.tops = [bytearray(width) for _ in range(height)]

    @staticmethod
    def _direction_glyph(dx: float, dy: float) -> str:
        # physical direction: rows are CELL_ASPECT times taller than columns
        px, py = abs(dx), abs(dy) * CELL_ASPECT
        if py <= px * 0.42:  # < ~23 degrees
            return "-"
        if py >= px * 2.4:  # > ~67 degrees
            return "|"
        return "\\" if (dx > 0) == (dy > 0) else "/"

    def line(self, layer: int, x0: float, y0: float, x1: float, y1: float) -> None:
        """DDA at cell resolution: every cell the segment passes is marked."""
        clipped = _clip(x0, y0, x1, y1, self.width, self.height)
        if clipped is None:
            return
        ax, ay, bx, by = clipped
        style = self.glyphs[layer]
        glyph = self._direction_glyph(x1 - x0, y1 - y0) if style == "lines" else style
        steps = int(max(abs(bx - ax), abs(by - ay)) * 2) + 1
        w, h = self.width, self.height
        lv = layer + 1
        chars, tops = self.chars, self.tops
        last = (-1, -1)
        for i in range(steps + 1):
            t = i / steps
            c = int(math.floor(ax + (bx - ax) * t))
            r = int(math.floor(ay + (by - ay) * t))
            if (c, r) == last:
                continue
            last = (c, r)
            if 0 <= c < w and 0 <= r < h:
                if tops[r][c] < lv:  # the first glyph of a layer stays
                    chars[r][c] = glyph
                    tops[r][c] = lv

    def polyline(self, layer: int, pts: Sequence[float]) -> None:
        for i in range(0, len(pts) - 2, 2):
            self.line(layer, pts[i], pts[i + 1], pts[i + 2], pts[i + 3])

    def render(self) -> tuple[list[list[str]], list[bytearray]]:
        return [row[:] for row in self.chars], [bytearray(t) for t in self.tops]


def simplify(pts: Sequence[float], tol: float, ky: float = 1.0) -> list[float]:
    """Douglas-Peucker on a flat x,y list (y weighted by ``ky`` when measuring)."""
    n = len(pts) // 2
    if n <= 2 or tol <= 0:
        return list(pts)
    keep = bytearray(n)
    keep[0] = keep[n - 1] = 1
    stack = [(0, n - 1)]
    tol2 = tol * tol
    while stack:
        i0, i1 = stack.pop()
        ax, ay = pts[2 * i0], pts[2 * i0 + 1] * ky
        bx, by = pts[2 * i1], pts[2 * i1 + 1] * ky
        dx, dy = bx - ax, by - ay
        L2 = dx * dx + dy * dy
        far, fi = -1.0, -1
        for i in range(i0 + 1, i1):
            px, py = pts[2 * i] - ax, pts[2 * i + 1] * ky - ay
            if L2 == 0.0:
                d2 = px * px + py * py
            else:
                cr = px * dy - py * dx
                d2 = cr * cr / L2
            if d2 > far:
                far, fi = d2, i
        if far > tol2:
            keep[fi] = 1
            stack.append((i0, fi))
            stack.append((fi, i1))
    out: list[float] = []
    for i in range(n):
        if keep[i]:
            out.append(pts[2 * i])
            out.append(pts[2 * i + 1])
    return out


# --------------------------------------------------------------------------- fill


def fill_mask(rings: Sequence[Sequence[float]], width: int, height: int) -> list[bytearray]:
    """Scanline fill (even-odd) of projected rings (flat col,row lists): per
    row, 1 where the cell's centre is inside the polygon."""
    rows = [bytearray(width) for _ in range(height)]
    edges: list[tuple[float, float, float, float]] = []
    for ring in rings:
        n = len(ring) // 2
        if n < 3:
            continue
        x1, y1 = ring[2 * n - 2], ring[2 * n - 1]
        for i in range(n):
            x2, y2 = ring[2 * i], ring[2 * i + 1]
            if y1 != y2:
                edges.append((x1, y1, x2, y2))
            x1, y1 = x2, y2
    if not edges:
        return rows
    # each edge only meets the rows whose centre lies within its height: bucket the edges
    # by row (a row or two of margin; the exact test below decides, as before)
    by_row: list[list[tuple[float, float, float, float]]] = [[] for _ in range(height)]
    for edge in edges:
        y1, y2 = edge[1], edge[3]
        lo, hi = (y1, y2) if y1 < y2 else (y2, y1)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            span = range(height)  # (a degenerate projection: every row tests it)
        elif hi < -1 or lo > height + 1:
            continue
        else:
            span = range(max(0, int(lo) - 1), min(height, int(hi) + 2))
        for r in span:
            by_row[r].append(edge)
    for r in range(height):
        yc = r + 0.5
        xs = []
        for x1, y1, x2, y2 in by_row[r]:
            if (y1 > yc) != (y2 > yc):
                xs.append(x1 + (yc - y1) * (x2 - x1) / (y2 - y1))
        if not xs:
            continue
        xs.sort()
        row = rows[r]
        for i in range(0, len(xs) - 1, 2):
            # cells whose centre c + 0.5 lies in [xs[i], xs[i+1])
            c0 = max(0, math.ceil(xs[i] - 0.5))
            c1 = min(width, math.ceil(xs[i + 1] - 0.5))
            if c1 > c0:
                row[c0:c1] = b"\x01" * (c1 - c0)
    return rows
