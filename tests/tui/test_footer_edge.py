"""The main screen's footer at 80 columns: when its keys do not all fit, the palette
key at its right edge covers them to the last column, so no stray letter of a hidden
key (the "Q" of "q Quit") shows beside it."""

from __future__ import annotations

import pytest

from tests.support.tui_fixtures import make_app, settle, situation_store


@pytest.mark.parametrize("pane", ["1", "2", "3", "4"])
async def test_the_palette_key_covers_the_footers_last_column(tmp_path, pane):
    app = make_app(situation_store(tmp_path / "s.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(pane)
        await pilot.pause()
        for x in range(69, 80):
            widget, _ = app.screen.get_widget_at(x, 23)
            assert widget.has_class("-command-palette"), (x, widget)
