"""HDX HAPI conflict events (``/api/v1/coordination-context/conflict-event``) -> figures.

HAPI relays ACLED's monthly aggregates: ``{"data": [{location_code,
location_name, admin1_code, admin1_name, admin2_code, admin2_name,
admin_level, event_type, events, fatalities, reference_period_start,
reference_period_end, resource_hdx_id}]}``. Each row is one admin area, one
month and one ACLED event type (``political_violence``,
``civilian_targeting``, ``demonstration``); it becomes up to two
:class:`~store.records.Figure` records:

- ``<event_type>_events_<area>`` (unit ``events``) from ``events``;
- ``<event_type>_fatalities_<area>`` (unit ``people``) from ``fatalities``

(``political_violence_fatalities_aleppo``: one series per type, measure and
area, so the statistics pane shows each area's months as one line).

A ``null`` count stays "not reported": no Figure is made for it (never a 0),
and the other figure of the row says so in its note. ``as_of`` is
``reference_period_end``; the period is ``reference_period_start`` ..
``reference_period_end``.

The admin area is linked to the situation's subdivisions by code or name:
``admin1_code`` or ``admin1_name`` matched (punctuation- and case-blind)
against the governorates of the store's places (and their ids); the matched
name is the figure's ``scope`` ("Aleppo", or "Jebel Saman, Aleppo" at admin
level 2). An area the situation does not know keeps HAPI's name and says so
in the note.

Attribution: every figure cites the feed's Source record, named "ACLED via
HDX HAPI", with HAPI's ``resource_hdx_id`` in the citation note.

HAPI needs an ``app_identifier`` query parameter (base64 of
``application:email``) and returns at most 10,000 rows: a request URL without
``start_date`` gets a warning that the answer may be silently cut.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from .base import AdaptResult, FeedError
from .detect import (
    AdaptContext,
    RowError,
    add_feed_source,
    add_record,
    feed_key,
    parse_time,
    reject,
    scoped_id,
    slug,
    text_of,
    to_number,
)

__all__ = ["ROW_LIMIT", "adapt", "looks_like"]

#: HAPI returns at most this many rows per request
ROW_LIMIT = 10_000
_SQUASH = re.compile(r"[\W_]+", re.UNICODE)


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("data"), list)


def _squash(text: str) -> str:
    return _SQUASH.sub("", text.casefold())


def _subdivisions(ctx: AdaptContext) -> dict[str, str]:
    """squashed name or code -> the situation's subdivision name (governorates of places)."""
    out: dict[str, str] = {}
    for p in (ctx.places or {}).values():
        gov = getattr(p, "governorate", "")
        if gov:
            out.setdefault(_squash(gov), gov)
    return out


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Figures from one decoded, sanitized HAPI conflict-event answer."""
    ctx = ctx or AdaptContext(source_name="hapi")
    if not looks_like(doc):
        raise FeedError("HDX HAPI: expected an object with a `data` array")
    rows = doc["data"]
    result = AdaptResult(format="hapi")
    _warn_truncation(result, ctx.url, len(rows))
    key = feed_key(ctx)
    source_id = add_feed_source(
        result,
        ctx,
        key,
        f"ACLED via HDX HAPI ({ctx.source_name})",
        "research",
        "https://hapi.humdata.org/",
        role="aggregator",
    )
    areas = _subdivisions(ctx)
    for i, row in enumerate(rows):
        try:
            figures = _row(row, source_id, key, ctx, areas)
        except Exception as exc:
            reject(result, "figure", f"data[{i}]", exc)
            continue
        for fig in figures:
            add_record(result, "figure", fig, fig["id"])
    return result


def _warn_truncation(result: AdaptResult, url: str, n: int) -> None:
    if url and "://" in url:
        try:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        except ValueError:
            query = {}
        if "start_date" not in query:
            result.warnings.append(
                "the request has no start_date: HDX HAPI returns at most 10,000 rows and "
                "silently drops the rest; add start_date (and end_date) to the url"
            )
            return
    if n >= ROW_LIMIT:
        result.warnings.append(
            f"{n} rows: HDX HAPI stops at {ROW_LIMIT}, so rows may be missing; "
            "narrow the dates or page with offset"
        )


def _area(row: dict[str, Any], areas: dict[str, str]) -> tuple[str, str]:
    """(scope, note) for the row's admin area."""
    level = to_number(row.get("admin_level"), "admin_level", integer=True)
    country = text_of(row.get("location_name"), "location_name", limit=100)
    a1_name = text_of(row.get("admin1_name"), "admin1_name", limit=200)
    a1_code = text_of(row.get("admin1_code"), "admin1_code", limit=50)
    a2_name = text_of(row.get("admin2_name"), "admin2_name", limit=200)
    if not level:
        return country or text_of(row.get("location_code"), "location_code"), ""
    known = areas.get(_squash(a1_code)) or areas.get(_squash(a1_name))
    gov = known or a1_name or a1_code
    if not gov:
        raise RowError("admin1_name", "missing (the row's admin area cannot be named)")
    scope = f"{a2_name}, {gov}" if level >= 2 and a2_name else gov
    note = "" if known or not areas else f"{gov} is not one of the situation's subdivisions"
    return scope, note


def _metric(event_type: str, measure: str, scope: str) -> str:
    """``political_violence_fatalities_aleppo``: one series per type, measure and area."""
    name = f"{slug(event_type, 30)}_{measure}_{slug(scope, 40)}"
    if not name[0].isalpha():
        name = "acled_" + name
    return name[:64].rstrip("_")


def _row(
    row: Any, source_id: str, feed: str, ctx: AdaptContext, areas: dict[str, str]
) -> list[dict]:
    if not isinstance(row, dict):
        raise RowError("row", "expected an object")
    event_type = text_of(row.get("event_type"), "event_type", required=True, limit=60)
    start = parse_time(row.get("reference_period_start"), "reference_period_start")
    end = parse_time(row.get("reference_period_end"), "reference_period_end")
    scope, area_note = _area(row, areas)
    events = to_number(row.get("events"), "events", integer=True)
    deaths = to_number(row.get("fatalities"), "fatalities", integer=True)
    if events is None and deaths is None:
        raise RowError("events", "neither events nor fatalities reported")
    resource = text_of(row.get("resource_hdx_id"), "resource_hdx_id", limit=100)
    cite = {"source": source_id, "note": "ACLED data relayed by HDX HAPI"}
    if resource:
        cite["note"] += f" (resource {resource})"
    codes = "-".join(
        text_of(row.get(k), k, limit=50) or "x"
        for k in ("location_code", "admin1_code", "admin2_code")
    )
    key = f"{codes}-{slug(event_type, 40)}-{start.date().isoformat()}"
    label = event_type.replace("_", " ")
    out = []
    for metric, value, unit, other, other_name in (
        ("events", events, "events", deaths, "fatalities"),
        ("fatalities", deaths, "people", events, "events"),
    ):
        if value is None:
            continue
        notes = [f"ACLED {label} {metric}, {start.date():%B %Y}"]
        if other is None:
            notes.append(f"{other_name}: not reported")
        if area_note:
            notes.append(area_note)
        out.append(
            {
                "id": scoped_id("hapi", feed, f"{key}-{metric}"),
                "metric": _metric(event_type, metric, scope),
                "value": value,
                "unit": unit,
                "as_of": end,
                "period_start": start,
                "period_end": end,
                "scope": scope[:500],
                "note": "; ".join(notes),
                "updated_at": ctx.arrived_at,  # HAPI rows carry no modification time
                "sources": [cite],
            }
        )
    return out
