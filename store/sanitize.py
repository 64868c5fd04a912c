"""Sanitizing untrusted text, once, at ingest.

Feed text must never reach a terminal as control sequences: Rich and Textual
pass ESC, NUL, DEL and the C1 range straight through. Everything that enters
the store from a document goes through :func:`sanitize_tree` first.

Removed: only what can act on a terminal or reorder text: C0 controls
(NUL..US, ESC among them, except TAB and LF in multi-line text, which stay as
a space and a newline), DEL, the C1 range U+0080..U+009F, bidi
embeddings/overrides (U+202A..U+202E) and isolates (U+2066..U+2069), and lone
surrogates. CR and CRLF become LF. Text is capped in length.

Kept: every character that changes meaning. The zero-width non-joiner and
joiner (U+200C, U+200D) spell Persian words (``می‌روند``) and join emoji
sequences; the directional marks (U+200E, U+200F, U+061C) and other
zero-width characters only ever affect the text they sit in.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_TEXT", "clean_text", "sanitize_tree"]

MAX_TEXT = 20_000
MAX_KEY = 200

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NEEDS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean_text(value: str, max_len: int = MAX_TEXT) -> str:
    """One string made safe to display literally. Idempotent."""
    if _NEEDS.search(value):
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        value = _BAD.sub("", value)
    if len(value) > max_len:
        value = value[: max_len - 1] + "…"
    return value


def sanitize_tree(obj: Any, _depth: int = 0) -> Any:
    """A copy of decoded JSON with every string (keys included) cleaned."""
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, dict):
        return {
            (clean_text(k, MAX_KEY) if isinstance(k, str) else k): sanitize_tree(v, _depth + 1)
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [sanitize_tree(v, _depth + 1) for v in obj]
    return obj
