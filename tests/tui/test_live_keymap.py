"""A remapped key is the key the palette, the help screen and the app answer to."""

from __future__ import annotations

from sitmon.tui.palette import palette_commands
from sitmon.tui.screens import GotoDateScreen, HelpScreen

from tests.support.tui_fixtures import make_app, situation_store
from tests.support.tui_fixtures import settle as ready


def goto_hint(app) -> str:
    (cmd,) = [c for c in palette_commands(app) if c.text == "Go to date…"]
    return cmd.help


async def help_row(pilot, app) -> str:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    (row,) = [line for line in app.screen.view.plain_lines if "Jump to a date" in line]
    await pilot.press("escape")
    await pilot.pause()
    return row


async def test_remapping_goto_date_to_G_changes_palette_help_and_keys(tmp_path):
    app = make_app(situation_store(tmp_path / "s.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert goto_hint(app) == "Type a date to show the situation as of then (g)"
        assert (await help_row(pilot, app)).split()[0] == "g"
        app.set_keymap({"app.goto_date": "G"})
        await pilot.pause()
        assert goto_hint(app) == "Type a date to show the situation as of then (G)"
        assert (await help_row(pilot, app)).split()[0] == "G"
        await pilot.press("g")
        await pilot.pause()
        assert not isinstance(app.screen, GotoDateScreen)
        await pilot.press("G")
        await pilot.pause()
        assert isinstance(app.screen, GotoDateScreen)


async def test_a_config_keymap_names_its_keys_in_the_palette_and_the_pane_titles(tmp_path):
    from types import SimpleNamespace

    config = SimpleNamespace(feeds=[], factions={}, keymap={"app.now": "N", "app.pane_map": "m"})
    app = make_app(situation_store(tmp_path / "s.json"), config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        (now,) = [c for c in palette_commands(app) if c.text == "Now: latest moment"]
        assert now.help == "Back to the latest data (N)"
        assert app.main_screen.map_pane.key_hint == "m"
