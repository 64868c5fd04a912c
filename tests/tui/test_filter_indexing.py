"""A filter typed before the search index is built (issue 13's 1M leftovers).

At a million events the index takes 10-23 s to build (in a worker, after the first
paint). A filter typed meanwhile must not build it on the UI thread (which froze the
monitor that long): the timeline says ``indexing…`` beside the filter, keeps answering
keys, and shows the filter's rows as soon as the index is in, for the text typed last.

The build is made slow by a gate in front of the real one (the index built is the
store's own): the test opens the gate when it has seen what the user sees meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date

import pytest
from sitmon.store import Store

from tests.support import factories as f
from tests.support.tui_fixtures import bridge_store as _store
from tests.support.tui_fixtures import make_app

#: the gate's own limit: a build on the UI thread blocks it this long, then the test fails
GATE_SECONDS = 20


@pytest.fixture
def gate(monkeypatch):
    """Every search index build waits for this event first (then builds for real)."""
    opened = threading.Event()
    real = Store.build_search_index

    def gated(self):
        opened.wait(GATE_SECONDS)
        return real(self)

    monkeypatch.setattr(Store, "build_search_index", gated)
    yield opened
    opened.set()  # a worker still waiting must not outlive the test by the gate's limit


async def _until(pilot, condition, what: str) -> None:
    """Let the app run until ``condition()`` holds (a limit far above any wait)."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def _title(app) -> str:
    return str(app.main_screen.timeline.border_title)


async def test_a_filter_typed_before_the_index_says_indexing_then_shows_the_latest_text(
    tmp_path, gate
):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_until_loaded()
        await pilot.pause()
        tl = app.main_screen.timeline
        assert [e.id for e in tl.rows] == ["ev-d2", "ev-c1", "ev-a0"]
        await pilot.press("slash", "b", "r")
        # the keys were answered; the rows are not narrowed yet, and the title says why
        assert app.main_screen.query_one("#filterbar").value == "br"
        assert _title(app).endswith("Timeline · /br · indexing…")
        assert [e.id for e in tl.rows] == ["ev-d2", "ev-c1", "ev-a0"]
        await pilot.press("i", "d", "g", "e")
        assert _title(app).endswith("Timeline · /bridge · indexing…")
        gate.set()
        await _until(pilot, lambda: "indexing" not in _title(app), "the filter applied")
        assert _title(app).endswith("Timeline · /bridge")
        assert [e.id for e in tl.rows] == ["ev-d2", "ev-a0"]  # "bridge", not "br"


async def test_keys_keep_working_while_a_filter_waits_for_the_index(tmp_path, gate):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_until_loaded()
        await pilot.pause()
        tl = app.main_screen.timeline
        await pilot.press("slash", *"convoy", "enter")
        assert _title(app).endswith("Timeline · /convoy · indexing…")
        await pilot.press("left_square_bracket")  # a day back: Nov 28, before the checkpoint
        assert app.day == date(2024, 11, 28)
        assert [e.id for e in tl.rows] == ["ev-c1", "ev-a0"]  # that day's rows, not narrowed
        assert _title(app).endswith("Timeline · /convoy · indexing…")
        gate.set()
        await _until(pilot, lambda: "indexing" not in _title(app), "the filter applied")
        assert app.day == date(2024, 11, 28)
        assert [e.id for e in tl.rows] == ["ev-c1"]


async def test_a_merge_that_drops_the_index_makes_a_typed_filter_wait_again(tmp_path, gate):
    app = make_app(_store(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_until_loaded()
        gate.set()
        await _until(pilot, lambda: app.store.search_ready, "the first index")
        gate.clear()
        app.main_screen.set_filter("timeline", "market")
        assert [e.id for e in app.main_screen.timeline.rows] == ["ev-c1"]
        # a place renamed: its name is in every text naming it, so the index is dropped
        await asyncio.to_thread(app.store.merge, [f.place("hama", 35.13, 36.76, "Hamah")])
        app.install_store(app.store)  # what the refresh's message does on the UI thread
        await pilot.pause()
        assert not app.store.search_ready
        assert _title(app).endswith("Timeline · /market · indexing…")
        gate.set()
        await _until(pilot, lambda: "indexing" not in _title(app), "the filter applied again")
        assert [e.id for e in app.main_screen.timeline.rows] == ["ev-c1"]
