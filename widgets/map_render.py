"""The map: Syria, its governorates and neighbours, cities marked by who holds them.

Pure Python (no Textual, no Rich): :func:`render_map` returns
:class:`~widgets.lines.StyledLine` rows, exactly ``width`` characters each and
exactly ``height`` of them, plus where each place's marker landed (for keyboard
navigation with :func:`nearest_in_direction`) and which labels did not fit.

Drawing, in order of precedence (later wins a cell):

1. the background, cached per view (:func:`_static_layer`): neighbours'
   outlines, governorate boundaries (dotted braille / ``.``) and Syria's border
   (solid braille / ``- | / \\``);
2. markers: the faction's symbol (``?`` when control is unknown), a suffix
   ``~`` when contested, ``#`` when besieged; the selected place first, in
   reverse video between brackets ``[H]``, always whole (one cell in from the
   map's edge if need be). A marker whose cell is taken (by another marker or
   the selection's brackets) moves to a free neighbouring cell, or, when all
   are taken, shares a neighbour's symbol cell;
3. labels, by priority (selected first, then importance, population, name):
   right of the marker, left, above, below; then abbreviated ("Alep."); else
   dropped (listed in :attr:`MapRender.hidden_labels`). Labels never overlap
   each other, a marker, the legend or the map's edge, and keep one blank cell
   from other labels;
4. names of the neighbouring countries inside their visible part, and the
   Mediterranean ("Mediterranean", or "Med." when tight);
5. the legend (right of the map or below it, whichever leaves the larger map),
   ending with the geography's credit (:data:`CREDIT`), which is never cut or
   dropped: one row, or two in a narrow legend column.

Over 500 lines on purpose: the five steps above share one layout (cells, label
boxes, legend side) and run in one pass; the geometry itself lives in
:mod:`.geo`.
"""

from __future__ import annotations

import math
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import islice
from typing import Literal

import msgspec
from sitmon.store.records import ControlChange, Faction, Place

from .area_geo import MapArea
from .geo import (
    CELL_ASPECT,
    FIT_MARGIN,
    REF_LAT,
    SYRIA_BBOX,
    AsciiCanvas,
    BrailleCanvas,
    Country,
    Projection,
    fill_mask,
    fit_projection,
    load_geography,
    simplify,
)
from .lines import StyledLine, pad
from .translit import romanize

__all__ = [
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "MapOptions",
    "MapRender",
    "Viewport",
    "clear_cache",
    "legend_name",
    "nearest_in_direction",
    "render_map",
]

#: Below this size render_map returns a short message instead of a map.
MIN_WIDTH = 30
MIN_HEIGHT = 10

#: The credit the geography's licence asks for (OCHA's data is CC BY 3.0 IGO; see
#: widgets/data/ATTRIBUTION.md): shown whole whenever the legend is, on one row
#: or, in a narrow legend, these two.
CREDIT = ("Geo: OCHA/UNCS,", "Natural Earth")
CREDIT_MIN_WIDTH = max(len(t) for t in CREDIT)
#: The legend column is at least this wide when the map leaves room for it (the
#: width the one-row credit used to set, so the maps keep their size).
_LEGEND_PREFERRED_WIDTH = 18

#: At most this many factions get a legend row each; the rest share one "other" row.
MAX_LEGEND_FACTIONS = 8
OTHER_SYMBOL = "+"

CONTESTED_SUFFIX = "~"
BESIEGED_SUFFIX = "#"
UNKNOWN_SYMBOL = "?"


class MapOptions(msgspec.Struct, frozen=True):
    charset: Literal["braille", "ascii"] = "braille"
    colour: bool = True  # False: spans carry no colours (bold/reverse/underline still allowed)
    labels: bool = True
    selected: str | None = None  # place id
    zoom: float = 1.0  # 1 = whole of Syria fitted; >1 zooms in around `center`
    center: tuple[float, float] | None = (
        None  # (lat, lon) of the view centre; None = Syria's centre
    )
    legend: bool = True
    as_of_label: str = ""  # e.g. "as of 2024-12-05"; shown in the legend
    #: the situation's area (see widgets.area_geo.map_area); None = the bundled Syria
    area: MapArea | None = None


class Viewport(msgspec.Struct, frozen=True):
    """Where the map part sits in the output and how it is projected."""

    col: int
    row: int
    width: int
    height: int
    projection: Projection

    def cell_of(self, lat: float, lon: float) -> tuple[int, int] | None:
        """The output (col, row) of (lat, lon), or None when outside the map part."""
        cell = self.projection.cell_of(lat, lon)
        if cell is None:
            return None
        return cell[0] + self.col, cell[1] + self.row

    def latlon_of(self, col: int, row: int) -> tuple[float, float] | None:
        """(lat, lon) at the centre of output cell (col, row), None outside the map part."""
        c, r = col - self.col, row - self.row
        if not (0 <= c < self.width and 0 <= r < self.height):
            return None
        lon, lat = self.projection.to_lonlat(c + 0.5, r + 0.5)
        return lat, lon


class MapRender(msgspec.Struct, frozen=True):
    lines: list[StyledLine]  # exactly `height` lines, each exactly `width` characters
    positions: dict[str, tuple[int, int]]  # place id -> (col, row) of its marker, for places drawn
    hidden_labels: tuple[str, ...]  # place ids whose labels were dropped
    #: place id -> (col, row, text) of its label as drawn (text may be abbreviated)
    labels: dict[str, tuple[int, int, str]] = msgspec.field(default_factory=dict)
    #: the map part (None when the size is below the minimum)
    viewport: Viewport | None = None
    #: (col, row, text) of the names of the neighbouring countries and of the sea
    region_labels: tuple[tuple[int, int, str], ...] = ()


