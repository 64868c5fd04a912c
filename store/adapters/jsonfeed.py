"""JSON Feed 1.1 and 1.0 (https://jsonfeed.org/version/1.1) -> events.

Both versions are read, with ``version`` written ``https://`` or ``http://``
(producers use both for 1.0). Each item becomes an :class:`~store.records.Event`:

- ``id`` -> the event id ``jf-<feed>-<item id>`` (slugged and hashed when
  needed), where ``<feed>`` is the feed's stable identity (:func:`feed_key`): its
  ``feed_url``, else the configured feed name, else ``home_page_url``, else
  ``title``; never the file name or URL it arrived by. Two items with one id:
  the later is kept and a warning names both;
- ``title`` -> title (else the first line of the text);
- ``content_text``, else ``summary``, else ``content_html`` stripped to text -> summary;
- ``date_published`` -> time; the version (updated_at) is ``date_modified``,
  else the time the document was fetched or imported;
- ``url`` (else ``external_url``) -> url and the source citation's url; a
  relative URL is resolved against the document's URL, else its ``feed_url``,
  else its ``home_page_url``;
- ``tags`` naming an event type, a known place or a known faction set them.

An optional ``_sitmon`` extension object on an item adds structure::

    "_sitmon": {"places": ["homs", "Damascus"], "factions": ["hts_led"],
                "type": "capture", "precision": "day", "actors": ["..."],
                "fatalities": {"best": 12, "low": 10, "high": 15}}

Places and factions may be ids or names; names are resolved against the
store's places and factions (the adapter is given them; it never reads the
store). The whole feed becomes one Source record (``feed-<name>``) from its
``title`` and ``home_page_url``, cited by every event.
"""

from __future__ import annotations

import html
import re
import typing
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..records import Event
from ..sanitize import clean_text
from .base import AdaptResult, FeedError
from .detect import (
    AdaptContext,
    RowError,
    add_record,
    feed_key,
    feed_source_id,
    is_jsonfeed_version,
    make_id,
    parse_time,
    reject,
    slug,
    text_of,
    to_number,
)

__all__ = ["adapt", "classify_tags", "html_to_text", "looks_like"]

#: the event types a feed may name (from the Event record's definition)
_TYPES: tuple[str, ...] = typing.get_args(typing.get_type_hints(Event)["type"])
EVENT_TYPES = frozenset(_TYPES)


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and is_jsonfeed_version(doc.get("version"))


def _absolute(url: str, base: str) -> str:
    """``url`` resolved against ``base`` when it is relative (and ``base`` is absolute)."""
    if not url or urlsplit(url).scheme or not base or not urlsplit(base).scheme:
        return url
    return urljoin(base, url)


