"""Switching situations in the running app: the palette lists them, the
switch needs no restart, and each situation keeps its own filters and moment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sitmon.store.situations import create_situation, get_situation
from sitmon.tui.cli import main
from sitmon.tui.palette import palette_commands

from tests.support.tui_fixtures import make_app, situation_store
from tests.tui.test_app import ready

ROOT = Path(__file__).resolve().parents[2]
SUDAN = ROOT / "examples" / "sudan"


async def palette(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()
    await ready(pilot)


def map_text(app) -> str:
    return "\n".join(line.text for line in app.main_screen.map_pane._map_lines or [])


async def test_palette_switches_situations_and_each_keeps_its_view(tmp_path, monkeypatch, capsys):
    syria_store = situation_store(tmp_path / "syria.json")
    monkeypatch.setenv("SITMON_STORE", str(syria_store))
    create_situation(
        "sudan",
        ["SDN"],
        admin1=SUDAN / "sudan-admin1-ne10m.geojson",
        tz="Africa/Khartoum",
        start="2023-04-15",
        title="War in Sudan",
    )
    assert main(["--situation", "sudan", "import", str(SUDAN / "sudan-2023.sitmon.json")]) == 0
    main(["--situation", "syria", "info"])  # back to the bundled zone, as the app starts
    capsys.readouterr()
    app = make_app(syria_store, situation=get_situation("syria"))
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        texts = [c.text for c in palette_commands(app)]
        assert "Situation: syria - Syria 2024" in texts
        assert "Situation: sudan - War in Sudan" in texts
        # Syria: go back a day and filter the timeline
        app.set_day(date(2024, 12, 3))
        app.main_screen.set_filter("timeline", "aleppo")
        await pilot.pause()
        syria_timeline = app.main_screen.timeline.lines_as_text()
        syria_header = app.main_screen.header_text().plain
        assert "as of 2024-12-03 (day" in syria_header

        await palette(pilot, "situation: sudan")
        assert app.situation.name == "sudan"
        header = app.main_screen.header_text().plain
        assert "War in Sudan" in header
        assert "as of 2025-10-26 (latest) Khartoum CAT" in header
        assert app.filters["timeline"] == "" and app.day is None
        shown = map_text(app)
        assert "Khartoum" in shown and "El Fasher" in shown
        assert "Aleppo" not in shown and "Turkey" not in shown
        # Sudan's own moment: 15 April 2023, with the 23:30 (UTC+02) clash on that day
        app.set_day(date(2023, 4, 15))
        await pilot.pause()
        lines = app.main_screen.timeline.lines_as_text()
        assert any("2023-04-15 23:30" in line and "Clashes go on" in line for line in lines)
        assert not any("Omdurman" in line for line in lines)

        await palette(pilot, "situation: syria")
        assert app.situation.name == "syria"
        assert app.day == date(2024, 12, 3) and app.filters["timeline"] == "aleppo"
        assert app.main_screen.timeline.lines_as_text() == syria_timeline
        assert app.main_screen.header_text().plain == syria_header
        assert "Aleppo" in map_text(app) and "Khartoum" not in map_text(app)

        await palette(pilot, "situation: sudan")
        assert app.day == date(2023, 4, 15)
        assert "as of 2023-04-15 (" in app.main_screen.header_text().plain
