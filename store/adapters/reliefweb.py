"""ReliefWeb API v2 (``/v2/reports``, ``/v2/disasters``) -> events.

The API answers ``{href, time, totalCount, count, links: {self, next: {href}},
data: [{id, score, href, fields: {...}}]}`` (v1 is gone: HTTP 410). Every
request needs an approved ``appname`` in the query, else HTTP 403
(:data:`APPNAME_RULE`). The fetcher follows ``links.next.href`` up to the
feed's ``max_pages``.

Reports (``fields.title``) become events:

- id ``rw-<feed>-<id>``; time ``date.original`` (else ``date.created``);
  version ``date.changed`` (else the time);
- title; url ``fields.url`` (else ``url_alias``, else ``href``);
- summary: the format, publishers, countries and themes on one line, then the
  ``body`` text (tags dropped) up to 2,000 characters;
- each publisher in ``source`` is a Source record ``org-<shortname>`` cited
  with the report's url; the feed's Source record is cited as the relay.

Disasters (``fields.name``) become events the same way: time ``date.event``
(else ``date.created``), the ``type``, ``status`` and ``glide`` number in the
summary.

Figures: ReliefWeb reports and disasters carry no number in a structured
field (casualty or displacement counts live only in the prose of ``body``),
and sitmon never reads figures from prose: no Figure is made, and an event's
fatalities are never filled from the text.
"""

from __future__ import annotations

from typing import Any

from .base import AdaptResult, FeedError
from .detect import (
    AdaptContext,
    RowError,
    add_feed_source,
    add_record,
    feed_key,
    make_id,
    parse_time,
    reject,
    scoped_id,
    slug,
    text_of,
)
from .jsonfeed import html_to_text

__all__ = ["APPNAME_RULE", "adapt", "looks_like", "next_page_url"]

#: the one line a 403 from ReliefWeb gets
APPNAME_RULE = (
    "ReliefWeb API v2 answers 403 unless the url carries an approved appname "
    "(appname=${RELIEFWEB_APPNAME}; request one at https://apidoc.reliefweb.int/parameters#appname)"
)
_KINDS = {
    "international organization": "un",
    "non-governmental organization": "ngo",
    "government": "government",
    "media": "media",
    "academic and research institution": "research",
}


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("data"), list)


def next_page_url(doc: Any) -> str | None:
    """``links.next.href`` of a page, or None on the last page."""
    if isinstance(doc, dict):
        links = doc.get("links")
        if isinstance(links, dict) and isinstance(links.get("next"), dict):
            href = links["next"].get("href")
            if isinstance(href, str) and href.strip():
                return href.strip()
    return None


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events and publisher Sources from one decoded, sanitized ReliefWeb v2 page."""
    ctx = ctx or AdaptContext(source_name="reliefweb")
    if not looks_like(doc):
        raise FeedError("ReliefWeb: expected an API v2 response object with a `data` array")
    result = AdaptResult(format="reliefweb")
    for name in ("totalCount", "count"):
        if isinstance(doc.get(name), int) and not isinstance(doc.get(name), bool):
            result.meta[name] = doc[name]
    key = feed_key(ctx)  # never the response's href: it holds the appname
    source_id = add_feed_source(
        result,
        ctx,
        key,
        f"ReliefWeb ({ctx.source_name})",
        "un",
        "https://reliefweb.int/",
        role="aggregator",
    )
    publishers: set[str] = set()
    for i, item in enumerate(doc["data"]):
        ref = f"data[{i}]"
        try:
            event, orgs = _item(item, source_id, key, ctx)
        except Exception as exc:
            rid = item.get("id") if isinstance(item, dict) else None
            ok = isinstance(rid, str | int) and not isinstance(rid, bool)
            reject(result, "event", scoped_id("rw", key, str(rid)) if ok else ref, exc)
            continue
        for org in orgs:
            if org["id"] not in publishers:
                publishers.add(org["id"])
                add_record(result, "source", org, org["id"])
        add_record(result, "event", event, event["id"])
    return result


def _names(value: Any, field_path: str) -> list[str]:
    """The ``name`` of each object of a ReliefWeb list field (or of one object)."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise RowError(field_path, "expected an array of objects with a name")
    return [
        text_of(v.get("name"), f"{field_path}.name", limit=200)
        for v in value
        if isinstance(v, dict) and v.get("name")
    ]


