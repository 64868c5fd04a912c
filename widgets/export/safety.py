"""Text safety on the way out of an export: sanitize, clean JSON values, web URLs.

Defence in depth: text was sanitized at ingest; an export checks again."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sitmon.store.records import record_to_dict
from sitmon.store.sanitize import UNSAFE_RE
from sitmon.widgets.render_util import safe

# --------------------------------------------------------------------------- safety

#: C0 (tab and newline handled apart), DEL, C1, bidi embeddings/overrides/isolates,
#: line/paragraph separators, lone surrogates: the registry's class, as at ingest.
#: Zero-width joiners/non-joiners and directional marks carry meaning (Persian
#: spelling, emoji) and are kept, as at ingest.
_UNSAFE = UNSAFE_RE  # the registry (sitmon.store.sanitize.UNSAFE_CLASS)


def sanitize_output(text: str, *, ascii: bool = False) -> str:
    """The last pass over a whole export: no control or bidi character survives.

    Tabs become spaces; every other unsafe character becomes U+FFFD (``?`` in
    ASCII). With ``ascii`` anything outside 7-bit is transliterated or ``?``.
    """
    if "\t" in text:
        text = text.replace("\t", " ")
    text = _UNSAFE.sub("?" if ascii else "\ufffd", text)
    if ascii and not text.isascii():
        text = safe(text, ascii=True, newlines=True)
        text = "".join(ch if ch.isascii() else "?" for ch in text)
    return text


def _clean_value(text: str) -> str:
    """A string for JSON: unsafe characters removed (as ingest would), newlines kept."""
    if _UNSAFE.search(text) or "\t" in text or "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        text = _UNSAFE.sub("", text)
    return text


def is_web_url(url: str) -> bool:
    """Is ``url`` an absolute http(s) URL with a host (the only kind made a link)?"""
    if not url or url != url.strip() or _UNSAFE.search(url) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _clean_tree(obj: Any) -> Any:
    """Decoded JSON data made safe: strings cleaned, ``url`` values that are not http(s) dropped."""
    if isinstance(obj, str):
        return _clean_value(obj)
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "url" and isinstance(v, str) and not is_web_url(v):
                continue
            out[_clean_value(k) if isinstance(k, str) else k] = _clean_tree(v)
        return out
    if isinstance(obj, list | tuple):
        return [_clean_tree(v) for v in obj]
    return obj


def _record(rec: Any) -> dict[str, Any]:
    return _clean_tree(record_to_dict(rec))
