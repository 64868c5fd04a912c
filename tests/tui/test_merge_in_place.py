"""The monitor merges a refresh into the Store it holds: no second Store, reload only
when another process wrote (issue 13)."""

from __future__ import annotations

import json

from sitmon.store import Store
from sitmon.tui.config import Config, FeedConfig

from tests.support.tui_fixtures import make_app, situation_store


def _feed(path, eid: str, title: str) -> None:
    path.write_text(
        json.dumps(
            {
                "sitmon_feed": 1,
                "events": [
                    {
                        "id": eid,
                        "time": "2024-12-05T20:00:00+03:00",
                        "precision": "exact",
                        "title": title,
                        "type": "battle",
                        "places": ["homs"],
                        "factions": ["hts_led"],
                        "updated_at": "2024-12-06T13:00:00+03:00",
                        "sources": [{"source": "sohr"}],
                    }
                ],
            }
        )
    )


async def _refresh(app, pilot, feed) -> None:
    assert app.scheduler.start(feed)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_refresh_merges_into_the_apps_store_and_reloads_only_after_another_writer(
    tmp_path, monkeypatch
):
    store_path = situation_store(tmp_path / "s.json")
    feed_path = tmp_path / "feed.json"
    feed = FeedConfig(name="desk", url=str(feed_path), format="sitmon")
    app = make_app(store_path, config=Config(feeds=[feed]))
    reads: list[str] = []
    real_load = Store._load_from_disk

    def counting_load(self):
        reads.append(str(self.path))
        return real_load(self)

    async with app.run_test(size=(160, 48)) as pilot:
        await app.wait_until_loaded()
        await app.workers.wait_for_complete()
        held = app.store
        monkeypatch.setattr(Store, "_load_from_disk", counting_load)
        opened: list[object] = []
        monkeypatch.setattr(Store, "open", classmethod(lambda cls, *a, **k: opened.append(a)))

        _feed(feed_path, "ev-first", "First refreshed event")
        await _refresh(app, pilot, feed)
        assert app.scheduler.status["desk"].last_error is None
        assert app.store is held and opened == [] and reads == []  # merged in place
        assert any("First refreshed event" in ln for ln in app.main_screen.timeline.lines_as_text())

        # another process writes: the next refresh re-reads the file once, then merges
        monkeypatch.undo()
        other = Store.open(store_path, seed=False)
        other.merge([*_events_of(tmp_path, "ev-cron", "Written by cron")])
        monkeypatch.setattr(Store, "_load_from_disk", counting_load)
        _feed(feed_path, "ev-second", "Second refreshed event")
        await _refresh(app, pilot, feed)
        assert app.store is held and reads == [str(store_path)]
        shown = "\n".join(app.main_screen.timeline.lines_as_text())
        assert "Written by cron" in shown and "Second refreshed event" in shown
        assert "First refreshed event" in shown
    on_disk = Store.open(store_path, seed=False).tables["event"]
    assert {"ev-first", "ev-cron", "ev-second"} <= set(on_disk)


def _events_of(tmp_path, eid: str, title: str):
    from sitmon.store.records import Event, SourceRef
    from sitmon.store.timeutil import parse_when

    when = parse_when("2024-12-05T21:00:00+03:00")
    yield Event(
        id=eid,
        time=when,
        precision="exact",
        title=title,
        updated_at=when,
        sources=[SourceRef(source="sohr")],
    )


async def test_the_selected_event_keeps_its_row_in_either_order(tmp_path):
    """Timeline.find places an event by binary search in either order (issue 13)."""
    app = make_app(situation_store(tmp_path / "s.json"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.wait_until_loaded()
        await pilot.pause()
        tl = app.main_screen.timeline
        for newest_first in (True, False):
            if tl.newest_first != newest_first:
                await pilot.press("o")
                await pilot.pause()
            assert tl.select("ev-saraqib")
            row = tl.cursor
            assert tl.rows[row].id == "ev-saraqib"
            assert tl.find("ev-saraqib") == row
            assert tl.find("ev-hama-falls") == next(
                i for i, e in enumerate(tl.rows) if e.id == "ev-hama-falls"
            )
            assert tl.find("no-such-event") is None
