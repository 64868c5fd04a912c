"""Bytes in, records out: decode (strict) -> sanitize -> detect -> adapt.

This is the one path every document takes into sitmon: a feed refresh, ``sitmon
import``, ``sitmon validate``. It never touches the store; merging is the
caller's job (:func:`store.refresh.refresh_feed`, the CLI).

Only :class:`~store.adapters.base.FeedError` leaves this module: a document
that cannot be read at all. Problems with single records are
:class:`~store.merge.Rejection` entries in the result.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from .actors import ActorMap
from .adapters import acled, geojson, jsonfeed, sitmon, ucdp
from .adapters.base import AdaptResult, FeedError
from .adapters.detect import FORMATS, AdaptContext, detect_format
from .decode import decode_json, one_line
from .records import Place
from .sanitize import MAX_KEY, MAX_TEXT, sanitize_tree

__all__ = ["FORMATS", "decode_document", "ingest_bytes", "ingest_document", "needs_sanitize"]

# Raw bytes that may decode to something sanitize_tree would change: escapes that
# make control or invisible characters, the UTF-8 forms of C1 controls, zero-width
# and bidi characters and the BOM. (Raw control bytes inside strings are invalid
# JSON and fail decoding first.) A document without any is left as decoded.
_ESCAPES = re.compile(rb'\\[btrfu"]')
_UNICODE = re.compile(
    rb"\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xaf]|\xef\xbb\xbf"
)
_LONG_SEGMENT = re.compile(rb'"[^"]{%d,}' % (MAX_TEXT + 1))
_LONG_KEY = re.compile(rb'"[^"]{%d,}"\s*:' % (MAX_KEY + 1))


def needs_sanitize(raw: bytes) -> bool:
    """Could sanitizing the decoded ``raw`` change anything? (Conservative: False is exact.)

    Meant for documents that decoded as JSON (raw control bytes are invalid there).
    """
    if b"\\" in raw and _ESCAPES.search(raw):
        return True
    if not raw.isascii() and _UNICODE.search(raw):
        return True
    if b"\x7f" in raw:
        return True
    if len(raw) <= MAX_KEY:
        return False
    return bool(_LONG_KEY.search(raw) or (len(raw) > MAX_TEXT and _LONG_SEGMENT.search(raw)))


def decode_document(data: bytes, *, what: str = "document") -> Any:
    """Strictly decoded and sanitized JSON (every string safe to display)."""
    doc = decode_json(data, what=what)
    if needs_sanitize(data):
        doc = sanitize_tree(doc)
    return doc


def _context(
    source_name: str,
    faction_map: Mapping[str, str] | ActorMap | None,
    places: Mapping[str, Place] | None,
    factions: Collection[str] | None,
    url: str,
) -> AdaptContext:
    actors = faction_map if isinstance(faction_map, ActorMap) else ActorMap(faction_map)
    return AdaptContext(
        source_name=source_name, actors=actors, places=places, factions=factions, url=url
    )


def ingest_document(doc: Any, format: str = "auto", ctx: AdaptContext | None = None) -> AdaptResult:
    """Records from an already decoded and sanitized document."""
    ctx = ctx or AdaptContext()
    if format not in FORMATS:
        raise FeedError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    fmt = detect_format(doc) if format == "auto" else format
    try:
        if fmt == "sitmon":
            result = sitmon.adapt(doc)
        else:
            module = {"jsonfeed": jsonfeed, "geojson": geojson, "acled": acled, "ucdp": ucdp}[fmt]
            result = module.adapt(doc, ctx)
    except FeedError:
        raise
    except Exception as exc:  # an adapter bug must still be one line, never a traceback
        raise FeedError(
            f"{fmt} document could not be read ({type(exc).__name__}: {one_line(str(exc), 120)})"
        ) from exc
    result.meta.setdefault("format", fmt)
    return result


def ingest_bytes(
    data: bytes,
    format: str = "auto",
    *,
    source_name: str,
    faction_map: Mapping[str, str] | ActorMap | None = None,
    places: Mapping[str, Place] | None = None,
    factions: Collection[str] | None = None,
    url: str = "",
) -> AdaptResult:
    """Decode, sanitize and adapt one document.

    ``source_name`` names the feed (its Source record is ``feed-<slug>``);
    ``faction_map`` adds actor names to the default actor map; ``places`` and
    ``factions`` (the store's) let adapters resolve names to ids.
    """
    what = f"feed {source_name!r}"
    doc = decode_document(data, what=what)
    ctx = _context(source_name, faction_map, places, factions, url)
    try:
        return ingest_document(doc, format, ctx)
    except FeedError as exc:
        msg = str(exc)
        if not msg.startswith(what):
            msg = f"{what}: {msg}"
        raise FeedError(one_line(msg, 400)) from None
