"""GeoJSON (RFC 7946) FeatureCollection -> places and control changes.

Each ``Point`` feature becomes a :class:`~store.records.Place`:

- identity (a gazetteer, :mod:`store.gazetteer`): a known place whose name
  (or alternative name, or id) matches ``properties.name``/``alt_names``/``id``
  AND that lies within a few km is that place, and its record is left as it
  is (a feed never replaces a known place's coordinates) unless this feed
  made it; else a new place ``properties.id`` (a text id), else the slug of
  the name (``"Deir ez-Zor"`` -> ``deir_ez_zor``), with the coordinates
  appended when a far-away place already has that id. The feature's own
  ``id`` (often 0, 1, 2 ... in every file) is never a place id;
- ``properties.name`` (required), ``alt_names``, ``governorate`` (or
  ``admin1``), ``kind``, ``importance``, ``population``, ``note``;
- coordinates are ``[longitude, latitude]`` as RFC 7946 says; a point outside
  the situation's area is refused with the likely cause ("looks like [lat, lon]").

When the properties give a ``faction`` (an id, or an actor name the actor map
knows) and a ``valid_from`` (or ``date``), the feature also yields a
:class:`~store.records.ControlChange` ``geo-<place>-<date>-<faction>`` with an
optional ``status`` (held, contested, besieged) and ``source_url``.

A ``Point`` feature whose properties give a ``title`` and a ``date`` (or
``time``) is an **event point** instead: an :class:`~store.records.Event`
``geo-<feed>-<id or title and date>`` with ``summary`` (or ``description``),
``type`` (when one of the event types), ``url``, ``fatalities`` (a number, the
best estimate) and ``updated_at``; its place is ``properties.place`` (a known
place's id or name), else the nearest known place within 10 km of the point
(:data:`~store.gazetteer.MATCH_KM`).

``Polygon`` and ``MultiPolygon`` features are **rejected with a reason**
(the choice, documented in docs/feeds.md): sitmon records control per place,
over time, and an area outline cannot say which places it holds without
guessing; a polygon with a ``faction`` and a ``date`` is told to give a Point
per place instead. Features of other geometry types are rejected with a
reason too. Every record cites the feed's Source record (``feed-<identity>``:
the configured feed name, else the document's ``name``). A record's version is
``properties.updated_at``, else the time the document was fetched or imported.
"""

from __future__ import annotations

from typing import Any

from .base import AdaptResult, FeedError
from .detect import (
    AdaptContext,
    RowError,
    add_record,
    feed_key,
    feed_source_id,
    make_id,
    parse_time,
    reject,
    scoped_id,
    slug,
    text_of,
    to_number,
)

__all__ = ["adapt", "looks_like"]