class _Stripper(HTMLParser):
    _BLOCK = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table blockquote section article pre".split()
    )
    _SKIP = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, blank runs folded."""
    parser = _Stripper()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # html.parser is lenient; this is only a last resort
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" ?\n[ \n]*", "\n", text)
    # entities can encode control characters: clean again after decoding
    return clean_text(text.strip(), 20_000)


def adapt(doc: Any, ctx: AdaptContext | None = None) -> AdaptResult:
    """Events (and one Source) from a decoded, sanitized JSON Feed document."""
    ctx = ctx or AdaptContext()
    if not looks_like(doc):
        raise FeedError(
            "JSON Feed: expected an object with `version` https://jsonfeed.org/version/1.1 "
            "(or version/1)"
        )
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError(f"JSON Feed: `items` must be an array, got {type(items).__name__}")
    result = AdaptResult(format="jsonfeed")
    title = _str(doc.get("title"))
    home = _str(doc.get("home_page_url"))
    feed_url = _str(doc.get("feed_url"))
    # relative links: against where the document came from, else what it says it is
    base = next((u for u in (ctx.url, feed_url, home) if u and urlsplit(u).scheme), "")
    feed_url, home = _absolute(feed_url, base), _absolute(home, base)
    key = feed_key(ctx, feed_url, home, title)
    result.meta.update(
        {"title": title, "home_page_url": home, "version": doc["version"], "identity": key}
    )
    source_id = feed_source_id(key)
    add_record(
        result,
        "source",
        {
            "id": source_id,
            "name": (title or ctx.source_name)[:500] or source_id,
            "kind": "media",
            "url": home[:2000],
            "updated_at": ctx.arrived_at,
        },
        source_id,
    )
    prefix = f"jf-{slug(key, 40)}-"
    for i, item in enumerate(items):
        ref = f"items[{i}]"
        try:
            data = _item(item, i, prefix, source_id, ctx, base)
        except Exception as exc:  # per-item problems never stop the feed
            reject(result, "event", _item_ref(item, prefix, ref), exc)
            continue
        add_record(result, "event", data, data.get("id") or ref)
    return result


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _item_ref(item: Any, prefix: str, ref: str) -> str:
    if (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | int)
        and not isinstance(item.get("id"), bool)
    ):
        return make_id(prefix, str(item["id"]))
    return ref


def _item(
    item: Any, i: int, prefix: str, source_id: str, ctx: AdaptContext, base: str = ""
) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RowError(f"items[{i}]", "expected an object")
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or str(raw_id).strip() == "":
        raise RowError("id", "missing (every JSON Feed item needs an id)")
    event_id = make_id(prefix, str(raw_id).strip())
    text = ""
    for key in ("content_text", "summary"):
        if isinstance(item.get(key), str) and item[key].strip():
            text = item[key].strip()
            break
    if not text and isinstance(item.get("content_html"), str):
        text = html_to_text(item["content_html"])
    title = text_of(item.get("title"), "title")
    if not title:
        title = text.split("\n", 1)[0][:120].strip()
    if not title:
        raise RowError("title", "missing (no title and no text)")
    published = item.get("date_published")
    modified = item.get("date_modified")
    if published is None and modified is None:
        raise RowError("date_published", "missing (an event needs a time)")
    when_key = "date_published" if published is not None else "date_modified"
    when = parse_time(published if published is not None else modified, when_key)
    updated = parse_time(modified, "date_modified") if modified is not None else ctx.arrived_at
    url = ""
    for key in ("url", "external_url"):
        if isinstance(item.get(key), str) and item[key].strip():
            url = _absolute(item[key].strip(), base)
            break
    raw_when = published if isinstance(published, str) else modified
    precision = "exact" if isinstance(raw_when, str) and "T" in raw_when else "day"
    actors: list[str] = []
    fatalities = None
    tags = item.get("tags")
    if tags is not None and not isinstance(tags, list):
        raise RowError("tags", "expected an array of strings")
    event_type, places, factions = classify_tags(tags or (), ctx)
    ext = item.get("_sitmon")
    if ext is not None:
        if not isinstance(ext, dict):
            raise RowError("_sitmon", "the extension must be an object")
        if "type" in ext:
            t = ext["type"]
            if not isinstance(t, str) or t not in EVENT_TYPES:
                raise RowError("_sitmon.type", f"expected one of {', '.join(_TYPES)}")
            event_type = t
        if "precision" in ext:
            if ext["precision"] not in ("exact", "day", "month"):
                raise RowError("_sitmon.precision", "expected exact, day or month")
            precision = ext["precision"]
        for name in _str_list(ext.get("places"), "_sitmon.places"):
            pid = ctx.place_id(name) or (name if ctx.places is None else slug(name))
            if pid not in places:
                places.append(pid)
        for name in _str_list(ext.get("factions"), "_sitmon.factions"):
            fid = ctx.faction_id(name) or name
            if fid not in factions:
                factions.append(fid)
        actors = [a[:500] for a in _str_list(ext.get("actors"), "_sitmon.actors")]
        fat = ext.get("fatalities")
        if fat is not None:
            if not isinstance(fat, dict):
                raise RowError("_sitmon.fatalities", "expected an object {best, low, high}")
            fatalities = {
                k: to_number(fat.get(k), f"_sitmon.fatalities.{k}", integer=True)
                for k in ("best", "low", "high")
                if fat.get(k) is not None
            }
    data: dict[str, Any] = {
        "id": event_id,
        "time": when,
        "precision": precision,
        "title": title[:500],
        "summary": text[:20_000],
        "type": event_type,
        "places": places,
        "factions": factions,
        "actors": actors,
        "url": url[:2000],
        "updated_at": updated,
        "sources": [{"source": source_id, "url": url[:2000]} if url else {"source": source_id}],
    }
    if fatalities:
        data["fatalities"] = fatalities
    return data


def classify_tags(tags: Any, ctx: AdaptContext) -> tuple[str, list[str], list[str]]:
    """(event type, place ids, faction ids) named by free-text tags.

    The first tag that is an event type sets the type (else ``"other"``); tags
    naming a known place or faction (by id or name, through the actor map) add
    it; other tags (and non-strings) are ignored.
    """
    event_type = "other"
    places: list[str] = []
    factions: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            continue
        t = tag.strip()
        if t.lower() in EVENT_TYPES and event_type == "other":
            event_type = t.lower()
            continue
        pid = ctx.place_id(t)
        if pid and pid not in places:
            places.append(pid)
            continue
        fid = ctx.faction_id(t)
        if fid and fid not in factions:
            factions.append(fid)
    return event_type, places, factions


def _str_list(value: Any, field_path: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RowError(field_path, "expected an array of strings")
    return [v.strip() for v in value if v.strip()]
