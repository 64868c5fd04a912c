"""UCDP GED API responses -> events (and places for precise locations).

The API answers ``{"TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl",
"Result": [...]}``; the fetcher follows ``NextPageUrl`` (absolute, or relative
to the page) up to a page limit (default 20) and each page is adapted here.
Per event:

- ``id`` -> event id ``ucdp-<id>`` (UCDP's own ids: one event whatever the
  file or URL it arrived by); ``date_start`` -> time;
- the version (updated_at) is the time the page was fetched or imported: UCDP
  gives no modification time (``date_end`` is when the event ended), so a
  revised count imported later replaces the earlier one, up or down;
- ``date_prec`` 1-3 -> day precision, 4-5 -> month;
- ``low``/``best``/``high`` -> fatalities; ``deaths_civilians`` in the summary;
- ``side_a``/``side_b`` -> actors, and through the actor map -> factions;
- ``type_of_violence`` 3 (one-sided) -> violence_against_civilians, else battle;
- ``source_article`` -> the note of the citation of the feed's Source record.

Locations follow ``where_prec`` (1 exact .. 7 international waters):

- 1-2: a point: the known place with the name in ``where_coordinates`` (the
  part before the first comma or bracket, without a trailing "town", "village"
  or "city") within a few km of ``latitude``/``longitude`` (name AND distance,
  :mod:`store.gazetteer`), else a new place ``ucdp-<slug>``; a point outside
  the situation's area is refused with the reason;
- 3: a new place of kind ``area`` (a district), never a city point;
- 4-7 (governorate, region, country, waters): coarse rows get **no place**;
  the governorate (``adm_1``) is named in the summary.
"""

from __future__ import annotations

import re
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
    slug,
    text_of,
    to_number,
)

__all__ = ["adapt", "looks_like", "next_page_url", "short_total_note"]


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("Result"), list)


def next_page_url(doc: Any) -> str | None:
    """The ``NextPageUrl`` of a UCDP page, or None on the last page."""
    if isinstance(doc, dict):
        url = doc.get("NextPageUrl")
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None


