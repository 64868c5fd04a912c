"""GDELT DOC 2.0 article lists (``mode=artlist&format=json``) -> events.

The API answers ``{"articles": [{url, url_mobile, title, seendate, socialimage,
domain, language, sourcecountry}, ...]}``. Per article:

- id: ``gdelt-<feed>-<url>`` (scoped by the feed);
- ``seendate`` (``YYYYMMDDTHHMMSSZ``, UTC: when GDELT saw the article) is the
  time and the version; an article without one is rejected;
- ``title`` is the title; the summary names the outlet, its country and language;
- the event cites the outlet (a Source ``outlet-<domain>``, kind media) with
  the article's url, and the feed's Source record as the relay.

Quirks of the API handled here and in the decode step (:func:`error_sentence`,
:func:`repair`):

- nothing matched: GDELT answers ``{}`` (no ``articles`` key): no records, no
  error (with ``format = "gdelt"``, or a URL on gdeltproject.org);
- errors come as HTTP 200 with a ``text/html`` sentence ("Timespan is too
  short.") instead of JSON: that sentence is the one-line error;
- titles sometimes hold raw control characters or bad escapes that strict JSON
  refuses: they are replaced by spaces, with a warning saying how many;
- 429 "one request every 5 seconds": the fetcher waits at least that long.

Paging: the API has no next link; ``maxrecords`` is at most 250. When a page is
full, :func:`next_page_url` asks for the articles seen before the oldest one
(``enddatetime``), up to the feed's ``max_pages``.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

from .base import AdaptResult, FeedError
from .detect import (
    AdaptContext,
    RowError,
    add_feed_source,
    add_record,
    feed_key,
    make_id,
    reject,
    scoped_id,
    slug,
    text_of,
)

__all__ = ["adapt", "error_sentence", "is_gdelt_url", "looks_like", "next_page_url", "repair"]

#: the most articles one artlist request returns (``maxrecords`` default 75)
MAX_RECORDS = 250
_SEENDATE = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BAD_ESCAPE = re.compile(rb'\\(?!["\\/bfnrtu])')
_TAG = re.compile(r"<[^>]*>")


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        isinstance(doc.get("articles"), list) or doc == {} or "_sitmon_repaired" in doc
    )


def is_gdelt_url(url: str) -> bool:
    """A URL on gdeltproject.org (where ``{}`` and a text body have GDELT's meaning)."""
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host == "gdeltproject.org" or host.endswith(".gdeltproject.org")


def error_sentence(data: bytes) -> str | None:
    """GDELT's error sentence when ``data`` is not JSON (an HTTP 200 HTML/text body)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not head or head in b"{[":
        return None
    text = data[:2000].decode("utf-8", "replace")
    text = _TAG.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:200] or None


def repair(data: bytes) -> tuple[bytes, int]:
    """``data`` with raw control characters and invalid escapes replaced by spaces,
    and invalid UTF-8 by U+FFFD; and how many were replaced."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    raw = text.encode("utf-8")
    raw, n1 = _CONTROL.subn(b" ", raw)
    raw, n2 = _BAD_ESCAPE.subn(b" ", raw)
    return raw, bad + n1 + n2


def next_page_url(doc: Any, url: str) -> str | None:
    """The request for the articles before the oldest of a full page, or None."""
    if not isinstance(doc, dict):
        return None
    arts = doc.get("articles")
    if not isinstance(arts, list) or not arts:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return None
    params = {k.lower(): v for k, v in query}
    try:
        wanted = int(params.get("maxrecords", "75"))
    except ValueError:
        wanted = 75
    if len(arts) < min(max(wanted, 1), MAX_RECORDS):
        return None
    times = [_seen(a.get("seendate")) for a in arts if isinstance(a, dict)]
    times = [t for t in times if t is not None]
    if not times:
        return None
    before = (min(times) - timedelta(seconds=1)).strftime("%Y%m%d%H%M%S")
    kept = [(k, v) for k, v in query if k.lower() not in ("enddatetime", "timespan")]
    if "startdatetime" not in params and "timespan" in params:
        kept.append(("timespan", params["timespan"]))
    kept.append(("ENDDATETIME", before))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def _seen(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    m = _SEENDATE.match(value.strip())
    if not m:
        return None
    try:
        return datetime(*(int(g) for g in m.groups()), tzinfo=UTC)
    except ValueError:
        return None


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events, outlet Sources and the feed's Source from one decoded GDELT answer."""
    ctx = ctx or AdaptContext(source_name="gdelt")
    if not isinstance(doc, dict):
        raise FeedError("GDELT: expected an object with an `articles` array")
    result = AdaptResult(format="gdelt")
    repaired = doc.get("_sitmon_repaired")
    if isinstance(repaired, int) and repaired:
        result.warnings.append(
            f"GDELT sent {repaired} invalid character(s) (control characters, bad escapes "
            "or invalid UTF-8); replaced by spaces"
        )
    articles = doc.get("articles")
    if articles is None:
        result.meta["no_results"] = True
        result.meta["note"] = "GDELT found no articles for this query (no `articles` key)"
        return result
    if not isinstance(articles, list):
        raise FeedError(f"GDELT: `articles` must be an array, got {type(articles).__name__}")
    key = feed_key(ctx)
    source_id = add_feed_source(
        result,
        ctx,
        key,
        f"GDELT DOC 2.0 ({ctx.source_name})",
        "research",
        "https://www.gdeltproject.org/",
        role="aggregator",
    )
    outlets: set[str] = set()
    for i, art in enumerate(articles):
        ref = f"articles[{i}]"
        try:
            event, outlet = _article(art, source_id, key, ctx)
        except Exception as exc:
            url = art.get("url") if isinstance(art, dict) else None
            reject(
                result,
                "event",
                scoped_id("gdelt", key, url) if isinstance(url, str) and url.strip() else ref,
                exc,
            )
            continue
        if outlet["id"] not in outlets:
            outlets.add(outlet["id"])
            add_record(result, "source", outlet, outlet["id"])
        add_record(result, "event", event, event["id"])
    return result


def _article(art: Any, source_id: str, key: str, ctx: AdaptContext) -> tuple[dict, dict]:
    if not isinstance(art, dict):
        raise RowError("article", "expected an object")
    url = text_of(art.get("url"), "url", required=True, limit=2000)
    when = _seen(art.get("seendate"))
    if when is None:
        raise RowError("seendate", "expected YYYYMMDDTHHMMSSZ (when GDELT saw the article)")
    title = text_of(art.get("title"), "title") or url
    domain = text_of(art.get("domain"), "domain", limit=200).lower()
    if not domain:
        domain = (urllib.parse.urlsplit(url).hostname or "").lower()
    if not domain:
        raise RowError("domain", "missing (and the url names no host)")
    country = text_of(art.get("sourcecountry"), "sourcecountry", limit=100)
    language = text_of(art.get("language"), "language", limit=100)
    about = ", ".join(x for x in (country, language) if x)
    outlet_id = make_id("outlet-", slug(domain, 80))
    outlet = {
        "id": outlet_id,
        "name": domain,
        "kind": "media",
        "role": "news_outlet",
        "url": f"https://{domain}/"[:2000] if re.fullmatch(r"[a-z0-9.-]+", domain) else "",
        "updated_at": ctx.arrived_at,
    }
    event = {
        "id": scoped_id("gdelt", key, url),
        "time": when,
        "precision": "exact",
        "title": title[:500],
        "summary": f"Article by {domain}" + (f" ({about})" if about else "") + ", seen by GDELT.",
        "url": url,
        "updated_at": ctx.arrived_at,  # GDELT gives no modification time
        "sources": [
            {"source": outlet_id, "url": url},
            {"source": source_id, "note": "relayed by GDELT DOC 2.0"},
        ],
    }
    return event, outlet