# --------------------------------------------------------------------------- styles


class _Styles(msgspec.Struct, frozen=True):
    neighbour: str
    boundary: str
    border: str
    country: str
    sea: str
    label: str
    selected_label: str
    bracket: str
    unknown: str
    separator: str
    title: str
    dim: str


_COLOUR = _Styles(
    neighbour="#56606b",
    boundary="#5f6b78",
    border="#c9d1d9",
    country="italic #8b949e",
    sea="italic #4f8fd6",
    label="#e6edf3",
    selected_label="bold underline #ffffff",
    bracket="bold #ffffff",
    unknown="bold #8b949e",
    separator="#3b434b",
    title="bold",
    dim="#8b949e",
)
_MONO = _Styles(
    neighbour="",
    boundary="",
    border="bold",
    country="",
    sea="",
    label="",
    selected_label="bold underline",
    bracket="bold",
    unknown="bold",
    separator="",
    title="bold",
    dim="",
)


def _marker_style(styles: _Styles, colour: str | None, selected: bool) -> str:
    if styles is _MONO or not colour:
        base = "bold" if styles is _MONO else styles.unknown
        return f"{base} reverse" if selected else base
    return f"bold reverse {colour}" if selected else f"bold {colour}"


# --------------------------------------------------------------------------- text


def _clean(text: str, ascii_only: bool) -> str:
    """Printable single-width text: no control/format characters, no combining
    marks, no wide characters; with ``ascii_only`` 7-bit printable only."""
    out = []
    for ch in unicodedata.normalize("NFKD", text) if ascii_only else text:
        cat = unicodedata.category(ch)
        if cat[0] == "C" or cat in ("Mn", "Me", "Zl", "Zp"):
            continue
        if cat == "Zs":
            out.append(" ")
            continue
        if ascii_only:
            if " " <= ch <= "~":
                out.append(ch)
            elif ch in "\u2018\u2019\u02bc\u02bf\u02be\u2032":
                out.append("'")
            elif ch in "\u2010\u2011\u2012\u2013\u2014":
                out.append("-")
            continue
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append("?")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


@lru_cache(maxsize=8192)
def _label_text(raw: str, alt_names: tuple[str, ...], ascii_only: bool) -> str:
    """A place's label: its name made safe for the charset (see :func:`_clean`).

    Always a name, never the place's internal id (issue 11: an ACLED place named
    in Arabic was labelled ``acled-x…`` on the ASCII map). In ASCII a mostly
    non-Latin name gives way to an ASCII alternative name, else to its
    romanization (:func:`sitmon.widgets.translit.romanize`), else to ``?`` for each
    character of a script with no romanization here (as the Unicode map shows it).
    """
    name = _clean(raw, ascii_only)
    if ascii_only and _mostly_unlatin(name, raw):
        for alt in alt_names:
            cand = _clean(alt, True)
            if cand and not _mostly_unlatin(cand, alt):
                return cand
        for text in (raw, *alt_names):
            cand = _clean(romanize(text), True)
            if cand and not _mostly_unlatin(cand, text):
                return cand
        # a script with no romanization here: one ? per character, as the Unicode map shows it
        return "".join(ch if " " <= ch <= "~" else "?" for ch in _clean(raw, False)) or "?"
    return name or "?"


