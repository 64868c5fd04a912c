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
