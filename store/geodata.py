"""Geography a situation is made of: the shipped world country layer and
first-level subdivisions read from the user's GeoJSON.

Pure Python (no Textual, no Rich). Coordinates are degrees, ``[lon, lat]``
pairs flattened into one tuple per ring: ``(lon0, lat0, lon1, lat1, ...)``,
open (the closing point dropped). Rings of one unit are kept together, holes
included; they are filled with the even-odd rule, so ring orientation (CCW or
CW, RFC 7946 or not) does not matter.

* :func:`world` reads ``store/data/world-admin0.json`` (Natural Earth 1:50m
  Admin-0, public domain; built by ``tools/build_world.py``): 241 countries
  keyed by ISO 3166-1 alpha-3 code (Natural Earth's ``ADM0_A3`` where the ISO
  code is missing, e.g. ``KOS`` Kosovo).
* :func:`read_admin1` reads a GeoJSON FeatureCollection of subdivisions (OCHA
  COD-AB, geoBoundaries, Natural Earth, ...): Polygon or MultiPolygon
  features, the unit's name from the first property that names one (see
  :data:`NAME_KEYS`), any ``crs`` member ignored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import msgspec

__all__ = [
    "NAME_KEYS",
    "GeoError",
    "Unit",
    "bbox_of",
    "country",
    "read_admin1",
    "units_from_geojson",
    "units_from_json",
    "units_to_json",
    "world",
]

Flat = tuple[float, ...]

#: Properties that name a subdivision, most specific first (OCHA COD-AB,
#: geoBoundaries, Natural Earth, GADM, then anything called name).
NAME_KEYS = (
    "ADM1_EN",
    "shapeName",
    "name_en",
    "NAME_EN",
    "name",
    "NAME",
    "NAME_1",
    "ADM1_NAME",
    "admin1Name_en",
    "Name",
)
#: Properties that give a subdivision's code.
CODE_KEYS = ("ADM1_PCODE", "shapeISO", "iso_3166_2", "code", "adm1_code", "GID_1", "shapeID")

#: The largest admin1 file read (bytes): a country's subdivisions, even
#: unsimplified, are well under this.
MAX_ADMIN1_BYTES = 64 * 1024 * 1024


class GeoError(ValueError):
    """Geography that cannot be used; the message is one line naming the problem."""


class Unit(msgspec.Struct, frozen=True):
    """A country or a subdivision: a code (ISO3 for countries), a display
    name, and its rings (outer rings and holes, any orientation)."""

    code: str
    name: str
    rings: tuple[Flat, ...]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return bbox_of(self.rings)


def bbox_of(rings: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of flat rings; ValueError when empty."""
    xs = [v for r in rings for v in r[0::2]]
    ys = [v for r in rings for v in r[1::2]]
    if not xs:
        raise ValueError("no coordinates")
    return min(xs), min(ys), max(xs), max(ys)


@lru_cache(maxsize=1)
def world() -> dict[str, Unit]:
    """The shipped world layer: ISO3 code -> country (read once)."""
    raw = resources.files("sitmon.store").joinpath("data/world-admin0.json").read_bytes()
    doc = json.loads(raw)
    return {
        c["iso"]: Unit(c["iso"], c["name"], tuple(tuple(map(float, r)) for r in c["rings"]))
        for c in doc["countries"]
    }


def country(code: str) -> Unit:
    """The country with ISO 3166-1 alpha-3 ``code`` (case-insensitive).

    Raises :class:`GeoError` naming the code (and a close match when there is one).
    """
    iso = code.strip().upper()
    layer = world()
    if iso in layer:
        return layer[iso]
    low = code.strip().lower()
    named = [u.code for u in layer.values() if u.name.lower() == low]
    if named:
        hint = f" (did you mean {named[0]}?)"
    elif len(iso) != 3:
        hint = " (an ISO 3166-1 alpha-3 code has three letters, e.g. SDN)"
    else:
        hint = ""
    shown = "".join(ch for ch in code if ch.isprintable())[:20]
    raise GeoError(f"unknown country code {shown!r}{hint}")


