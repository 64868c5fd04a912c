"""The renderers' output type: plain text lines with style spans.

Pure Python (no Textual, no Rich): the same lines feed a Textual pane (which
turns each into a Rich ``Text``) and the text export (which takes ``.text``).
Style strings use Rich's style syntax (``"bold #c0392b"``, ``"reverse"``), but
they are only strings here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Span", "StyledLine", "pad", "plain"]


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    style: str


@dataclass(frozen=True, slots=True)
class StyledLine:
    """One line of a rendered view: its text and styled ranges of it."""

    text: str
    spans: tuple[Span, ...] = field(default=())

    @staticmethod
    def build(parts: list[tuple[str, str]]) -> StyledLine:
        """Concatenate ``(text, style)`` parts; an empty style adds no span."""
        text = []
        spans = []
        pos = 0
        for chunk, style in parts:
            if not chunk:
                continue
            text.append(chunk)
            if style:
                spans.append(Span(pos, pos + len(chunk), style))
            pos += len(chunk)
        return StyledLine("".join(text), tuple(spans))


def pad(line: StyledLine, width: int) -> StyledLine:
    """Cut or pad ``line`` to exactly ``width`` characters."""
    if len(line.text) == width:
        return line
    if len(line.text) > width:
        spans = tuple(
            Span(s.start, min(s.end, width), s.style) for s in line.spans if s.start < width
        )
        return StyledLine(line.text[:width], spans)
    return StyledLine(line.text + " " * (width - len(line.text)), line.spans)


def plain(lines: list[StyledLine]) -> str:
    """The lines as plain text, trailing spaces removed, newline-terminated."""
    return "".join(line.text.rstrip() + "\n" for line in lines)
