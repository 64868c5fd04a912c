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
- ``location`` -> a place, as a gazetteer (:mod:`store.gazetteer`, as UCDP and
  GeoJSON): a known place with that name (or alternative name) within
  :data:`~store.gazetteer.MATCH_KM` of ``latitude``/``longitude``, else a new place
  ``acled-<slug>`` at that point in ``admin1`` (``acled-<slug>-<lat>-<lon>`` when a
  place of that name and id lies farther away), versioned by the time the
  document was fetched or imported (ACLED gives places no time of their own). A
  row with no coordinates matches a known place by name alone, else gets none.
  Rows with ``geo_precision`` 3 ("larger portion of region") get no place;
- ``source`` -> the note of the citation of the feed's Source record.

"Non-state actor overtakes territory" and "Government regains territory" rows at
a precise place (``geo_precision`` 1) also give a control change
``acled-<event_id_cnty>-control``: from the event date, the faction of
``actor1`` holds the place ("Government regains territory" defaults to
``government``). A row whose actor maps to no known faction keeps its event;
the control change is rejected with the reason.

ACLED's deletions endpoint answers rows of ``event_id_cnty`` and
``deleted_timestamp`` only; such a document is recognised by that shape and
becomes :class:`~store.records.Tombstone` records (the event
``acled-<event_id_cnty>`` and its control change ``acled-<event_id_cnty>-control``,
versioned by ``deleted_timestamp``), so older versions of those events go.
An error body (``success: false``, or an ``error`` member, with or without
``data``) is a FeedError carrying ACLED's own message.

ACLED's terms forbid redistributing ACLED rows: the project ships synthetic
examples only.

Two paths give the same records (``tests/unit/test_acled_fastpath.py`` holds them to
it): the reference path (:func:`_row`: a dict per record, validated by
``convert_record``) and the fast path, which reads rows as :class:`AcledRow`
structs (decoded straight from the bytes by ``ingest_bytes``, or converted from
dicts), caches what repeats (dates, actors, places, event types) and builds the
records directly, checking the constraints ``convert_record`` would. A row the
fast path is not sure about (an error, an unusual value) goes the reference
path, so its rejection reads exactly as before.

Over 500 lines on purpose: the reference path and the fast path sit side by side
so that a change to one is made, and checked, against the other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from ..gazetteer import MATCH_KM, distance_km
from ..gcpause import gc_paused
from ..records import ID_RE, Casualties, ControlChange, Event, Place, SourceRef
from ..sanitize import MAX_TEXT, clean_text, sanitize_tree
from .base import AdaptResult, FeedError
from .detect import (
    EPOCH,
    AdaptContext,
    RowError,
    add_record,
    feed_key,
    feed_source_id,
    make_id,
    parse_time,
    reject,
    slug,
    text_of,
    to_number,
)

__all__ = [
    "DOC_DECODER",
    "SUB_EVENT_TYPES",
    "TERRITORY_SUB_EVENTS",
    "AcledDoc",
    "AcledRow",
    "adapt",
    "adapt_decoded",
    "adapt_reference",
    "is_deletions",
    "looks_like",
]

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


_Value = str | int | float | None


class AcledRow(msgspec.Struct, gc=False):
    """The fields of an ACLED row the adapter reads (others are skipped when decoding).

    Missing and ``null`` are both None, as ``row.get(...)`` sees them.
    """

    event_id_cnty: _Value = None
    event_date: _Value = None
    timestamp: _Value = None
    event_type: _Value = None
    sub_event_type: _Value = None
    actor1: _Value = None
    assoc_actor_1: _Value = None
    actor2: _Value = None
    assoc_actor_2: _Value = None
    admin1: _Value = None
    location: _Value = None
    latitude: _Value = None
    longitude: _Value = None
    geo_precision: _Value = None
    source: _Value = None
    notes: _Value = None
    fatalities: _Value = None


_FIELDS = AcledRow.__struct_fields__
_UNSET = msgspec.UNSET


class AcledDoc(msgspec.Struct, gc=False):
    """An ACLED API response as the fast path decodes it.

    The keys other formats are detected by are kept as raw bytes, only so that
    ``auto`` detection can tell this is not one of them.
    """

    data: list[AcledRow] | None = None
    success: Any = None
    count: Any = None
    status: msgspec.Raw | msgspec.UnsetType = _UNSET
    sitmon_feed: msgspec.Raw | msgspec.UnsetType = _UNSET
    version: msgspec.Raw | msgspec.UnsetType = _UNSET
    type: msgspec.Raw | msgspec.UnsetType = _UNSET
    Result: msgspec.Raw | msgspec.UnsetType = _UNSET


