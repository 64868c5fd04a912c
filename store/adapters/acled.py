"""ACLED API responses -> events, places and control changes.

The API answers ``{"status": 200, "success": true, "count": N, "data": [...]}``;
each row carries ACLED's codebook fields (numbers often as strings). A bare
array of rows is accepted too. Per row:

- ``event_id_cnty`` -> event id ``acled-<event_id_cnty>`` (required);
- ``event_date`` (``YYYY-MM-DD`` or the codebook's ``dd-mm-yyyy``) -> time, day precision;
- ``timestamp`` (Unix seconds) -> updated_at (else the event date);
- ``event_type``/``sub_event_type`` -> type (battle, strike, capture, ...) and title
  (``"Armed clash: Hama"``); ``notes`` -> summary; ``fatalities`` -> fatalities.best;
- ``actor1``, ``assoc_actor_1``, ``actor2``, ``assoc_actor_2`` -> actors, and
  through the actor map -> factions (only factions the store knows);
- ``location`` -> a place: a known place with that name (or alternative name),
  else a new place ``acled-<slug>`` at ``latitude``/``longitude`` in ``admin1``.
  Rows with ``geo_precision`` 3 ("larger portion of region") get no place;
- ``source`` -> the note of the citation of the feed's Source record.

"Non-state actor overtakes territory" and "Government regains territory" rows at
a precise place (``geo_precision`` 1) also give a control change
``acled-<event_id_cnty>-control``: from the event date, the faction of
``actor1`` holds the place ("Government regains territory" defaults to
``government``). A row whose actor maps to no known faction keeps its event;
the control change is rejected with the reason.

ACLED's terms forbid redistributing ACLED rows: the project ships synthetic
examples only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .base import AdaptResult, FeedError
from .detect import (
    EPOCH,
    AdaptContext,
    RowError,
    add_record,
    feed_source_id,
    make_id,
    parse_time,
    reject,
    slug,
    text_of,
    to_number,
)

__all__ = ["SUB_EVENT_TYPES", "TERRITORY_SUB_EVENTS", "adapt", "looks_like"]

#: ACLED event type -> sitmon event type (sub-event types below take precedence)
EVENT_TYPES = {
    "battles": "battle",
    "explosions/remote violence": "strike",
    "violence against civilians": "violence_against_civilians",
    "protests": "protest",
    "riots": "protest",
    "strategic developments": "other",
}
SUB_EVENT_TYPES = {
    "non-state actor overtakes territory": "capture",
    "government regains territory": "capture",
    "non-violent transfer of territory": "capture",
    "agreement": "diplomatic",
    "headquarters or base established": "other",
}
TERRITORY_SUB_EVENTS = ("non-state actor overtakes territory", "government regains territory")


def looks_like(doc: Any) -> bool:
    if isinstance(doc, dict):
        return isinstance(doc.get("data"), list)
    return (
        isinstance(doc, list)
        and bool(doc)
        and isinstance(doc[0], dict)
        and "event_id_cnty" in doc[0]
    )


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events, places and control changes from a decoded, sanitized ACLED response."""
    ctx = ctx or AdaptContext(source_name="acled")
    if isinstance(doc, dict):
        if doc.get("success") is False:
            raise FeedError(f"ACLED API error: {_api_error(doc)}")
        rows = doc.get("data")
        if not isinstance(rows, list):
            raise FeedError(f"ACLED: `data` must be an array, got {type(rows).__name__}")
    elif isinstance(doc, list):
        rows = doc
    else:
        raise FeedError("ACLED: expected an API response object with a `data` array")
    result = AdaptResult(format="acled")
    if isinstance(doc, dict) and doc.get("count") is not None:
        result.meta["count"] = doc.get("count")
    source_id = feed_source_id(ctx.source_name)
    add_record(
        result,
        "source",
        {
            "id": source_id,
            "name": f"ACLED ({ctx.source_name})"[:500],
            "kind": "research",
            "url": "https://acleddata.com/",
            "updated_at": EPOCH,
        },
        source_id,
    )
    new_places: dict[str, dict[str, Any]] = {}
    pending: list[tuple[str, dict[str, Any], dict[str, Any] | Exception | None]] = []
    for i, row in enumerate(rows):
        ref = f"data[{i}]"
        try:
            event, control = _row(row, source_id, ctx, new_places)
        except Exception as exc:
            reject(result, "event", _ref(row, ref), exc)
            continue
        pending.append((event["id"], event, control))
    # places first, so events and control changes can name them
    for pid in sorted(new_places):
        add_record(result, "place", new_places[pid], pid)
    for eid, event, control in pending:
        add_record(result, "event", event, eid)
        if isinstance(control, Exception):
            reject(result, "control", f"{eid}-control", control)
        elif control is not None:
            add_record(result, "control", control, control["id"])
    return result


