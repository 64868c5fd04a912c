"""Pilot tests of every key path, asserting on what the user sees (pane lines, titles, state).

Each test builds its own small store (tests/support/tui_fixtures.py) and runs the app
headless with a frozen clock, no background refresh and no disk polling. Tests
wait for workers (``app.workers.wait_for_complete()``) and never sleep.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import types
from datetime import date
from types import SimpleNamespace

import pytest
from sitmon.store import Store
from sitmon.store.records import convert_record, record_to_dict
from sitmon.store.sanitize import sanitize_tree
from sitmon.tui.app import SitmonApp
from sitmon.tui.screens import DetailScreen, GotoDateScreen, HelpScreen

from tests.support.tui_fixtures import (
    HOSTILE_TITLE,
    hostile_event,
    make_app,
    situation_records,
    situation_store,
)
from tests.support.tui_fixtures import (
    settle as ready,
)


@pytest.fixture
def store_path(tmp_path):
    return situation_store(tmp_path / "s.json")


def timeline_text(app: SitmonApp) -> list[str]:
    return app.main_screen.timeline.lines_as_text()


def titles(app: SitmonApp) -> list[str]:
    return (
        [app.main_screen.timeline.selected_event.title]
        if app.main_screen.timeline.selected_event
        else []
    )


# --------------------------------------------------------------------------- startup


async def test_first_frame_paints_before_the_store_loads(store_path, monkeypatch):
    gate = threading.Event()
    real_open = Store.open

    def slow_open(*args, **kwargs):
        gate.wait(10)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Store, "open", slow_open)
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.store is None
        assert "Loading" in timeline_text(app)[0]
        assert "loading" in app.main_screen.header_text().plain
        gate.set()
        await ready(pilot)
        assert app.store is not None
        assert any("Hama falls" in line for line in timeline_text(app))
        assert "as of 2024-12-05 (latest)" in app.main_screen.header_text().plain


async def test_store_error_is_shown_and_the_app_keeps_running(tmp_path):
    bad = tmp_path / "future.json"
    bad.write_text('{"meta": {"1": {"schema_version": 99}}}')
    app = make_app(bad)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert app.store is None
        assert "Cannot open the store" in timeline_text(app)[0]
        assert "store error" in app.main_screen.header_text().plain
        await pilot.press("tab", "[", "question_mark")
        await pilot.pause()
        assert app.is_running


# --------------------------------------------------------------------------- panes


async def test_tab_cycles_panes_and_numbers_jump(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.main_screen.active_pane == "timeline" and app.focused is app.main_screen.timeline
        assert str(app.main_screen.timeline.border_title).startswith("▶")
        await pilot.press("tab")
        assert app.main_screen.active_pane == "map" and app.focused is app.main_screen.map_pane
        assert str(app.main_screen.map_pane.border_title).startswith("▶")
        assert not str(app.main_screen.timeline.border_title).startswith("▶")
        await pilot.press("tab", "tab", "tab")
        assert app.main_screen.active_pane == "timeline"
        await pilot.press("shift+tab")
        assert app.main_screen.active_pane == "stats"
        for key, pane in (("3", "quotes"), ("1", "timeline"), ("4", "stats"), ("2", "map")):
            await pilot.press(key)
            assert app.main_screen.active_pane == pane and app.focused.id == pane
            assert app.main_screen.pane(pane).has_class("-active")


async def test_z_maximises_and_restores(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("3", "z")
        await pilot.pause()
        assert app.main_screen.maximised and app.screen.has_class("-max")
        assert not app.main_screen.timeline.display or app.main_screen.timeline.region.height == 0
        quotes = app.main_screen.pane("quotes")
        assert quotes.region.height > 40
        await pilot.press("z")
        await pilot.pause()
        assert not app.main_screen.maximised
        assert app.main_screen.timeline.region.height > 0 and quotes.region.height < 40


async def test_selection_keys_move_the_cursor(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        tl = app.main_screen.timeline
        rows = [e.id for e in tl.rows]
        assert tl.selected_id == rows[0]
        assert timeline_text(app)[0].startswith("▶")
        await pilot.press("down", "j")
        assert tl.selected_id == rows[2]
        assert timeline_text(app)[2].startswith("▶")
        await pilot.press("k")
        assert tl.selected_id == rows[1]
        await pilot.press("end")
        assert tl.selected_id == rows[-1]
        await pilot.press("home")
        assert tl.selected_id == rows[0]
        await pilot.press("pagedown")
        assert tl.selected_id == rows[min(len(rows) - 1, tl.page_height)]
        await pilot.press("pageup")
        assert tl.selected_id == rows[0]
        await pilot.press("up")  # at the top: stays
        assert tl.selected_id == rows[0]


async def test_timeline_order_toggles(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert (
            "More than 115,000 displaced" in timeline_text(app)[0]
            or "Hama" in timeline_text(app)[0]
        )
        await pilot.press("s")
        assert "11-27 06:00" in timeline_text(app)[0]
        assert "oldest first" in str(app.main_screen.timeline.border_title)
        await pilot.press("s")
        assert "11-27" not in timeline_text(app)[0]


async def test_enter_opens_the_detail_and_esc_goes_back(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.main_screen.timeline.select("ev-hama-falls")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.item == "ev-hama-falls"
        text = "\n".join(screen.view.plain_lines)
        assert "Hama falls to the HTS-led coalition" in text
        assert "https://example.org/ev-hama-falls" in text  # sources with URLs
        assert "I ask God Almighty" in text  # linked quotes
        assert "Hama" in text and "Places" in text
        # follow a link: Tab selects the source URLs first, then the place; Enter opens it
        await pilot.press("tab")
        assert screen.view.link == ("url", "https://example.org/ev-hama-falls")
        while screen.view.link[0] == "url":
            await pilot.press("tab")
        assert screen.view.link == ("place", "hama")
        await pilot.press("enter")
        await pilot.pause()
        place_screen = app.screen
        assert isinstance(place_screen, DetailScreen) and place_screen.kind == "place"
        ptext = "\n".join(place_screen.view.plain_lines)
        assert "Control history" in ptext and "contested" in ptext
        assert "https://example.org/control/hama" in ptext
        assert "Rebels enter several districts of Hama" in ptext
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert app.screen is app.main_screen
        assert app.focused is app.main_screen.timeline


async def test_detail_of_place_quote_and_figure(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.kind == "quote"
        await pilot.press("escape", "4", "enter")
        await pilot.pause()
        assert app.screen.kind == "figure"
        text = "\n".join(app.screen.view.plain_lines)
        assert "more than 727" in text and "about 600" in text  # both sources side by side
        await pilot.press("escape")


async def test_filter_the_focused_pane(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("slash")
        bar = app.query_one("#filterbar")
        assert bar.display and app.focused is bar
        await pilot.press(*"aleppo")
        await pilot.pause()
        lines = [ln for ln in timeline_text(app) if ln.strip()]
        assert lines and all("Aleppo" in ln for ln in lines)
        assert "/aleppo" in str(app.main_screen.timeline.border_title)
        await pilot.press("enter")  # keeps the filter, back to the pane
        assert app.focused is app.main_screen.timeline and not bar.display
        assert app.filters["timeline"] == "aleppo"
        await pilot.press("escape")  # Esc in the pane clears its filter
        assert app.filters["timeline"] == ""
        assert any("Hama falls" in ln for ln in timeline_text(app))
        # prefixes; Esc in the filter line clears and closes
        await pilot.press("slash", *"type:capture")
        await pilot.pause()
        assert app.main_screen.timeline.rows and all(
            e.type == "capture" for e in app.main_screen.timeline.rows
        )
        await pilot.press("escape")
        assert app.filters["timeline"] == "" and not bar.display
        # a filter of another pane does not touch the timeline; typing q does not quit
        await pilot.press("4", "slash", *"quq")
        await pilot.pause()
        assert app.is_running and app.filters["stats"] == "quq"
        assert "No figures match" in app.main_screen.pane("stats").lines_as_text()[0]
        assert app.filters["timeline"] == ""


async def test_filter_by_faction_and_place_prefix(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.main_screen.set_filter("timeline", "faction:sna")
        assert [e.id for e in app.main_screen.timeline.rows] == ["ev-tal-rifaat"]
        app.main_screen.set_filter("timeline", "place:hama type:battle")
        assert {e.id for e in app.main_screen.timeline.rows} == {"ev-hama-north", "ev-hama-enter"}


# --------------------------------------------------------------------------- time travel


async def test_day_keys_go_back_and_forward_within_bounds(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.day is None and app.day_bounds() == (date(2024, 11, 26), date(2024, 12, 5))
        await pilot.press("left_square_bracket")
        assert app.day == date(2024, 12, 4)
        assert "as of 2024-12-04" in app.main_screen.header_text().plain
        assert not any("Hama falls" in ln for ln in timeline_text(app))
        # Hama contested on the map, figures as known then
        assert app.main_screen.map_pane.snapshot.control["hama"].status == "contested"
        stats = "\n".join(app.main_screen.pane("stats").lines_as_text())
        assert "about 600" in stats and "727" not in stats
        await pilot.press("right_square_bracket")
        assert app.day is None
        assert any("Hama falls" in ln for ln in timeline_text(app))
        await pilot.press("right_square_bracket")  # already the latest
        assert app.day is None
        for _ in range(15):
            await pilot.press("left_square_bracket")
        assert app.day == date(2024, 11, 26)
        assert "No events" in timeline_text(app)[0]
        assert app.main_screen.map_pane.snapshot.control["aleppo"].faction == "government"
        assert app.main_screen.pane("quotes").lines_as_text()[0].startswith("No quotes")
        assert app.main_screen.pane("stats").lines_as_text()[0].startswith("No figures")
        await pilot.press("n")
        assert app.day is None


async def test_goto_date_dialog(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GotoDateScreen)
        inp = app.screen.query_one("Input")
        inp.value = ""
        await pilot.press(*"2024-13-01", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GotoDateScreen)  # a bad date keeps the dialog open
        assert "not an ISO-8601 date" in str(app.screen.query_one("#error").content)
        inp.value = ""
        await pilot.press(*"2024-11-29", "enter")
        await pilot.pause()
        assert app.screen is app.main_screen
        assert app.day == date(2024, 11, 29)
        assert app.main_screen.map_pane.snapshot.control["aleppo"].faction == "hts_led"
        await pilot.press("g", "escape")
        assert app.day == date(2024, 11, 29)


async def test_replay_steps_day_by_day_and_stops(store_path):
    app = make_app(store_path, replay_interval=60)  # the test drives the ticks itself
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("p")
        assert app.main_screen.replay_timer is not None and app.day == date(2024, 11, 26)
        assert "replay" in app.main_screen.header_text().plain
        app.main_screen.replay_tick()
        assert app.day == date(2024, 11, 27)
        await pilot.press("p")  # stop
        assert app.main_screen.replay_timer is None and app.day == date(2024, 11, 27)
        await pilot.press("p")
        assert app.day == date(2024, 11, 27)  # resumes from the shown day
        for _ in range(20):
            app.main_screen.replay_tick()
        assert app.day is None and app.main_screen.replay_timer is None


# --------------------------------------------------------------------------- map and cross-pane links


async def test_selecting_hama_on_the_map_filters_timeline_and_quotes(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        m = app.main_screen.map_pane
        assert m.place is None
        await pilot.press("down")  # first press selects a place
        assert m.place is not None
        # walk to Hama with the arrows (it is reachable from anywhere in a few steps)
        for _ in range(12):
            if m.place == "hama":
                break
            target = m._positions["hama"]
            here = m._positions[m.place]
            if abs(target[1] - here[1]) * 2 > abs(target[0] - here[0]):
                await pilot.press("down" if target[1] > here[1] else "up")
            else:
                await pilot.press("right" if target[0] > here[0] else "left")
        if m.place != "hama":
            m.select("hama")
        await pilot.pause()
        assert app.place == "hama"
        rows = app.main_screen.timeline.rows
        assert rows and all("hama" in e.places for e in rows)
        assert "at Hama" in str(app.main_screen.timeline.border_title)
        assert all(q.places == ("hama",) for q in app.main_screen.pane("quotes").snapshot.quotes)
        assert "Hama" in str(m.border_title)
        assert any("[H" in line for line in m.lines_as_text())  # highlighted marker
        # Enter opens the place; Esc back; Esc on the map clears the place
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.item == "hama"
        await pilot.press("escape", "escape")
        assert app.place is None
        assert any("Aleppo" in ln for ln in timeline_text(app))


async def test_selecting_an_event_highlights_its_place(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        app.main_screen.timeline.select("ev-tal-rifaat")
        await pilot.pause()
        assert app.main_screen.map_pane.highlight == "tal_rifaat"
        assert app.main_screen.map_pane.map_options().selected == "tal_rifaat"
        assert app.place is None  # highlighting does not filter


async def test_map_keys(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        m = app.main_screen.map_pane
        await pilot.press("2", "right")
        selected = m.place
        await pilot.press("plus")
        assert m.zoom > 1 and m.center is not None and "zoom" in str(m.border_title)
        await pilot.press("minus")
        assert m.zoom == 1
        await pilot.press("plus", "shift+left")
        lat, lon = m.center
        await pilot.press("shift+right", "shift+right")
        assert m.center[1] > lon
        await pilot.press("0")
        assert m.zoom == 1 and m.center is None
        before = list(m.lines_as_text())
        await pilot.press("a")
        assert m.charset == "ascii"
        after = m.lines_as_text()
        assert after != before and all(ch.isascii() for ln in after for ch in ln)
        await pilot.press("l")
        assert m.labels is False
        assert not any("Aleppo" in ln and "Aleppo" in ln.split("│")[0] for ln in m.lines_as_text())
        assert m.place == selected


# --------------------------------------------------------------------------- help, palette, quit


async def test_help_lists_every_key(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(app.screen.view.plain_lines)
        from sitmon.tui import actions

        for spec in actions.ACTIONS:
            assert spec.help in text
        assert "Ctrl+P" in text
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def _palette_shows(pilot, prompt: str, limit: float = 10.0) -> None:
    """Wait until the command palette highlights a command whose text starts with
    ``prompt`` (the search runs in workers and posts its hits in batches)."""
    from textual.command import CommandList

    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        await app.workers.wait_for_complete()
        await pilot.pause()
        lists = app.screen.query(CommandList)
        if lists:
            cl = lists.first()
            if cl.highlighted is not None and cl.option_count:
                option = cl.get_option_at_index(cl.highlighted)
                if str(option.prompt).startswith(prompt):
                    return
    raise AssertionError(f"the palette never highlighted {prompt!r} within {limit}s")


async def test_palette_go_to_place_and_date(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to place: hama")
        await _palette_shows(pilot, "Go to place: Hama")
        await pilot.press("enter")
        await pilot.pause()
        assert app.place == "hama"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to date: 2024-12-01")
        await _palette_shows(pilot, "Go to date: 2024-12-01")
        await pilot.press("enter")
        await pilot.pause()
        assert app.day == date(2024, 12, 1)


async def test_palette_commands_cover_the_spec(store_path):
    from sitmon.tui.palette import palette_commands

    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        texts = [c.text for c in palette_commands(app)]
        for needle in (
            "Go to place: Hama",
            "Go to date: 2024-11-26",
            "Go to date…",
            "Switch pane: Map",
            "Export pane",
            "Export report",
            "Refresh feeds",
            "Change theme",
            "What changed",
            "Save SVG screenshot",
        ):
            assert needle in texts
        switch = next(c for c in palette_commands(app) if c.text == "Switch pane: Quotes")
        switch.run()
        await pilot.pause()
        assert app.main_screen.active_pane == "quotes"


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit(store_path, key):
    app = make_app(store_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press(key)
        await pilot.pause()
    assert app.return_code == 0


# --------------------------------------------------------------------------- layout


async def test_layout_adapts_and_keeps_the_selection(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.main_screen.layout_mode == "grid"
        app.main_screen.timeline.select("ev-saraqib")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.main_screen.layout_mode == "compact" and app.screen.has_class("-compact")
        assert app.main_screen.timeline.region.height > 10
        assert app.main_screen.map_pane.region.height <= 1  # collapsed to its title line
        assert app.main_screen.timeline.selected_id == "ev-saraqib"
        assert any(ln.startswith("▶") and "Saraqib" in ln for ln in timeline_text(app))
        await pilot.press("2")
        await pilot.pause()
        assert (
            app.main_screen.map_pane.region.height > 10
            and app.main_screen.timeline.region.height <= 1
        )
        await pilot.resize_terminal(50, 12)
        await pilot.pause()
        assert app.main_screen.layout_mode == "toosmall"
        msg = str(app.query_one("#toosmall").content)
        assert "at least 60x16" in msg and "50x12" in msg
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert (
            app.main_screen.layout_mode == "grid"
            and app.main_screen.timeline.selected_id == "ev-saraqib"
        )


async def test_no_color_keeps_the_focus_visible(store_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.no_color and app.pane_options.colour is False
        assert str(app.main_screen.timeline.border_title).startswith("▶")
        line = app.main_screen.timeline.build_line(0, 80)
        assert all("#" not in s.style for s in line.spans)
        await pilot.press("tab")
        assert str(app.main_screen.map_pane.border_title).startswith("▶")


async def test_keymap_from_config_remaps_keys(store_path):
    config = SimpleNamespace(
        theme="textual-light", keymap={"app.day_back": "comma", "app.pane_map": "m"}, feeds=[]
    )
    app = make_app(store_path, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.theme == "textual-light"
        await pilot.press("comma")
        assert app.day == date(2024, 12, 4)
        await pilot.press("m")
        assert app.main_screen.active_pane == "map"
        assert "[m] Map" in str(app.main_screen.map_pane.border_title)
        await pilot.press("question_mark")
        await pilot.pause()
        text = "\n".join(app.screen.view.plain_lines)
        assert any(line.startswith(",") and "one day earlier" in line for line in text.splitlines())


# --------------------------------------------------------------------------- hostile data


@pytest.mark.parametrize("via_ingest", [True, False])
async def test_hostile_title_is_shown_literally(tmp_path, via_ingest):
    ev = hostile_event()
    if via_ingest:  # as a feed would bring it in: sanitized at ingest
        ev = convert_record("event", sanitize_tree(record_to_dict(ev)))
    path = situation_store(tmp_path / "s.json", extra=[ev])
    app = make_app(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.main_screen.timeline.rows[0].id == "ev-hostile"
        first = timeline_text(app)[0]
        assert HOSTILE_TITLE in first
        assert "\x1b" not in first and "\x9b" not in first
        # the rendered strip holds the literal text and no click action
        strip = app.main_screen.timeline.render_line(0)
        assert HOSTILE_TITLE in strip.text
        assert all(not (seg.style and seg.style.meta) for seg in strip)
        # clicking it selects it and does nothing else
        await pilot.click(app.main_screen.timeline, offset=(40, 0))
        await pilot.click(app.main_screen.timeline, offset=(40, 0))
        await pilot.pause()
        assert app.is_running
        await pilot.press("enter")
        await pilot.pause()
        detail = "\n".join(app.screen.view.plain_lines)
        assert HOSTILE_TITLE in detail and "\x1b" not in detail and "\x07" not in detail
        assert HOSTILE_TITLE in str(app.screen.query_one(".screen-title").content)
        await pilot.press("escape")
        # the palette and notifications show it literally too
        from sitmon.tui.palette import _highlight

        shown = _highlight(HOSTILE_TITLE, "hama", lambda q, c: (1, [c.lower().index("h")]))
        assert shown.plain == HOSTILE_TITLE
        app.notify_plain(HOSTILE_TITLE)
        await pilot.pause()
        assert app.is_running


# --------------------------------------------------------------------------- refresh, reload, changes


class _Result:
    def __init__(self, changes, error=None):
        self.changes = changes
        self.error = error


@pytest.fixture
def fake_refresh(monkeypatch):
    """A stand-in ``store.refresh`` whose refresh_feed merges what the test queues."""
    module = types.ModuleType("sitmon.store.refresh")
    queue: list = []

    def refresh_feed(store, feed, **kwargs):
        item = queue.pop(0)
        if isinstance(item, Exception):
            return _Result(None, str(item))
        return _Result(
            store.merge(
                item, feed=feed.name, feed_state={"last_success": "2024-12-06T09:00:00+00:00"}
            )
        )

    module.refresh_feed = refresh_feed
    monkeypatch.setitem(sys.modules, "sitmon.store.refresh", module)
    return queue


async def test_refresh_marks_rows_and_notifies_flips_first(store_path, fake_refresh):
    from datetime import datetime

    from sitmon.store.records import ControlChange, Event, SourceRef
    from sitmon.store.timeutil import SITUATION_TZ

    when = datetime(2024, 12, 5, 20, 0, tzinfo=SITUATION_TZ)
    stamp = datetime(2024, 12, 6, 13, 0, tzinfo=SITUATION_TZ)
    fake_refresh.append(
        [
            ControlChange(
                id="ctl-homs-flip",
                place="homs",
                faction="hts_led",
                valid_from=when,
                updated_at=stamp,
                sources=[SourceRef(source="sohr")],
            ),
            Event(
                id="ev-homs-new",
                time=when,
                precision="exact",
                title="Rebels reach the outskirts of Homs",
                type="battle",
                places=["homs"],
                factions=["hts_led"],
                updated_at=stamp,
                sources=[SourceRef(source="sohr")],
            ),
        ]
    )
    fake_refresh.append(RuntimeError("connection refused"))
    feed = SimpleNamespace(name="desk", url="file:///dev/null", format="sitmon", interval=3600)
    config = SimpleNamespace(theme=None, keymap={}, feeds=[feed])
    app = make_app(store_path, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert "feeds 0/1 ok │ 1 never loaded" in app.main_screen.header_text().plain
        await pilot.press("r")
        await ready(pilot)
        assert app.marked == frozenset({"ev-homs-new"})
        first = timeline_text(app)[0]
        assert "Rebels reach the outskirts of Homs" in first and first[1] == "*"
        summary = next(n for n in app.notices if "Homs:" in n)
        assert summary.splitlines()[0] == "Homs: Government -> HTS-led"
        assert app.main_screen.map_pane.snapshot.control["homs"].faction == "hts_led"
        # what changed
        await pilot.press("c")
        await pilot.pause()
        changes = "\n".join(app.screen.view.plain_lines)
        assert "control: Homs: Government -> HTS-led" in changes and "desk" in changes
        await pilot.press("escape")
        # a failing refresh keeps the data and says so
        await pilot.press("r")
        await ready(pilot)
        assert app.notices[-1] == "1 feed failed: desk — press f for details"
        assert "✗ feeds 1/1 failing" in app.main_screen.header_text().plain
        assert app.scheduler.status["desk"].last_error == "connection refused"
        assert any("outskirts of Homs" in ln for ln in timeline_text(app))
        assert app.is_running


async def test_store_changed_on_disk_is_reloaded(store_path):
    from datetime import datetime

    from sitmon.store.records import Event, SourceRef
    from sitmon.store.timeutil import SITUATION_TZ

    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        other = Store.open(store_path, seed=False)  # e.g. `sitmon refresh` from cron
        when = datetime(2024, 12, 5, 21, 0, tzinfo=SITUATION_TZ)
        other.merge(
            [
                Event(
                    id="ev-cron",
                    time=when,
                    precision="exact",
                    title="Written by another process",
                    updated_at=when,
                    sources=[SourceRef(source="sohr")],
                )
            ]
        )
        app.disk_watcher.check()
        await ready(pilot)
        assert any("Written by another process" in ln for ln in timeline_text(app))
        assert any("changed on disk" in n for n in app.notices)


async def test_changes_view_without_refreshes(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await pilot.pause()
        text = "\n".join(app.screen.view.plain_lines)
        assert "merge" in text or "No refreshes" in text
        await pilot.press("escape")
        await pilot.press("r")  # no feeds configured: says so, keeps running
        await pilot.pause()
        assert any("No feeds configured" in n for n in app.notices)


# --------------------------------------------------------------------------- export


async def test_export_pane_and_report(store_path, tmp_path):
    pytest.importorskip("sitmon.widgets.export")
    from sitmon.tui.export_dialog import ExportDialog

    app = make_app(store_path)
    app.export_dir = tmp_path / "docs"
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("left_square_bracket", "e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.path_input.value.endswith("sitmon-timeline-2024-12-04.txt")
        await pilot.press("enter")
        await ready(pilot)
        out = tmp_path / "docs" / "sitmon-timeline-2024-12-04.txt"
        assert out.exists() and app.last_export == out
        text = out.read_text()
        assert "Opposition breaks lines north of Hama" in text and "Hama falls" not in text
        assert any(str(out) in n for n in app.notices)
        # again: the file exists, so the first Enter only asks
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert "exists" in str(app.screen.query_one("#message").content)
        await pilot.press("enter")
        await ready(pilot)
        assert app.screen is app.main_screen
        # the report, as Markdown
        await pilot.press("E")
        await pilot.pause()
        dialog = app.screen
        dialog.set_format("markdown")
        assert dialog.path_input.value.endswith("sitmon-sitrep-2024-12-04.md")
        await pilot.press("enter")
        await ready(pilot)
        assert (tmp_path / "docs" / "sitmon-sitrep-2024-12-04.md").exists()


async def test_export_failure_is_a_clear_message(store_path, tmp_path):
    pytest.importorskip("sitmon.widgets.export")
    app = make_app(store_path)
    app.export_dir = tmp_path
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.path_input.value = str(tmp_path / "missing-folder" / "x.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert "does not exist" in str(app.screen.query_one("#message").content)
        await pilot.press("escape")
        assert app.is_running and app.screen is app.main_screen


async def test_mouse_focuses_and_selects(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.click(app.main_screen.pane("quotes"), offset=(10, 5))
        await pilot.pause()
        assert app.main_screen.active_pane == "quotes"
        await pilot.click(app.main_screen.timeline, offset=(20, 3))
        await pilot.pause()
        assert app.main_screen.active_pane == "timeline"
        assert app.main_screen.timeline.cursor == 2
        assert situation_records  # the fixture module is importable for other tests


# --------------------------------------------------------------------------- the registry


def test_every_binding_has_an_id_and_docs_are_in_sync():
    from pathlib import Path

    from sitmon.tui import actions, export_dialog, main_screen, main_widgets, screens

    classes = [
        main_screen.MainScreen,
        main_widgets.Timeline,
        main_widgets.MapView,
        main_widgets.Quotes,
        main_widgets.Stats,
        main_widgets.FilterBar,
        screens.ReaderView,
        screens.TextScreen,
        screens.FeedsView,
        screens.FeedsScreen,
        screens.HelpScreen,
        screens.GotoDateScreen,
        export_dialog.ExportDialog,
    ]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert getattr(binding, "id", None), f"{cls.__name__}: {binding} has no id"
            assert binding.id in actions.ids()
    docs = (Path(__file__).resolve().parents[2] / "docs" / "keys.md").read_text()
    assert actions.markdown_table() in docs, (
        "docs/keys.md is stale: regenerate it from tui/actions.py"
    )


async def test_refresh_with_the_real_refresh_of_a_file_feed(store_path, tmp_path):
    import json

    pytest.importorskip("sitmon.store.refresh")
    config_mod = pytest.importorskip("sitmon.tui.config")
    feed_file = tmp_path / "feed.json"
    feed_file.write_text(
        json.dumps(
            {
                "sitmon_feed": 1,
                "control": [
                    {
                        "id": "ctl-homs-file",
                        "place": "homs",
                        "faction": "hts_led",
                        "valid_from": "2024-12-05T20:00:00+03:00",
                        "updated_at": "2024-12-06T13:00:00+03:00",
                        "sources": [{"source": "sohr"}],
                    }
                ],
                "events": [
                    {
                        "id": "ev-file",
                        "time": "2024-12-05T20:00:00+03:00",
                        "precision": "exact",
                        "title": HOSTILE_TITLE + "\u001b[31m",
                        "type": "battle",
                        "places": ["homs"],
                        "factions": ["hts_led"],
                        "updated_at": "2024-12-06T13:00:00+03:00",
                        "sources": [{"source": "sohr"}],
                    }
                ],
            }
        )
    )
    feed = config_mod.FeedConfig(name="desk", url=feed_file.as_uri())
    config = config_mod.Config(feeds=[feed])
    app = make_app(store_path, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("r")
        await ready(pilot)
        assert app.marked == frozenset({"ev-file"})
        first = timeline_text(app)[0]
        assert (
            HOSTILE_TITLE in first and "\x1b" not in first
        )  # sanitized at ingest, shown literally
        assert any(n.startswith("Homs: Government -> HTS-led") for n in app.notices)
        assert app.scheduler.status["desk"].last_error is None
        assert "✓ feeds 1 ok" in app.main_screen.header_text().plain


async def test_q_in_a_dialog_is_a_letter_and_ctrl_q_still_quits(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("g", "q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, GotoDateScreen)
        assert app.screen.query_one("Input").value == "q"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
