"""A pane line becomes the same coloured cells as Rich would draw it.

``line_segments`` skips ``rich.text.Text.render`` for lines whose spans do not
overlap (issue 13: the first frame). What a user sees must not change: each
character keeps the style Rich gives it (the pane's base style under the
span's), and a line with overlapping spans (the cursor row) still looks as Rich
draws it.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from sitmon.widgets.lines import Span, StyledLine
from sitmon.widgets.panes.lineview import line_segments, to_text

CONSOLE = Console(width=80, color_system="truecolor")
BASE = Style.parse("#d0d0d0 on #101010")


def per_cell(segments: list[Segment]) -> list[tuple[str, Style | None]]:
    """(character, style) for each character: how the line looks, however it is cut."""
    return [(ch, seg.style) for seg in segments for ch in seg.text]


def rich_reference(line: StyledLine, base: Style) -> list[tuple[str, Style | None]]:
    """What the pane drew before: Rich's own render, an unstyled piece in the base style."""
    null = base or Style()
    return per_cell(
        [
            s if s.style is not None else Segment(s.text, null)
            for s in to_text(line, base).render(CONSOLE)
        ]
    )


def test_a_styled_word_keeps_the_pane_colours_under_its_own() -> None:
    line = StyledLine("Aleppo taken", (Span(0, 6, "bold #ff5f00"),))
    segments, cells = line_segments(line, BASE, CONSOLE)
    assert [(s.text, s.style) for s in segments] == [
        ("Aleppo", Style.parse("bold #ff5f00 on #101010")),
        (" taken", Style.parse("#d0d0d0 on #101010")),
    ]
    assert cells == 12


def test_a_line_without_spans_is_one_piece_in_the_base_style() -> None:
    segments, cells = line_segments(StyledLine("Hama", ()), BASE, CONSOLE)
    assert [(s.text, s.style) for s in segments] == [("Hama", BASE)]
    assert cells == 4


def test_wide_characters_count_two_cells() -> None:
    segments, cells = line_segments(StyledLine("حلب 中", (Span(4, 5, "bold"),)), BASE, CONSOLE)
    assert "".join(s.text for s in segments) == "حلب 中"
    assert cells == 6


def test_a_span_beyond_the_text_draws_nothing_more() -> None:
    # (Rich's Text.render raises StopIteration on this one)
    segments, cells = line_segments(StyledLine("Homs", (Span(9, 12, "bold"),)), BASE, CONSOLE)
    assert [(s.text, s.style) for s in segments] == [("Homs", BASE)]
    assert cells == 4


LINES = [
    StyledLine("", ()),
    StyledLine("plain", ()),
    StyledLine("  12:30 HTS enters Aleppo", (Span(2, 7, "dim"), Span(8, 11, "bold #e74c3c"))),
    StyledLine("abc", (Span(0, 3, "reverse"),)),
    StyledLine("gap at the end  ", (Span(0, 3, "italic"), Span(7, 10, "underline"))),
    StyledLine("adjacent", (Span(0, 3, "red"), Span(3, 8, "blue"))),
    StyledLine("empty span", (Span(2, 2, "red"), Span(4, 6, "green"))),
    StyledLine("past the end", (Span(5, 40, "bold"),)),
    # the cursor row: a span over the whole line, the row's own spans on top
    StyledLine("> Idlib 3/5", (Span(0, 11, "reverse"), Span(2, 7, "bold #00afff"))),
    StyledLine("nested", (Span(0, 6, "on #333333"), Span(1, 3, "bold"), Span(2, 5, "italic"))),
    StyledLine("bell\x07 and tab", (Span(0, 4, "bold"),)),
]


def test_every_line_shape_looks_as_rich_draws_it() -> None:
    for base in (BASE, Style()):
        for line in LINES:
            segments, cells = line_segments(line, base, CONSOLE)
            assert per_cell(segments) == rich_reference(line, base), line
            assert cells == to_text(line, base).cell_len, line
