"""The monitor never writes an outside byte raw: a hostile file name as the feed's URL
(the header and a notification say the feed fails; its error in full is on the Feeds
screen), as the store's name (its error lands in the header and the panes), and a
situation title written into a store's metadata by another program (the header) show
OSC 0, OSC 52, C1 CSI and U+202E as escapes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sitmon.store import Store

from tests.e2e.test_cli_reliability import FORBIDDEN, HOSTILE, SHOWN
from tests.support.pty_harness import PtyApp, sitmon_argv

pytestmark = pytest.mark.slow


def assert_no_raw(raw: bytes) -> None:
    for b in FORBIDDEN:
        assert b not in raw, f"{b!r} reached the terminal"


@pytest.mark.parametrize("piece", sorted(HOSTILE))
def test_a_hostile_feed_file_name_in_the_header_and_notifications(tmp_path, piece):
    missing = tmp_path / f"feed{HOSTILE[piece]}.json"  # does not exist: the refresh fails
    cfg = tmp_path / "config.toml"
    # TOML basic strings take \uXXXX escapes: the config file itself stays plain ASCII
    url = str(missing).encode("unicode_escape").decode().replace("\\x", "\\u00")
    cfg.write_text(f'[[feeds]]\nname = "desk"\nurl = "{url}"\ninterval = 3600\n')
    env = {"SITMON_CONFIG": str(cfg), "HOME": str(tmp_path)}
    argv = sitmon_argv("--store", str(tmp_path / "s.json"))
    with PtyApp(argv, cols=250, rows=40, env=env) as app:
        app.wait_text("feeds 1/1 failing", 60)
        app.wait_text("Refresh failed", 30)
        app.press("f")  # the Feeds screen: the URL and the error in full
        app.wait_text("error: ", 30)
        screen = app.text()
        app.press("q")  # back to the main screen (q there quits)
        app.wait_text("[1] Timeline", 30)
        app.press("q")
        assert app.wait_exit() == 0
        raw = bytes(app.raw)
    assert_no_raw(raw)
    assert f"feed{SHOWN[piece]}.json" in screen.replace("\n", ""), screen


@pytest.mark.parametrize("piece", sorted(HOSTILE))
def test_a_hostile_store_file_name_in_the_store_error(tmp_path, piece):
    store = tmp_path / f"store{HOSTILE[piece]}.json"
    store.write_bytes(b"{not a store")
    old = store.stat().st_mtime - 60
    os.utime(store, (old, old))
    env = {"SITMON_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}
    with PtyApp(sitmon_argv("--store", str(store)), cols=250, rows=40, env=env) as app:
        app.wait_text("store error", 60)
        screen = app.text()
        app.press("q")
        assert app.wait_exit() == 0
        raw = bytes(app.raw)
    assert_no_raw(raw)
    assert f"store{SHOWN[piece]}.json" in screen, screen
    assert store.read_bytes() == b"{not a store"  # the app only read it
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == [store.name]


@pytest.mark.parametrize("piece", sorted(HOSTILE))
def test_a_hostile_situation_title_in_store_metadata_reaches_the_header_escaped(tmp_path, piece):
    path = tmp_path / "s.json"
    Store.open(path)
    doc = json.loads(path.read_text())
    doc["meta"]["1"]["situation"]["title"] = f"Title{HOSTILE[piece]}end"
    path.write_text(json.dumps(doc))  # written by another program, not through ingest
    env = {"SITMON_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}
    with PtyApp(
        sitmon_argv("--store", str(path), "run", "--no-refresh"), cols=250, rows=40, env=env
    ) as app:
        app.wait_text("as of 2024-12-05", 60)
        app.wait_text(f"Title{SHOWN[piece]}end", 30)
        app.press("q")
        assert app.wait_exit() == 0
        raw = bytes(app.raw)
    assert_no_raw(raw)
