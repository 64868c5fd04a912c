"""Format detection from a document's shape, and the helpers every adapter shares.

``detect_format(doc)`` looks at a decoded document and names its format:

===========  ==========================================================
sitmon       an object with ``sitmon_feed``
jsonfeed     an object whose ``version`` is a JSON Feed version URL (1 or 1.1,
             ``https://`` or ``http://``: :func:`is_jsonfeed_version`)
geojson      an object with ``"type": "FeatureCollection"`` (or ``"Feature"``)
rss          RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 (XML, parsed by the decode step
             into ``{"_xml_feed": ...}``)
gdelt        an object with an ``articles`` list (GDELT DOC 2.0 ``artlist``)
reliefweb    an object with a ``data`` list of ``{id, fields}`` items and an
             ``href``/``totalCount`` (ReliefWeb API v2)
hapi         an object with a ``data`` list of rows with ``location_code`` and
             ``reference_period_start`` (HDX HAPI)
acled        an object with a ``data`` list (ACLED API: ``status``, ``success``,
             ``count``) or a list of rows with ``event_id_cnty``
ucdp         an object with a ``Result`` list (UCDP GED API)
===========  ==========================================================

GDELT answers ``{}`` when nothing matches: only ``format = "gdelt"`` (or a
URL on gdeltproject.org) reads that as "no results".

An unknown shape is a :class:`FeedError` naming what was expected.

Adapters are pure: a document (already decoded and sanitized) and an
:class:`AdaptContext` in, an :class:`AdaptResult` out. The context carries the
store's known place and faction ids (for resolving names) and the actor map.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..actors import ActorMap
from ..gazetteer import MATCH_KM, SYRIA, Area, area_problem, distance_km, match_place
from ..records import ID_RE, Place
from ..timeutil import TimeError, parse_when
from .base import FORMATS, FeedError

__all__ = [
    "EPOCH",
    "FORMATS",
    "AdaptContext",
    "RowError",
    "detect_format",
    "feed_key",
    "feed_source_id",
    "is_jsonfeed_version",
    "make_id",
    "parse_time",
    "scoped_id",
    "slug",
    "to_number",
]


#: ``updated_at`` of records an adapter derives rather than reads (feed sources,
#: places made from coordinates): any curated version of the same id wins, and
#: re-importing the same document never counts as a change.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SQUASH = re.compile(r"[\W_]+", re.UNICODE)
_DMY = re.compile(r"(\d{2})-(\d{2})-(\d{4})")
_INT_TEXT = re.compile(r"[+-]?\d+")


class RowError(ValueError):
    """One record of a document cannot be used: which field and why."""

    def __init__(self, field_path: str, problem: str) -> None:
        super().__init__(f"field `{field_path}`: {problem}")
        self.field = field_path
        self.problem = problem


def arrival_now() -> datetime:
    """Now, to the second (UTC): a document's arrival time when nobody gives one
    (:attr:`AdaptContext.arrived_at`). Looked up at each call, so a test can pin it."""
    return datetime.now(UTC).replace(microsecond=0)


def slug(text: str, max_len: int = 60) -> str:
    """``"Deir ez-Zor"`` -> ``"deir_ez_zor"`` (ASCII, lower case; a hash if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    s = _NON_WORD.sub("_", ascii_text.lower()).strip("_")
    if not s:
        return "x" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    if len(s) > max_len:
        s = s[: max_len - 13].rstrip("_") + "_" + hashlib.sha1(s.encode()).hexdigest()[:12]
    return s


def make_id(prefix: str, raw: str) -> str:
    """A valid record id ``prefix + raw``; ``raw`` is slugged and hashed when it does not fit."""
    candidate = f"{prefix}{raw}"
    if ID_RE.match(candidate):
        return candidate
    digest = hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    base = slug(raw, 60)
    return f"{prefix}{base}-{digest}"[:160]


def scoped_id(prefix: str, key: str, raw: str) -> str:
    """The id of a record a feed names ``raw``: ``<prefix>-<feed>-<raw>``, where
    ``key`` is the feed's stable identity (:func:`feed_key`).

    The one place the RSS/Atom, GDELT, ReliefWeb, HAPI and GeoJSON-event
    adapters take ids from: the same entry in two feeds is two records
    (corroboration joins them), and the same entry re-read from one feed is the
    same record, whatever file name or URL it arrived by.
    """
    return make_id(f"{prefix}-{slug(key, 40)}-", raw)


def feed_source_id(source_name: str) -> str:
    """The id of the Source record that stands for a whole feed: ``feed-<slug>``."""
    return "feed-" + slug(source_name, 80)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def feed_key(ctx: AdaptContext, declared: str = "", *fallbacks: str) -> str:
    """The feed's stable identity, which scopes the ids of its records.

    In order: the document's ``declared`` identity (e.g. a JSON Feed's
    ``feed_url``), the configured feed name (``ctx.feed_id``: a config feed's
    name or ``import --name``), the ``fallbacks`` the document offers (its home
    page, its title), and only then the name it arrived under. A URL's scheme is
    dropped (``http`` and ``https`` are one feed).
    """
    for key in (declared, ctx.feed_id, *fallbacks, ctx.source_name):
        if isinstance(key, str) and key.strip():
            return _SCHEME.sub("", key.strip()).rstrip("/")
    return "feed"


_JSONFEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(?:\.\d+)?/?$")


def is_jsonfeed_version(value: Any) -> bool:
    """Is ``value`` a JSON Feed ``version``: 1 or 1.1, https:// or http:// (both occur)?"""
    return isinstance(value, str) and _JSONFEED_VERSION.match(value.strip()) is not None


def parse_time(value: Any, field_path: str) -> datetime:
    """An aware datetime from an ISO-8601 string (naive = Damascus time), or RowError."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        raise RowError(field_path, f"expected a date or time string, got {_type(value)}")
    try:
        return _parse_time_text(value.strip())
    except (TimeError, ValueError, OverflowError) as exc:
        raise RowError(field_path, str(exc)) from None


@functools.lru_cache(maxsize=8192)
def _parse_time_text(text: str) -> datetime:
    """Feeds repeat the same dates thousands of times: parse each once."""
    m = _DMY.fullmatch(text)  # dd-mm-yyyy (ACLED's codebook form)
    if m:
        text = f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    return parse_when(text)


def to_number(
    value: Any, field_path: str, *, integer: bool = False, required: bool = False
) -> float | int | None:
    """A finite number from a JSON number or a numeric string (APIs send both)."""
    t = type(value)
    if t is str and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)  # the common case: a count or a timestamp sent as a string
    if t is int and not integer:
        return value
    if t is float and math.isfinite(value) and not integer:
        return value
    if value is None or (t is str and not value.strip()):
        if required:
            raise RowError(field_path, "missing number")
        return None
    if isinstance(value, bool):
        raise RowError(field_path, "expected a number, got a boolean")
    if isinstance(value, int):
        num: float | int = value
    elif isinstance(value, float):
        num = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 40:
            raise RowError(field_path, "number string too long")
        try:
            num = int(text) if _INT_TEXT.fullmatch(text) else float(text)
        except ValueError:
            raise RowError(field_path, f"not a number: {text[:30]!r}") from None
    else:
        raise RowError(field_path, f"expected a number, got {_type(value)}")
    if isinstance(num, float) and not math.isfinite(num):
        raise RowError(field_path, "number must be finite (not NaN or Infinity)")
    if integer:
        if isinstance(num, float):
            if not num.is_integer():
                raise RowError(field_path, f"expected a whole number, got {num:g}")
            num = int(num)
        if num < 0:
            raise RowError(field_path, f"expected a count >= 0, got {num}")
    return num


def text_of(value: Any, field_path: str, *, required: bool = False, limit: int = 500) -> str:
    """A string field (numbers become text); too long is cut with an ellipsis."""
    if type(value) is str and len(value) <= limit:
        text = value.strip()
        if text or not required:
            return text
    if value is None:
        if required:
            raise RowError(field_path, "missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(field_path, f"expected a string, got {_type(value)}")
    text = str(value).strip()
    if required and not text:
        raise RowError(field_path, "empty")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _type(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


@dataclass
class AdaptContext:
    """What an adapter may know besides the document (all optional)."""

    source_name: str = "feed"
    actors: ActorMap = field(default_factory=ActorMap)
    #: the store's places, for matching names to ids
    places: Mapping[str, Place] | None = None
    #: the store's faction ids; actor names resolving elsewhere are dropped
    factions: Collection[str] | None = None
    #: where the document came from (for messages and relative links)
    url: str = ""
    #: the configured feed name (a config feed's name, ``import --name``), if any:
    #: the identity of a feed whose document declares none (see :func:`feed_key`)
    feed_id: str = ""
    #: when the document was fetched or imported: the version of records whose
    #: source gives no modification time of its own
    arrived_at: datetime = field(default_factory=lambda: arrival_now())
    #: the situation's area; points outside it (with a margin) are refused
    area: Area | None = SYRIA
    _by_name: dict[str, str] | None = None

    def point_problem(self, lat: float, lon: float) -> str | None:
        """Why (``lat``, ``lon``) cannot be a place here, or None (see :mod:`store.gazetteer`)."""
        return area_problem(lat, lon, self.area)

    def match_place(self, names: Any, lat: float, lon: float) -> str | None:
        """A known place with one of ``names`` within a few km of the point, or None."""
        return match_place(self.places, names, lat, lon)

    def new_place_id(self, prefix: str, base: str, lat: float, lon: float) -> str:
        """An id for a place this feed makes: ``prefix + base`` (``base`` is a slug or
        a declared id); when a known place more than a few km away holds that id,
        the same with the point's rounded coordinates appended (two towns of one
        name stay two places)."""
        pid = make_id(prefix, base)
        known = self.places.get(pid) if self.places else None
        if known is not None and distance_km(lat, lon, known.lat, known.lon) > MATCH_KM:
            pid = make_id(prefix, f"{base}-{lat:.2f}-{lon:.2f}")
        return pid

    def place_id(self, name: str) -> str | None:
        """The id of a known place by id, name or alternative name (punctuation-blind)."""
        if not self.places or not name:
            return None
        if name in self.places:
            return name
        if self._by_name is None:
            self._memo: dict[str, str | None] = {}
            index: dict[str, str] = {}
            for pid, p in sorted(self.places.items()):
                for n in (p.name, *p.alt_names, pid):
                    index.setdefault(_squash(n), pid)
            self._by_name = index
        found = self._memo.get(name, "")
        if found == "":
            found = self._memo[name] = self._by_name.get(_squash(name))
        return found

    def faction_id(self, name: str) -> str | None:
        """A faction id from an id, or an actor name through the actor map."""
        if not name:
            return None
        known = self.factions
        if known is not None and name in known:
            return name
        return self.actors.faction(name, known)


def _squash(name: str) -> str:
    return _SQUASH.sub("", name.casefold())


def detect_format(doc: Any) -> str:
    """The format of a decoded document, from its shape (see the module docstring)."""
    if isinstance(doc, dict):
        if "sitmon_feed" in doc:
            return "sitmon"
        if is_jsonfeed_version(doc.get("version")):
            return "jsonfeed"
        if doc.get("type") in ("FeatureCollection", "Feature"):
            return "geojson"
        if isinstance(doc.get("_xml_feed"), dict):
            return "rss"
        if isinstance(doc.get("articles"), list):
            return "gdelt"
        data = doc.get("data")
        if isinstance(data, list) and data and isinstance(data[0], dict):
            if "location_code" in data[0] and "reference_period_start" in data[0]:
                return "hapi"
            if "fields" in data[0] and ("totalCount" in doc or "href" in doc):
                return "reliefweb"
        if isinstance(doc.get("Result"), list) and (
            "TotalCount" in doc or "NextPageUrl" in doc or "TotalPages" in doc
        ):
            return "ucdp"
        if isinstance(doc.get("data"), list) and (
            "success" in doc or "status" in doc or "count" in doc or _acled_rows(doc["data"])
        ):
            return "acled"
        keys = ", ".join(sorted(str(k)[:30] for k in list(doc)[:8]))
        got = (
            f"an object with keys {keys}"
            if keys
            else ('an empty object (GDELT answers {} when nothing matched: set format = "gdelt")')
        )
    elif isinstance(doc, list):
        if _acled_rows(doc):
            return "acled"
        got = f"an array of {len(doc)} items"
    else:
        got = _type(doc)
    raise FeedError(
        f"unknown feed format ({got}): expected a sitmon feed (`sitmon_feed`), a JSON Feed "
        "(`version` https://jsonfeed.org/version/1.1), a GeoJSON FeatureCollection, "
        "an ACLED API response (`data`), a UCDP GED response (`Result`), a GDELT "
        "article list (`articles`), a ReliefWeb v2 response or an HDX HAPI response, "
        "or RSS/Atom XML"
    )


def _acled_rows(rows: list[Any]) -> bool:
    return bool(rows) and isinstance(rows[0], dict) and "event_id_cnty" in rows[0]


def add_record(result: Any, kind: str, data: dict[str, Any], ref: str) -> bool:
    """Validate ``data`` as a ``kind`` record into ``result`` (or a Rejection). True if kept."""
    from ..merge import Rejection
    from ..records import RecordError, convert_record

    try:
        result.records.append(convert_record(kind, data))
        return True
    except RecordError as exc:
        result.rejected.append(
            Rejection(kind, exc.record_id or ref, f"field `{exc.field}`: {exc.problem}")
        )
        return False


def add_feed_source(
    result: Any,
    ctx: AdaptContext,
    key: str,
    name: str,
    kind: str,
    url: str = "",
    role: str = "",
) -> str:
    """Add the Source record standing for the whole feed (``feed-<key>``); its id.

    ``key`` is the feed's stable identity (:func:`feed_key`); ``name`` is what
    the source is called (cut to 500 characters), ``kind`` a Source kind,
    ``url`` its home page, ``role`` a Source role (``aggregator`` for a service
    relaying others' work). Its version is the document's arrival.
    """
    source_id = feed_source_id(key)
    data = {"id": source_id, "name": name[:500] or source_id, "kind": kind}
    data["updated_at"] = ctx.arrived_at
    if role:
        data["role"] = role
    if url:
        data["url"] = url[:2000]
    add_record(result, "source", data, source_id)
    return source_id


def reject(result: Any, kind: str, ref: str, exc: Exception) -> None:
    """Record why one record of the document was not used."""
    from ..merge import Rejection

    if isinstance(exc, RowError):
        reason = str(exc)
    else:  # a value of an unexpected shape: still one record, still one line
        reason = f"unusable value ({type(exc).__name__}: {str(exc)[:120]})"
    result.rejected.append(Rejection(kind, ref, reason.replace("\n", " ")))
