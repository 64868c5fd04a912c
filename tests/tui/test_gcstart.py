"""The monitor starts with the cyclic garbage collector paused and turns it back on
(tui/gcstart.py, issue 13: data on screen). A collector left off would let every
reference cycle of an all-day session pile up in memory, so each way out of the
start must turn it on again.
"""

from __future__ import annotations

import gc

import pytest
from sitmon.tui import gcstart
from sitmon.tui.cli import _opens_monitor, main

from tests.support.tui_fixtures import make_app, settle, situation_store


@pytest.fixture
def collector():
    """The test's collector state is restored whatever the test does."""
    was = gc.isenabled()
    yield
    gcstart.resume()
    if was:
        gc.enable()
    gc.unfreeze()


@pytest.mark.parametrize(
    ("argv", "opens"),
    [
        ([], True),
        (["run", "--no-refresh"], True),
        (["--store", "x.json", "run"], True),
        (["--theme", "nord"], True),  # a value, not a command
        (["--as-of", "2024-12-01", "--no-refresh"], True),
        (["--store", "run"], True),  # a store file named "run", then no command
        (["export", "--view", "timeline"], False),
        (["--store", "x.json", "info"], False),
        (["--", "run"], False),
    ],
)
def test_only_opening_the_monitor_pauses_the_collector(argv, opens) -> None:
    assert _opens_monitor(argv) is opens


async def test_the_collector_is_on_again_once_the_data_is_on_screen(tmp_path, collector) -> None:
    path = situation_store(tmp_path / "s.json")
    gcstart.pause()
    assert not gc.isenabled()
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "HTS" in "\n".join(app.main_screen.timeline.lines_as_text())
        assert gc.isenabled()
        assert not gcstart.paused()


async def test_the_collector_is_on_again_when_the_store_cannot_be_read(tmp_path, collector) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    gcstart.pause()
    app = make_app(bad)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store_error
        assert gc.isenabled()


def test_a_command_that_stops_before_the_monitor_leaves_the_collector_on(
    tmp_path, collector, capsys
) -> None:
    # the monitor's own command line, refused before any app runs
    code = main(["--store", str(tmp_path / "s.json"), "run", "--as-of", "not-a-date"])
    assert code == 2
    assert "--as-of" in capsys.readouterr().err
    assert gc.isenabled()