def short_total_note(pages: list[AdaptResult]) -> str:
    """A note when the pages read hold fewer rows than the first page's ``TotalCount``
    (empty when they hold all of them, or no total was stated)."""
    if not pages:
        return ""
    total = pages[0].meta.get("TotalCount")
    rows = sum(int(p.meta.get("rows", 0)) for p in pages)
    if isinstance(total, int) and rows < total:
        return f" (UCDP states TotalCount {total} but {rows} event row(s) were read)"
    return ""


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events and places from one decoded, sanitized UCDP GED page."""
    ctx = ctx or AdaptContext(source_name="ucdp")
    if not looks_like(doc):
        raise FeedError("UCDP GED: expected an API response object with a `Result` array")
    result = AdaptResult(format="ucdp")
    for key in ("TotalCount", "TotalPages"):
        if isinstance(doc.get(key), int) and not isinstance(doc.get(key), bool):
            result.meta[key] = doc[key]
    nxt = next_page_url(doc)
    if nxt:
        result.meta["next_page_url"] = nxt
    result.meta["rows"] = len(doc["Result"])
    total = result.meta.get("TotalCount")
    if not nxt and isinstance(total, int) and len(doc["Result"]) < total:
        if result.meta.get("TotalPages") in (None, 1):  # one document that says it is all
            result.warnings.append(
                f"UCDP states TotalCount {total} but the document holds "
                f"{len(doc['Result'])} event row(s) and names no next page"
            )
    source_id = feed_source_id(feed_key(ctx, "", "ucdp"))
    add_record(
        result,
        "source",
        {
            "id": source_id,
            "name": f"UCDP GED ({ctx.feed_id or 'ucdp'})"[:500],
            "kind": "research",
            "url": "https://ucdp.uu.se/",
            "updated_at": ctx.arrived_at,
        },
        source_id,
    )
    new_places: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    for i, row in enumerate(doc["Result"]):
        try:
            events.append(_row(row, source_id, ctx, new_places))
        except Exception as exc:
            ref = f"Result[{i}]"
            if isinstance(row, dict) and isinstance(row.get("id"), str | int):
                ref = make_id("ucdp-", str(row["id"]).strip() or ref)
            reject(result, "event", ref, exc)
    for pid in sorted(new_places):
        add_record(result, "place", new_places[pid], pid)
    for event in events:
        add_record(result, "event", event, event["id"])
    return result


def _row(
    row: Any, source_id: str, ctx: AdaptContext, new_places: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise RowError("Result[]", "expected an object")
    raw_id = text_of(row.get("id"), "id", required=True, limit=140)
    if isinstance(row.get("id"), float):
        raise RowError("id", "expected an integer or string id")
    event_id = make_id("ucdp-", raw_id)
    when = parse_time(row.get("date_start"), "date_start")
    if row.get("date_end") is not None:
        parse_time(row["date_end"], "date_end")  # still checked: a bad date is a bad row
    date_prec = to_number(row.get("date_prec"), "date_prec", integer=True)
    where_prec = to_number(row.get("where_prec"), "where_prec", integer=True)
    low = to_number(row.get("low"), "low", integer=True)
    best = to_number(row.get("best"), "best", integer=True)
    high = to_number(row.get("high"), "high", integer=True)
    civilians = to_number(row.get("deaths_civilians"), "deaths_civilians", integer=True)
    side_a = text_of(row.get("side_a"), "side_a")
    side_b = text_of(row.get("side_b"), "side_b")
    dyad = text_of(row.get("dyad_name"), "dyad_name")
    where = text_of(row.get("where_coordinates"), "where_coordinates")
    adm1 = text_of(row.get("adm_1"), "adm_1")
    actors = [a for a in (side_a, side_b) if a]
    violence = to_number(row.get("type_of_violence"), "type_of_violence", integer=True)
    place_id = None
    if where and where_prec is not None and where_prec <= 3:
        name = re.split(r"[,(]", where, maxsplit=1)[0].strip() or where
        # UCDP writes "Aleppo town", "Tall Rif'at village": the place is the name before it
        name = re.sub(r"\s+(town|village|city)$", "", name, flags=re.IGNORECASE) or name
        lat = to_number(row.get("latitude"), "latitude")
        lon = to_number(row.get("longitude"), "longitude")
        if lat is not None and lon is not None:
            problem = ctx.point_problem(lat, lon)
            if problem:
                raise RowError("latitude", problem)
            if where_prec <= 2:
                place_id = ctx.match_place((name,), lat, lon)
        elif where_prec <= 2:
            place_id = ctx.place_id(name)  # no point to compare: the name alone
        if place_id is None and lat is not None and lon is not None:
            place_id = ctx.new_place_id("ucdp-", slug(name), lat, lon)
            new_places.setdefault(
                place_id,
                {
                    "id": place_id,
                    "name": name,
                    "lat": lat,
                    "lon": lon,
                    "governorate": adm1.removesuffix(" governorate").strip(),
                    "kind": "town" if where_prec <= 2 else "area",
                    "importance": 4 if where_prec <= 2 else 5,
                    "note": "Created from UCDP GED event locations.",
                    "updated_at": ctx.arrived_at,
                    "sources": [{"source": source_id}],
                },
            )
    parts = []
    if best is not None:
        rng = f" (low {low}, high {high})" if low is not None and high is not None else ""
        parts.append(f"Deaths: best estimate {best}{rng}.")
    if civilians:
        parts.append(f"Civilian deaths: {civilians}.")
    if where:
        parts.append(f"Location: {where} (UCDP where_prec {where_prec}).")
    if adm1 and place_id is None:
        parts.append(f"Governorate: {adm1}.")
    ref: dict[str, Any] = {"source": source_id}
    article = text_of(row.get("source_article"), "source_article", limit=500)
    if article:
        ref["note"] = article
    event: dict[str, Any] = {
        "id": event_id,
        "time": when,
        "precision": "month" if date_prec is not None and date_prec >= 4 else "day",
        "title": (dyad or " - ".join(actors) or "UCDP event")[:500],
        "summary": " ".join(parts),
        "type": "violence_against_civilians" if violence == 3 else "battle",
        "places": [place_id] if place_id else [],
        "factions": ctx.actors.factions(actors, ctx.factions),
        "actors": actors,
        "updated_at": ctx.arrived_at,
        "sources": [ref],
    }
    fat = {k: v for k, v in (("best", best), ("low", low), ("high", high)) if v is not None}
    if fat:
        event["fatalities"] = fat
    return event
