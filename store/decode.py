"""Strict JSON decoding of untrusted bytes.

Everything a feed sends goes through :func:`decode_json` before any adapter
sees it. It accepts exactly RFC 8259 JSON (an optional UTF-8 byte-order mark
is ignored, as RFC 8259 allows) and refuses, with a one-line
:class:`~store.adapters.base.FeedError` that says what and where:

- an empty body;
- a body that is not JSON at all (an HTML login or error page, plain text);
- invalid UTF-8 (the byte offset is given);
- ``NaN``, ``Infinity`` and other non-JSON tokens;
- nesting deeper than :data:`MAX_DEPTH` (64) levels;
- absurd numbers: a literal longer than :data:`MAX_NUMBER_CHARS` characters,
  an integer beyond 64 bits, a float beyond the double range.

No other exception ever escapes (not ``RecursionError``, not
``UnicodeDecodeError``, not ``msgspec.ValidationError``).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from .adapters.base import FeedError

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "decode_json", "one_line"]

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40
#: integers outside this range are refused (they are never data, only attacks or bugs)
INT_MIN = -(2**63)
INT_MAX = 2**64 - 1

_BOM = b"\xef\xbb\xbf"
_WS = b" \t\r\n"
# a complete JSON string (unrolled-loop form: fast on large documents)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_PAIR = re.compile(rb"\[\]|\{\}")
_KEEP_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_KEEP_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"\\')
_DIGITS_AS_0 = bytes.maketrans(b"123456789", b"000000000")
_NUMBER_CHARS_AS_0 = bytes.maketrans(b"123456789.eE+-", b"0" * 14)
_LONG_NUMBER = re.compile(rb"[0-9.eE+\-]{%d,}" % (MAX_NUMBER_CHARS + 1))
_BIG_INT = re.compile(rb"(?<![0-9.eE+\-])-?[0-9]{20,}(?![0-9.eE])")
_NON_JSON_TOKEN = re.compile(rb"-?(?:NaN|Infinity|inf|nan)\b")
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|-?[0-9][0-9.eE+\-]*')


def one_line(text: str, limit: int = 300) -> str:
    """``text`` as one printable line of at most ``limit`` characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _snippet(data: bytes, at: int, width: int = 24) -> str:
    piece = data[at : at + width].decode("utf-8", "replace")
    return one_line(repr(piece), 40)


def decode_json(data: bytes | bytearray | memoryview, *, what: str = "document") -> Any:
    """Decode untrusted JSON bytes into plain Python data, strictly.

    ``what`` names the document in error messages (``"feed 'followup'"``).
    Raises :class:`FeedError` (one line) for anything that is not sound JSON.
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    start = 0
    if data.startswith(_BOM):
        start = len(_BOM)
    body = data[start:] if start else data
    stripped = body.lstrip(_WS)
    if not stripped.rstrip(_WS):
        raise FeedError(f"{what}: the body is empty ({len(data)} bytes, no JSON value)")
    first = stripped[:1]
    if first == b"<":
        head = stripped[:200].lower()
        kind = "an HTML page" if (b"<html" in head or b"<!doctype" in head) else "XML or HTML"
        raise FeedError(
            f"{what}: the body is {kind}, not JSON (a login, error or captive-portal page?); "
            f"it starts with {_snippet(stripped, 0)}"
        )
    offset0 = len(data) - len(stripped)
    # Invalid UTF-8 is found by the decoder only inside strings; check everything once.
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + start
        raise FeedError(
            f"{what}: invalid UTF-8 at byte {at} (byte 0x{data[at]:02x}); JSON must be UTF-8"
        ) from None
    # Structure checks (all in C). The fast path: drop everything but brackets,
    # quotes and backslashes; when every string is free of those, each string is
    # now exactly '""' and removing the pairs leaves the structural brackets.
    reduced = body.translate(None, _KEEP_STRUCTURE)
    brackets = reduced.replace(b'""', b"")
    if b'"' in brackets or b"\\" in brackets:  # some string holds brackets or escapes
        brackets = _STRING.sub(b"", reduced)
    _check_depth(brackets.translate(None, _KEEP_BRACKETS), body, what, start)
    if (b"0" * 20) in body.translate(_DIGITS_AS_0) or (
        b"0" * (MAX_NUMBER_CHARS + 1)
    ) in body.translate(
        _NUMBER_CHARS_AS_0
    ):  # a long digit run somewhere (maybe only inside a string): check precisely
        _check_numbers(_STRING.sub(b'""', body), body, what, start)
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise FeedError(f"{what}: not valid JSON: {_explain(exc, body, start, offset0)}") from None
    except msgspec.ValidationError as exc:  # e.g. "Number out of range"
        raise FeedError(f"{what}: not valid JSON: {one_line(str(exc), 160)}") from None
    except RecursionError:
        raise FeedError(f"{what}: JSON nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, OverflowError, MemoryError) as exc:  # defensive: never leak another type
        raise FeedError(f"{what}: not valid JSON: {one_line(str(exc), 160)}") from None


def _explain(exc: Exception, body: bytes, start: int, offset0: int) -> str:
    msg = str(exc)
    m = re.search(r"\(byte (\d+)\)", msg)
    if m:
        at = int(m.group(1))
        if _NON_JSON_TOKEN.match(body, at):
            return (
                f"NaN/Infinity is not JSON at byte {at + start} "
                f"({_snippet(body, at)}); numbers must be finite"
            )
        msg = msg.replace(m.group(0), f"at byte {at + start}, near {_snippet(body, at)}")
    elif "truncated" in msg:
        msg = f"the document ends early at byte {len(body) + start} (truncated, or an unbalanced bracket or quote)"
    return one_line(msg, 200)


def _check_depth(brackets: bytes, body: bytes, what: str, start: int) -> None:
    opens = brackets.count(b"[") + brackets.count(b"{")
    if opens <= MAX_DEPTH:
        return
    # Peel innermost pairs: the number of peels that remove something is the depth.
    for _ in range(MAX_DEPTH):
        peeled = _PAIR.sub(b"", brackets)
        if len(peeled) == len(brackets):
            return  # malformed or balanced already: the decoder reports malformed input
        brackets = peeled
        if not brackets:
            return
    if not _PAIR.search(brackets):
        return
    at = _locate_depth(body)
    where = f" at byte {at + start}" if at is not None else ""
    raise FeedError(f"{what}: JSON nested deeper than {MAX_DEPTH} levels{where}")


def _locate_depth(body: bytes) -> int | None:
    depth = 0
    for m in _TOKEN.finditer(body):
        c = body[m.start()]
        if c in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif c in b"]}":
            depth -= 1
    return None


def _check_numbers(skeleton: bytes, body: bytes, what: str, start: int) -> None:
    problem = None
    m = _LONG_NUMBER.search(skeleton)
    if m:
        problem = f"a number literal longer than {MAX_NUMBER_CHARS} characters"
        token = m.group(0)
    else:
        for m in _BIG_INT.finditer(skeleton):
            if not INT_MIN <= int(m.group(0)) <= INT_MAX:
                problem = "an integer outside the 64-bit range"
                token = m.group(0)
                break
    if problem is None:
        return
    at = None
    for t in _TOKEN.finditer(body):
        if t.group(0).startswith(token[:MAX_NUMBER_CHARS]) and body[t.start()] != 0x22:
            at = t.start()
            break
    where = f" at byte {at + start}" if at is not None else ""
    raise FeedError(
        f"{what}: {problem}{where} ({one_line(token[:30].decode('ascii', 'replace'))}...)"
    )
