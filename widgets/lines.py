"""The renderers' output type: plain text lines with style spans.

Pure Python (no Textual, no Rich): the same lines feed a Textual pane (which
turns each into a Rich ``Text``) and the text export (which takes ``.text``).
Style strings use Rich's style syntax (``"bold #c0392b"``, ``"reverse"``), but
they are only strings here.
"""

from __future__ import annotations

from typing import NamedTuple

import msgspec

__all__ = ["Span", "StyledLine", "cut_spans", "pad", "plain"]


class Span(NamedTuple):
    """Characters ``start`` (included) to ``end`` (excluded) of a line's text, in
    ``style``. A named tuple: a renderer makes one per styled part of every row, and a
    tuple is made several times faster than a frozen dataclass."""

    start: int
    end: int
    style: str


class StyledLine(msgspec.Struct, frozen=True):
    """One line of a rendered view: its text and styled ranges of it."""

    text: str
    spans: tuple[Span, ...] = ()

    @staticmethod
    def build(parts: list[tuple[str, str]]) -> StyledLine:
        """Concatenate ``(text, style)`` parts; an empty style adds no span."""
        spans = []
        pos = 0
        for chunk, style in parts:
            end = pos + len(chunk)
            if style and end > pos:
                spans.append(Span(pos, end, style))
            pos = end
        return StyledLine("".join([chunk for chunk, _ in parts]), tuple(spans))


def pad(line: StyledLine, width: int) -> StyledLine:
    """Cut or pad ``line`` to exactly ``width`` characters."""
    if len(line.text) == width:
        return line
    if len(line.text) > width:
        return StyledLine(line.text[:width], cut_spans(line.spans, width))
    return StyledLine(line.text + " " * (width - len(line.text)), line.spans)


def cut_spans(spans: tuple[Span, ...], keep: int) -> tuple[Span, ...]:
    """``spans`` of a line cut to its first ``keep`` characters."""
    return tuple(
        [s if s.end <= keep else Span(s.start, keep, s.style) for s in spans if s.start < keep]
    )


def plain(lines: list[StyledLine]) -> str:
    """The lines as plain text, trailing spaces removed, newline-terminated."""
    return "".join(line.text.rstrip() + "\n" for line in lines)
