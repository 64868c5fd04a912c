"""SVG snapshots (pytest-textual-snapshot) of the main screen, help and a detail view.

80x24 and 160x48; as of 2024-11-26 (the day before the offensive) and as of
the latest moment. The store is the fixed mini-situation of tests/support/tui_fixtures
(not the bundled dataset, so editing the data does not churn snapshots); the
clock is frozen and the cursor does not blink. Update with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs.

The SVGs were made with the Textual and Rich versions named below (``MADE_WITH``);
the ``test`` extra of pyproject.toml pins exactly these, so ``pip install '.[test]'``
reproduces them. Under other versions every snapshot test fails with one line naming
both versions instead of a page of SVG differences.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.tui_fixtures import make_app, situation_store

SIZES = [(80, 24), (160, 48)]

#: the versions the committed SVGs were made with (update with the snapshots)
MADE_WITH = {"textual": "8.2.8", "rich": "15.0.0"}
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.fixture(autouse=True)
def _same_versions_as_the_snapshots(request):
    if request.node.name.startswith("test_snapshot_versions"):
        return
    installed = {name: version(name) for name in MADE_WITH}
    if installed != MADE_WITH:
        pytest.fail(
            f"snapshots were made with {MADE_WITH}, installed {installed}: "
            "pip install '.[test]' (it pins them) or update the snapshots and MADE_WITH",
            pytrace=False,
        )


def test_snapshot_versions_are_pinned_by_the_test_extra():
    extra = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["test"]
    for name, ver in MADE_WITH.items():
        assert f"{name}=={ver}" in extra, f"pyproject [test] extra must pin {name}=={ver}"


@pytest.fixture
def store_path(tmp_path):
    return situation_store(tmp_path / "s.json")


async def _settle(pilot) -> None:
    app = pilot.app
    await app.wait_until_loaded()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_before_the_offensive(snap_compare, store_path, size):
    app = make_app(store_path, as_of=date(2024, 11, 26))
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_latest(snap_compare, store_path, size):
    app = make_app(store_path)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, store_path, size):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(store_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail_view(snap_compare, store_path, size):
    async def run_before(pilot):
        await _settle(pilot)
        pilot.app.main_screen.timeline.select("ev-hama-falls")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(store_path), terminal_size=size, run_before=run_before)


def test_map_selection_and_filter(snap_compare, store_path):
    """Hama selected on the map: the timeline and quotes show only Hama."""

    async def run_before(pilot):
        await _settle(pilot)
        pilot.app.main_screen.go_to_place("hama")
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(make_app(store_path), terminal_size=(160, 48), run_before=run_before)


# --------------------------------------------------------------------------- desk (issue 16)


def _failing_feeds_app(store_path, monkeypatch, **kw):
    """Five configured feeds, two failing (states set directly: no network, frozen clock)."""
    import time
    from datetime import timedelta

    from sitmon.tui.config import Config, FeedConfig

    from tests.support.tui_fixtures import frozen_clock

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    names = ["a", "jsonfeed", "b", "geojson", "c"]
    feeds = [
        FeedConfig(name=n, url=f"https://feeds.example.org/{n}.json", interval=600) for n in names
    ]
    app = make_app(store_path, config=Config(feeds=feeds), refresh=False, **kw)
    now = frozen_clock()

    async def settle(pilot) -> None:
        await _settle(pilot)
        from sitmon.tui.scheduler import FeedStatus

        for i, n in enumerate(names):
            failing = n in ("jsonfeed", "geojson")
            pilot.app.scheduler.status[n] = FeedStatus(
                last_success=now - timedelta(hours=2 if failing else 0, minutes=10 + i),
                last_attempt=now - timedelta(minutes=1),
                next_attempt=now + timedelta(minutes=9 - i),
                last_error="HTTP 503 Service Unavailable from feeds.example.org: down for maintenance"
                if failing
                else None,
                added=0 if failing else 4,
            )
        pilot.app.refresh_enabled = True
        pilot.app.update_header()
        await pilot.pause()

    return app, settle


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_header_with_failing_feeds(snap_compare, store_path, monkeypatch, size):
    app, settle = _failing_feeds_app(store_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feeds_screen(snap_compare, store_path, monkeypatch, size):
    app, settle = _failing_feeds_app(store_path, monkeypatch)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_export_dialog(snap_compare, store_path, size, tmp_path):
    app = make_app(store_path)
    app.export_dir = Path("/home/desk/Documents")

    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_statistics_chart(snap_compare, store_path, size):
    app = make_app(store_path)

    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("4", "z")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
