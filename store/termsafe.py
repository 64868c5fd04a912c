"""The one function every outside string goes through before it reaches a terminal.

Feed *data* is sanitized once, at ingest (:mod:`store.sanitize`). Everything
else sitmon prints that did not come from its own code (file names, URLs,
feed names from the config, store metadata, exception text, config values)
is passed through :func:`terminal_safe` at the point where it is printed or
shown: by the command line (output and one-line errors) and by the monitor's
header and notifications.

Instead of dropping the dangerous characters (which would hide that a file
name holds them), they are shown *visibly* as Python-style escapes, so the
user can still tell two names apart and type them back:

- C0 controls and DEL (``\\x00``..``\\x1f``, ``\\x7f``): ESC becomes ``\\x1b``,
  a newline ``\\n``, a tab ``\\t``, a carriage return ``\\r``;
- the C1 range (``\\x80``..``\\x9f``, e.g. the one-byte CSI ``\\x9b`` and OSC ``\\x9d``);
- bidirectional controls that reorder what is shown: U+061C, U+200E, U+200F,
  U+202A..U+202E, U+2066..U+2069 (``\\u202e``);
- line and paragraph separators U+2028/U+2029, the byte order mark U+FEFF,
  zero-width space U+200B, and lone surrogates (from undecodable file names).

Source of the rule: ECMA-48 (C0/C1 control functions) and Unicode UAX #9
(bidirectional formatting characters); the visible form is Python's own
``repr`` escape syntax.
"""

from __future__ import annotations

import re

from .sanitize import INVISIBLE_MARKS, UNSAFE_CLASS

__all__ = ["terminal_safe"]

#: the registry's unsafe class, plus TAB and LF and the invisible marks
#: (:mod:`sitmon.store.sanitize`): an outside string shows all of them as escapes
_UNSAFE = re.compile(f"[\\t\\n{UNSAFE_CLASS}{INVISIBLE_MARKS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(value: object, max_len: int | None = None) -> str:
    """``str(value)`` with every terminal-steering character escaped visibly; one line.

    ``terminal_safe("a\\x1b]52;c;AAAA\\x07.json")`` is ``'a\\\\x1b]52;c;AAAA\\\\x07.json'``
    (the ESC and BEL shown as the four characters ``\\x1b`` and ``\\x07``).
    The result holds no C0, DEL, C1, bidi control, line separator or lone
    surrogate, so it is also safe in a one-line message. ``max_len`` (characters,
    after escaping) cuts the result and ends it with ``…``. Idempotent on its own
    output. Never raises.
    """
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # a broken __str__ must not take the error message down with it
        text = f"<{type(value).__name__}>"
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_escape, text)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text
