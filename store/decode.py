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

import codecs
import re
from typing import Any

import msgspec

from .adapters.base import FeedError
from .termsafe import terminal_safe

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "CheckedJSON", "check_json", "decode_json", "one_line"]

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
_KEEP_QUOTES_AND_BRACKETS = bytes(b for b in range(256) if b not in b'[]{}"')
_QUOTED = re.compile(rb'"[^"]*"')
_DIGITS_AS_0 = bytes.maketrans(b"123456789", b"000000000")
_NUMBER_CHARS_AS_0 = bytes.maketrans(b"123456789.eE+-", b"0" * 14)
_LONG_NUMBER = re.compile(rb"[0-9.eE+\-]{%d,}" % (MAX_NUMBER_CHARS + 1))
_BIG_INT = re.compile(rb"(?<![0-9.eE+\-])-?[0-9]{20,}(?![0-9.eE])")
_NON_JSON_TOKEN = re.compile(rb"-?(?:NaN|Infinity|inf|nan)\b")
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|-?[0-9][0-9.eE+\-]*')


def one_line(text: str, limit: int = 300) -> str:
    """``text`` as one printable line of at most ``limit`` characters.

    Line breaks and tabs become a space; any other control, C1 or bidi character
    (from a file name, a URL, a server's reason phrase) is shown visibly as an
    escape such as ``\\x1b`` or ``\\u202e`` (:func:`~.termsafe.terminal_safe`), so a
    message never hides what a name holds.
    """
    text = terminal_safe(re.sub(r"[\n\r\t\x0b\x0c\u2028\u2029]+", " ", text).strip())
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
    return check_json(data, what=what).decode()


class CheckedJSON:
    """Bytes that passed the checks of :func:`check_json`; decode them once, any way.

    ``decode()`` gives plain data (or the FeedError of :func:`decode_json`).
    ``try_decode(decoder)`` runs a typed ``msgspec.json.Decoder`` over the same
    bytes and returns None when they do not fit its type (or are not JSON):
    the caller then takes ``decode()``, which reports the problem.

    With ``check_json(..., defer_depth=True)`` the nesting check waits for
    :meth:`ensure_depth` (or :meth:`depth_bounded`, cheap for a caller that
    knows the document's structure). ``decode()`` runs it first in any case.
    """

    __slots__ = ("body", "depth_checked", "offset0", "start", "what")

    def __init__(self, body: bytes, start: int, offset0: int, what: str) -> None:
        self.body = body
        self.start = start
        self.offset0 = offset0
        self.what = what
        self.depth_checked = False

    def depth_bounded(self, known_opens: int, known_depth: int, opens: int | None = None) -> bool:
        """Is the nesting surely within :data:`MAX_DEPTH`, counting brackets only?

        ``known_opens``: that many of the ``[`` and ``{`` bytes in the body are
        known (from a decode) to add at most ``known_depth`` levels to any chain
        of nested values: the rows of a flat array, brackets inside strings.
        Nesting is then at most ``known_depth`` plus the number of the other
        opening brackets. ``opens``: :func:`count_opens` of the body, if counted
        already. True marks the depth as checked.
        """
        if not self.depth_checked:
            limit = known_opens + MAX_DEPTH - known_depth
            if opens is None:
                opens = count_opens(self.body, limit)
            self.depth_checked = opens <= limit
        return self.depth_checked

    def ensure_depth(self) -> None:
        """FeedError unless the nesting is at most :data:`MAX_DEPTH` levels."""
        if not self.depth_checked:
            _check_depth(_structural_brackets(self.body), self.body, self.what, self.start)
            self.depth_checked = True

    def decode(self) -> Any:
        self.ensure_depth()
        what, body = self.what, self.body
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise FeedError(
                f"{what}: not valid JSON: {_explain(exc, body, self.start, self.offset0)}"
            ) from None
        except msgspec.ValidationError as exc:  # e.g. "Number out of range"
            raise FeedError(f"{what}: not valid JSON: {one_line(str(exc), 160)}") from None
        except RecursionError:
            raise FeedError(f"{what}: JSON nested deeper than {MAX_DEPTH} levels") from None
        except (ValueError, OverflowError, MemoryError) as exc:  # never leak another type
            raise FeedError(f"{what}: not valid JSON: {one_line(str(exc), 160)}") from None

    def try_decode(self, decoder: msgspec.json.Decoder) -> Any:
        try:
            return decoder.decode(self.body)
        except (msgspec.MsgspecError, RecursionError, ValueError, OverflowError, MemoryError):
            return None