def _item(item: Any, source_id: str, key: str, ctx: AdaptContext) -> tuple[dict, list[dict]]:
    if not isinstance(item, dict):
        raise RowError("item", "expected an object")
    rid = item.get("id")
    if isinstance(rid, bool) or not isinstance(rid, str | int) or not str(rid).strip():
        raise RowError("id", "missing")
    fields = item.get("fields")
    if not isinstance(fields, dict):
        raise RowError("fields", "expected an object (ask for fields[include][] in the query)")
    dates = fields.get("date")
    if not isinstance(dates, dict):
        raise RowError("fields.date", "missing (an event needs a time)")
    disaster = "title" not in fields and "name" in fields
    title = text_of(fields.get("name" if disaster else "title"), "fields.title", required=True)
    first = ("event", "created") if disaster else ("original", "created")
    when_key = next((k for k in first if dates.get(k)), None)
    if when_key is None:
        raise RowError(f"fields.date.{first[0]}", "missing (an event needs a time)")
    when = parse_time(dates[when_key], f"fields.date.{when_key}")
    changed = dates.get("changed")
    version = parse_time(changed, "fields.date.changed") if changed else ctx.arrived_at
    url = ""
    for k in ("url", "url_alias"):
        url = text_of(fields.get(k), f"fields.{k}", limit=2000)
        if url:
            break
    url = url or text_of(item.get("href"), "href", limit=2000)
    countries = _names(fields.get("primary_country"), "fields.primary_country")
    for name in _names(fields.get("country"), "fields.country"):
        if name not in countries:
            countries.append(name)
    places = [pid for pid in (ctx.place_id(c) for c in countries) if pid]
    orgs: list[dict] = []
    refs: list[dict] = []
    raw_sources = fields.get("source") or []
    if not isinstance(raw_sources, list):
        raise RowError("fields.source", "expected an array of publishers")
    for j, s in enumerate(raw_sources):
        if not isinstance(s, dict):
            continue
        name = text_of(s.get("name"), f"fields.source[{j}].name", limit=500)
        short = text_of(s.get("shortname"), f"fields.source[{j}].shortname", limit=100) or name
        if not name:
            continue
        kinds = _names(s.get("type"), f"fields.source[{j}].type")
        org_id = make_id("org-", slug(short, 80))
        orgs.append(
            {
                "id": org_id,
                "name": name,
                "kind": _KINDS.get(kinds[0].lower(), "other") if kinds else "other",
                "role": "primary_publisher",
                "url": text_of(s.get("homepage"), "homepage", limit=2000),
                "updated_at": ctx.arrived_at,
            }
        )
        refs.append({"source": org_id, "url": url} if url else {"source": org_id})
    refs.append({"source": source_id, "note": "relayed by ReliefWeb"})
    if disaster:
        facts = [
            ", ".join(_names(fields.get("type"), "fields.type")),
            text_of(fields.get("status"), "fields.status", limit=100),
            text_of(fields.get("glide"), "fields.glide", limit=100),
        ]
        body = fields.get("description")
    else:
        formats = ", ".join(_names(fields.get("format"), "fields.format"))
        by = ", ".join(o["name"] for o in orgs)
        facts = [f"{formats or 'Report'}" + (f" by {by}" if by else "")]
        body = fields.get("body")
    facts.append(", ".join(countries))
    if not disaster:
        themes = ", ".join(_names(fields.get("theme"), "fields.theme"))
        facts.append(f"themes: {themes}" if themes else "")
    line = "; ".join(f for f in facts if f)
    text = html_to_text(body)[:2000] if isinstance(body, str) and body.strip() else ""
    event = {
        "id": scoped_id("rw", key, str(rid).strip()),
        "time": when,
        "precision": "exact" if "T" in str(dates[when_key]) else "day",
        "title": title[:500],
        "summary": (line + ("\n" + text if text else ""))[:20_000],
        "type": "humanitarian",
        "places": places,
        "url": url,
        "updated_at": version,
        "sources": refs,
    }
    return event, orgs
