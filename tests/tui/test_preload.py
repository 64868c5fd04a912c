"""``sitmon run`` reads the store while the monitor's modules import (tui/preload.py):
the app shows that read, reads nothing twice, reports a store that cannot be read as
its own read does, and reads nothing for arguments it refuses.
"""

from __future__ import annotations

import argparse

from sitmon.tui.preload import Preload, preload_store

from tests.support.tui_fixtures import make_app, settle, situation_store


async def test_the_app_shows_the_command_lines_read_of_the_store(tmp_path, monkeypatch) -> None:
    path = situation_store(tmp_path / "s.json")
    preload = Preload(path, seed=True)
    store = preload.result()
    opened = []
    import sitmon.store

    real_open = sitmon.store.Store.open
    monkeypatch.setattr(
        sitmon.store.Store,
        "open",
        classmethod(lambda cls, *a, **k: opened.append(a) or real_open(*a, **k)),
    )
    app = make_app(path, preload=preload)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store is store
        assert opened == []  # not read a second time
        assert "HTS" in "\n".join(app.main_screen.timeline.lines_as_text())


async def test_a_store_that_cannot_be_read_is_reported_as_before(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    app = make_app(bad, preload=Preload(bad, seed=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store is None
        assert "cannot be read" in app.store_error
    assert bad.read_text(encoding="utf-8") == "{not json"


async def test_a_read_of_another_store_is_not_shown(tmp_path) -> None:
    other = situation_store(tmp_path / "other.json")
    path = situation_store(tmp_path / "s.json")
    app = make_app(path, preload=Preload(other, seed=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store.path == path


def test_nothing_is_read_for_a_refused_as_of(tmp_path) -> None:
    missing = tmp_path / "new.json"
    args = argparse.Namespace(store=str(missing), as_of="not-a-date")
    assert preload_store(args) is None
    assert not missing.exists()
