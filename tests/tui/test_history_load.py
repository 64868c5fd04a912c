"""Data on screen first (issue 13): the monitor paints from the core and the newest
month shard, reads the older months behind it, and never shows a count over history
that is not whole without saying so.

The store here holds the mini-situation (late November and December 2024) plus four
events in September and October; ``NEWEST_EVENTS = 1`` makes the first paint read the
December shard only. The older shards block in the history worker until the test
releases them, so each test sees the screen *before* they are read, literally.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime

import msgspec
import pytest
import sitmon.store.db
from sitmon.store import Store
from sitmon.store.shards import shard_folder
from sitmon.store.timeutil import SITUATION_TZ
from sitmon.tui.config import Config, FeedConfig
from sitmon.tui.screens import DetailScreen

from tests.support.tui_fixtures import make_app, situation_records, situation_store

OLDER = {  # id -> (time, title): two in September, two in October 2024
    "old-sep-1": (datetime(2024, 9, 3, 10, tzinfo=SITUATION_TZ), "September clash at Hama"),
    "old-sep-2": (datetime(2024, 9, 20, 10, tzinfo=SITUATION_TZ), "September convoy at Homs"),
    "old-oct-1": (datetime(2024, 10, 8, 10, tzinfo=SITUATION_TZ), "October shelling at Idlib"),
    "old-oct-2": (datetime(2024, 10, 25, 10, tzinfo=SITUATION_TZ), "October raid at Raqqa"),
}


def _store(tmp_path):
    template = next(r for r in situation_records() if type(r).__name__ == "Event")
    older = [
        msgspec.structs.replace(template, id=rid, time=when, title=title, summary=f"{title}.")
        for rid, (when, title) in OLDER.items()
    ]
    return situation_store(tmp_path / "s.json", older)


class Gate:
    """Holds every read of a shard before December until :meth:`release` (or fails it)."""

    def __init__(self, monkeypatch) -> None:
        self.released = threading.Event()
        self.waiting = threading.Event()
        self.reads: list[str] = []
        real = sitmon.store.db.read_shard

        def read(folder, entry, **options):
            month = entry["file"].split(".")[0]
            self.reads.append(month)
            if month != "2024-12":
                self.waiting.set()
                assert self.released.wait(60)
            return real(folder, entry, **options)

        monkeypatch.setattr(sitmon.store.db, "read_shard", read)
        monkeypatch.setattr(sitmon.store.db, "NEWEST_EVENTS", 1)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def gate(monkeypatch):
    g = Gate(monkeypatch)
    yield g
    g.release()  # never leave a worker blocked


def _timeline(app) -> list[str]:
    return app.main_screen.timeline.lines_as_text()


def _title(pane) -> str:
    return str(pane.border_title)


async def _until(pilot, condition) -> None:
    """Let the app run until ``condition()`` holds (the test's timeout bounds it)."""
    while not condition():
        await pilot.pause()


async def _painted(app, pilot, gate) -> None:
    """Until the first data frame is shown and the history worker is held in its read."""
    await app.wait_until_loaded()
    await pilot.pause()
    await _until(pilot, gate.waiting.is_set)


async def _history_read(app, pilot) -> None:
    """Until the history worker's message was handled (and every other worker ended)."""
    await _until(pilot, lambda: app.history.done)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_newest_events_show_before_the_older_shards_are_read(tmp_path, gate):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await _painted(app, pilot, gate)  # the history worker is reading September
        screen = app.main_screen
        rows = _timeline(app)
        assert "Army says it has redeployed outside Hama" in rows[0]
        assert not any("September" in r or "October" in r for r in rows)
        assert app.store.partial and gate.reads == ["2024-12", "2024-09"]
        # counts over history are labelled while partial; the header is whole
        assert screen.timeline.border_subtitle == "1/8+"
        assert _title(screen.timeline) == "▶ [1] Timeline · loading history…"
        assert _title(screen.pane("quotes")) == "  [3] Quotes · loading history…"
        assert _title(screen.pane("stats")) == "  [4] Statistics"
        assert "(latest)" in screen.header_line(160).text
        assert app.store.counts()["events"] == 17

        gate.release()
        await _history_read(app, pilot)
        assert not app.store.partial
        assert gate.reads == ["2024-12", "2024-09", "2024-10", "2024-11"]
        assert screen.timeline.border_subtitle == "1/17"
        assert _title(screen.timeline) == "▶ [1] Timeline"
        assert _title(screen.pane("quotes")) == "  [3] Quotes"
        rows = _timeline(app)
        assert "Army says it has redeployed outside Hama" in rows[0]
        # time travel back to the first month: September is there
        app.set_day(date(2024, 9, 30))
        await pilot.pause()
        rows = _timeline(app)
        assert len([r for r in rows if "September" in r]) == 2
        assert screen.timeline.border_subtitle == "1/2"


async def test_a_day_before_the_newest_months_waits_visibly_for_them(tmp_path, gate):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await _painted(app, pilot, gate)
        app.set_day(date(2024, 10, 10))
        await pilot.pause()
        assert _timeline(app)[0].strip() == "Loading the history before 2024-12-01…"
        assert _title(app.main_screen.timeline) == "▶ [1] Timeline · loading history…"
        gate.release()
        await _history_read(app, pilot)
        rows = _timeline(app)
        assert "October shelling at Idlib" in rows[0]
        assert "September convoy at Homs" in rows[1]
        assert app.main_screen.timeline.border_subtitle == "1/3"


async def test_the_detail_screen_waits_for_the_history_and_says_so(tmp_path, gate):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await _painted(app, pilot, gate)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)
        assert (
            app.notices[-1] == "Reading the older history first; the details open when it is read."
        )
        gate.release()
        await _history_read(app, pilot)
        assert isinstance(app.screen, DetailScreen)


