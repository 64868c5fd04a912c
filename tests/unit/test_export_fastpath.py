"""The fast paths of the text export: plain ASCII rows skip measuring and escaping, and
every other row is still measured in terminal cells and escaped.

Each test names the shortcut it guards; the expected rows are written out by hand
(lead ``2024-12-05 14:30  H  `` is 21 cells, so a width of 60 leaves 39 for the text).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
from sitmon.store.query import Snapshot
from sitmon.store.records import Event, Faction, Place, Source, SourceRef
from sitmon.store.timeutil import SITUATION_TZ, when_formatter
from sitmon.widgets.lines import Span
from sitmon.widgets.paste_text import text_events, wrap_keep_urls
from sitmon.widgets.render_util import cells
from sitmon.widgets.timeline_render import render_timeline_row

from tests.support.cli import cli
from tests.support.tui_fixtures import situation_store

STAMP = datetime(2024, 12, 6, 12, 0, tzinfo=SITUATION_TZ)
#: 2024-12-05 14:30 in the situation's zone (UTC+03), written in UTC
AT = datetime(2024, 12, 5, 11, 30, tzinfo=UTC)
ETE = "e\u0301te\u0301"  # "été" with combining accents: 5 characters, 3 cells
CJK = "東京 大阪 京都 神戸 横浜 札幌 福岡 仙台"  # 23 characters, 39 cells


def _event(eid: str, title: str, *, places=(), url="", when=AT, faction="hts") -> Event:
    return Event(
        id=eid,
        time=when,
        precision="exact",
        title=title,
        places=list(places),
        factions=[faction],
        updated_at=STAMP,
        sources=[SourceRef(source="sohr", url=url)],
    )


def _snapshot(events: list[Event]) -> Snapshot:
    return Snapshot(
        as_of=STAMP,
        first=None,
        last=None,
        control={},
        control_at_start={},
        events=events,
        quotes=[],
        figures=[],
        places={
            "hama": Place(id="hama", name="Hama", lat=35.1, lon=36.8, updated_at=STAMP),
        },
        factions={
            "hts": Faction(
                id="hts", name="HTS", short="HTS", symbol="H", colour="#112233", updated_at=STAMP
            ),
        },
        sources={"sohr": Source(id="sohr", name="SOHR", updated_at=STAMP)},
    )


def _numbering():
    """Numbers by citation (source and URL), as the export's Sources list does."""
    seen: dict[tuple[str, str], int] = {}
    return lambda refs: [seen.setdefault((r.source, r.url), len(seen) + 1) for r in refs]


def _rows(titles: list[str], width: int = 60, *, ascii: bool = False) -> list[str]:
    events = [_event(f"ev-{i}", t) for i, t in enumerate(titles)]
    return text_events(_snapshot(events), events, _numbering(), width, ascii=ascii)


def test_cells_counts_wide_and_combining_characters():
    assert cells("Hama falls") == 10
    assert cells("東京") == 4
    assert cells("a😀b") == 4
    assert cells(ETE) == 3
    assert cells("") == 0


def test_a_plain_row_that_fits_is_one_line():
    events = [_event("ev-1", "Rebels enter the city", places=["hama"])]
    rows = text_events(_snapshot(events), events, _numbering(), 60)
    assert rows == ["2024-12-05 14:30  H  Hama: Rebels enter the city [1]"]


def test_a_plain_row_too_long_wraps_under_its_lead():
    title = "Rebels enter the city from the north as the army redeploys"
    events = [_event("ev-1", title, places=["hama"])]
    rows = text_events(_snapshot(events), events, _numbering(), 60)
    assert rows == [
        "2024-12-05 14:30  H  Hama: Rebels enter the city from the",
        "                     north as the army redeploys [1]",
    ]


def test_wide_characters_are_measured_in_cells_not_characters():
    # 27 characters (it would "fit" 39 by length) but 43 cells: the reference wraps
    assert _rows([CJK]) == [
        "2024-12-05 14:30  H  東京 大阪 京都 神戸 横浜 札幌 福岡 仙台",
        "                     [1]",
    ]


def test_combining_marks_take_no_cell():
    # 57 characters (too long by length) but 39 cells: one line
    assert _rows([" ".join([ETE] * 9)]) == [
        "2024-12-05 14:30  H  " + " ".join([ETE] * 9) + " [1]",
    ]


def test_an_ascii_row_and_a_wide_row_cut_at_the_same_width_line_up():
    ascii_rows = wrap_keep_urls("abcd efgh ijkl", 14, "- ", "  ")
    wide_rows = wrap_keep_urls("東京 大阪 京都", 14, "- ", "  ")
    accent_rows = wrap_keep_urls(f"{ETE} {ETE} {ETE}", 14, "- ", "  ")
    assert ascii_rows == ["- abcd efgh", "  ijkl"]
    assert wide_rows == ["- 東京 大阪", "  京都"]
    assert accent_rows == [f"- {ETE} {ETE} {ETE}"]  # 11 cells: fits the 12 left


@pytest.mark.parametrize(
    ("title", "ascii", "expected"),
    [
        # plain ASCII but for the controls: the shortcut for plain rows must not take it
        ("Hama\x1b[2J falls\nagain", False, "Hama\ufffd[2J falls again [1]"),
        ("Hama\x1b[2J falls\nagain", True, "Hama?[2J falls again [1]"),
        ("Hama\x1b[2J falls\nagain\x9b", False, "Hama\ufffd[2J falls again\ufffd [1]"),
        ("Hama\x1b[2J falls\nagain\x9b", True, "Hama?[2J falls again? [1]"),
    ],
)
def test_a_control_character_in_a_title_is_still_escaped(title, ascii, expected):
    # ESC and the one-byte CSI become visible; the newline does not break the row
    assert _rows([title], ascii=ascii) == ["2024-12-05 14:30  H  " + expected]


