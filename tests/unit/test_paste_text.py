"""Text that pastes: word wrap, URLs never broken, [n] references, the faction legend."""

from __future__ import annotations

import pytest
from sitmon.store import Store
from sitmon.widgets.paste_text import (
    faction_legend,
    text_events,
    text_quotes,
    text_source,
    wrap_keep_urls,
)

LONG_URL = "https://www.bluewin.ch/en/news/international/chronicle-of-the-dramatic-events-in-syria-2478913.html"


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    return Store.open(tmp_path_factory.mktemp("p") / "s.json", seed=True).snapshot()


def numbering():
    seen: dict[str, int] = {}

    def cite(refs):
        return [seen.setdefault(r.source, len(seen) + 1) for r in refs]

    return cite


def test_words_wrap_under_a_hanging_indent():
    assert wrap_keep_urls("one two three four five six", 14, "- ", "  ") == [
        "- one two",
        "  three four",
        "  five six",
    ]


def test_a_long_url_stands_alone_and_whole():
    rows = wrap_keep_urls(f"see {LONG_URL} for more", 40, "  ", "  ")
    assert rows == ["  see", LONG_URL, "  for more"]


def test_a_url_that_fits_the_row_moves_to_the_next_row_whole():
    rows = wrap_keep_urls("read https://example.org/a/b/c today", 28)
    assert rows == ["read", "https://example.org/a/b/c", "today"]


def test_a_source_entry_keeps_its_url_on_one_line():
    assert text_source(1, 5, "bluewin.ch", LONG_URL, 80, ascii=False) == [
        "[1]  bluewin.ch",
        LONG_URL,
    ]
    assert text_source(12, 5, "CNA", "https://cna.example/x", 80, ascii=False) == [
        "[12] CNA",
        "     https://cna.example/x",
    ]


def test_events_are_wrapped_whole_with_references(snap):
    events = [e for e in snap.events if e.title.startswith("SOHR: Aleppo out of regime")]
    rows = text_events(snap, events, numbering(), 80)
    assert rows == [
        "2024-12-01        T  Aleppo, Tal Rifaat: SOHR: Aleppo out of regime control; SNA",
        "                     advances and attacks SDF-held Tal Rifaat [1][2][3][4]",
    ]


def test_quotes_are_wrapped_whole_with_references(snap):
    quotes = [q for q in snap.quotes if q.text == "dead"]
    rows = text_quotes(snap, quotes, numbering(), 60)
    assert rows == [
        "Abu Mohammed al-Joulani · leader of Hayat Tahrir al-Sham",
        "  (HTS) · 2024-12-05 · CNN",
        "  “dead” [1][2]",
        "  → Hama · HTS leader al-Joulani, speaking to CNN, describes",
        "    the Assad regime as 'dead'",
    ]


def test_the_legend_explains_every_faction_symbol(snap):
    rows = faction_legend(snap.factions.values(), 60, ascii=True)
    text = " ".join(rows)
    for f in snap.factions.values():
        assert f"{f.symbol} {f.short}" in text
    assert rows[0].startswith("Faction symbols: ") and all(len(r) <= 60 for r in rows)
    assert text.endswith(", - no faction")
