"""The Feeds screen's keys: its footer names what each key does there (a link on this
screen is a feed, so Tab selects a feed and Enter refreshes it, not "Open link"), ``R``
refreshes every feed, the keys are in the one registry (help, keymap), and the hint
line under the feeds follows the user's keymap."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitmon.tui.config import Config, FeedConfig
from sitmon.tui.screens import FeedsScreen
from textual.widgets._footer import FooterKey

from tests.support.feedserver import FeedServer
from tests.support.tui_fixtures import make_app, settle, situation_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "feeds"


@pytest.fixture
def store_path(tmp_path):
    return situation_store(tmp_path / "s.json")


def footer(app) -> list[str]:
    """The footer as the user reads it: ``key label`` per entry, in order."""
    return [f"{k.key_display} {k.description}".strip() for k in app.screen.query(FooterKey)]


async def wait_for_refreshes(pilot) -> None:
    app = pilot.app
    await settle(pilot)
    while any(s.running for s in app.scheduler.status.values()):
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
    await pilot.pause()


def two_feeds(srv) -> list[FeedConfig]:
    srv.serve_file("/a.json", EXAMPLES / "sample.jsonfeed.json")
    srv.serve_file("/b.json", EXAMPLES / "sample.jsonfeed.json")
    return [FeedConfig(name=n, url=srv.url(f"/{n}.json"), format="auto", timeout=5) for n in "ab"]


async def test_the_footer_names_the_feeds_screens_own_keys_and_R_refreshes_every_feed(
    store_path,
):
    with FeedServer() as srv:
        app = make_app(store_path, config=Config(feeds=two_feeds(srv)))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FeedsScreen)
            assert footer(app) == [
                "tab Next feed",
                "⏎ Refresh feed",
                "R Refresh all",
                "esc Back",
                "^p palette",
            ]
            text = "\n".join(app.screen.view.plain_lines)
            assert (
                "Tab selects a feed · Enter refreshes it · R refreshes every feed · Esc goes\nback"
                in text
            )
            await pilot.press("r")  # the selected (first) feed only
            await wait_for_refreshes(pilot)
            assert (srv.hits("/a.json"), srv.hits("/b.json")) == (1, 0)
            await pilot.press("R")
            await wait_for_refreshes(pilot)
            assert (srv.hits("/a.json"), srv.hits("/b.json")) == (2, 1)
            await pilot.press("tab", "enter")  # the second feed
            await wait_for_refreshes(pilot)
            assert (srv.hits("/a.json"), srv.hits("/b.json")) == (2, 2)


async def test_without_feeds_the_footer_offers_only_back(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert footer(app) == ["esc Back", "^p palette"]


async def test_a_remapped_feeds_key_shows_in_the_footer_and_the_hint(store_path):
    with FeedServer() as srv:
        config = Config(feeds=two_feeds(srv), keymap={"feeds.refresh_all": "A"})
        app = make_app(store_path, config=config)
        async with app.run_test(size=(120, 24)) as pilot:
            await settle(pilot)
            assert app.keymap_problems == []
            await pilot.press("f")
            await pilot.pause()
            assert "A Refresh all" in footer(app)
            text = "\n".join(app.screen.view.plain_lines)
            assert "· A refreshes every feed ·" in text
            await pilot.press("A")
            await wait_for_refreshes(pilot)
            assert (srv.hits("/a.json"), srv.hits("/b.json")) == (1, 1)