def _valid_utf8(body: bytes, size: int = 4096) -> bool:
    """Is ``body`` UTF-8? Piece by piece: ASCII pieces need no decoding, and no
    9-million-character string is built. A piece never ends inside a character
    (a cut backs up over up to 3 continuation bytes), so the pieces are valid
    exactly when the whole is."""
    n = len(body)
    start = 0
    decode = codecs.utf_8_decode
    size = max(size, 4)  # so that backing up never reaches the start
    while start < n:
        end = start + size
        if end < n:
            for _ in range(3):
                if 0x80 <= body[end] < 0xC0:
                    end -= 1
        piece = body[start:end]
        if not piece.isascii():
            try:
                decode(piece, "strict", True)
            except UnicodeDecodeError:
                return False
        start = end
    return True


def count_opens(body: bytes, limit: int) -> int:
    """How many ``[`` and ``{`` bytes ``body`` holds, counting no further than ``limit`` + 1.

    ``find`` runs at memchr speed; ``count`` would look at every byte.
    """
    n = 0
    find = body.find
    for ch in (b"{", b"["):
        at = find(ch)
        while at >= 0:
            n += 1
            if n > limit:
                return n
            at = find(ch, at + 1)
    return n


def check_json(
    data: bytes | bytearray | memoryview, *, what: str = "document", defer_depth: bool = False
) -> CheckedJSON:
    """Every check of :func:`decode_json` except the decode itself (FeedError, one line).

    What passes is RFC 8259 JSON as far as UTF-8, nesting depth and number
    literals go; the decoder still finds syntax errors, NaN and float overflow.
    ``defer_depth``: leave the nesting check to :meth:`CheckedJSON.ensure_depth`
    (problems are still reported in the same order: UTF-8, nesting, numbers).
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
    if not body.isascii() and not _valid_utf8(body):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = exc.start + start
            raise FeedError(
                f"{what}: invalid UTF-8 at byte {at} (byte 0x{data[at]:02x}); JSON must be UTF-8"
            ) from None
    checked = CheckedJSON(body, start, offset0, what)
    if not defer_depth:
        checked.ensure_depth()
    if _may_have_long_numbers(body):  # a long digit run somewhere (maybe in a string)
        checked.ensure_depth()  # too deep is reported first, deferred or not
        _check_numbers(_STRING.sub(b'""', body), body, what, start)
    return checked


def _structural_brackets(body: bytes) -> bytes:
    """The brackets of ``body`` outside strings, in order (exact for valid JSON).

    Drop the escapes that hide a quote or a backslash (``\\"``, ``\\\\``) so that
    every quote left opens or closes a string; keep only quotes and brackets
    (in C); drop the empty strings that leaves (``""``). Quotes remain only
    around brackets that were inside strings (removing pairs keeps the parity),
    and go with them.
    """
    if b"\\" in body:
        body = _without_quote_escapes(body)
    brackets = body.translate(None, _KEEP_QUOTES_AND_BRACKETS).replace(b'""', b"")
    if b'"' in brackets:
        brackets = _QUOTED.sub(b"", brackets).translate(None, _KEEP_BRACKETS)
    return brackets


def _without_quote_escapes(body: bytes, cap: int = 20_000) -> bytes:
    """``body`` without its ``\\"`` and ``\\\\`` escapes (valid JSON: backslashes are
    only in strings, and each one found left to right starts an escape).

    ``find`` jumps from backslash to backslash at memchr speed; past ``cap`` of
    them, two ``replace`` passes do the same (pairs of backslashes first: what
    is left of a run then starts an escape).
    """
    find = body.find
    parts = []
    start = 0
    at = find(b"\\")
    for _ in range(cap):
        if at < 0:
            break
        if body[at + 1 : at + 2] in (b"\\", b'"'):
            parts.append(body[start:at])
            start = at + 2
        at = find(b"\\", at + 2)
    else:
        return body.replace(b"\\\\", b"").replace(b'\\"', b"")
    if not parts:
        return body
    parts.append(body[start:])
    return b"".join(parts)


def _may_have_long_numbers(body: bytes) -> bool:
    """Is there a run of 20 digits, or of 41 number characters (``0-9.eE+-``)?

    Exact, but first a cheap necessary condition on every 5th byte: 20
    consecutive bytes hold exactly 4 positions that are multiples of 5, and 41
    hold at least 8, so such a run shows as 4 digits (or 8 number characters)
    in a row among those bytes. Text rarely does that by chance.
    """
    probes = body[::5]
    if (b"0" * 4) not in probes.translate(_DIGITS_AS_0) and (b"0" * 8) not in probes.translate(
        _NUMBER_CHARS_AS_0
    ):
        return False
    return (b"0" * 20) in body.translate(_DIGITS_AS_0) or (
        b"0" * (MAX_NUMBER_CHARS + 1)
    ) in body.translate(_NUMBER_CHARS_AS_0)


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
