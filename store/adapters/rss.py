"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 -> events, through ``feedparser``.

Two steps, like every other format:

1. :func:`parse_xml` (the decode step) turns the bytes sitmon already fetched
   into a plain tree ``{"_xml_feed": {...}}``. feedparser only ever sees a
   byte stream: it never fetches, never follows a link and never opens a file.
   :func:`sniff` decides first whether the bytes are a feed at all: the root
   element must be ``rss``, ``rdf:RDF`` or ``feed``; an HTML page (or any
   other XML) is refused by the JSON decoder's usual message.
2. :func:`adapt` maps the tree to records. Per entry:

   - id: ``rss-<feed>-<entry id>`` (Atom ``id``, RSS ``guid``, else the
     ``link``, else the title and date), scoped by the feed's identity
     (:func:`~.detect.feed_key`: the feed's Atom ``id`` or ``rel="self"``
     link, else the configured feed name, else its ``link`` or title);
   - time: ``published`` (else ``updated``); ``updated`` (else the time the
     document arrived) is the version (``updated_at``); an entry with neither
     date is rejected;
   - title and summary as plain text: ``content`` (else ``summary``) with
     tags dropped and entities decoded (:func:`~.jsonfeed.html_to_text`);
   - ``tags`` (RSS ``category``, Atom ``category@term``) as in JSON Feed: an
     event type, a known place or a known faction;
   - GeoRSS ``georss:point`` / ``georss:where`` (a GML point): the nearest
     known place within :data:`NEAR_KM` km;
   - the entry's ``link`` is the event's url and the citation's.