def _mostly_unlatin(shown: str, raw: str) -> bool:
    """Did cleaning ``raw`` for the charset lose most of its letters (a non-Latin script)?"""
    return sum(ch.isalpha() for ch in shown) < max(1, len(raw) // 2)


def _variants(name: str) -> tuple[str, ...]:
    """The label and its abbreviation ("Aleppo" -> "Alep.")."""
    if len(name) > 5:
        short = name[:4].rstrip(" -'.") + "."
        if len(short) < len(name):
            return (name, short)
    return (name,)


def _symbol(faction: Faction | None) -> str:
    if faction is None:
        return UNKNOWN_SYMBOL
    sym = str(faction.symbol)[:1]
    return sym if sym and "!" <= sym <= "~" else UNKNOWN_SYMBOL


def _colour(faction: Faction | None) -> str | None:
    if faction is None:
        return None
    col = str(faction.colour)
    if len(col) == 7 and col[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in col[1:]):
        return col.lower()
    return None


# --------------------------------------------------------------------------- geography


class _Geo(msgspec.Struct, frozen=True):
    """What the map draws, for Syria's packaged geography or a situation's area."""

    bbox: tuple[float, float, float, float]
    ref_lat: float
    border: tuple[tuple[float, ...], ...]
    boundaries: tuple[tuple[float, ...], ...]
    land: tuple[tuple[float, ...], ...]
    neighbours: tuple[Country, ...]
    order: Mapping[str, int] | None  # neighbour name -> label priority; None: by visible size
    sea: bool  # Syria: label the Mediterranean
    credit: tuple[str, ...]
    labels: tuple[tuple[str, float, float], ...] = ()
    wrap: float | None = None

    @property
    def credit_min_width(self) -> int:
        return max(len(t) for t in self.credit)


@lru_cache(maxsize=1)
def _syria_geo() -> _Geo:
    geo = load_geography()
    return _Geo(
        bbox=SYRIA_BBOX,
        ref_lat=REF_LAT,
        border=geo.border,
        boundaries=geo.boundaries,
        land=tuple(r for g in geo.governorates for r in g.rings),
        neighbours=geo.neighbours,
        order={"Turkey": 0, "Iraq": 1, "Jordan": 2, "Lebanon": 3, "Israel": 4},
        sea=True,
        credit=CREDIT,
    )


def _geo_of(area: MapArea | None) -> _Geo:
    if area is None:
        return _syria_geo()
    return _Geo(
        bbox=area.bbox,
        ref_lat=area.ref_lat,
        border=area.border,
        boundaries=area.boundaries,
        land=area.land,
        neighbours=area.neighbours,
        order=None,
        sea=False,
        credit=area.credit,
        labels=area.labels,
        wrap=area.wrap,
    )


# --------------------------------------------------------------------------- static layer


class _Static(msgspec.Struct):
    proj: Projection
    chars: list[list[str]]
    tops: list[bytearray]  # 0 blank, 1 neighbour, 2 boundary, 3 border
    region_cands: list[tuple[str, list[tuple[str, list[tuple[int, int]]]]]]
    # (kind "country"/"sea", [(text, [(row, col), ...]), ...]) in priority order
    style_rows: dict[bool, list[list[str]]]
    line_cache: dict[bool, list[list[tuple[str, str]]]]


_CACHE: OrderedDict[tuple, _Static] = OrderedDict()
_CACHE_SIZE = 12


def clear_cache() -> None:
    """Forget the cached backgrounds (the packaged geography stays loaded)."""
    _CACHE.clear()


def _static_layer(
    charset: str, w: int, h: int, zoom: float, center, area: MapArea | None = None
) -> _Static:
    key = (
        charset,
        w,
        h,
        float(zoom),
        None if center is None else (float(center[0]), float(center[1])),
        None if area is None else area.key,
    )
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    st = _build_static(charset, w, h, zoom, center, area)
    _CACHE[key] = st
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return st


def _visible(proj: Projection, c: Country, w: int, h: int) -> bool:
    """Does any of the country's rings reach into the viewport (by bounding box)?"""
    for ring in c.rings:
        xs, ys = ring[0::2], ring[1::2]
        c0, r0 = proj.to_cell(max(ys), min(xs))
        c1, r1 = proj.to_cell(min(ys), max(xs))
        if c1 >= -1 and c0 <= w + 1 and r1 >= -1 and r0 <= h + 1:
            return True
    return False


def _build_static(
    charset: str, w: int, h: int, zoom: float, center, area: MapArea | None = None
) -> _Static:
    geo = _geo_of(area)
    proj = fit_projection(w, h, zoom, center, bbox=geo.bbox, ref_lat=geo.ref_lat, wrap=geo.wrap)
    neighbours = geo.neighbours
    if area is not None:
        neighbours = tuple(c for c in neighbours if _visible(proj, c, w, h))
    if charset == "ascii":
        canvas = AsciiCanvas(w, h, (":", ".", "lines"))
        for c in neighbours:
            for line in c.lines:
                canvas.polyline(0, simplify(proj.project_flat(line), 0.6, CELL_ASPECT))
        for line in geo.boundaries:
            canvas.polyline(1, simplify(proj.project_flat(line), 0.6, CELL_ASPECT))
        for line in geo.border:
            canvas.polyline(2, simplify(proj.project_flat(line), 0.9, CELL_ASPECT))
        chars, tops = canvas.render()
    else:
        bcanvas = BrailleCanvas(w, h, 3)
        for c in neighbours:
            for line in c.lines:
                bcanvas.polyline(0, proj.project_flat(line, 2.0, 4.0))
        for line in geo.boundaries:
            bcanvas.polyline(1, proj.project_flat(line, 2.0, 4.0), dash=3)
        for line in geo.border:
            bcanvas.polyline(2, proj.project_flat(line, 2.0, 4.0))
        chars, tops = bcanvas.render()

    # land masks, to place the countries' and the sea's names
    syria_rings = [proj.project_flat(r) for r in geo.land]
    syria = _union_masks([fill_mask([r], w, h) for r in syria_rings], w, h) if syria_rings else None
    land = [bytearray(row) for row in syria] if syria else [bytearray(w) for _ in range(h)]
    region_cands: list[tuple[str, list[tuple[str, list[tuple[int, int]]]]]] = []
    order = geo.order or {}
    countries = sorted(neighbours, key=lambda c: (order.get(c.name, 9), c.name))
    masks = []
    for c in countries:
        mask = fill_mask([proj.project_flat(r) for r in c.rings], w, h)
        for r in range(h):  # cells are 0 or 1: bitwise, a row at a time
            row = int.from_bytes(mask[r], "big")
            land[r][:] = (int.from_bytes(land[r], "big") | row).to_bytes(w, "big")
            if syria:  # the neighbour's mask leaves Syria out
                mask[r][:] = (row & ~int.from_bytes(syria[r], "big")).to_bytes(w, "big")
        masks.append((c, mask))
    if geo.order is None:  # the largest visible neighbours are named first
        masks.sort(key=lambda cm: (-sum(r.count(1) for r in cm[1]), cm[0].name))
        masks = masks[:12]
    for c, mask in masks:
        variants = [c.name] if c.short == c.name else [c.name, c.short]
        region_cands.append(("country", [(t, _region_candidates(mask, tops, t)) for t in variants]))
    for text, lat, lon in geo.labels:
        region_cands.append(("sea", [(text, _point_candidates(proj, lat, lon, text, w, h))]))
    if not geo.sea:
        return _Static(proj, chars, tops, region_cands, {}, {})
    # the sea: not land, west of the Levant coast, north of Sinai
    sea = [bytearray(w) for _ in range(h)]
    for r in range(h):
        lrow, srow = land[r], sea[r]
        for col in range(w):
            if not lrow[col]:
                lon, lat = proj.to_lonlat(col + 0.5, r + 0.5)
                if lon < 36.3 and 31.4 < lat < 37.2 and not (32.0 < lon < 34.7 and lat > 34.4):
                    srow[col] = 1  # (the last clause keeps the label off Cyprus)
    region_cands.append(
        ("sea", [(t, _region_candidates(sea, tops, t)) for t in ("Mediterranean", "Med.")])
    )
    return _Static(proj, chars, tops, region_cands, {}, {})


def _point_candidates(
    proj: Projection, lat: float, lon: float, text: str, w: int, h: int
) -> list[tuple[int, int]]:
    """Positions (row, col) for a label centred on (lat, lon), nearest first."""
    fc, fr = proj.to_cell(lat, lon)
    if not (math.isfinite(fc) and math.isfinite(fr)):
        return []
    c0, r0, n = int(fc) - len(text) // 2, int(fr), len(text)
    out = []
    for dr, dc in ((0, 0), (-1, 0), (1, 0), (0, -2), (0, 2), (-1, -2), (1, 2), (-2, 0), (2, 0)):
        r, c = r0 + dr, c0 + dc
        if 0 <= r < h and 0 <= c and c + n <= w:
            out.append((r, c))
    return out


def _union_masks(masks: list[list[bytearray]], w: int, h: int) -> list[bytearray]:
    out = [bytearray(w) for _ in range(h)]
    for m in masks:
        for r in range(h):
            mr = m[r]
            if any(mr):  # cells are 0 or 1: a bitwise or of the rows
                out[r][:] = (int.from_bytes(out[r], "big") | int.from_bytes(mr, "big")).to_bytes(
                    w, "big"
                )
    return out


def _region_candidates(
    mask: list[bytearray], tops: list[bytearray], text: str, limit: int = 48
) -> list[tuple[int, int]]:
    """Positions (row, col) where ``text`` lies wholly inside ``mask``, best
    first: near the middle of the visible part, covering few outline cells."""
    h = len(mask)
    if not h:
        return []
    w = len(mask[0])
    n = len(text)
    # the mask's cells: how many, and their mean row and column (counted by runs of 1s)
    count = sum_r = sum_c = 0
    for r in range(h):
        row = mask[r]
        start = row.find(1)
        while start != -1:
            end = row.find(0, start)
            if end == -1:
                end = w
            k = end - start
            count += k
            sum_r += r * k
            sum_c += (start + end - 1) * k // 2
            start = row.find(1, end)
    if count < n:
        return []
    mr = sum_r / count
    mc = sum_c / count
    full = b"\x01" * n
    cands = []
    for r in range(h):
        row = mask[r]
        start = row.find(full)
        while start != -1:
            covered = n - tops[r][start : start + n].count(0)
            # distance in cell widths (rows are CELL_ASPECT wide)
            d = math.hypot((start + n / 2 - mc), (r + 0.5 - mr) * CELL_ASPECT)
            edge = (start > 0 and row[start - 1]) + (start + n < w and row[start + n])
            cands.append((d + 3.0 * covered - 1.0 * edge, r, start))
            start = row.find(full, start + 1)
    cands.sort()
    return [(r, c) for _, r, c in cands[:limit]]


def _background_styles(st: _Static, styles: _Styles, colour: bool) -> list[list[str]]:
    rows = st.style_rows.get(colour)
    if rows is None:
        by_top = ("", styles.neighbour, styles.boundary, styles.border)
        rows = [[by_top[t] for t in trow] for trow in st.tops]
        st.style_rows[colour] = rows
    return rows


# --------------------------------------------------------------------------- legend


class _LegendEntry(msgspec.Struct, frozen=True):
    parts: tuple[tuple[str, str], ...]
    priority: int  # lower is kept first when rows run short

    @property
    def width(self) -> int:
        return sum(len(t) for t, _ in self.parts)


def legend_name(name: str, width: int, ascii_only: bool = False) -> str:
    """``name`` in at most ``width`` cells, never cut inside a word.

    A name that fits is returned unchanged. Otherwise the leading whole words
    that fit are kept and marked as abbreviated with an ellipsis (``...`` is
    too wide, so ``.`` in ASCII): ``Southern factions`` at 12 becomes
    ``Southern…``. When not even the first word fits, the initials of the
    words stand in (``SF``), then as many of them as fit. The legend row keeps
    the faction's symbol, the key to its full name in the place details and
    the README (issue 16, item 11: "the legend abbreviates names with a key").
    """
    if width <= 0:
        return ""
    if len(name) <= width:
        return name
    mark = "." if ascii_only else "\u2026"
    words = name.split()
    kept = ""
    for word in words:
        trial = f"{kept} {word}" if kept else word
        if len(trial) + len(mark) > width:
            break
        kept = trial
    if kept:
        return kept + mark
    return "".join(w[0].upper() for w in words if w)[:width]


def _legend_entries(
    counts: list[tuple[str, str, str | None, int]],
    styles: _Styles,
    as_of: str,
    seen_status: set[str],
    has_selected: bool,
    short_width: int,
    ascii_only: bool = False,
) -> list[_LegendEntry]:
    entries: list[_LegendEntry] = []
    if as_of:
        entries.append(_LegendEntry(((as_of, styles.title),), 0))
    cw = max((len(str(n)) for *_, n in counts), default=1)
    for sym, short, colour, n in counts:
        style = _marker_style(styles, colour, False)
        name = legend_name(short, short_width, ascii_only).ljust(short_width)
        entries.append(
            _LegendEntry(((sym, style), (" " + name + " ", ""), (str(n).rjust(cw), styles.dim)), 1)
        )
    x = "X"
    entries.append(
        _LegendEntry(
            ((x, styles.dim), (CONTESTED_SUFFIX, "bold"), (" contested", "")),
            2 if "contested" in seen_status else 4,
        )
    )
    entries.append(
        _LegendEntry(
            ((x, styles.dim), (BESIEGED_SUFFIX, "bold"), (" besieged", "")),
            2 if "besieged" in seen_status else 4,
        )
    )
    entries.append(
        _LegendEntry(
            ((UNKNOWN_SYMBOL, styles.unknown), ("  unknown", "")),
            2 if "unknown" in seen_status else 4,
        )
    )
    if has_selected:
        entries.append(_LegendEntry((("[X]", styles.bracket), (" selected", "")), 3))
    return entries


def _credit_rows(width: int, credit: tuple[str, ...] = CREDIT) -> tuple[str, ...]:
    """The geography credit, whole, in rows of at most ``width`` (>= its widest row)."""
    one = " ".join(credit)
    return (one,) if len(one) <= width else credit


def _fit_entries(entries: list[_LegendEntry], slots: int) -> list[_LegendEntry]:
    """Keep the ``slots`` most important entries, in their original order."""
    if len(entries) <= slots:
        return entries
    keep = sorted(range(len(entries)), key=lambda i: (entries[i].priority, i))[: max(0, slots)]
    return [entries[i] for i in sorted(keep)]


def _entry_parts(entry: _LegendEntry, width: int) -> list[tuple[str, str]]:
    out = []
    left = width
    for text, style in entry.parts:
        if left <= 0:
            break
        out.append((text[:left], style))
        left -= len(text[:left])
    if left > 0:
        out.append((" " * left, ""))
    return out


# --------------------------------------------------------------------------- layout


def _scale(w: int, h: int, geo: _Geo | None = None) -> float:
    k = math.cos(math.radians(REF_LAT if geo is None else geo.ref_lat))
    min_lon, min_lat, max_lon, max_lat = SYRIA_BBOX if geo is None else geo.bbox
    return min(
        w / ((max_lon - min_lon) * k * FIT_MARGIN),
        h * CELL_ASPECT / ((max_lat - min_lat) * FIT_MARGIN),
    )


class _Layout(msgspec.Struct, frozen=True):
    map_x: int
    map_y: int
    map_w: int
    map_h: int
    side: str  # "right", "bottom" or "none"
    legend_w: int  # right: legend width; bottom: column width
    legend_rows: int  # rows of entries (the credit's rows come after them)
    legend_cols: int
    credit: tuple[str, ...] = ()  # the credit's rows, below the entries


def _layout(
    width: int, height: int, entries: list[_LegendEntry] | None, geo: _Geo | None = None
) -> _Layout:
    if not entries:
        return _Layout(0, 0, width, height, "none", 0, 0, 0)
    geo = geo or _syria_geo()
    natural = max(_LEGEND_PREFERRED_WIDTH, *(e.width for e in entries))
    # right: a column of the legend (wide enough for the credit), one separator column
    lw = max(geo.credit_min_width, min(natural, 30, width // 3))
    right = _Layout(
        0, 0, width - lw - 1, height, "right", lw, height, 1, _credit_rows(lw, geo.credit)
    )
    # bottom: the entries flow in columns below a separator row, the credit below them
    credit = _credit_rows(width, geo.credit)
    cw = min(natural, width) + 2
    ncols = max(1, (width + 2) // cw)
    nrows = min(math.ceil(len(entries) / ncols), max(1, height // 4))
    bottom = _Layout(
        0, 0, width, height - nrows - 1 - len(credit), "bottom", cw, nrows, ncols, credit
    )
    if _scale(bottom.map_w, bottom.map_h, geo) > _scale(right.map_w, right.map_h, geo) * 1.02:
        return bottom
    return right


# --------------------------------------------------------------------------- render


def _too_small(width: int, height: int) -> MapRender:
    msg = f"map needs {MIN_WIDTH}x{MIN_HEIGHT}"
    if width < len(msg):
        msg = "too small" if width >= 9 else "map"[:width]
    lines = []
    for r in range(height):
        text = msg.center(width)[:width] if r == height // 2 else " " * width
        lines.append(StyledLine(text.ljust(width)[:width]))
    return MapRender(lines, {}, ())


_NUDGE = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))
# where a marker with no free cell around shares a symbol: its own cell, the
# neighbours, then two cells along the row (past a bracket or a suffix)
_SHARE = ((0, 0), *_NUDGE, (2, 0), (-2, 0))


def render_map(
    places: Iterable[Place],
    control: Mapping[str, ControlChange],
    factions: Mapping[str, Faction],
    width: int,
    height: int,
    options: MapOptions = MapOptions(),  # noqa: B008 - frozen, shared default is safe
) -> MapRender:
    """Render the map into exactly ``width`` x ``height`` cells (see the module doc)."""
    width = max(0, int(width))
    height = max(0, int(height))
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return _too_small(width, height)
    ascii_only = options.charset == "ascii"
    styles = _COLOUR if options.colour else _MONO
    selected = options.selected

    # -- the places, deduplicated and in a fixed order
    seen: set[str] = set()
    plist: list[Place] = []
    for p in sorted(places, key=lambda p: (p.id, p.name, p.lat, p.lon)):
        if p.id in seen:
            continue
        seen.add(p.id)
        if (
            isinstance(p.lat, int | float)
            and isinstance(p.lon, int | float)
            and math.isfinite(p.lat)
            and math.isfinite(p.lon)
        ):
            plist.append(p)

    # -- who holds what
    info: dict[str, tuple[str, str, str | None, str]] = {}  # id -> (symbol, suffix, colour, status)
    held: dict[str, int] = {}
    present: set[str] = set()
    seen_status: set[str] = set()
    look: dict[str, tuple[str, str | None]] = {}  # faction id -> (symbol, colour)
    for p in plist:
        cc = control.get(p.id)
        fac = factions.get(cc.faction) if cc is not None else None
        if cc is None or fac is None:
            info[p.id] = (UNKNOWN_SYMBOL, "", None, "unknown")
            seen_status.add("unknown")
            continue
        status = cc.status
        suffix = (
            CONTESTED_SUFFIX
            if status == "contested"
            else BESIEGED_SUFFIX
            if status == "besieged"
            else ""
        )
        sc = look.get(cc.faction)
        if sc is None:
            sc = look[cc.faction] = (_symbol(fac), _colour(fac))
        info[p.id] = (sc[0], suffix, sc[1], status)
        present.add(cc.faction)
        seen_status.add(status)
        if status == "held":
            held[cc.faction] = held.get(cc.faction, 0) + 1
    counts = []
    for fid in present:
        fac = factions[fid]
        counts.append(
            (_symbol(fac), _clean(fac.short, ascii_only) or fid, _colour(fac), held.get(fid, 0))
        )
    counts.sort(key=lambda t: (-t[3], t[1], t[0], t[2] or ""))
    if len(counts) > MAX_LEGEND_FACTIONS:
        rest = counts[MAX_LEGEND_FACTIONS - 1 :]
        counts = counts[: MAX_LEGEND_FACTIONS - 1]
        counts.append((OTHER_SYMBOL, f"other ({len(rest)})", None, sum(c[3] for c in rest)))

    # -- layout
    entries = None
    if options.legend:
        as_of = _clean(options.as_of_label, ascii_only)
        has_sel = selected is not None and selected in info
        short_w = min(max((len(c[1]) for c in counts), default=0), 14)
        entries = _legend_entries(counts, styles, as_of, seen_status, has_sel, short_w, ascii_only)
    geo = _geo_of(options.area)
    lay = _layout(width, height, entries, geo)
    if entries is not None:
        # narrow legend: shorten the names rather than lose the counts
        avail = lay.legend_w if lay.side == "right" else lay.legend_w - 2
        count_w = max((len(str(c[3])) for c in counts), default=1)
        fit_w = max(1, avail - 3 - count_w)
        full_as_of = as_of
        if len(as_of) > avail and as_of.startswith("as of "):
            as_of = as_of[6:]
        if fit_w < short_w or as_of != full_as_of:
            entries = _legend_entries(
                counts, styles, as_of, seen_status, has_sel, min(short_w, fit_w), ascii_only
            )
    w, h = lay.map_w, lay.map_h
    st = _static_layer(options.charset, w, h, options.zoom, options.center, options.area)
    proj = st.proj
    viewport = Viewport(lay.map_x, lay.map_y, w, h, proj)

    chars = [row[:] for row in st.chars]
    bg_styles = _background_styles(st, styles, options.colour)
    cstyles = [row[:] for row in bg_styles]
    dirty = bytearray(h)
    occ = [bytearray(w) for _ in range(h)]  # 0 free, 1 marker, 2 label or its halo
    is_sym = [bytearray(w) for _ in range(h)]  # 1 where a marker's symbol is drawn

    # -- markers
    ordered = sorted(
        plist,
        key=lambda p: (
            p.id != selected,
            p.importance if isinstance(p.importance, int) else 3,
            -(p.population if isinstance(p.population, int) else 0),
            p.name,
            p.id,
        ),
    )
    marker_at: dict[str, tuple[int, int, int, int]] = {}  # id -> (col, row, span0, span1)
    positions: dict[str, tuple[int, int]] = {}
    shared: list[str] = []
    # (inlined Projection.cell_of: the same arithmetic, without a call per place)
    pk, pcx, pcy, psc = proj.k, proj.cx, proj.cy, proj.scale
    psa, hw, hh = psc / CELL_ASPECT, w / 2, h / 2
    wrap = proj.wrap
    mstyles: dict[tuple[str | None, bool], str] = {}
    for p in ordered:
        lon = p.lon if wrap is None or p.lon >= wrap else p.lon + 360.0
        fc = (lon * pk - pcx) * psc + hw
        fr = (pcy - p.lat) * psa + hh
        if not (0.0 <= fc < w and 0.0 <= fr < h):
            continue
        c, r = int(fc), int(fr)
        if c >= w or r >= h:
            continue
        sym, suffix, colour, _status = info[p.id]
        is_sel = p.id == selected
        mstyle = mstyles.get((colour, is_sel))
        if mstyle is None:
            mstyle = mstyles[(colour, is_sel)] = _marker_style(styles, colour, is_sel)
        if is_sel:
            # drawn first and whole: "[", the symbol, its suffix, "]" (moved in
            # from the map's edge when a bracket would not fit)
            c = min(max(c, 1), w - 2 - len(suffix))
            row_c, row_s, row_o = chars[r], cstyles[r], occ[r]
            s0, s1 = c - 1, c + 1 + len(suffix)
            row_c[s0 : s1 + 1] = ["[", sym, *suffix, "]"]
            row_s[s0 : s1 + 1] = [styles.bracket, *[mstyle] * (1 + len(suffix)), styles.bracket]
            row_o[s0 : s1 + 1] = b"\x01" * (s1 + 1 - s0)
            is_sym[r][c] = 1
            dirty[r] = 1
            positions[p.id] = (c + lay.map_x, r + lay.map_y)
            marker_at[p.id] = (c, r, s0, s1)
            continue
        if occ[r][c]:
            for dc, dr in _NUDGE:
                cc_, rr = c + dc, r + dr
                if 0 <= cc_ < w and 0 <= rr < h and not occ[rr][cc_]:
                    c, r = cc_, rr
                    break
            else:
                # no free cell around: share a neighbour's symbol (never a bracket or suffix)
                for dc, dr in _SHARE:
                    cc_, rr = c + dc, r + dr
                    if 0 <= cc_ < w and 0 <= rr < h and is_sym[rr][cc_]:
                        c, r = cc_, rr
                        break
                positions[p.id] = (c + lay.map_x, r + lay.map_y)
                shared.append(p.id)
                continue
        row_c, row_s, row_o = chars[r], cstyles[r], occ[r]
        row_c[c] = sym
        row_s[c] = mstyle
        row_o[c] = 1
        is_sym[r][c] = 1
        s0 = s1 = c
        if suffix:
            if c + 1 < w and not row_o[c + 1]:
                s1 = c + 1
            elif c - 1 >= 0 and not row_o[c - 1]:
                s0 = c - 1
            if s1 != c or s0 != c:
                sc = s1 if s1 != c else s0
                row_c[sc] = suffix
                row_s[sc] = mstyle
                row_o[sc] = 1
        dirty[r] = 1
        positions[p.id] = (c + lay.map_x, r + lay.map_y)
        marker_at[p.id] = (c, r, s0, s1)

    # -- labels
    labels: dict[str, tuple[int, int, str]] = {}
    hidden: list[str] = []

    def fits(r: int, s: int, n: int) -> bool:
        if r < 0 or r >= h or s < 0 or s + n > w:
            return False
        a, b = max(0, s - 1), min(w, s + n + 1)
        return occ[r].count(0, a, b) == b - a

    def put(r: int, s: int, text: str, style: str) -> None:
        n = len(text)
        row_c, row_s, row_o = chars[r], cstyles[r], occ[r]
        row_c[s : s + n] = text
        row_s[s : s + n] = [style] * n
        row_o[s : s + n] = b"\x02" * n
        for hc in (s - 1, s + n):  # a blank halo keeps the text legible
            if 0 <= hc < w and not row_o[hc]:
                row_c[hc] = " "
                row_s[hc] = ""
                row_o[hc] = 2
        dirty[r] = 1

    if options.labels or selected in marker_at:
        for p in ordered:
            m = marker_at.get(p.id)
            if m is None:
                continue
            is_sel = p.id == selected
            if not options.labels and not is_sel:
                continue
            c, r, s0, s1 = m
            style = styles.selected_label if is_sel else styles.label
            placed = None
            name = _label_text(p.name, tuple(p.alt_names), ascii_only)
            for text in _variants(name):
                n = len(text)
                # right of the marker, left, above, below, above-left, below-left
                for rr, ss in (
                    (r, s1 + 2),
                    (r, s0 - 1 - n),
                    (r - 1, c),
                    (r + 1, c),
                    (r - 1, c + 1 - n),
                    (r + 1, c + 1 - n),
                ):
                    if 0 <= rr < h and ss >= 0 and ss + n <= w:
                        a = ss - 1 if ss else 0
                        b = ss + n + 1 if ss + n < w else w
                        if occ[rr].count(0, a, b) == b - a:
                            placed = (rr, ss, text)
                            break
                if placed:
                    break
            if placed is None and is_sel:
                placed = _anywhere(fits, c, r, name, w, h)
            if placed is None:
                hidden.append(p.id)
                continue
            rr, ss, text = placed
            put(rr, ss, text, style)
            labels[p.id] = (ss + lay.map_x, rr + lay.map_y, text)
        if options.labels:
            hidden.extend(pid for pid in shared)

    # -- names of the countries and of the sea
    region_labels: list[tuple[int, int, str]] = []
    if options.labels:
        for kind, variants in st.region_cands:
            style = styles.sea if kind == "sea" else styles.country
            done = False
            for text, cands in variants:
                for r, s in cands:
                    if fits(r, s, len(text)):
                        put(r, s, text, style)
                        region_labels.append((s + lay.map_x, r + lay.map_y, text))
                        done = True
                        break
                if done:
                    break

    # -- assemble the lines
    line_cache = st.line_cache.setdefault(options.colour, [None] * h)  # type: ignore[list-item]
    map_rows: list[list[tuple[str, str]]] = []
    for r in range(h):
        if not dirty[r] and line_cache[r] is not None:
            map_rows.append(line_cache[r])
            continue
        runs = _runs(chars[r], cstyles[r])
        if not dirty[r]:
            line_cache[r] = runs
        map_rows.append(runs)

    lines = _compose(width, height, lay, map_rows, entries, styles, ascii_only)
    return MapRender(
        lines=lines,
        positions=positions,
        hidden_labels=tuple(sorted(hidden)),
        labels=labels,
        viewport=viewport,
        region_labels=tuple(region_labels),
    )


def _anywhere(fits, c: int, r: int, name: str, w: int, h: int):
    """The nearest free spot for the selected place's label, shortening it as needed."""
    texts = list(_variants(name))
    if len(name) > 2:
        texts.append(name[:2] + ".")
    texts.append(name[:1])
    for text in texts:
        n = len(text)
        best = None
        for rr in range(h):
            for ss in range(0, w - n + 1):
                d = abs(ss + n / 2 - c) + abs(rr - r) * CELL_ASPECT
                if best is not None and d >= best[0]:
                    continue
                if fits(rr, ss, n):
                    best = (d, rr, ss)
        if best is not None:
            return best[1], best[2], text
    return None


def _runs(chars: list[str], styles: list[str]) -> list[tuple[str, str]]:
    """A row of cells as (text, style) runs of equal style."""
    n = len(styles)
    if not n:
        return []
    text = "".join(chars)
    cuts = [
        i for i, a, b in zip(range(1, n), styles, islice(styles, 1, None), strict=False) if a != b
    ]
    bounds = [0, *cuts, n]
    return [(text[a:b], styles[a]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _compose(
    width: int,
    height: int,
    lay: _Layout,
    map_rows: list[list[tuple[str, str]]],
    entries: list[_LegendEntry] | None,
    styles: _Styles,
    ascii_only: bool,
) -> list[StyledLine]:
    lines: list[StyledLine] = []
    if lay.side == "none":
        return [pad(StyledLine.build(runs), width) for runs in map_rows] + [
            StyledLine(" " * width) for _ in range(height - len(map_rows))
        ]
    assert entries is not None
    if lay.side == "right":
        sep = "|" if ascii_only else "\u2502"
        kept = _fit_entries(entries, height - len(lay.credit))
        credit = [_LegendEntry(((text, styles.dim),), 0) for text in lay.credit]
        rows = kept + credit  # the credit right below the entries, never dropped
        for r in range(height):
            parts = list(map_rows[r]) if r < len(map_rows) else [(" " * lay.map_w, "")]
            parts.append((sep, styles.separator))
            if r < len(rows):
                parts.extend(_entry_parts(rows[r], lay.legend_w))
            else:
                parts.append((" " * lay.legend_w, ""))
            lines.append(pad(StyledLine.build(parts), width))
        return lines
    # bottom
    for runs in map_rows:
        lines.append(pad(StyledLine.build(runs), width))
    sep = "-" if ascii_only else "\u2500"
    lines.append(StyledLine.build([(sep * width, styles.separator)]))
    kept = _fit_entries(entries, lay.legend_rows * lay.legend_cols)
    for r in range(lay.legend_rows):
        parts: list[tuple[str, str]] = []
        for k in range(lay.legend_cols):
            i = k * lay.legend_rows + r
            if i < len(kept):
                cw = min(lay.legend_w, width - sum(len(t) for t, _ in parts))
                if cw <= 0:
                    break
                parts.extend(_entry_parts(kept[i], cw))
        lines.append(pad(StyledLine.build(parts), width))
    for text in lay.credit:
        lines.append(pad(StyledLine.build([(text, styles.dim)]), width))
    while len(lines) < height:
        lines.append(StyledLine(" " * width))
    return lines[:height]


# --------------------------------------------------------------------------- navigation


def nearest_in_direction(
    positions: Mapping[str, tuple[int, int]],
    current: str | None,
    direction: Literal["up", "down", "left", "right"],
) -> str | None:
    """The place to move to from ``current`` when pressing ``direction``.

    Candidates lie in that direction (within 60 degrees either side of it, in
    on-screen proportions: a row counts :data:`CELL_ASPECT` columns); the
    nearest wins, sideways offset counting double. Without a current place (or
    an unknown one) the place nearest to the middle of all positions is
    returned. None when nothing lies that way.
    """
    if not positions:
        return None
    items = sorted(positions.items())
    if current is None or current not in positions:
        mc = sum(c for _, (c, _r) in items) / len(items)
        mr = sum(r for _, (_c, r) in items) / len(items)
        return min(
            items, key=lambda kv: (math.hypot(kv[1][0] - mc, (kv[1][1] - mr) * CELL_ASPECT), kv[0])
        )[0]
    c0, r0 = positions[current]
    best: tuple[float, str] | None = None
    for pid, (c, r) in items:
        if pid == current:
            continue
        dx, dy = c - c0, (r - r0) * CELL_ASPECT
        if direction == "up":
            along, side = -dy, dx
        elif direction == "down":
            along, side = dy, dx
        elif direction == "left":
            along, side = -dx, dy
        else:
            along, side = dx, dy
        if along <= 0 or abs(side) > along * 1.74:  # tan(60 deg)
            continue
        score = along + 2.0 * abs(side)
        if best is None or (score, pid) < best:
            best = (score, pid)
    return best[1] if best else None
