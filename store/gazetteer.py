"""Places as a gazetteer: matching a feed's place to a known one, and the situation's area.

Rules (stated in ``docs/data-model.md``):

- a place from a feed is the same as a known place when a name matches (name,
  alternative names or id, compared by :func:`normalise_name`: case, accents,
  punctuation, spaces and the Arabic/Latin article ``al-``/``ال`` ignored) AND
  it lies within :data:`MATCH_KM` (10 km) of it; a name alone never matches;
- coordinates outside the situation's area (with :data:`MARGIN_DEG` of margin)
  are refused with a reason naming the likely cause ("looks like [lat, lon]");
- a known place's coordinates are never replaced by a feed's (adapters emit no
  record for a matched place they did not create themselves).

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .records import Place

__all__ = [
    "MARGIN_DEG",
    "MATCH_KM",
    "SYRIA",
    "Area",
    "area_problem",
    "distance_km",
    "match_place",
    "normalise_name",
]

#: how close (km) a feed's point must be to a known place of the same name to be it
MATCH_KM = 10.0
#: degrees of margin around a situation's area before a point is refused
MARGIN_DEG = 0.5

_ARTICLE = re.compile(r"^(?:al|el|ال)[\s\-‐‑_']*")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Area:
    """A situation's area as a latitude/longitude box (degrees, WGS 84)."""

    name: str
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float, margin: float = MARGIN_DEG) -> bool:
        return (
            self.min_lat - margin <= lat <= self.max_lat + margin
            and self.min_lon - margin <= lon <= self.max_lon + margin
        )


#: the bundled situation's area: Syria's extent (Natural Earth admin-0 bounds)
SYRIA = Area("Syria", 32.31, 35.70, 37.32, 42.38)


def area_problem(lat: float, lon: float, area: Area | None) -> str | None:
    """Why the point (``lat``, ``lon``) cannot be a place of ``area``, or None.

    The reason names the likely cause: coordinates written ``[lat, lon]``
    (they fit the area once swapped) or signs lost (they fit once made positive).
    """
    if not (-90.0 <= lat <= 90.0):
        return f"latitude {lat:g} is outside -90..90"
    if not (-180.0 <= lon <= 180.0):
        return f"longitude {lon:g} is outside -180..180"
    if area is None or area.contains(lat, lon):
        return None
    where = f"the point (lat {lat:g}, lon {lon:g}) is outside {area.name}"
    if area.contains(lon, lat):
        return f"{where}; it looks like [lat, lon] (GeoJSON coordinates are [lon, lat])"
    if area.contains(abs(lat), abs(lon)) or area.contains(abs(lon), abs(lat)):
        return f"{where}; the signs look wrong (a southern or western point)"
    return where


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def normalise_name(name: str) -> str:
    """A place name for comparison: ``"Al-Rastan"``, ``"ar rastan"`` -> ``"rastan"``.

    Case, accents, punctuation and spaces are ignored; a leading Arabic article
    (``al-``, ``el-``, ``ال``) is dropped, as are Arabic diacritics (harakat).
    """
    text = unicodedata.normalize("NFKD", name.strip().casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"^a[rstdnz][\s\-]", "", text)  # assimilated article: ar-Rastan, as-Suwayda
    text = _ARTICLE.sub("", text)
    return _NON_WORD.sub("", text)


class _Index:
    """Normalised name -> place ids, built once per place mapping."""

    def __init__(self, places: Mapping[str, Place]) -> None:
        self.places = places
        self.by_name: dict[str, list[str]] = {}
        for pid, p in places.items():
            for n in {normalise_name(x) for x in (p.name, *p.alt_names, pid)}:
                if n:
                    self.by_name.setdefault(n, []).append(pid)


_INDEXES: dict[int, tuple[Mapping[str, Place], _Index]] = {}


def _index(places: Mapping[str, Place]) -> _Index:
    held = _INDEXES.get(id(places))
    if held is not None and held[0] is places and len(held[1].places) == len(places):
        return held[1]
    idx = _Index(places)
    _INDEXES.clear()  # one mapping at a time: the store's current places
    _INDEXES[id(places)] = (places, idx)
    return idx


def match_place(
    places: Mapping[str, Place] | None,
    names: Iterable[str],
    lat: float,
    lon: float,
    max_km: float = MATCH_KM,
) -> str | None:
    """The id of the nearest known place that has one of ``names`` and lies within
    ``max_km`` of (``lat``, ``lon``); None when there is none."""
    if not places:
        return None
    idx = _index(places)
    best: tuple[float, str] | None = None
    for n in {normalise_name(x) for x in names}:
        for pid in idx.by_name.get(n, ()):
            p = places[pid]
            d = distance_km(lat, lon, p.lat, p.lon)
            if d <= max_km and (best is None or (d, pid) < best):
                best = (d, pid)
    return best[1] if best else None
