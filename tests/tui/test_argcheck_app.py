"""The monitor refuses what the command line refuses, in the same words (issue 16, item 9).

``g`` with a day outside the data and ``/`` with an unknown ``type:`` or
``faction:`` value show the one-line message of store.argcheck, which
``sitmon export --as-of/--filter`` prints after the option's name.
"""

from __future__ import annotations

import pytest
from sitmon.tui.screens import GotoDateScreen

from tests.support.tui_fixtures import make_app, settle, situation_store


@pytest.fixture
def store_path(tmp_path):
    return situation_store(tmp_path / "s.json")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2030-01-01", "2030-01-01 is after the data: choose a day from 2024-11-26 to 2024-12-05"),
        ("2024-11-01", "2024-11-01 is before the data: choose a day from 2024-11-26 to 2024-12-05"),
    ],
)
async def test_goto_date_outside_the_data_says_what_is_valid(store_path, typed, message):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = ""
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert isinstance(app.screen, GotoDateScreen)  # still open, nothing changed
        assert str(app.screen.query_one("#error").content) == message
        assert app.day is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "type:zz",
            "unknown type 'zz': use one of offensive, capture, withdrawal, battle, strike,"
            " statement, humanitarian, diplomatic, violence_against_civilians, protest, other",
        ),
        (
            "faction:nobody",
            "unknown faction 'nobody': use one of government (Government), hts_led (HTS-led),"
            " sdf (SDF), sna (SNA)",
        ),
    ],
)
async def test_filter_with_an_unknown_value_says_what_is_valid(store_path, typed, message):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("/")
        await pilot.pause()
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert app.notices[-1:] == [message]