async def test_a_refresh_during_the_background_load_loses_nothing(tmp_path, gate):
    store_path = _store(tmp_path)
    feed_path = tmp_path / "feed.json"
    feed_path.write_text(
        json.dumps(
            {
                "sitmon_feed": 1,
                "events": [
                    {
                        "id": "ev-fresh",
                        "time": "2024-12-08T20:00:00+03:00",
                        "precision": "exact",
                        "title": "Refreshed while the history loads",
                        "type": "battle",
                        "places": ["homs"],
                        "factions": ["hts_led"],
                        "updated_at": "2024-12-08T21:00:00+03:00",
                        "sources": [{"source": "sohr"}],
                    }
                ],
            }
        )
    )
    feed = FeedConfig(name="desk", url=str(feed_path), format="sitmon")
    app = make_app(store_path, config=Config(feeds=[feed]))
    async with app.run_test(size=(160, 48)) as pilot:
        await _painted(app, pilot, gate)
        assert app.scheduler.start(feed)  # its merge waits for the history being read
        gate.release()
        await _history_read(app, pilot)
        assert app.scheduler.status["desk"].last_error is None
        assert not app.store.partial
        rows = _timeline(app)
        assert "Refreshed while the history loads" in rows[0]
        # 18 rows, the cursor still on the event it was on (now second)
        assert app.main_screen.timeline.border_subtitle == "2/18"
        assert sum("September" in r or "October" in r for r in rows) == 4
    on_disk = Store.open(store_path, seed=False)
    assert on_disk.counts()["events"] == 18
    assert {"ev-fresh", *OLDER} <= on_disk.tables["event"].keys()


async def test_a_history_that_cannot_be_read_keeps_what_was_painted_and_says_why(
    tmp_path, monkeypatch
):
    store_path = _store(tmp_path)
    s = Store.open(store_path, seed=False)
    october = shard_folder(store_path) / s.meta["shards"]["2024-10"]["file"]
    october.write_bytes(b'{"events": {"1": ')
    monkeypatch.setattr(sitmon.store.db, "NEWEST_EVENTS", 1)
    app = make_app(store_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.wait_until_loaded()
        await _history_read(app, pilot)
        error = [n for n in app.notices if n.startswith("The older history")]
        assert len(error) == 1 and "\n" not in error[0]
        assert error[0].startswith(
            f"The older history could not be read: the event shard {october} does not parse"
        )
        assert error[0].endswith(". Showing the newest months only.")
        rows = _timeline(app)
        assert "Army says it has redeployed outside Hama" in rows[0]
        assert app.main_screen.timeline.border_subtitle == "1/8+"
        assert _title(app.main_screen.timeline) == "▶ [1] Timeline · newest months only"
        app.set_day(date(2024, 10, 10))
        await pilot.pause()
        assert _timeline(app)[0].startswith("The events before 2024-12-01 could not be read:")
