"""The map geography of any situation: its countries from the shipped world
layer, its subdivisions, the neighbours around it, and how to fit it.

Pure Python (no Textual, no Rich). :func:`map_area` builds a :class:`MapArea`
from ISO3 codes and optional subdivisions (:class:`sitmon.store.geodata.Unit`);
:func:`sitmon.widgets.map_render.render_map` draws it when
``MapOptions.area`` is set (None keeps the bundled Syria geography, drawn
exactly as before).

Longitudes of an area that crosses the antimeridian (Russia, Fiji, the United
States with the Aleutians) are unwrapped: when moving the rings west of 0
degrees by +360 gives a narrower area, that is done, and ``wrap`` says so
(every longitude below it is moved by +360 when drawn).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import msgspec
from sitmon.store.geodata import Unit, bbox_of, world

from .geo import Country

__all__ = ["MapArea", "map_area", "neighbour_short", "situation_area"]

Flat = tuple[float, ...]

#: The smallest span (degrees) an area is fitted to, so that a city-state or an
#: island shows its surroundings rather than a few cells of coastline.
MIN_SPAN = 1.5
#: Latitude of the cos(latitude) correction is the area's middle, kept inside this.
MAX_REF_LAT = 70.0
#: The credit the shipped world layer asks for (a courtesy: it is public domain).
CREDIT = ("Geo:", "Natural Earth")


class MapArea(msgspec.Struct, frozen=True, eq=False):
    """Everything the map needs to draw a situation's area.

    ``bbox`` is (min_lon, min_lat, max_lon, max_lat) of the area's countries
    (unwrapped, see the module docstring), never narrower than
    :data:`MIN_SPAN`; ``ref_lat`` the latitude whose cosine corrects the
    longitudes; ``border`` the countries' outlines (drawn solid),
    ``boundaries`` the subdivisions' outlines (dotted), ``land`` the
    countries' rings (to tell the area from its surroundings), ``neighbours``
    the other countries near it, ``labels`` extra names (text, lat, lon),
    ``credit`` the legend's credit rows. Two areas are equal when their
    ``key`` is.
    """

    key: str
    name: str
    bbox: tuple[float, float, float, float]
    ref_lat: float
    border: tuple[Flat, ...]
    boundaries: tuple[Flat, ...]
    land: tuple[Flat, ...]
    neighbours: tuple[Country, ...]
    labels: tuple[tuple[str, float, float], ...] = ()
    credit: tuple[str, ...] = CREDIT
    wrap: float | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MapArea) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


def neighbour_short(name: str) -> str:
    """A country's short label: the name when 5 characters or fewer, else its
    first 3 letters and a dot ("Ethiopia" -> "Eth.")."""
    return name if len(name) <= 5 else name[:3].rstrip(" .") + "."


def _closed(ring: Flat) -> Flat:
    return ring + ring[:2] if ring[:2] != ring[-2:] else ring


def _shift(ring: Flat, dx: float) -> Flat:
    if not dx:
        return ring
    return tuple(v + dx if i % 2 == 0 else v for i, v in enumerate(ring))


def _ring_mid(ring: Flat) -> float:
    xs = ring[0::2]
    return (min(xs) + max(xs)) / 2


def _unwrap(rings: Sequence[Flat]) -> float | None:
    """0.0 when moving the rings west of 0 degrees east by +360 narrows them, else None."""
    if not rings:
        return None
    lo, _, hi, _ = bbox_of(rings)
    if hi - lo <= 180:
        return None
    moved = [_shift(r, 360.0) if _ring_mid(r) < 0 else r for r in rings]
    lo2, _, hi2, _ = bbox_of(moved)
    return 0.0 if hi2 - lo2 < hi - lo else None


def _wrapped(ring: Flat, wrap: float | None) -> Flat:
    if wrap is None or _ring_mid(ring) >= wrap:
        return ring
    return _shift(ring, 360.0)


def _overlaps(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def map_area(
    countries: Sequence[str],
    admin1: Sequence[Unit] = (),
    *,
    labels: Sequence[tuple[str, float, float]] = (),
    credit: Sequence[str] = (),
    key: str = "",
) -> MapArea:
    """The :class:`MapArea` of ``countries`` (ISO3 codes of the world layer;
    KeyError for an unknown one) with subdivisions ``admin1``.

    Results are cached by ``key`` when one is given (a situation's name plus
    anything that changes its geography), else by the arguments.
    """
    return _map_area(
        tuple(c.upper() for c in countries),
        tuple(admin1),
        tuple((str(t), float(a), float(o)) for t, a, o in labels),
        tuple(credit) or CREDIT,
        key,
    )


@lru_cache(maxsize=16)
def _map_area(
    codes: tuple[str, ...],
    admin1: tuple[Unit, ...],
    labels: tuple[tuple[str, float, float], ...],
    credit: tuple[str, ...],
    key: str,
) -> MapArea:
    layer = world()
    units = [layer[c] for c in codes]
    rings = [r for u in units for r in u.rings]
    wrap = _unwrap(rings)
    land = tuple(_wrapped(r, wrap) for r in rings)
    lo, la, hi, ha = bbox_of(land)
    # subdivisions narrow nothing, but may reach past the country's outline a little
    if admin1:
        sub = [_wrapped(r, wrap) for u in admin1 for r in u.rings]
        slo, sla, shi, sha = bbox_of(sub)
        lo, la, hi, ha = min(lo, slo), min(la, sla), max(hi, shi), max(ha, sha)
    cx, cy = (lo + hi) / 2, (la + ha) / 2
    half_x, half_y = max(hi - lo, MIN_SPAN) / 2, max(ha - la, MIN_SPAN) / 2
    bbox = (cx - half_x, max(-90.0, cy - half_y), cx + half_x, min(90.0, cy + half_y))
    ref_lat = max(-MAX_REF_LAT, min(MAX_REF_LAT, cy))
    # neighbours: every other country that reaches into a generous window around the area
    span = max(bbox[2] - bbox[0], (bbox[3] - bbox[1]) / math.cos(math.radians(ref_lat)))
    window = (bbox[0] - span, bbox[1] - span / 2, bbox[2] + span, bbox[3] + span / 2)
    neighbours = []
    for iso, unit in sorted(layer.items()):
        if iso in codes:
            continue
        near = tuple(
            r for r in (_wrapped(r, wrap) for r in unit.rings) if _overlaps(bbox_of([r]), window)
        )
        if not near:
            continue
        neighbours.append(
            Country(
                unit.name,
                iso,
                neighbour_short(unit.name),
                near,
                tuple(_closed(r) for r in near),
            )
        )
    name = ", ".join(u.name for u in units)
    return MapArea(
        key=key or f"{'+'.join(codes)}#{hash((admin1, labels, credit))}",
        name=name,
        bbox=bbox,
        ref_lat=ref_lat,
        border=tuple(_closed(r) for r in land),
        boundaries=tuple(_closed(_wrapped(r, wrap)) for u in admin1 for r in u.rings),
        land=land,
        neighbours=tuple(neighbours),
        labels=labels,
        credit=credit,
        wrap=wrap,
    )


def situation_area(situation) -> MapArea | None:
    """The map area of a :class:`sitmon.store.situations.Situation`: None for
    the bundled Syria situation (the map keeps its packaged OCHA geography),
    else its countries, subdivisions and labels (cached by name and creation)."""
    if situation is None or situation.bundled:
        return None
    return map_area(
        situation.countries,
        situation.admin1(),
        labels=[(x.text, x.lat, x.lon) for x in situation.labels],
        credit=CREDIT + ((situation.admin1_credit,) if situation.admin1_credit else ()),
        key=f"situation:{situation.name}:{situation.created}",
    )
