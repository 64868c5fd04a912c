"""Bytes in, records out: decode (strict) -> sanitize -> detect -> adapt.

This is the one path every document takes into sitmon: a feed refresh, ``sitmon
import``, ``sitmon validate``. It never touches the store; merging is the
caller's job (:func:`store.refresh.refresh_feed`, the CLI).

ACLED documents given as bytes take a shortcut with the same result: after the
same strict checks, the rows are decoded straight into structs (no dicts), and
instead of sanitizing the whole tree only the strings the adapter reads are
cleaned, and only when the bytes hold something cleaning changes
(:func:`needs_clean`) and none of it is in an object key (:func:`dirty_key`).
Anything else (an error, an unexpected shape) takes the general path.

Only :class:`~store.adapters.base.FeedError` leaves this module: a document
that cannot be read at all. Problems with single records are
:class:`~store.merge.Rejection` entries in the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from .actors import ActorMap
from .adapters import acled, gdelt, geojson, hapi, jsonfeed, reliefweb, rss, sitmon, ucdp
from .adapters.base import AdaptResult, FeedError
from .adapters.detect import FORMATS, AdaptContext, detect_format
from .decode import MAX_DEPTH, CheckedJSON, check_json, count_opens, decode_json, one_line
from .identity import drop_duplicate_ids
from .records import Place
from .sanitize import MAX_KEY, MAX_TEXT, sanitize_tree

__all__ = [
    "FORMATS",
    "decode_document",
    "dirty_key",
    "ingest_bytes",
    "ingest_document",
    "needs_clean",
    "needs_sanitize",
]

# Raw bytes that may decode to something sanitize_tree would change: escapes that
# make control or invisible characters, the UTF-8 forms of C1 controls, of line and
# paragraph separators and of bidi overrides and isolates (the registry's class,
# sitmon.store.sanitize.UNSAFE_CLASS; tests/unit/test_registries.py checks every
# character). Raw control bytes inside strings are invalid JSON and fail decoding
# first. A document without any is left as decoded.
_ESCAPES = re.compile(rb'\\[btrfu"]')
_UNICODE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")
# Every byte but the quote as "a": a run of n non-quote bytes is then b"a" * n,
# which ``in`` and ``find`` look for in C.
_NOT_QUOTE_AS_A = bytes.maketrans(bytes(b for b in range(256) if b != 0x22), b"a" * 255)
_KEY_END = re.compile(rb"\s*:")  # as in the regex it replaces
# What in raw bytes can decode to a character clean_text changes (its length aside):
# escapes of controls (\b \t \r \f) and \u escapes, the UTF-8 forms of C1 controls,
# of line and paragraph separators, of bidi overrides and isolates, and DEL.
_DIRTY = re.compile(rb"\\[btrfu]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\x7f")
_DIRTY_ESCAPE = re.compile(rb"\\[btrfu]")
# From a character boundary inside a string: the rest of it, its closing quote, whitespace.
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"[ \t\r\n]*', re.DOTALL)


def needs_sanitize(raw: bytes) -> bool:
    """Could sanitizing the decoded ``raw`` change anything? (Conservative: False is exact.)

    Meant for documents that decoded as JSON (raw control bytes are invalid there).
    """
    lengths = raw  # what the string lengths are measured on
    if b"\\" in raw:
        found = _escapes(raw)
        if found is None:  # very many escapes: the plain regex, escaped quotes included
            if _ESCAPES.search(raw):
                return True
        elif found[0]:
            return True
        elif found[2]:  # escaped quotes would cut strings short: blank them, same length
            lengths = _blank(raw, found[2])
    if not raw.isascii() and _has_dirty_utf8(raw):
        return True
    if b"\x7f" in raw:
        return True
    if len(raw) <= MAX_KEY:
        return False
    # A string longer than MAX_TEXT, or a key longer than MAX_KEY: a run of that
    # many bytes between quotes (a character takes at least one byte).
    runs = lengths.translate(_NOT_QUOTE_AS_A)
    key_run = b"a" * (MAX_KEY + 1)
    if key_run not in runs:
        return False
    if len(raw) > MAX_TEXT and _quoted_run(runs, b"a" * (MAX_TEXT + 1)) >= 0:
        return True
    at = _quoted_run(runs, key_run)
    while at >= 0:
        end = runs.find(b'"', at)
        if end < 0:
            return False
        if _KEY_END.match(raw, end + 1):
            return True
        at = _quoted_run(runs, key_run, end + 1)
    return False


def _blank(raw: bytes, positions: list[int]) -> bytes:
    """``raw`` with the two bytes at each of ``positions`` (escaped quotes) as ``__``."""
    parts = []
    start = 0
    for at in positions:
        parts.append(raw[start:at])
        parts.append(b"__")
        start = at + 2
    parts.append(raw[start:])
    return b"".join(parts)


def _quoted_run(runs: bytes, needle: bytes, start: int = 0) -> int:
    """Where the first run of ``needle`` that follows a quote starts (runs from ``start``,
    which is 0 or just after a quote), or -1."""
    at = runs.find(needle, start)
    while at == 0:  # the only place a run is not preceded by a quote
        end = runs.find(b'"')
        if end < 0:
            return -1
        at = runs.find(needle, end + 1)
    return at


def needs_clean(raw: bytes) -> bool:
    """Could cleaning change a character of a string decoded from ``raw`` (JSON)?

    False is exact. Unlike :func:`needs_sanitize`, lengths are not considered:
    the caller cleans or checks every long string it reads itself.
    """
    scan = _escape_scan(raw)
    return _needs_clean(raw, scan[0] if scan else _DIRTY_ESCAPE.search(raw) is not None)


def _needs_clean(raw: bytes, dirty_escape: bool) -> bool:
    if dirty_escape:
        return True
    if not raw.isascii() and _has_dirty_utf8(raw):
        return True
    return b"\x7f" in raw


def _has_dirty_utf8(raw: bytes) -> bool:
    """``_UNICODE.search(raw)``, exactly, but fast."""
    found = _dirty_utf8(raw, first=True)
    return bool(found) if found is not None else _UNICODE.search(raw) is not None


def _dirty_utf8(raw: bytes, first: bool = False, cap: int = 100_000) -> list[int] | None:
    """Where ``raw`` holds the UTF-8 form of a character cleaning removes (what
    ``_UNICODE`` matches: C1 controls, line and paragraph separators, bidi
    overrides and isolates).

    ``find`` jumps between the bytes these forms start with (``\\xc2``, ``\\xe2``)
    at memchr speed; a regex looks at every byte. ``first``: stop at
    the first. None past ``cap`` such bytes (the caller then takes the regex).
    """
    out: list[int] = []
    n = 0
    find = raw.find
    for lead in (b"\xc2", b"\xe2"):
        at = find(lead)
        while at >= 0:
            n += 1
            if n > cap:
                return None
            b1 = raw[at + 1 : at + 2]
            if lead == b"\xc2":
                hit = b"\x80" <= b1 <= b"\x9f"
            else:
                b2 = raw[at + 2 : at + 3]
                hit = (b1 == b"\x80" and b"\xa8" <= b2 <= b"\xae") or (
                    b1 == b"\x81" and b"\xa6" <= b2 <= b"\xa9"
                )
            if hit:
                out.append(at)
                if first:
                    return out
            at = find(lead, at + 1)
    return out


_BRACKET_ESCAPES = (b"u005b", b"u005B", b"u007b", b"u007B")
#: counting brackets one by one pays up to this many besides the rows' own
_NOTES_OPENS_CAP = 200_000


def _escapes(raw: bytes, cap: int = 20_000) -> tuple[list[int], bool, list[int]] | None:
    """The escapes of ``raw`` (valid JSON): (where those cleaning may change are:
    \\b \\t \\r \\f \\u; whether one is a \\u escape of ``[`` or ``{``; where the
    escaped quotes are).

    Backslashes are only in strings, and each one found left to right starts an
    escape: ``find`` jumps between them at memchr speed (a regex looks at every
    byte). None past ``cap`` backslashes.
    """
    find = raw.find
    dirty: list[int] = []
    quotes: list[int] = []
    bracket = False
    at = find(b"\\")
    for _ in range(cap):
        if at < 0:
            return dirty, bracket, quotes
        c = raw[at + 1 : at + 2]
        if c == b'"':
            quotes.append(at)
        elif c and c in b"btrfu":
            dirty.append(at)
            if c == b"u" and raw[at + 1 : at + 6] in _BRACKET_ESCAPES:
                bracket = True
        at = find(b"\\", at + 2)
    return None


def _escape_scan(raw: bytes) -> tuple[bool, bool] | None:
    """(is there an escape cleaning may change; a \\u escape of a bracket), or None."""
    found = _escapes(raw)
    return (bool(found[0]), found[1]) if found is not None else None


def dirty_key(raw: bytes) -> bool:
    """Does an object key in ``raw`` (valid JSON) hold something cleaning changes?

    Sanitizing such a key may make it another key (``"da\\u200bta"`` is ``"data"``),
    which only the general path (sanitize the tree, then read it) gets right.
    """
    escapes = _escapes(raw)
    utf8 = _dirty_utf8(raw) if not raw.isascii() else []
    if escapes is None or utf8 is None:
        return _dirty_key_by_regex(raw)
    positions = escapes[0] + utf8
    at = raw.find(b"\x7f")
    while at >= 0:
        positions.append(at)
        at = raw.find(b"\x7f", at + 1)
    end = 0
    for at in sorted(positions):  # each inside a string, at a character (or escape) start
        if at < end:
            continue  # in the string checked last
        rest = _STRING_REST.match(raw, at)
        if rest is None:
            return True  # not inside a string after all: let the general path decide
        end = rest.end()
        if raw[end : end + 1] == b":":
            return True
    return False


def _dirty_key_by_regex(raw: bytes) -> bool:
    end = 0
    for m in _DIRTY.finditer(raw):
        at = m.start()
        if at < end:
            continue  # in the string checked last
        if raw[at] == 0x5C:  # a backslash: a literal one (escaped itself) starts nothing
            k = at
            while k > 0 and raw[k - 1] == 0x5C:
                k -= 1
            if (at - k) % 2:
                continue
        rest = _STRING_REST.match(raw, at)
        if rest is None:
            return True  # not inside a string after all: let the general path decide
        end = rest.end()
        if raw[end : end + 1] == b":":
            return True
    return False


#: format name -> adapter module (``sitmon`` takes no context)
ADAPTERS = {
    "sitmon": sitmon,
    "jsonfeed": jsonfeed,
    "geojson": geojson,
    "acled": acled,
    "ucdp": ucdp,
    "rss": rss,
    "gdelt": gdelt,
    "reliefweb": reliefweb,
    "hapi": hapi,
}


def decode_document(
    data: bytes, *, what: str = "document", format: str = "auto", url: str = ""
) -> Any:
    """Strictly decoded and sanitized data (every string safe to display).

    JSON as :func:`~store.decode.decode_json` reads it; an RSS or Atom document
    (``format`` auto or rss) as the tree :func:`~store.adapters.rss.parse_xml`
    makes. For GDELT (``format`` gdelt, or a ``url`` on gdeltproject.org) a
    non-JSON body is GDELT's error sentence, raw control characters are
    repaired (counted in ``_sitmon_repaired``), and ``{}`` means no results.
    Raises :class:`FeedError` (one line, naming ``what``).
    """
    is_gdelt = format == "gdelt" or (format == "auto" and gdelt.is_gdelt_url(url))
    if format in ("auto", "rss") and rss.sniff(data):
        return sanitize_tree(rss.parse_xml(data, what=what))
    if format == "rss":
        raise FeedError(
            f"{what}: not an RSS or Atom feed (the root element must be rss, rdf:RDF or feed)"
        )
    if is_gdelt:
        sentence = gdelt.error_sentence(data)
        if sentence is not None:
            raise FeedError(f"{what}: GDELT answered with an error instead of articles: {sentence}")
        try:
            doc = decode_json(data, what=what)
        except FeedError:
            fixed, n = gdelt.repair(data)
            doc = decode_json(fixed, what=what)
            if isinstance(doc, dict):
                doc["_sitmon_repaired"] = n
        return sanitize_tree(doc) if needs_sanitize(data) else doc
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
    feed_id: str = "",
    arrived_at: datetime | None = None,
) -> AdaptContext:
    actors = faction_map if isinstance(faction_map, ActorMap) else ActorMap(faction_map)
    ctx = AdaptContext(
        source_name=source_name,
        actors=actors,
        places=places,
        factions=factions,
        url=url,
        feed_id=feed_id,
    )
    if arrived_at is not None:
        ctx.arrived_at = arrived_at
    return ctx


#: format -> (page document, the page's url) -> the next page's url (absolute or
#: relative), or None on the last page: the formats a refresh reads page by page
NEXT_PAGE: dict[str, Callable[[Any, str], str | None]] = {
    "ucdp": lambda doc, url: ucdp.next_page_url(doc),
    "reliefweb": lambda doc, url: reliefweb.next_page_url(doc),
    "gdelt": gdelt.next_page_url,
}


def ingest_document(
    doc: Any, format: str = "auto", ctx: AdaptContext | None = None, *, page_url: str = ""
) -> AdaptResult:
    """Records from an already decoded and sanitized document.

    For a format read page by page (:data:`NEXT_PAGE`) the result's
    ``meta["next_page"]`` is the next page's url (from ``page_url``, the url this
    page came from), or None.
    """
    ctx = ctx or AdaptContext()
    if format not in FORMATS:
        raise FeedError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    if format == "auto" and doc == {} and gdelt.is_gdelt_url(ctx.url):
        fmt = "gdelt"  # GDELT's answer when nothing matched
    else:
        fmt = detect_format(doc) if format == "auto" else format
    try:
        if fmt == "sitmon":
            result = sitmon.adapt(doc)
        else:
            result = ADAPTERS[fmt].adapt(doc, ctx)
    except FeedError:
        raise
    except Exception as exc:  # an adapter bug must still be one line, never a traceback
        raise FeedError(
            f"{fmt} document could not be read ({type(exc).__name__}: {one_line(str(exc), 120)})"
        ) from exc
    result.meta.setdefault("format", fmt)
    if fmt in NEXT_PAGE:
        result.meta.setdefault("next_page", NEXT_PAGE[fmt](doc, page_url or ctx.url))
    drop_duplicate_ids(result)
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
    feed_id: str = "",
    what: str | None = None,
    page_url: str = "",
    arrived_at: datetime | None = None,
) -> AdaptResult:
    """Decode, sanitize and adapt one document: the one way bytes become records.

    ``sitmon import``, ``sitmon validate`` and every feed refresh (each page of
    it, :func:`store.refresh.refresh_feed`) call this, so the same bytes give the
    same records, at the same speed, whichever way they came.

    ``source_name`` names the feed in messages; ``feed_id`` is its configured
    name (a config feed's, ``import --name``), which scopes record ids when the
    document declares no identity of its own (see :func:`~store.adapters.detect.feed_key`);
    ``faction_map`` adds actor names to the default actor map; ``places`` and
    ``factions`` (the store's) let adapters resolve names to ids; ``what`` names
    the document in messages (default ``feed '<source_name>'``). ``url`` is the
    feed's address as records may cite it (a refresh passes the configured
    template, never an expanded secret); ``page_url`` the address this page was
    fetched from (default ``url``), which GDELT detection and paging read. The
    result's ``meta`` holds the ``format`` read and, for a paged format
    (:data:`NEXT_PAGE`), ``next_page``. ``arrived_at`` (aware) is when the document
    was fetched or imported, the version of records whose source gives none
    (default: now, to the second). Raises :class:`FeedError` (one line) for a
    document that cannot be read at all.
    """
    what = what or f"feed {source_name!r}"
    # the fast path reads event rows; deletions and error bodies take the general one
    if (format == "acled" or (format == "auto" and b'"event_id_cnty"' in data)) and not (
        b'"deleted_timestamp"' in data or b'"error"' in data
    ):
        checked = check_json(data, what=what, defer_depth=True)
        fast = _acled_fast(
            checked,
            format == "auto",
            source_name,
            faction_map,
            places,
            factions,
            url,
            feed_id,
            arrived_at,
        )
        if fast is not None:
            return fast
        doc = checked.decode()
        if needs_sanitize(data):
            doc = sanitize_tree(doc)
    else:
        doc = decode_document(data, what=what, format=format, url=page_url or url)
    ctx = _context(source_name, faction_map, places, factions, url, feed_id, arrived_at)
    try:
        return ingest_document(doc, format, ctx, page_url=page_url)
    except FeedError as exc:
        msg = str(exc)
        if not msg.startswith(what):
            msg = f"{what}: {msg}"
        raise FeedError(one_line(msg, 400)) from None


def _acled_fast(
    checked: CheckedJSON,
    auto: bool,
    source_name: str,
    faction_map: Mapping[str, str] | ActorMap | None,
    places: Mapping[str, Place] | None,
    factions: Collection[str] | None,
    url: str,
    feed_id: str = "",
    arrived_at: datetime | None = None,
) -> AdaptResult | None:
    """The ACLED shortcut (see the module docstring), or None for the general path."""
    with acled.gc_paused():  # no cycles are made: the whole batch needs no collection
        doc = checked.try_decode(acled.DOC_DECODER)
        if doc is None:
            return None  # the general path checks the depth before it decodes
        body = checked.body
        scan = _escape_scan(body)
        if scan is None:  # many escapes: assume the worst of them
            scan = (_DIRTY_ESCAPE.search(body) is not None, True)
        dirty_escape, bracket_escape = scan
        # Rows are flat: the top-level object, `data` and the rows nest 3 deep;
        # only other brackets could nest deeper. Those inside the notes do not
        # count either (unless an escape could have made one).
        known = acled.structural_opens(doc)
        limit = known + MAX_DEPTH - 3
        opens = count_opens(body, limit + _NOTES_OPENS_CAP)
        if not checked.depth_bounded(known, 3, opens) and (
            bracket_escape
            or opens > limit + _NOTES_OPENS_CAP
            or not checked.depth_bounded(known + acled.opens_in_notes(doc), 3, opens)
        ):
            checked.ensure_depth()  # FeedError when too deep, as decode_json would
        clean = _needs_clean(body, dirty_escape)
        if clean and dirty_key(body):
            return None
        try:
            ctx = _context(source_name, faction_map, places, factions, url, feed_id, arrived_at)
            result = acled.adapt_decoded(doc, ctx, clean=clean, auto=auto)
        except Exception:  # never on the way: the general path says what is wrong
            return None
    if result is not None:
        result.meta.setdefault("format", "acled")
        drop_duplicate_ids(result)
    return result