_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@/+#-"


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature")


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Places and control changes from a decoded, sanitized GeoJSON document."""
    ctx = ctx or AdaptContext()
    if not looks_like(doc):
        raise FeedError('GeoJSON: expected an object with "type": "FeatureCollection"')
    if doc["type"] == "Feature":
        features: Any = [doc]
    else:
        features = doc.get("features")
        if not isinstance(features, list):
            raise FeedError(f"GeoJSON: `features` must be an array, got {type(features).__name__}")
    result = AdaptResult(format="geojson")
    name = doc.get("name") if isinstance(doc.get("name"), str) else ""
    key = feed_key(ctx, "", name)
    source_id = feed_source_id(key)
    add_record(
        result,
        "source",
        {
            "id": source_id,
            "name": (name or ctx.source_name)[:500] or source_id,
            "updated_at": ctx.arrived_at,
        },
        source_id,
    )
    for i, feature in enumerate(features):
        ref = f"features[{i}]"
        if _is_event_point(feature):
            try:
                event = _event(feature, source_id, key, ctx)
            except Exception as exc:
                reject(result, "event", _ref(feature, ref), exc)
                continue
            add_record(result, "event", event, event["id"])
            continue
        try:
            place, control = _feature(feature, source_id, ctx)
        except Exception as exc:
            reject(result, "place", _ref(feature, ref), exc)
            continue
        if place.pop("_known", False):
            kept = True  # a known place: referred to, never overwritten
        else:
            kept = add_record(result, "place", place, place["id"])
        if kept and control is not None:
            if isinstance(control, Exception):
                reject(result, "control", f"geo-{place['id']}", control)
            else:
                add_record(result, "control", control, control["id"])
    return result


def _is_event_point(feature: Any) -> bool:
    if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
        return False
    props = feature.get("properties")
    return (
        feature["geometry"].get("type") == "Point"
        and isinstance(props, dict)
        and props.get("title") is not None
        and (props.get("date") is not None or props.get("time") is not None)
    )


def _event(feature: dict, source_id: str, key: str, ctx: AdaptContext) -> dict[str, Any]:
    from .jsonfeed import EVENT_TYPES
    from .rss import nearest_place

    props = feature["properties"]
    lon, lat = _point(feature["geometry"], ctx)
    title = text_of(props.get("title"), "properties.title", required=True)
    when_key = "date" if props.get("date") is not None else "time"
    raw_when = props[when_key]
    when = parse_time(raw_when, f"properties.{when_key}")
    updated = (
        parse_time(props["updated_at"], "properties.updated_at")
        if props.get("updated_at") is not None
        else ctx.arrived_at
    )
    raw_id = None
    for raw in (props.get("id"), feature.get("id")):
        if isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw).strip():
            raw_id = str(raw).strip()
            break
    if raw_id is None:
        raw_id = f"{title}|{when.isoformat()}"
    event_type = text_of(props.get("type"), "properties.type", limit=40) or "other"
    if event_type not in EVENT_TYPES:
        raise RowError("properties.type", f"{event_type[:40]!r} is not an event type")
    places: list[str] = []
    if props.get("place") is not None:
        name = text_of(props["place"], "properties.place")
        pid = ctx.place_id(name)
        if pid is None:
            raise RowError("properties.place", f"unknown place {name[:60]!r}")
        places.append(pid)
    else:
        near = nearest_place(ctx, lat, lon)
        if near:
            places.append(near)
    url = text_of(props.get("url", props.get("source_url")), "properties.url", limit=2000)
    summary = text_of(
        props.get("summary", props.get("description")), "properties.summary", limit=20_000
    )
    data: dict[str, Any] = {
        "id": scoped_id("geo", key, raw_id),
        "time": when,
        "precision": "exact" if isinstance(raw_when, str) and "T" in raw_when else "day",
        "title": title,
        "summary": summary,
        "type": event_type,
        "places": places,
        "url": url,
        "updated_at": updated,
        "sources": [{"source": source_id, "url": url} if url else {"source": source_id}],
    }
    if props.get("fatalities") is not None:
        best = to_number(props["fatalities"], "properties.fatalities", integer=True)
        data["fatalities"] = {"best": best}
    return data


def _point(geometry: dict, ctx: AdaptContext) -> tuple[float, float]:
    """(lon, lat) of a Point inside the situation's area, or RowError."""
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) not in (2, 3):
        raise RowError("geometry.coordinates", "expected [longitude, latitude]")
    lon = to_number(coords[0], "geometry.coordinates[0]", required=True)
    lat = to_number(coords[1], "geometry.coordinates[1]", required=True)
    problem = ctx.point_problem(lat, lon)
    if problem:
        raise RowError("geometry.coordinates", problem)
    return lon, lat


def _ref(feature: Any, ref: str) -> str:
    if isinstance(feature, dict):
        props = feature.get("properties")
        if isinstance(props, dict):
            for key in ("id", "name", "title"):
                v = props.get(key)
                if isinstance(v, str) and v.strip():
                    return v.strip()[:160]
    return ref


