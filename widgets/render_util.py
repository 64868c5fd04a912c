"""Text helpers shared by the pure renderers (no Textual, no Rich).

Everything a renderer puts on screen goes through :func:`safe` (control
characters become a visible replacement, never bytes that reach the terminal),
is measured in terminal cells (:func:`cells`) and fitted with :func:`fit` or
:func:`wrap`, so a line never exceeds its width in characters *or* cells.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sitmon.store.provenance import publisher_of, relays_of
from sitmon.store.query import metric_label
from sitmon.store.records import SOURCE_ROLES, Faction, Figure, Place, Source, SourceRef

from .lines import Span, StyledLine, cut_spans

T = TypeVar("T")

__all__ = [
    "Glyphs",
    "cells",
    "faction_style",
    "fit",
    "fmt_number",
    "fmt_value",
    "glyphs",
    "metric_label",
    "place_names",
    "safe",
    "source_label",
    "style",
    "wrap",
]

# C0, DEL and C1 -> U+FFFD (or "?" in ASCII). Newlines and tabs -> a space in one-line text.
_CTRL = {i: "\ufffd" for i in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}
_CTRL[0x09] = " "
_CTRL[0x0A] = " "
_CTRL_ASCII = {k: ("?" if v == "\ufffd" else v) for k, v in _CTRL.items()}
_CTRL_KEEP_NL = dict(_CTRL)
_CTRL_KEEP_NL[0x0A] = "\n"

# Common typography -> 7-bit
_ASCII_MAP = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "*",
        "\u00b7": ".",
        "\u2192": "->",
        "\u2190": "<-",
        "\u25b6": ">",
        "\u2502": "|",
        "\u00d7": "x",
        "\ufffd": "?",
    }
)


def safe(text: str, *, ascii: bool = False, newlines: bool = False) -> str:
    """``text`` made literal and one-line (unless ``newlines``): no control characters.

    With ``ascii`` the result is 7-bit: accents are dropped, typography is
    mapped to ASCII look-alikes and anything else becomes ``?``.
    """
    if text.isprintable() and (not ascii or text.isascii()):
        return text  # no control character (C0, DEL, C1 are all unprintable): nothing to do
    if newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CTRL_KEEP_NL)
    else:
        text = text.translate(_CTRL_ASCII if ascii else _CTRL)
    if ascii and not text.isascii():
        text = text.translate(_ASCII_MAP)
        if not text.isascii():
            text = unicodedata.normalize("NFKD", text)
            text = "".join(
                ch if ch.isascii() else ("" if unicodedata.combining(ch) else "?") for ch in text
            )
    return text


def _char_cells(ch: str) -> int:
    if ch.isascii():
        return 1
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class _CellTable(dict):
    """Character -> terminal cells, filled on first sight: one small entry per distinct
    character of the non-ASCII texts measured (a store in one or two scripts: a few hundred)."""

    def __missing__(self, ch: str) -> int:
        n = self[ch] = _char_cells(ch)
        return n


_CELLS = _CellTable()
_cells_of = _CELLS.__getitem__


def cells(text: str) -> int:
    """Terminal cells ``text`` takes: wide East Asian characters (Unicode East Asian
    Width ``W`` / ``F``) count 2, combining marks 0, everything else 1.

    Plain ASCII is its length (no look-up per character).
    """
    if text.isascii():
        return len(text)
    return sum(map(_cells_of, text))


def _cut(text: str, width: int) -> str:
    """The longest prefix of ``text`` that fits in ``width`` cells and characters."""
    if text.isascii():
        return text[:width]
    used = 0
    for i, w in enumerate(map(_cells_of, text)):
        if used + w > width or i >= width:
            return text[:i]
        used += w
    return text


def fit(text: str, width: int, *, ascii: bool = False, pad: bool = False) -> str:
    """Cut ``text`` to ``width`` (an ellipsis marks the cut); pad with spaces if ``pad``."""
    if width <= 0:
        return ""
    n = cells(text)
    if n > width or len(text) > width:
        ell = "..." if ascii else "…"
        if width <= len(ell):
            text = _cut(text, width)
        else:
            text = _cut(text, width - len(ell)).rstrip() + ell
        n = cells(text)
    if pad:
        extra = min(width - n, width - len(text))
        if extra > 0:
            text += " " * extra
    return text


def wrap(text: str, width: int, *, ascii: bool = False) -> list[str]:
    """Word-wrap ``text`` (keeping its paragraph breaks) to lines of at most ``width`` cells."""
    width = max(1, width)
    out: list[str] = []
    for para in safe(text, ascii=ascii, newlines=True).split("\n"):
        words = para.split()
        if not words:
            out.append("")
            continue
        line = ""
        for word in words:
            while cells(word) > width or len(word) > width:  # longer than a line: hard split
                if line:
                    out.append(line)
                    line = ""
                head = _cut(word, width)
                if not head:  # one character wider than the whole line
                    head, shown = word[0], "?"
                else:
                    shown = head
                out.append(shown)
                word = word[len(head) :]
            if not word:
                continue
            candidate = f"{line} {word}" if line else word
            if cells(candidate) <= width and len(candidate) <= width:
                line = candidate
            else:
                out.append(line)
                line = word
        if line:
            out.append(line)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return out


def style(colour: bool, coloured: str, plain: str = "") -> str:
    """``coloured`` when colour is on, else ``plain`` (bold/reverse/underline only)."""
    return coloured if colour else plain


def faction_style(faction: Faction | None, colour: bool) -> str:
    if faction is None:
        return "dim" if colour else ""
    return f"bold {faction.colour}" if colour else "bold"


class Glyphs:
    """The symbols a renderer draws, in Unicode or 7-bit ASCII."""

    def __init__(self, ascii: bool) -> None:
        self.ascii = ascii
        self.cursor = ">" if ascii else "▶"
        self.bar = "|" if ascii else "┃"
        self.dot = "." if ascii else "·"
        self.sep = " | " if ascii else " · "
        self.arrow = "->" if ascii else "→"
        self.ell = "..." if ascii else "…"
        self.open_q = '"' if ascii else "“"
        self.close_q = '"' if ascii else "”"
        self.dash = "-" if ascii else "—"
        self.bullet = "*" if ascii else "•"
        self.marked = "*"
        self.none = "-" if ascii else "·"
        self.rule = "-" if ascii else "─"


_GLYPHS = {False: Glyphs(False), True: Glyphs(True)}


def glyphs(ascii: bool) -> Glyphs:
    return _GLYPHS[bool(ascii)]


def place_names(ids: Iterable[str], places: dict[str, Place]) -> str:
    return ", ".join(places[p].name if p in places else p for p in ids)


def source_label(ref: SourceRef, sources: dict[str, Source]) -> str:
    src = sources.get(ref.source)
    return src.name if src else ref.source


def provenance_label(rec: Any, sources: dict[str, Source]) -> str:
    """Who published ``rec`` and who relayed it: ``"SOHR via Seed article; AFP"``.

    The publisher and relays follow :mod:`sitmon.store.provenance`; "unsourced"
    when the record cites nothing.
    """
    pub = publisher_of(rec, sources)
    if not pub:
        return "unsourced"
    name = sources[pub].name if pub in sources else pub
    relays = [sources[r].name if r in sources else r for r in relays_of(rec, sources)]
    return f"{name} via {'; '.join(dict.fromkeys(relays))}" if relays else name


def source_with_role(src: Source | None, source_id: str) -> tuple[str, str]:
    """``(name, " (primary publisher)")`` for a citation's source: the role where the
    source states one (:data:`store.records.SOURCE_ROLES`), else its kind, else nothing."""
    if src is None:
        return source_id, ""
    if src.role:
        return src.name, f" ({SOURCE_ROLES[src.role]})"
    return src.name, (f" ({src.kind})" if src.kind != "other" else "")


#: shown before the title of an event marked ``context`` (background, not that day's event)
CONTEXT_LABEL = "context: "


def fmt_number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


_QUALIFIER = {
    "exact": "",
    "at least": "at least ",
    "more than": "more than ",
    "about": "about ",
    "up to": "up to ",
}


def fmt_value(fig: Figure) -> str:
    """``more than 727``, ``between 100 and 200``, ``$10,000,000``."""
    unit = fig.unit
    if fig.qualifier == "between" and fig.low is not None and fig.high is not None:
        text = f"between {fmt_number(fig.low)} and {fmt_number(fig.high)}"
    else:
        text = _QUALIFIER.get(fig.qualifier, "") + fmt_number(fig.value)
        if fig.low is not None and fig.high is not None:
            text += f" ({fmt_number(fig.low)}-{fmt_number(fig.high)})"
    if unit and unit not in ("people", "persons"):
        text += f" {unit}"
    return text


def line_of(parts: list[tuple[str, str]], width: int, *, ascii: bool = False) -> StyledLine:
    """Build a line from parts, cut to ``width`` (cells and characters)."""
    line = StyledLine.build(parts)
    if cells(line.text) <= width and len(line.text) <= width:
        return line
    text = fit(line.text, width, ascii=ascii)
    return StyledLine(text, cut_spans(line.spans, len(text)))


def highlight_line(line: StyledLine, width: int, style_: str) -> StyledLine:
    """``line`` padded to ``width`` with ``style_`` over all of it (the cursor row)."""
    pad_n = max(0, width - cells(line.text))
    pad_n = min(pad_n, width - len(line.text))
    text = line.text + " " * max(0, pad_n)
    return StyledLine(text, (Span(0, len(text), style_), *line.spans))


def stacked_blocks(
    rows: Sequence[T], key: Callable[[T], str], render_block: Callable[[T], list[StyledLine]]
) -> list[tuple[str, list[StyledLine]]]:
    """``(key, lines)`` for each row's block, with a blank line between blocks."""
    out = []
    for i, row in enumerate(rows):
        block = render_block(row)
        if i < len(rows) - 1:
            block.append(StyledLine("", ()))
        out.append((key(row), block))
    return out
