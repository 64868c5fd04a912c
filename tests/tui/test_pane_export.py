"""A filtered pane followed by ``e`` writes the lines the pane shows (every pane).

The bundled Syria dataset (a new store starts from it), as of its latest day.
"""

from __future__ import annotations

import json
import re

import pytest
from sitmon.tui.export_dialog import ExportDialog

from tests.support.tui_fixtures import make_app
from tests.support.tui_fixtures import settle as ready

SDF_PLACES = ["Hasakah", "Kobani", "Manbij", "Qamishli", "Raqqa"]


def export_body(text: str) -> list[str]:
    """A single-view text export's body: after the header, before the sources, without
    the faction-symbol legend and the ``[n]`` source references the text adds for pasting."""
    body = text.split("\n\n", 1)[1].split("\nSources\n")[0]
    if body.startswith("Faction symbols:"):
        body = body.split("\n\n", 1)[1]
    lines = body.rstrip("\n").split("\n")
    return [re.sub(r"(\s*\[\d+\])+$", "", line).rstrip() for line in lines]


async def filter_and_export(pilot, tmp_path, key: str, pane_id: str, flt: str, fmt="text"):
    app = pilot.app
    await pilot.press(key)
    app.main_screen.set_filter(pane_id, flt)
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, ExportDialog)
    app.screen.set_format(fmt)
    await pilot.press("enter")
    await ready(pilot)
    assert app.last_export is not None and app.last_export.parent == tmp_path
    pane = app.main_screen.pane(pane_id)
    shown = [line.rstrip() for line in pane.lines_as_text()]
    if fmt != "text":
        return shown, None
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


# The text export of a list pane wraps and numbers its sources for pasting; the
# records it writes are the pane's, in the pane's order (the JSON export lists them).
def pane_items(pane) -> list[str]:
    return [pane.item_id(i) for i in range(pane.item_count())]


async def test_timeline_filtered_exports_the_records_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        await filter_and_export(pilot, tmp_path, "1", "timeline", "type:capture place:hama", "json")
        doc = json.loads(app.last_export.read_text())
        shown = pane_items(app.main_screen.pane("timeline"))
        assert shown and all("hama" in i for i in shown)
        assert [e["id"] for e in doc["events"]] == shown


async def test_quotes_filtered_exports_the_records_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        await filter_and_export(pilot, tmp_path, "3", "quotes", "hama", "json")
        doc = json.loads(app.last_export.read_text())
        shown = pane_items(app.main_screen.pane("quotes"))
        assert shown and [q["id"] for q in doc["quotes"]] == shown


async def test_stats_filtered_exports_the_records_it_shows(app, tmp_path):
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        await filter_and_export(pilot, tmp_path, "4", "stats", "displaced", "json")
        doc = json.loads(app.last_export.read_text())
        assert pane_items(app.main_screen.pane("stats")) == ["displaced"]
        assert [m["metric"] for m in doc["figures"]] == ["displaced"]


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


async def test_e_on_a_pane_whose_filter_does_not_apply_says_so_and_exports_nothing(app, tmp_path):
    """The pane says the filter is not applied; ``e`` then says why it does not export
    (it used to end the monitor with a traceback)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        app.main_screen.set_filter("stats", "faction:sdf")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert app.is_running and app.screen is app.main_screen
        assert app.notices[-1] == (
            "Not exported: faction:sdf does not apply to figures (filter them by words or place:)."
        )
        assert list(tmp_path.glob("sitmon-*")) == []