The whole feed is one Source record (``feed-<name>``) named by the feed's
title. A feed the XML parser found malformed (feedparser's ``bozo``) keeps the
entries that parsed and carries a warning naming the problem; one that yields
no usable entry at all is a :class:`FeedError` naming the problem.
"""

from __future__ import annotations

import io
import math
import re
import time
from typing import Any

from ..gazetteer import MATCH_KM, distance_km
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
    text_of,
)
from .jsonfeed import classify_tags, html_to_text

__all__ = ["NEAR_KM", "adapt", "looks_like", "nearest_place", "parse_xml", "sniff"]

#: a GeoRSS point names the nearest known place within this distance (km): the
#: gazetteer's matching distance
NEAR_KM = MATCH_KM
_FEED_ROOTS = frozenset({"rss", "rdf", "feed"})
_PROLOG = re.compile(
    rb"\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s[^>\[]*(?:\[.*?\])?\s*>)\s*)*",
    re.DOTALL | re.IGNORECASE,
)
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_BOM = b"\xef\xbb\xbf"


def sniff(data: bytes) -> bool:
    """Do ``data`` hold an RSS, RDF or Atom document (by the name of the root element)?"""
    head = data[:65536].removeprefix(_BOM)
    m = _PROLOG.match(head)
    at = m.end() if m else 0
    root = _ROOT.match(head, at)
    return bool(root) and root.group(1).decode("ascii", "replace").lower() in _FEED_ROOTS


def _iso(parsed: Any) -> str | None:
    """feedparser's UTC ``struct_time`` as ISO 8601 (``...Z``), or None."""
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    except (ValueError, OverflowError):
        return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_xml(data: bytes, *, what: str = "feed") -> dict[str, Any]:
    """The plain tree of an RSS/Atom document (see the module docstring).

    Raises :class:`FeedError` (one line, naming ``what``) when nothing parsed.
    """
    import feedparser

    try:
        parsed = feedparser.parse(
            io.BytesIO(data),  # a stream: feedparser reads it and nothing else
            response_headers={"content-type": "application/xml"},
            resolve_relative_uris=False,
            sanitize_html=True,
        )
    except Exception as exc:  # feedparser is lenient; this is only a last resort
        raise FeedError(f"{what}: not a readable RSS or Atom feed ({type(exc).__name__})") from None
    problem = ""
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = re.sub(r"^<unknown>:", "line ", str(exc)) if exc else "malformed XML"
        problem = re.sub(r"^line (\d+):(\d+):", r"line \1, column \2:", problem)
        problem = " ".join(problem.split())  # one line, whatever the parser said
    entries = parsed.get("entries") or []
    if not entries and problem:
        raise FeedError(f"{what}: not a readable RSS or Atom feed: {problem[:200]}")
    head = parsed.get("feed") or {}
    out_entries = []
    for entry in entries:
        e = dict(entry)  # plain keys only: feedparser's aliases would fill a missing date
        content = (
            e.get("content") or []
        )  # plain keys only: no aliasing of a missing date to another
        body = next(
            (_str(c.get("value")) for c in content if isinstance(c, dict) and c.get("value")), ""
        )
        where = e.get("where")
        point = None
        if isinstance(where, dict) and where.get("type") == "Point":
            coords = where.get("coordinates")
            if isinstance(coords, tuple | list) and len(coords) >= 2:
                point = [float(coords[0]), float(coords[1])]  # GeoJSON order: lon, lat
        title_detail = e.get("title_detail") or {}
        out_entries.append(
            {
                "id": _str(e.get("id")),
                "link": _str(e.get("link")),
                "title": _str(e.get("title")),
                "title_html": "html" in _str(title_detail.get("type")),
                "summary": _str(e.get("summary")),
                "content": body,
                "published": _iso(e.get("published_parsed")) or _str(e.get("published")),
                "updated": _iso(e.get("updated_parsed")) or _str(e.get("updated")),
                "tags": [
                    _str(t.get("term") or t.get("label"))
                    for t in e.get("tags") or []
                    if isinstance(t, dict)
                ],
                "point": point,
            }
        )
    return {
        "_xml_feed": {
            "version": _str(parsed.get("version")) or "unknown",
            "title": _str(head.get("title")),
            "self": _self_link(head),
            "link": _str(head.get("link")),
            "problem": problem,
            "entries": out_entries,
        }
    }


def _self_link(head: Any) -> str:
    """The feed's declared identity: Atom's ``id``, else its ``rel="self"`` link."""
    declared = _str(dict.get(head, "id")) if isinstance(head, dict) else ""
    if declared.strip():
        return declared
    for link in (dict.get(head, "links") if isinstance(head, dict) else None) or []:
        if isinstance(link, dict) and link.get("rel") == "self" and _str(link.get("href")):
            return _str(link.get("href"))
    return ""


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("_xml_feed"), dict)


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events (and one Source) from the tree :func:`parse_xml` made (sanitized)."""
    ctx = ctx or AdaptContext()
    if not looks_like(doc):
        raise FeedError("RSS/Atom: expected a parsed XML feed")
    feed = doc["_xml_feed"]
    entries = feed.get("entries")
    if not isinstance(entries, list):
        raise FeedError("RSS/Atom: the feed has no entries list")
    result = AdaptResult(format="rss")
    title = _str(feed.get("title"))
    link = _str(feed.get("link"))
    result.meta.update({"title": title, "home_page_url": link, "version": feed.get("version")})
    problem = " ".join(_str(feed.get("problem")).split())
    if problem:
        result.warnings.append(
            f"malformed XML ({problem[:200]}); kept the {len(entries)} entries that parsed"
        )
    key = feed_key(ctx, _str(feed.get("self")), link, title)
    result.meta["identity"] = key
    source_id = add_feed_source(result, ctx, key, title or ctx.source_name, "media", link)
    for i, entry in enumerate(entries):
        ref = f"entries[{i}]"
        try:
            data = _entry(entry, source_id, key, ctx)
        except Exception as exc:  # per-entry problems never stop the feed
            reject(result, "event", _entry_ref(entry, key, ref), exc)
            continue
        add_record(result, "event", data, data["id"])
    if problem and len(result.records) <= 1:  # malformed, and no entry was usable
        raise FeedError(f"not a readable RSS or Atom feed: {problem[:200]}")
    return result


def _raw_id(entry: dict[str, Any]) -> str:
    for key in ("id", "link"):
        value = _str(entry.get(key)).strip()
        if value:
            return value
    title = _str(entry.get("title")).strip()
    when = _str(entry.get("published")) or _str(entry.get("updated"))
    return f"{title}|{when}" if title and when else ""


def _entry_ref(entry: Any, key: str, ref: str) -> str:
    if isinstance(entry, dict) and _raw_id(entry):
        return scoped_id("rss", key, _raw_id(entry))
    return ref


def _entry(entry: Any, source_id: str, key: str, ctx: AdaptContext) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise RowError("entry", "expected an entry")
    raw = _raw_id(entry)
    if not raw:
        raise RowError("id", "missing (no id, guid, link, or title and date)")
    text = ""
    for field_name in ("content", "summary"):
        value = _str(entry.get(field_name))
        if value.strip():
            text = html_to_text(value)
            break
    title = _str(entry.get("title"))
    title = html_to_text(title) if entry.get("title_html") else title.strip()
    if not title:
        title = text.split("\n", 1)[0][:120].strip()
    if not title:
        raise RowError("title", "missing (no title and no text)")
    published = _str(entry.get("published")) or None
    updated = _str(entry.get("updated")) or None
    if published is None and updated is None:
        raise RowError("published", "missing (an event needs a time: pubDate or updated)")
    when = parse_time(published or updated, "published" if published else "updated")
    version = parse_time(updated, "updated") if updated else ctx.arrived_at
    url = text_of(entry.get("link"), "link", limit=2000)
    tags = entry.get("tags")
    event_type, places, factions = classify_tags(tags if isinstance(tags, list) else [], ctx)
    note = ""
    point = entry.get("point")
    if isinstance(point, list) and len(point) == 2:
        near = nearest_place(ctx, float(point[1]), float(point[0]))
        if near and near not in places:
            places.append(near)
        elif not near:
            note = f"GeoRSS point {point[1]:.4f}, {point[0]:.4f} (no known place within {NEAR_KM:g} km)"
    ref: dict[str, Any] = {"source": source_id}
    if url:
        ref["url"] = url
    if note:
        ref["note"] = note[:500]
    return {
        "id": scoped_id("rss", key, raw),
        "time": when,
        "precision": "exact",
        "title": title[:500],
        "summary": text[:20_000],
        "type": event_type,
        "places": places,
        "factions": factions,
        "url": url,
        "updated_at": version,
        "sources": [ref],
    }


def nearest_place(ctx: AdaptContext, lat: float, lon: float) -> str | None:
    """The id of the known place nearest to (lat, lon) within :data:`NEAR_KM`, or None
    (a point outside the situation's area names no place)."""
    if not ctx.places or not math.isfinite(lat + lon) or ctx.point_problem(lat, lon):
        return None
    best, best_km = None, NEAR_KM
    for pid, p in sorted(ctx.places.items()):
        km = distance_km(lat, lon, p.lat, p.lon)
        if km <= best_km:
            best, best_km = pid, km
    return best