def _api_error(doc: dict[str, Any]) -> str:
    err = doc.get("error")
    if isinstance(err, list) and err and isinstance(err[0], dict):
        err = err[0].get("message", err[0])
    if isinstance(err, dict):
        err = err.get("message", err)
    return str(err or doc.get("status") or "success is false")[:200].replace("\n", " ")


def _ref(row: Any, ref: str) -> str:
    if isinstance(row, dict) and isinstance(row.get("event_id_cnty"), str | int):
        return make_id("acled-", str(row["event_id_cnty"]).strip() or ref)
    return ref


def _row(
    row: Any, source_id: str, ctx: AdaptContext, new_places: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any] | Exception | None]:
    if not isinstance(row, dict):
        raise RowError("data[]", "expected an object")
    raw_id = text_of(row.get("event_id_cnty"), "event_id_cnty", required=True, limit=140)
    event_id = make_id("acled-", raw_id)
    when = parse_time(row.get("event_date"), "event_date")
    ts = to_number(row.get("timestamp"), "timestamp", integer=True)
    if ts is not None:
        try:
            updated = datetime.fromtimestamp(ts, UTC)
        except (OverflowError, OSError, ValueError):
            raise RowError("timestamp", f"not a Unix time: {ts}") from None
    else:
        updated = when
    etype = text_of(row.get("event_type"), "event_type")
    sub = text_of(row.get("sub_event_type"), "sub_event_type")
    sub_l = sub.lower()
    kind = SUB_EVENT_TYPES.get(sub_l) or EVENT_TYPES.get(etype.lower(), "other")
    location = text_of(row.get("location"), "location")
    admin1 = text_of(row.get("admin1"), "admin1")
    notes = text_of(row.get("notes"), "notes", limit=20_000)
    actor1 = text_of(row.get("actor1"), "actor1")
    actors = [actor1] if actor1 else []
    for key in ("assoc_actor_1", "actor2", "assoc_actor_2"):
        for name in text_of(row.get(key), key).split(";"):
            name = name.strip()
            if name and name not in actors:
                actors.append(name)
    factions = ctx.actors.factions(actors, ctx.factions)
    fatalities = to_number(row.get("fatalities"), "fatalities", integer=True)
    precision = to_number(row.get("geo_precision"), "geo_precision", integer=True)
    place_id = None
    if location and precision != 3:
        place_id = ctx.place_id(location)
        if place_id is None:
            lat = to_number(row.get("latitude"), "latitude")
            lon = to_number(row.get("longitude"), "longitude")
            if lat is not None and lon is not None:
                place_id = make_id("acled-", slug(location))
                if place_id not in new_places:
                    new_places[place_id] = {
                        "id": place_id,
                        "name": location,
                        "lat": lat,
                        "lon": lon,
                        "governorate": admin1,
                        "kind": "town",
                        "importance": 4,
                        "note": "Created from ACLED event locations.",
                        "updated_at": EPOCH,
                        "sources": [{"source": source_id}],
                    }
    ref: dict[str, Any] = {"source": source_id}
    src = text_of(row.get("source"), "source")
    if src:
        ref["note"] = src
    title = f"{sub or etype or 'Event'}: {location or admin1 or 'unknown location'}"
    event: dict[str, Any] = {
        "id": event_id,
        "time": when,
        "precision": "day",
        "title": title[:500],
        "summary": notes,
        "type": kind,
        "places": [place_id] if place_id else [],
        "factions": factions,
        "actors": actors,
        "updated_at": updated,
        "sources": [ref],
    }
    if fatalities is not None:
        event["fatalities"] = {"best": fatalities}
    control: dict[str, Any] | Exception | None = None
    if sub_l in TERRITORY_SUB_EVENTS and place_id and precision in (None, 1):
        faction = ctx.actors.faction(actor1, ctx.factions) if actor1 else None
        if faction is None and sub_l == "government regains territory":
            if ctx.factions is None or "government" in ctx.factions:
                faction = "government"
        if faction is None:
            control = RowError(
                "actor1", f"actor {actor1[:80]!r} maps to no known faction (add it to [factions])"
            )
        else:
            control = {
                "id": f"{event_id}-control"[:160],
                "place": place_id,
                "faction": faction,
                "valid_from": when,
                "note": notes,
                "updated_at": updated,
                "sources": [ref],
            }
    return event, control