@pytest.mark.parametrize(
    "title", ["Hama   falls  again", "Hama falls\tagain ", " Hama falls again"]
)
def test_runs_of_white_space_become_one_space(title):
    assert _rows([title]) == ["2024-12-05 14:30  H  Hama falls again [1]"]


def test_narrow_rows_keep_month_day_and_the_indent():
    rows = _rows(["Rebels enter the city from the north"], width=50)
    assert rows == [
        "12-05 14:30  H  Rebels enter the city from the",
        "                north [1]",
    ]


def test_one_source_cited_at_two_addresses_keeps_two_numbers():
    events = [
        _event("ev-1", "First report", url="https://example.org/a"),
        _event("ev-2", "Second report", url="https://example.org/b"),
        _event("ev-3", "Third report", url="https://example.org/a"),
    ]
    rows = text_events(_snapshot(events), events, _numbering(), 60)
    assert rows == [
        "2024-12-05 14:30  H  First report [1]",
        "2024-12-05 14:30  H  Second report [2]",
        "2024-12-05 14:30  H  Third report [1]",
    ]


def test_the_row_date_is_in_the_situation_zone_whatever_the_offset_given():
    fmt = when_formatter(SITUATION_TZ)
    plus3 = timezone(timedelta(hours=3))
    plus5 = timezone(timedelta(hours=5))
    assert fmt(datetime(2024, 12, 5, 14, 30, tzinfo=plus3)) == "2024-12-05 14:30"
    assert fmt(datetime(2024, 12, 5, 14, 30, tzinfo=plus5)) == "2024-12-05 12:30"
    assert fmt(datetime(2024, 12, 5, 15, 30, tzinfo=plus5)) == "2024-12-05 13:30"
    assert fmt(datetime(2024, 12, 5, 16, 30, tzinfo=plus3)) == "2024-12-05 16:30"
    assert fmt(datetime(2024, 12, 5, 22, 30, tzinfo=UTC)) == "2024-12-06 01:30"
    assert fmt(datetime(2024, 12, 5, 14, 30, tzinfo=plus3), "day") == "2024-12-05"
    assert fmt(datetime(2024, 12, 31, 22, 0, tzinfo=UTC), "month") == "2025-01"
    assert fmt(datetime(2024, 12, 31, 20, 0, tzinfo=UTC), "year") == "2024"


def test_the_export_command_measures_and_escapes_its_rows(tmp_path, capsys):
    accents = " ".join([ETE] * 8)  # 47 characters, 31 cells
    extra = [
        _event("ev-cjk", CJK, when=datetime(2024, 12, 5, 11, 1, tzinfo=UTC), faction="hts_led"),
        _event("ev-ete", accents, when=datetime(2024, 12, 5, 11, 2, tzinfo=UTC), faction="hts_led"),
    ]
    store = situation_store(tmp_path / "s.json", extra=extra)
    rc, out, err = cli(capsys, store, "export", "--view", "timeline", "--width", "60")
    assert rc == 0, err
    lines = out.splitlines()
    i = lines.index("2024-12-05 14:01  H  東京 大阪 京都 神戸 横浜 札幌 福岡 仙台")
    assert lines[i + 1].startswith("                     [")  # its reference, wrapped
    (ete,) = [line for line in lines if accents in line]
    assert ete.startswith("2024-12-05 14:02  H  " + accents + " [")  # one line
    assert all(cells(line) <= 60 for line in lines if "https://" not in line)


# ---------------------------------------------------------------- the pane's one-line row

#: "   " (cursor, mark, space) + the time padded to 16 + " H " + "Hama" padded to 14 + " "
PREFIX = "   2024-12-05 14:30 H Hama           "  # 37 characters and cells


def _pane_row(title: str, *, context: bool = False):
    e = _event("ev-1", title, places=["hama"])
    if context:
        e = msgspec.structs.replace(e, context=True)
    return render_timeline_row(e, _snapshot([e]), 60, colour=True)


def test_pane_rows_of_ascii_wide_and_combining_titles_are_cut_to_the_same_width():
    # 23 cells and 23 characters are left for the title, the ellipsis included
    plain = _pane_row("Rebels enter the city from the north").text
    wide = _pane_row(CJK).text
    accents = _pane_row(" ".join([ETE] * 8)).text
    assert plain == PREFIX + "Rebels enter the city…"
    assert wide == PREFIX + "東京 大阪 京都 神戸 横…"  # 60 cells in 51 characters
    assert accents == PREFIX + f"{ETE} {ETE} {ETE} e\u0301te…"  # 60 characters, 53 cells
    assert [cells(plain), cells(wide), cells(accents)] == [59, 60, 53]
    assert [len(plain), len(wide), len(accents)] == [59, 51, 60]


def test_a_cut_row_keeps_its_styles_up_to_the_cut():
    row = _pane_row(CJK, context=True)  # "context: " dim italic, then the title dim
    assert row.text == PREFIX + "context: 東京 大阪 京…"
    assert row.spans == (
        Span(3, 19, "dim"),
        Span(20, 21, "bold #112233"),
        Span(22, 36, "bold"),
        Span(37, 46, "dim italic"),
        Span(46, 54, "dim"),
    )
