"""Filter keystrokes and day steps in the running app, with the search index built
(issue 13): rows, their "· 2 sources" notes and the bounds of time travel are what
they were before the index, the lazy rows and the kept row cache."""

from __future__ import annotations

from datetime import date

from tests.support.tui_fixtures import bridge_store as _store
from tests.support.tui_fixtures import make_app
from tests.support.tui_fixtures import settle as ready


def _rows(app) -> list[str]:
    """The timeline's lines as painted (through its line cache), without blank ones."""
    tl = app.main_screen.timeline
    painted = (tl.render_line(y).text.rstrip() for y in range(tl.page_height))
    return [ln for ln in painted if ln.strip()]


async def test_typing_a_filter_narrows_rows_and_their_sources_notes(tmp_path):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.main_screen.action_maximise()  # the timeline, wide enough for whole titles
        await pilot.pause()
        assert app.store._search is not None  # built after the first paint
        tl = app.main_screen.timeline
        assert [e.id for e in tl.rows] == ["ev-d2", "ev-c1", "ev-a0"]
        assert "Army shells the northern bridge · 2 sources" in _rows(app)[2]
        seen = []
        for text in ("b", "br", "bri", "bridge", "bridge s", "bridge sh", "bridge she"):
            app.main_screen.set_filter("timeline", text)
            seen.append([e.id for e in tl.rows])
        assert seen == [
            ["ev-d2", "ev-a0"],  # "b": bridge (nw-b0 is ev-a0's second report, no row)
            ["ev-d2", "ev-a0"],
            ["ev-d2", "ev-a0"],
            ["ev-d2", "ev-a0"],
            ["ev-d2", "ev-a0"],  # "s": "summary" is in both
            ["ev-a0"],  # "sh": shells, shelled
            ["ev-a0"],
        ]
        # the same row, on the same line, first with its partner, then without
        app.main_screen.set_filter("timeline", "northern")
        await pilot.pause()
        assert [e.id for e in tl.rows] == ["ev-a0"]
        assert _rows(app)[0].endswith("Army shells the northern bridge · 2 sources")
        app.main_screen.set_filter("timeline", "shells")  # "shelled": not its partner
        await pilot.pause()
        assert [e.id for e in tl.rows] == ["ev-a0"]
        assert _rows(app)[0].endswith("Army shells the northern bridge")
        app.main_screen.set_filter("timeline", "")
        await pilot.pause()
        assert "Army shells the northern bridge · 2 sources" in _rows(app)[2]


async def test_day_steps_with_a_filter_reach_the_first_and_last_day(tmp_path):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        tl = app.main_screen.timeline
        app.main_screen.set_filter("timeline", "bridge")
        assert app.day_bounds() == (date(2024, 11, 26), date(2024, 11, 29))
        await pilot.press("left_square_bracket")  # Nov 28: the checkpoint is not yet
        assert app.day == date(2024, 11, 28)
        assert [e.id for e in tl.rows] == ["ev-a0"]
        for _ in range(5):  # past the first day: the bell, the day stays
            await pilot.press("left_square_bracket")
        assert app.day == date(2024, 11, 26)
        assert _rows(app) == ["No events match 'bridge' as of 2024-11-26."]
        await pilot.press("right_square_bracket")
        assert app.day == date(2024, 11, 27)
        assert [e.id for e in tl.rows] == ["ev-a0"]
        for _ in range(5):  # forward to the latest, and no further
            await pilot.press("right_square_bracket")
        assert app.day is None
        assert [e.id for e in tl.rows] == ["ev-d2", "ev-a0"]