def _feature(feature: Any, source_id: str, ctx: AdaptContext) -> tuple[dict, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise RowError("type", "expected a GeoJSON Feature object")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise RowError("geometry", "missing (only Point features become places)")
    gtype = geometry.get("type")
    props = feature.get("properties")
    if gtype in ("Polygon", "MultiPolygon"):
        has = isinstance(props, dict) and props.get("faction") is not None
        if has and (props.get("date") is not None or props.get("valid_from") is not None):
            raise RowError(
                "geometry.type",
                f"{gtype} areas of control are not read: sitmon records control per place; "
                "give a Point feature per place with faction and valid_from",
            )
        raise RowError(
            "geometry.type",
            f"{gtype} features are not read: give Point features (places, or events "
            "with title and date)",
        )
    if gtype != "Point":
        raise RowError(
            "geometry.type",
            f"only Point features become places or events (got {str(gtype)[:30]})",
        )
    lon, lat = _point(geometry, ctx)
    if not isinstance(props, dict):
        raise RowError("properties", "expected an object with at least a name")
    name = text_of(props.get("name"), "properties.name", required=True)
    alt = props.get("alt_names")
    if alt is not None and (not isinstance(alt, list) or not all(isinstance(a, str) for a in alt)):
        raise RowError("properties.alt_names", "expected an array of strings")
    declared = props.get("id")
    declared = (
        str(declared).strip()
        if isinstance(declared, str) and declared.strip() and not declared.strip().isdigit()
        else ""
    )
    names = [name, *(alt or ()), *([declared] if declared else [])]
    place_id = ctx.match_place(names, lat, lon)
    known = place_id is not None
    if known and ctx.places is not None:
        # a place this feed made itself may be updated by it; any other is left alone
        mine = any(ref.source == source_id for ref in ctx.places[place_id].sources)
        known = not mine
    if place_id is None:
        ok = declared and all(c in _ID_CHARS for c in declared)
        place_id = ctx.new_place_id("", declared if ok else slug(declared or name), lat, lon)
    updated = (
        parse_time(props["updated_at"], "properties.updated_at")
        if props.get("updated_at") is not None
        else ctx.arrived_at
    )
    source_url = text_of(props.get("source_url"), "properties.source_url", limit=2000)
    ref = {"source": source_id, "url": source_url} if source_url else {"source": source_id}
    place: dict[str, Any] = {
        "id": place_id,
        "name": name,
        "lat": lat,
        "lon": lon,
        "updated_at": updated,
        "sources": [ref],
    }
    if known:
        place["_known"] = True
    if alt is not None:
        place["alt_names"] = [a[:500] for a in alt]
    gov = props.get("governorate", props.get("admin1"))
    if gov is not None:
        place["governorate"] = text_of(gov, "properties.governorate")
    for key in ("kind", "importance", "population", "note"):
        if props.get(key) is not None:
            place[key] = props[key]
    if isinstance(place.get("importance"), str | float):
        place["importance"] = to_number(place["importance"], "properties.importance", integer=True)
    if isinstance(place.get("population"), str | float):
        place["population"] = to_number(place["population"], "properties.population", integer=True)
    control: Any = None
    faction_raw = props.get("faction")
    when_raw = props.get("valid_from", props.get("date"))
    if faction_raw is not None or when_raw is not None:
        try:
            control = _control(props, place_id, faction_raw, when_raw, ref, ctx)
        except Exception as exc:
            control = exc
    return place, control


def _control(props, place_id, faction_raw, when_raw, ref, ctx) -> dict[str, Any]:
    if faction_raw is None:
        raise RowError("properties.faction", "a control date needs a faction")
    if when_raw is None:
        raise RowError("properties.valid_from", "a faction needs a date (valid_from or date)")
    faction_name = text_of(faction_raw, "properties.faction", required=True)
    faction = ctx.faction_id(faction_name)
    if faction is None:
        if ctx.factions is not None:
            raise RowError("properties.faction", f"unknown faction {faction_name[:60]!r}")
        faction = faction_name
    key = "valid_from" if "valid_from" in props else "date"
    valid_from = parse_time(when_raw, f"properties.{key}")
    updated = (
        parse_time(props["updated_at"], "properties.updated_at")
        if props.get("updated_at") is not None
        else valid_from
    )
    control: dict[str, Any] = {
        "id": make_id("geo-", f"{place_id}-{valid_from.date().isoformat()}-{faction}"),
        "place": place_id,
        "faction": faction,
        "valid_from": valid_from,
        "updated_at": updated,
        "sources": [ref],
    }
    if props.get("status") is not None:
        control["status"] = props["status"]
    if props.get("control_note") is not None:
        control["note"] = props["control_note"]
    return control