#: Decodes an ACLED response (or a bare array of rows) without building dicts.
DOC_DECODER = msgspec.json.Decoder(AcledDoc | list[AcledRow])


def _begin(doc: Any, ctx: AdaptContext) -> tuple[list[Any], AdaptResult, str]:
    if isinstance(doc, dict):
        if doc.get("success") is False or doc.get("error") not in (None, "", [], {}):
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
    return rows, result, _add_source(result, ctx)


def _add_source(result: AdaptResult, ctx: AdaptContext) -> str:
    # one Source for the feed whatever file name it arrives under (its configured name, else ACLED)
    source_id = feed_source_id(feed_key(ctx, "", "acled"))
    add_record(
        result,
        "source",
        {
            "id": source_id,
            "name": f"ACLED ({ctx.feed_id or 'acled'})"[:500],
            "kind": "research",
            "url": "https://acleddata.com/",
            "updated_at": EPOCH,
        },
        source_id,
    )
    return source_id


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events, places and control changes from a decoded, sanitized ACLED response."""
    ctx = ctx or AdaptContext(source_name="acled")
    rows, result, source_id = _begin(doc, ctx)
    if is_deletions(rows):
        return _deletions(rows, result, source_id)
    with gc_paused():
        try:  # one call for the whole array; row by row only when some row does not fit
            structs: list[Any] = msgspec.convert(rows, list[AcledRow], strict=True)
        except Exception:
            structs = [_to_struct(row) for row in rows]
        _adapt_rows(result, rows, structs, source_id, ctx, clean=False)
    return result


def adapt_decoded(
    doc: AcledDoc | list[AcledRow], ctx: AdaptContext, *, clean: bool, auto: bool = False
) -> AdaptResult | None:
    """Records from :data:`DOC_DECODER` output, or None when the dict path must decide.

    ``clean``: the raw bytes hold something sanitizing changes (but in no key,
    which the caller has checked): every string read is cleaned first.
    ``auto``: the format was not named; None unless the shape is surely ACLED.
    None also for an API error, a missing ``data`` array and other rare shapes:
    the dict path gives their (unchanged) FeedError or result.
    """
    if isinstance(doc, AcledDoc):
        if doc.success is False or doc.data is None:
            return None
        if auto and (
            doc.sitmon_feed is not _UNSET
            or doc.version is not _UNSET
            or doc.type is not _UNSET
            or doc.Result is not _UNSET
            or (doc.status is _UNSET and doc.success is None and doc.count is None)
        ):
            return None
        rows: list[AcledRow] = doc.data
    else:
        if auto:
            return None
        rows = doc
    result = AdaptResult(format="acled")
    if isinstance(doc, AcledDoc) and doc.count is not None:
        result.meta["count"] = sanitize_tree(doc.count)  # tiny; and it may hold a long string
    source_id = _add_source(result, ctx)
    with gc_paused():
        _adapt_rows(result, None, rows, source_id, ctx, clean=clean)
    return result


def structural_opens(doc: AcledDoc | list[AcledRow]) -> int:
    """How many ``[``/``{`` of the document the decoded shape accounts for (rows are flat)."""
    if isinstance(doc, AcledDoc):
        return 2 + len(doc.data) if doc.data is not None else 1
    return 1 + len(doc)


def opens_in_notes(doc: AcledDoc | list[AcledRow]) -> int:
    """How many ``[`` and ``{`` the rows' notes hold (in strings: they nest nothing)."""
    rows = doc.data if isinstance(doc, AcledDoc) else doc
    text = "".join([n for n in [row.notes for row in rows or ()] if type(n) is str])
    return text.count("[") + text.count("{")


def adapt_reference(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """:func:`adapt` the reference way: every row a dict through ``convert_record``.

    Slower; kept as the definition the fast path is tested against.
    """
    ctx = ctx or AdaptContext(source_name="acled")
    rows, result, source_id = _begin(doc, ctx)
    if is_deletions(rows):
        return _deletions(rows, result, source_id)
    new_places: dict[str, Any] = {}
    pending: list[tuple[str, Any, Any]] = []
    for i, row in enumerate(rows):
        try:
            event, control = _row(row, source_id, ctx, new_places)
        except Exception as exc:
            reject(result, "event", _ref(row, f"data[{i}]"), exc)
            continue
        pending.append((event["id"], event, control))
    _finish(result, new_places, pending)
    return result


def is_deletions(rows: list[Any]) -> bool:
    """Is this the deletions endpoint's answer: rows with ``deleted_timestamp``, no ``event_date``?"""
    return bool(rows) and all(
        isinstance(r, dict) and "deleted_timestamp" in r and "event_date" not in r for r in rows
    )


def _deletions(rows: list[Any], result: AdaptResult, source_id: str) -> AdaptResult:
    """Tombstones for the event (and its control change) of each deleted row."""
    result.meta["deletions"] = True
    for i, row in enumerate(rows):
        ref = _ref(row, f"data[{i}]")
        try:
            raw_id = text_of(row.get("event_id_cnty"), "event_id_cnty", required=True, limit=140)
            ts = to_number(row.get("deleted_timestamp"), "deleted_timestamp", integer=True)
            if ts is None:
                raise RowError("deleted_timestamp", "missing (when was it deleted?)")
            try:
                when = datetime.fromtimestamp(ts, UTC)
            except (OverflowError, OSError, ValueError):
                raise RowError("deleted_timestamp", f"not a Unix time: {ts}") from None
        except Exception as exc:
            reject(result, "tombstone", ref, exc)
            continue
        event_id = make_id("acled-", raw_id)
        for kind, rid in (("event", event_id), ("control", f"{event_id}-control"[:160])):
            add_record(
                result,
                "tombstone",
                {
                    "id": rid,
                    "kind": kind,
                    "updated_at": when,
                    "reason": "deleted by ACLED",
                    "sources": [{"source": source_id}],
                },
                rid,
            )
    return result


def _to_struct(row: Any) -> AcledRow | None:
    if type(row) is not dict:
        return None
    try:
        return msgspec.convert(row, AcledRow, strict=True)
    except Exception:
        return None


def _as_dict(row: AcledRow) -> dict[str, Any]:
    """A struct row as the reference path reads it: sanitized, only the fields it reads."""
    out = {}
    for name in _FIELDS:
        v = getattr(row, name)
        out[name] = clean_text(v) if type(v) is str else v
    return out


def _clean_row(row: AcledRow) -> None:
    for name in _FIELDS:
        v = getattr(row, name)
        if type(v) is str:
            setattr(row, name, clean_text(v))


def _adapt_rows(
    result: AdaptResult,
    dict_rows: list[Any] | None,
    rows: list[AcledRow | None],
    source_id: str,
    ctx: AdaptContext,
    *,
    clean: bool,
) -> None:
    """The rows of one document into ``result``, in the reference path's order.

    ``rows[i]`` is row i as a struct (None: not an object of the usual types);
    ``dict_rows[i]`` the same row as sanitized plain data when there is one
    (else the reference path gets :func:`_as_dict` of the struct).

    Each row's records are built as :func:`_row` and ``convert_record`` would
    build them, checking the same constraints. Whatever is unusual (an error, a
    value of another type, a constraint that fails) raises inside the ``try``
    before anything is kept, and that row takes the reference path, which says
    what is wrong exactly as before. Caches live for this one document.
    """
    new_places: dict[str, Any] = {}  # id -> Place, or its dict when it may be invalid
    # Events and control changes (and their rejections) come after the places; a
    # row's own rejection comes before them, as in adapt_reference.
    tail = AdaptResult(format="acled")
    add = tail.records.append
    known = ctx.factions
    actor_map = ctx.actors
    ref_plain = SourceRef(source=source_id)
    dates: dict[str, datetime] = {}
    groups: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    kinds: dict[tuple[Any, ...], tuple[str, str, str]] = {}  # parts of groups, shared
    spots: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    refs: dict[str, SourceRef] = {}
    people: dict[tuple[Any, ...], tuple[tuple[str, ...], tuple[str, ...], str, str | None]] = {}
    place_ids: dict[str, tuple[str | bool | None]] = {}
    points: dict[tuple[str, float, float], tuple[str, bool]] = {}  # _place_at, per point
    id_ok: dict[str, bool] = {}
    counts: dict[str, Casualties] = {}
    from_timestamp = datetime.fromtimestamp

    def valid_id(value: str) -> bool:
        ok = id_ok.get(value)
        if ok is None:
            ok = id_ok[value] = type(value) is str and ID_RE.match(value) is not None
        return ok

    def who(key: tuple[Any, ...]) -> tuple[tuple[str, ...], tuple[str, ...], str, str | None]:
        """Actors, their factions, actor1 and its faction (rows share these)."""
        for value in key:
            if type(value) is not str and value is not None:
                raise _NotFast
        actor1 = _text(key[0])
        actors = [actor1] if actor1 else []
        for value in key[1:]:
            for name in _text(value).split(";"):
                name = name.strip()
                if name and name not in actors:
                    actors.append(name)
        factions = actor_map.factions(actors, known)
        if not all(valid_id(f) for f in factions) or any(len(a) > 500 for a in actors):
            raise _NotFast  # convert_record rejects the event: the reference path says how
        faction1 = actor_map.faction(actor1, known) if actor1 else None
        return tuple(actors), tuple(factions), actor1, faction1

    def where(location: str) -> tuple[str | bool | None]:
        """(the id of the place known by that name, False if it is no valid id, or None):
        the place of a row with no coordinates."""
        known_id = ctx.place_id(location)
        if known_id is not None and not valid_id(known_id):
            known_id = False
        return (known_id,)

    def group(key: tuple[Any, ...]) -> tuple[Any, ...]:
        """What a row's type, location, precision and source make of it (rows share these)."""
        types = kinds.get(key[:2])
        if types is None:
            etype = _text(key[0])
            sub = _text(key[1])
            sub_l = sub.lower()
            kind = SUB_EVENT_TYPES.get(sub_l) or EVENT_TYPES.get(etype.lower(), "other")
            types = kind, sub_l, sub or etype or "Event"
            if _cacheable(key[:2]):
                kinds[key[:2]] = types
        kind, sub_l, head = types
        spot = spots.get(key[2:5])
        if spot is None:
            location = _text(key[2])
            admin1 = _text(key[3])
            precision = _number(key[4], "geo_precision", integer=True)
            ids = None
            if location and precision != 3:
                ids = place_ids.get(location)
                if ids is None:
                    ids = place_ids[location] = where(location)
                if ids[0] is False:
                    raise _NotFast
            spot = location, admin1, precision in (None, 1), ids
            if _cacheable(key[2:4]):
                spots[key[2:5]] = spot
        location, admin1, precise, ids = spot
        ref = refs.get(key[5]) if type(key[5]) is str else None
        if ref is None:
            src = _text(key[5])
            ref = SourceRef(source=source_id, note=src) if src else ref_plain
            if type(key[5]) is str:
                refs[key[5]] = ref
        title = f"{head}: {location or admin1 or 'unknown location'}"
        # could the row give a control change? (then actor1 must name a faction)
        territorial = precise and sub_l in TERRITORY_SUB_EVENTS
        g = kind, sub_l, title[:500], location, admin1, territorial, ids, ref
        if _cacheable(key):
            groups[key] = g
        return g

    for i, row in enumerate(rows):
        try:
            if row is None:
                raise _NotFast
            if clean:
                _clean_row(row)
            v = row.event_id_cnty
            if type(v) is not str or len(v) > 140:
                raise _NotFast
            raw_id = v.strip()
            # make_id, inlined for the usual id (letters and digits: "SYR12345")
            if raw_id.isalnum() and raw_id.isascii() and len(raw_id) <= 154:
                event_id = "acled-" + raw_id
            elif raw_id:
                event_id = make_id("acled-", raw_id)
            else:
                raise _NotFast
            v = row.event_date
            when = dates.get(v) if type(v) is str else None
            if when is None:
                if type(v) is not str or len(v) > 100:
                    raise _NotFast
                when = dates[v] = parse_time(v, "event_date")
            v = row.timestamp
            if type(v) is str and v.isdigit() and len(v) <= 18 and v.isascii():
                updated = from_timestamp(int(v), UTC)
            else:
                ts = _number(v, "timestamp", integer=True)
                updated = when if ts is None else from_timestamp(ts, UTC)
            key = (
                row.event_type,
                row.sub_event_type,
                row.location,
                row.admin1,
                row.geo_precision,
                row.source,
            )
            g = groups.get(key)
            if g is None:
                g = group(key)
            kind, sub_l, title, location, admin1, territorial, ids, ref = g
            v = row.notes
            if type(v) is str and len(v) <= 20_000:
                notes = v.strip()
            else:
                notes = _text(v, 20_000)
            key = (row.actor1, row.assoc_actor_1, row.actor2, row.assoc_actor_2)
            p = people.get(key)
            if p is None:
                p = people[key] = who(key)
            actors, factions, actor1, faction1 = p
            v = row.fatalities
            casualties = counts.get(v) if type(v) is str else None
            if casualties is None:
                fatalities = _number(v, "fatalities", integer=True)
                if fatalities is not None:
                    if fatalities > _MAX_COUNT:
                        raise _NotFast
                    casualties = Casualties(best=fatalities)  # frozen: rows can share it
                    if type(v) is str:
                        counts[v] = casualties
            place_id = None
            new_place = None
            if ids is not None:
                # the point decides (a gazetteer): float() where it agrees with to_number
                v = row.latitude
                if type(v) is str and len(v) <= 40 and v.isascii():
                    try:
                        lat = float(v)
                    except ValueError:
                        lat = _number(v, "latitude")
                    else:
                        if lat - lat != 0.0:  # nan or inf: to_number refuses it
                            lat = _number(v, "latitude")
                else:
                    lat = _number(v, "latitude")
                v = row.longitude
                if type(v) is str and len(v) <= 40 and v.isascii():
                    try:
                        lon = float(v)
                    except ValueError:
                        lon = _number(v, "longitude")
                    else:
                        if lon - lon != 0.0:
                            lon = _number(v, "longitude")
                else:
                    lon = _number(v, "longitude")
                if lat is not None and lon is not None:
                    spot_key = (location, lat, lon)
                    at = points.get(spot_key)
                    if at is None:
                        at = points[spot_key] = _place_at(ctx, location, lat, lon, new_places)
                    place_id, is_new = at
                    if is_new and place_id not in new_places:
                        new_place = _new_place(
                            place_id, location, row, admin1, source_id, ctx.arrived_at
                        )
                else:
                    place_id = ids[0]
            event = Event(
                id=event_id,
                time=when,
                precision="day",
                title=title,
                summary=notes,
                type=kind,
                places=(place_id,) if place_id else (),
                factions=factions,
                actors=actors,
                fatalities=casualties,
                updated_at=updated,
                sources=(ref,),
            )
            control: Any = None
            if territorial and place_id:
                faction = faction1
                if faction is None and sub_l == "government regains territory":
                    if known is None or "government" in known:
                        faction = "government"
                if faction is None:
                    control = RowError(
                        "actor1",
                        f"actor {actor1[:80]!r} maps to no known faction (add it to [factions])",
                    )
                elif not valid_id(faction):
                    raise _NotFast
                else:
                    control = ControlChange(
                        id=f"{event_id}-control"[:160],
                        place=place_id,
                        faction=faction,
                        valid_from=when,
                        note=notes,
                        updated_at=updated,
                        sources=(ref,),
                    )
        except Exception:  # the reference path says what is wrong (or that nothing is)
            drow = dict_rows[i] if dict_rows is not None else _as_dict(row)
            try:
                devent, dcontrol = _row(drow, source_id, ctx, new_places)
            except Exception as exc:
                reject(result, "event", _ref(drow, f"data[{i}]"), exc)
                continue
            _finish(tail, {}, [(devent["id"], devent, dcontrol)])
            continue
        # kept: nothing above raised
        if new_place is not None:
            new_places[place_id] = new_place
        add(event)
        if control is not None:
            if type(control) is ControlChange:
                add(control)
            else:
                reject(tail, "control", f"{event_id}-control", control)
    _finish(result, new_places, [])
    result.records.extend(tail.records)
    result.rejected.extend(tail.rejected)


def _finish(
    result: AdaptResult, new_places: dict[str, Any], pending: list[tuple[str, Any, Any]]
) -> None:
    """Places (sorted by id) into ``result``, then each pending row's event and control."""
    records = result.records
    for pid in sorted(new_places):
        place = new_places[pid]
        if type(place) is dict:
            add_record(result, "place", place, pid)
        else:
            records.append(place)
    for eid, event, control in pending:
        add_record(result, "event", event, eid)
        if isinstance(control, Exception):
            reject(result, "control", f"{eid}-control", control)
        elif control is not None:
            add_record(result, "control", control, control["id"])


def _cacheable(key: tuple[Any, ...]) -> bool:
    """May rows with an equal key share what :func:`_adapt_rows`'s ``group`` made of it?

    Text must be strings (or None): 1 == 1.0 as keys, but "1" and "1.0" as
    text. ``geo_precision`` (item 4 of a whole key) is only ever read as a
    number, where equal keys read alike.
    """
    for i, v in enumerate(key):
        if type(v) is not str and v is not None and i != 4:
            return False
    return True


class _NotFast(Exception):
    """This row takes the reference path."""


def _text(value: Any, limit: int = 500) -> str:
    """``text_of`` for the values the fast path takes: a string within ``limit`` (None is "")."""
    if type(value) is str:
        if len(value) <= limit:
            return value.strip()
    elif value is None:
        return ""
    raise _NotFast


def _number(value: Any, field_path: str, integer: bool = False) -> float | int | None:
    """``to_number`` (same result, same errors) for values the fast path takes."""
    if type(value) is str:
        if len(value) <= 40 and value.isascii():
            if value.isdigit():
                if len(value) <= 18:
                    return int(value)
            elif not integer and "." in value:  # "34.9000", "-0.5": what float() reads alike
                digits = value[1:] if value[0] == "-" else value
                if digits.replace(".", "", 1).isdigit():
                    return float(value)
        elif len(value) > MAX_TEXT:  # sanitizing would cut it first: the reference path
            raise _NotFast
    return to_number(value, field_path, integer=integer)


_MAX_COUNT = 10**12
_PLACE_NOTE = "Created from ACLED event locations."


def _place_at(
    ctx: AdaptContext, location: str, lat: float, lon: float, new_places: dict[str, Any]
) -> tuple[str, bool]:
    """(place id, whether this document makes the place) for ``location`` at a point.

    A known place of that name within :data:`MATCH_KM` (the gazetteer rule), else
    ``acled-<slug>``; with the point's rounded coordinates appended when a known
    place, or a place this document already made, holds that id farther away.
    """
    known = ctx.match_place((location,), lat, lon)
    if known is not None:
        return known, False
    base = slug(location)
    pid = ctx.new_place_id("acled-", base, lat, lon)
    mine = new_places.get(pid)
    if mine is not None:
        here = (mine["lat"], mine["lon"]) if type(mine) is dict else (mine.lat, mine.lon)
        if distance_km(lat, lon, here[0], here[1]) > MATCH_KM:
            pid = make_id("acled-", f"{base}-{lat:.2f}-{lon:.2f}")
    return pid, True


def _new_place(
    place_id: str, name: str, row: AcledRow, admin1: str, source_id: str, version: datetime
) -> Place | dict[str, Any]:
    """The place :func:`_row` makes for a location; its dict when ``convert_record`` may object.

    ``version`` (updated_at) is when the document was fetched or imported."""
    lat = _number(row.latitude, "latitude")
    lon = _number(row.longitude, "longitude")
    if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
        return Place(
            id=place_id,
            name=name,
            lat=float(lat),
            lon=float(lon),
            governorate=admin1,
            kind="town",
            importance=4,
            note=_PLACE_NOTE,
            updated_at=version,
            sources=(SourceRef(source=source_id),),
        )
    return _place_dict(place_id, name, lat, lon, admin1, source_id, version)


def _place_dict(
    place_id: str, name: str, lat: Any, lon: Any, admin1: str, source_id: str, version: datetime
) -> dict[str, Any]:
    """A new place as the reference path gives it to ``convert_record``."""
    return {
        "id": place_id,
        "name": name,
        "lat": lat,
        "lon": lon,
        "governorate": admin1,
        "kind": "town",
        "importance": 4,
        "note": _PLACE_NOTE,
        "updated_at": version,
        "sources": [{"source": source_id}],
    }


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
        lat = to_number(row.get("latitude"), "latitude")
        lon = to_number(row.get("longitude"), "longitude")
        if lat is None or lon is None:
            place_id = ctx.place_id(location)  # no point to compare: the name alone
        else:
            place_id, is_new = _place_at(ctx, location, lat, lon, new_places)
            if is_new and place_id not in new_places:
                new_places[place_id] = _place_dict(
                    place_id, location, lat, lon, admin1, source_id, ctx.arrived_at
                )
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
