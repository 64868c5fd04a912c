"""Sanitizing untrusted text, once, at ingest.

Feed text must never reach a terminal as control sequences: Rich and Textual
pass ESC, NUL, DEL and the C1 range straight through. Everything that enters
the store from a document goes through :func:`sanitize_tree` first.

Removed: only what can act on a terminal or reorder text (:data:`UNSAFE_CLASS`,
the one registry of unsafe characters; the export and
:func:`sitmon.store.termsafe.terminal_safe` use it too): C0 controls (NUL..US,
ESC among them, except TAB and LF in multi-line text, which stay as a space and
a newline), DEL, the C1 range U+0080..U+009F, bidi embeddings/overrides
(U+202A..U+202E) and isolates (U+2066..U+2069), and lone surrogates. CR, CRLF and
the line and paragraph separators U+2028/U+2029 become LF. Text is capped in
length.

Kept: every character that changes meaning. The zero-width non-joiner and
joiner (U+200C, U+200D) spell Persian words (``می‌روند``) and join emoji
sequences; the directional marks (U+200E, U+200F, U+061C) and other
zero-width characters only ever affect the text they sit in.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "BIDI_CONTROLS",
    "CONTROLS",
    "INVISIBLE_MARKS",
    "LINE_SEPARATORS",
    "MAX_TEXT",
    "SURROGATES",
    "UNSAFE_CLASS",
    "UNSAFE_RE",
    "clean_text",
    "sanitize_tree",
]

MAX_TEXT = 20_000
MAX_KEY = 200

# --- the registry of unsafe characters (regex class bodies). Sources: ECMA-48
# (C0/C1 control functions), Unicode UAX #9 (bidirectional formatting characters).
#: C0 controls but TAB and LF, DEL and the C1 range: they steer a terminal
CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
#: bidi embeddings, overrides and isolates: they reorder the text around them
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: line and paragraph separators: line breaks a terminal or a file may act on
LINE_SEPARATORS = "\u2028\u2029"
#: lone surrogates (from undecodable bytes): not text at all
SURROGATES = "\ud800-\udfff"
#: what no stored or exported text holds
UNSAFE_CLASS = CONTROLS + BIDI_CONTROLS + LINE_SEPARATORS + SURROGATES
UNSAFE_RE = re.compile(f"[{UNSAFE_CLASS}]")
#: kept in data (they only affect the text they sit in: Arabic letter mark,
#: zero-width space, LRM/RLM, BOM) but escaped in outside strings such as file
#: names, where an invisible character would hide a difference
INVISIBLE_MARKS = "\u061c\u200b\u200e\u200f\ufeff"

_NEEDS = re.compile(f"[\t\n{UNSAFE_CLASS}]")


def clean_text(value: str, max_len: int = MAX_TEXT) -> str:
    """One string made safe to display literally. Idempotent."""
    if _NEEDS.search(value):
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        value = value.replace("\u2028", "\n").replace("\u2029", "\n")
        value = UNSAFE_RE.sub("", value)
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
