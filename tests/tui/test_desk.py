"""Desk use: the export dialog's keys, feed health, theme repaint, copy/open, the chart."""

from __future__ import annotations

import pytest
from sitmon.tui.app import SitmonApp
from textual.widgets import OptionList

from tests.support.tui_fixtures import make_app, situation_store


@pytest.fixture
def store_path(tmp_path):
    return situation_store(tmp_path / "s.json")


async def ready(pilot) -> None:
    app = pilot.app
    await app.wait_until_loaded()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def option_texts(app: SitmonApp) -> list[str]:
    options = app.screen.query_one("#format", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_export_dialog_works_from_the_keyboard(store_path, tmp_path):
    app = make_app(store_path)
    app.export_dir = tmp_path / "docs"
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("E")
        await pilot.pause()
        # focus starts on the formats; the chosen one has a symbol; no screenshot of a report
        assert isinstance(app.focused, OptionList)
        assert option_texts(app) == ["● Text", "○ Markdown", "○ JSON"]
        await pilot.press("down")
        await pilot.pause()
        assert option_texts(app) == ["○ Text", "● Markdown", "○ JSON"]
        assert app.screen.path_input.value.endswith("sitmon-sitrep-2024-12-05.md")
        await pilot.press("enter")  # Enter on the list exports
        await ready(pilot)
        out = tmp_path / "docs" / "sitmon-sitrep-2024-12-05.md"
        assert out.exists() and out.read_text().startswith("# ")
        assert app.screen is app.main_screen
        # a pane export offers the screenshot; Enter from the path field exports too
        await pilot.press("e")
        await pilot.pause()
        assert option_texts(app)[-1] == "○ SVG screenshot of the screen"
        await pilot.press("up", "tab")
        await pilot.pause()
        assert app.focused is app.screen.path_input
        assert option_texts(app)[-1] == "● SVG screenshot of the screen"
        await pilot.press("down", "down", "down", "down")  # arrows in the path field do nothing
        await pilot.press("shift+tab", "home", "enter")
        await ready(pilot)
        assert (tmp_path / "docs" / "sitmon-timeline-2024-12-05.txt").exists()


def _backgrounds(pane) -> set:
    strip = pane.render_line(0)
    return {seg.style.bgcolor for seg in strip if seg.style is not None and seg.style.bgcolor}


async def test_a_theme_switch_repaints_the_panes(store_path):
    app = make_app(store_path, theme="textual-dark")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        timeline = app.main_screen.timeline
        stats = app.main_screen.pane("stats")
        await pilot.press("j", "k")  # lines are cached now
        before = (_backgrounds(timeline), _backgrounds(stats))
        app.theme = "textual-light"
        await pilot.pause()
        after = (_backgrounds(timeline), _backgrounds(stats))
        assert after[0] and after[1]
        assert after[0].isdisjoint(before[0]) and after[1].isdisjoint(before[1])
        # the light theme's own background, as a fresh app draws it
    fresh = make_app(store_path, theme="textual-light")
    async with fresh.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert _backgrounds(fresh.main_screen.timeline) == after[0]
        assert _backgrounds(fresh.main_screen.pane("stats")) == after[1]


async def _palette_hits(app, pilot, query: str) -> list[str]:
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    for _ in range(5):
        await pilot.pause(0.2)
    options = app.screen.query_one(CommandList)
    hits = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return [h.splitlines()[0] for h in hits]


async def test_the_palette_lists_each_command_once(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for query, ours in (
            ("theme", ["Change theme"]),
            ("maxim", ["Maximise pane"]),
            ("keys", ["Keys"]),
            ("quit", ["Quit"]),
            ("screenshot", ["Save SVG screenshot"]),
            ("feeds", ["Feeds", "Refresh feeds"]),
        ):
            hits = await _palette_hits(app, pilot, query)
            assert [h for h in hits if query in h.lower()] == ours, (query, hits)


async def test_the_maximised_statistics_pane_charts_the_selected_metric(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        stats = app.main_screen.pane("stats")
        assert not any("by publisher" in t for t in stats.lines_as_text())
        await pilot.press("z")
        await pilot.pause()
        text = stats.lines_as_text()
        assert any(" by publisher, as of 2024-12-05" in t for t in text), text
        assert any("┼" in t and "┬" in t for t in text)  # the date axis
        await pilot.press("z")
        await pilot.pause()
        assert not any("by publisher" in t for t in stats.lines_as_text())
