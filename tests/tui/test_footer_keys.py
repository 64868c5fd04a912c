"""The footer names the keys of what has the focus, and follows the focus.

The footer recomposes once per burst of binding changes, and only when the keys
it shows change (tui/main_widgets.CompactFooter, issue 13: the first frame).
"""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.support.tui_fixtures import make_app, settle, situation_store


def footer(app) -> list[str]:
    return [f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey)]


async def test_the_footer_follows_the_focused_pane_and_the_filter_line(tmp_path) -> None:
    app = make_app(situation_store(tmp_path / "s.json"))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert footer(app) == [
            "⏎ Detail", "s Order", "z Max", "/ Filter", "[ Day-", "] Day+",
            "? Keys", "f Feeds", "q Quit", "^p palette",
        ]  # fmt: skip
        await pilot.press("2")  # the map
        await pilot.pause()
        assert footer(app)[:4] == ["⏎ Detail", "+ Zoom+", "- Zoom-", "a ASCII"]
        await pilot.press("slash")  # the filter line
        await pilot.pause()
        assert footer(app) == ["esc Clear", "/ Filter", "? Keys", "^p palette"]
        await pilot.press("escape")
        await pilot.press("1")
        await pilot.pause()
        assert footer(app)[:3] == ["⏎ Detail", "s Order", "z Max"]


async def test_the_keys_appear_after_a_store_that_cannot_be_read(tmp_path) -> None:
    # the keys wait for the first data frame; a store error is that frame
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    app = make_app(bad)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert app.store_error
        assert "q Quit" in footer(app)