def _flat_ring(coords: object, where: str) -> Flat:
    if not isinstance(coords, list) or len(coords) < 3:
        raise GeoError(f"{where}: a ring needs at least 3 positions")
    out: list[float] = []
    for pos in coords:
        if (
            not isinstance(pos, list)
            or len(pos) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
        ):
            raise GeoError(f"{where}: a position is not [longitude, latitude]")
        lon, lat = float(pos[0]), float(pos[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180.0 <= lon <= 180.0):
            raise GeoError(f"{where}: longitude {pos[0]!r} is outside -180..180")
        if not -90.0 <= lat <= 90.0:
            raise GeoError(f"{where}: latitude {pos[1]!r} is outside -90..90")
        out += (lon, lat)
    if out[:2] == out[-2:]:
        out = out[:-2]
    if len(out) < 6:
        raise GeoError(f"{where}: a ring needs at least 3 distinct positions")
    return tuple(out)


def _unit_name(props: dict, index: int) -> tuple[str, str]:
    name = ""
    for key in NAME_KEYS:
        v = props.get(key)
        if isinstance(v, str) and v.strip():
            name = " ".join(v.split())
            break
    code = ""
    for key in CODE_KEYS:
        v = props.get(key)
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip():
            code = str(v).strip()
            break
    name = name or code or f"unit {index + 1}"
    return code or name, name


def read_admin1(path: str | Path) -> list[Unit]:
    """Subdivisions from a GeoJSON file: one :class:`Unit` per feature, in file order.

    Accepts a FeatureCollection (or a single Feature) of Polygon / MultiPolygon
    geometries; features with a null geometry are skipped. Raises
    :class:`GeoError` for an unreadable file, invalid JSON, any other geometry
    type, a malformed ring or coordinates outside the globe, or no polygon at
    all; the message names the file and, where it applies, the feature.
    """
    p = Path(path)
    label = p.name
    try:
        if p.stat().st_size > MAX_ADMIN1_BYTES:
            raise GeoError(f"{label}: larger than {MAX_ADMIN1_BYTES // 2**20} MB")
        doc = json.loads(p.read_bytes())
    except OSError as exc:
        raise GeoError(f"cannot read {label}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise GeoError(f"{label} is not JSON ({msg[:80]})") from None
    return units_from_geojson(doc, label)


def units_from_geojson(doc: object, label: str = "GeoJSON") -> list[Unit]:
    """The units of a decoded GeoJSON document (see :func:`read_admin1`)."""
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise GeoError(f"{label} is not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list):
        raise GeoError(f"{label}: 'features' is not a list")
    units: list[Unit] = []
    for i, ft in enumerate(features):
        if not isinstance(ft, dict):
            raise GeoError(f"{label}: feature {i + 1} is not an object")
        props = ft.get("properties") if isinstance(ft.get("properties"), dict) else {}
        geom = ft.get("geometry")
        if geom is None:
            continue
        code, name = _unit_name(props, i)
        where = f"{label}: feature {i + 1} ({name[:40]})"
        gtype = geom.get("type") if isinstance(geom, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if gtype == "Polygon":
            polys = [coords]
        elif gtype == "MultiPolygon" and isinstance(coords, list):
            polys = coords
        else:
            shown = gtype if isinstance(gtype, str) else type(geom).__name__
            raise GeoError(f"{where} is a {shown[:30]}, not a Polygon or MultiPolygon")
        rings: list[Flat] = []
        for poly in polys:
            if not isinstance(poly, list) or not poly:
                raise GeoError(f"{where}: a polygon has no rings")
            rings.extend(_flat_ring(r, where) for r in poly)
        units.append(Unit(code, name, tuple(rings)))
    if not units:
        raise GeoError(f"{label} has no Polygon or MultiPolygon feature")
    return units


def units_to_json(units: Sequence[Unit]) -> list[dict]:
    """A compact, JSON-ready form of ``units`` (coordinates rounded to 4 decimals)."""
    return [
        {"code": u.code, "name": u.name, "rings": [[round(v, 4) for v in r] for r in u.rings]}
        for u in units
    ]


def units_from_json(items: object) -> list[Unit]:
    """The inverse of :func:`units_to_json`; :class:`GeoError` on a wrong shape."""
    if not isinstance(items, list):
        raise GeoError("subdivisions: not a list")
    out = []
    for it in items:
        try:
            out.append(
                Unit(
                    str(it["code"]),
                    str(it["name"]),
                    tuple(tuple(map(float, r)) for r in it["rings"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise GeoError("subdivisions: an entry is not {code, name, rings}") from None
    return out
