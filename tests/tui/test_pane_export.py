"""A filtered pane followed by ``e`` writes the lines the pane shows (every pane).

The bundled Syria dataset (a new store starts from it), as of its latest day.
"""

from __future__ import annotations

import pytest
from sitmon.tui.export_dialog import ExportDialog

from tests.support.tui_fixtures import make_app
from tests.support.tui_fixtures import settle as ready

SDF_PLACES = ["Hasakah", "Kobani", "Manbij", "Qamishli", "Raqqa"]


def export_body(text: str) -> list[str]:
    """A single-view text export's body: after the header, before the sources."""
    body = text.split("\n\n", 1)[1].split("\nSources\n")[0]
    return body.rstrip("\n").split("\n")


async def filter_and_export(pilot, tmp_path, key: str, pane_id: str, flt: str):
    app = pilot.app
    await pilot.press(key)
    app.main_screen.set_filter(pane_id, flt)
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, ExportDialog)
    await pilot.press("enter")
    await ready(pilot)
    assert app.last_export is not None and app.last_export.parent == tmp_path
    pane = app.main_screen.pane(pane_id)
    shown = [line.rstrip() for line in pane.lines_as_text()]
    return shown, export_body(app.last_export.read_text())


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "s.json")
    app.export_dir = tmp_path
    return app


async def test_map_filtered_by_faction_exports_the_lines_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        shown, written = await filter_and_export(pilot, tmp_path, "2", "map", "faction:sdf")
        drawn = "\n".join(shown)
        for name in SDF_PLACES:
            assert name in drawn
        assert "Aleppo" not in drawn and "Damascus" not in drawn
        assert "│K SDF 5\n" in drawn
        assert written == shown
        header = app.last_export.read_text().split("\n\n")[0]
        assert "5 places" in header and "faction:sdf" in header


async def test_timeline_filtered_exports_the_lines_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        shown, written = await filter_and_export(
            pilot, tmp_path, "1", "timeline", "type:capture place:hama"
        )
        assert any("Hama" in line for line in shown)
        assert written == shown


async def test_quotes_filtered_exports_the_lines_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        shown, written = await filter_and_export(pilot, tmp_path, "3", "quotes", "hama")
        assert shown and written == shown


async def test_stats_filtered_exports_the_lines_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        shown, written = await filter_and_export(pilot, tmp_path, "4", "stats", "displaced")
        assert shown[0].startswith("▶ Displaced ")
        assert written == shown


async def test_stats_refuses_a_faction_filter_in_the_pane(app):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        app.main_screen.set_filter("stats", "faction:sdf")
        await pilot.pause()
        lines = app.main_screen.pane("stats").lines_as_text()
        assert lines[0].startswith("Filter not applied: faction:sdf does not apply to figures")
        app.main_screen.set_filter("stats", "displaced")
        await pilot.pause()
        assert "Displaced" in app.main_screen.pane("stats").lines_as_text()[0]
