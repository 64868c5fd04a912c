"""The pure renderers: widths, ASCII, colour off, symbols for every colour, literal text.

No Textual here: renderers take a Snapshot and return StyledLines.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitmon.store import Store
from sitmon.store.timeutil import fmt_day, parse_as_of
from sitmon.widgets.detail_render import DETAIL_KINDS, render_detail, render_detail_links
from sitmon.widgets.lines import plain
from sitmon.widgets.quotes_render import render_quotes
from sitmon.widgets.render_util import cells, fit, safe, source_label, wrap
from sitmon.widgets.stats_render import render_stats, sparkline, stats_blocks
from sitmon.widgets.timeline_render import render_timeline, render_timeline_row, timeline_rows

from tests.support.tui_fixtures import HOSTILE_TITLE, hostile_event, situation_store

WIDTHS = (20, 40, 59, 60, 80, 120, 200)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = situation_store(tmp_path_factory.mktemp("r") / "s.json", extra=[hostile_event()])
    return Store.open(path, seed=False)


@pytest.fixture(scope="module")
def snap(store):
    return store.snapshot()


def _check(lines, width, *, ascii=False, colour=True):
    for line in lines:
        assert len(line.text) <= width, (width, line.text)
        assert cells(line.text) <= width, (width, line.text)
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line.text), line.text
        if ascii:
            assert line.text.isascii(), line.text
        for span in line.spans:
            assert 0 <= span.start <= span.end <= len(line.text)
            if not colour:
                assert "#" not in span.style and not any(
                    c in span.style.split()
                    for c in ("red", "green", "blue", "cyan", "yellow", "magenta")
                ), span.style


def _all_views(snap, store, width, **kw):
    out = []
    out += render_timeline(snap, width, **kw)
    out += render_quotes(snap, width, **kw)
    out += render_stats(snap, width, **kw)
    for kind, item in (
        ("event", "ev-hama-falls"),
        ("quote", "q-conquest"),
        ("place", "hama"),
        ("figure", "deaths_total"),
    ):
        out += render_detail(snap, kind, item, width, store=store, **kw)
    return out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("ascii", [False, True])
@pytest.mark.parametrize("colour", [True, False])
def test_every_line_fits_and_respects_ascii_and_colour(snap, store, width, ascii, colour):
    lines = _all_views(snap, store, width, ascii=ascii, colour=colour)
    assert lines
    _check(lines, width, ascii=ascii, colour=colour)


def test_timeline_row_parts(snap):
    ev = next(e for e in snap.events if e.id == "ev-hama-falls")
    row = render_timeline_row(ev, snap, 100)
    assert row.text.startswith("   2024-12-05 16:00 H Hama")
    assert row.text.rstrip().endswith("Hama falls to the HTS-led coalition")
    sel = render_timeline_row(ev, snap, 100, selected=True, marked=True)
    assert sel.text.startswith("▶* ") and len(sel.text) == 100
    assert sel.spans[0].style == "reverse"
    asc = render_timeline_row(ev, snap, 100, selected=True, ascii=True)
    assert asc.text.startswith("> ")
    day = next(e for e in snap.events if e.id == "ev-m5")
    assert render_timeline_row(day, snap, 100).text.startswith("   2024-11-28       H Saraqib")
    narrow = render_timeline_row(ev, snap, 50)
    assert narrow.text.startswith("   12-05 16:00 H Hama: Hama falls")


def test_faction_colour_always_comes_with_its_symbol(snap):
    ev = next(e for e in snap.events if e.id == "ev-tal-rifaat")
    row = render_timeline_row(ev, snap, 100)
    coloured = [s for s in row.spans if "#3a7bd5" in s.style]
    assert coloured and all(row.text[s.start : s.end] == "T" for s in coloured)
    mono = render_timeline_row(ev, snap, 100, colour=False)
    assert "T" in mono.text and not any("#" in s.style for s in mono.spans)


def test_timeline_order_window_and_empty(snap, store):
    newest = render_timeline(snap, 100)
    oldest = render_timeline(snap, 100, newest_first=False)
    assert [ln.text for ln in newest] == [ln.text for ln in reversed(oldest)]
    window = render_timeline(snap, 100, height=3, top=2)
    assert [ln.text for ln in window] == [ln.text for ln in newest[2:5]]
    assert len(render_timeline(snap, 100, height=None)) == len(timeline_rows(snap))
    early = store.snapshot(parse_as_of("2024-11-26"))
    assert plain(render_timeline(early, 80)) == "No events as of 2024-11-26.\n"
    flt = store.snapshot(filter="nothing-matches")
    assert "No events match 'nothing-matches'" in render_timeline(flt, 80)[0].text


def test_hostile_text_is_literal_and_has_no_control_bytes(snap, store):
    row = render_timeline_row(next(e for e in snap.events if e.id == "ev-hostile"), snap, 120)
    assert HOSTILE_TITLE in row.text
    detail = plain(render_detail(snap, "event", "ev-hostile", 80, store=store))
    assert "[@click=app.quit]Hama [bold]x[/b]" in detail
    assert "\x1b" not in detail and "\x07" not in detail and "\x9b" not in detail
    assert "\ufffd" in detail  # the bytes are shown as visible replacement characters
    assert safe("a\x1b[2Jb\x9b", ascii=True) == "a?[2Jb?"


def test_quotes_blocks(snap):
    text = plain(render_quotes(snap, 80, selected="q-conquest"))
    assert "▶ Abu Mohammed al-Joulani · HTS leader · 2024-12-05 · CNN" in text
    assert "┃   “I ask God Almighty that this be a conquest without revenge.”" in text
    assert "→ Hama · Hama falls to the HTS-led coalition" in text
    assert render_quotes(snap, 80, height=2, top=1)[0].text == render_quotes(snap, 80)[1].text


def test_stats_keep_sources_side_by_side_with_sparklines(snap, store):
    text = plain(render_stats(snap, 100))
    assert "Deaths (total)" in text and "more than 727" in text
    assert "also: about 600 (Reuters, 2024-12-04)" in text
    assert "Syrian Observatory for Human Rights · as of 2024-12-05 · since 27 Nov" in text
    spark_row = next(ln for ln in text.splitlines() if "Deaths (total)" in ln)
    assert any(ch in spark_row for ch in "▁▂▃▄▅▆▇█")
    early = store.snapshot(parse_as_of("2024-11-28"))
    early_text = plain(render_stats(early, 100))
    assert "more than 130" in early_text and "▁" not in early_text  # one observation: no sparkline


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory):
    return Store.open(tmp_path_factory.mktemp("bundled") / "s.json")  # seeded: the bundled data


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", (40, 80, 120))
@pytest.mark.parametrize("ascii", [False, True])
def test_stats_show_every_source_date_and_scope_in_full(bundled_store, width, ascii):
    """The source line wraps (indented like "also:"); it is never cut with an ellipsis.

    For every figure the bundled data shows, on every day one is reported: the names
    of all its sources, its ``as of YYYY-MM-DD`` (whole, on one row) and its scope;
    for the other sources' figures beside it, their names and dates.
    """
    latest = bundled_store.snapshot()
    days = sorted({fmt_day(f.as_of) for m in latest.figures for f in m.history})
    assert days
    shown = 0
    for day in days:
        snap = bundled_store.snapshot(parse_as_of(day))
        blocks = dict(stats_blocks(snap, width, ascii=ascii))
        assert blocks
        for m in snap.figures:
            lines = blocks[m.metric]
            _check(lines, width, ascii=ascii)
            body = [line.text[4:] for line in lines[1:]]  # below the headline, past the gutter
            flat = _norm(" ".join(body))
            fig = m.latest
            as_of = f"as of {fmt_day(fig.as_of)}"
            assert re.fullmatch(r"as of \d{4}-\d{2}-\d{2}", as_of)
            assert any(as_of in row for row in body), (m.metric, width, body)
            assert fig.sources
            for ref in fig.sources:
                name = _norm(safe(source_label(ref, snap.sources), ascii=ascii))
                assert name in flat, (m.metric, name, width, body)
            if fig.scope:
                assert _norm(safe(fig.scope, ascii=ascii)) in flat, (m.metric, width, body)
            for other in m.others:
                for ref in other.sources:
                    name = _norm(safe(source_label(ref, snap.sources), ascii=ascii))
                    assert name in flat, (m.metric, name, width, body)
                assert fmt_day(other.as_of) in flat
            shown += 1
    assert shown >= 6


def test_sparkline():
    assert sparkline([]) == ""
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5]) == "▅▅"
    assert sparkline([0, 10], ascii=True) == "_#"
    assert sparkline([0, 10], ascii=True).isascii()


def test_detail_links_point_at_records(snap, store):
    """Every selectable row of the detail view leads somewhere: a record (Enter opens its
    detail) or, since issue 16, a cited source URL (``y`` copies it, ``o`` opens it)."""
    lines, links = render_detail_links(snap, "event", "ev-hama-falls", 100, store=store)
    assert [links[i] for i in sorted(links)] == [
        ("url", "https://example.org/ev-hama-falls"),
        ("place", "hama"),
        ("quote", "q-conquest"),
        ("quote", "q-wound"),
        ("event", "ev-hostile"),
        ("event", "ev-army-redeploys"),
        ("event", "ev-hama-enter"),
        ("event", "ev-prison"),
        ("event", "ev-homs-strike"),
        ("event", "ev-hama-north"),
    ]
    rows = {links[i]: lines[i].text.strip() for i in links}
    # the URL row shows the URL the link carries, whole; record rows show the record
    assert rows[("url", "https://example.org/ev-hama-falls")] == "https://example.org/ev-hama-falls"
    assert rows[("place", "hama")].startswith("• Hama ")
    assert "a conquest without revenge" in rows[("quote", "q-conquest")]
    assert "Army says it has redeployed outside Hama" in rows[("event", "ev-army-redeploys")]
    for kind, _item in links.values():
        assert kind == "url" or kind in DETAIL_KINDS


def test_place_detail_as_of_a_moment(store):
    before = store.snapshot(parse_as_of("2024-12-02"))
    text = plain(render_detail(before, "place", "hama", 100, store=store))
    assert "Control as of 2024-12-02" in text
    assert "Syrian government forces" in text.split("Control history")[0]
    assert "(later)" in text  # the 3 and 5 December changes are after the shown moment
    assert "Hama falls" not in text  # events after the moment are not listed


def test_unknown_records_and_kinds(snap, store):
    assert "not in the store" in render_detail(snap, "event", "nope", 60, store=store)[0].text
    assert "not in the store" in render_detail(snap, "place", "nope", 60, store=store)[0].text
    with pytest.raises(ValueError):
        render_detail(snap, "bogus", "x", 60)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=200), st.integers(min_value=1, max_value=120), st.booleans())
def test_fit_and_wrap_never_overflow(text, width, ascii):
    text = safe(text, ascii=ascii)
    out = fit(text, width, ascii=ascii)
    assert len(out) <= width and cells(out) <= width
    for row in wrap(text, width, ascii=ascii):
        assert len(row) <= width and cells(row) <= width
        if ascii:
            assert row.isascii()


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=300), st.integers(min_value=20, max_value=160))
def test_any_title_renders_within_width(snap, title, width):
    import msgspec

    base = next(e for e in snap.events if e.id == "ev-hama-falls")
    ev = msgspec.structs.replace(base, title=title, time=base.time + timedelta(seconds=1))
    row = render_timeline_row(ev, snap, width, selected=True)
    _check([row], width)
