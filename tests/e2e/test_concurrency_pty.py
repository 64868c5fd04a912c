"""The open TUI and other processes on one store; a full disk under the open TUI.

Real parts throughout: the installed app in a pseudo-terminal, `sitmon refresh` as a
separate process, a real TinyDB file, a real (small) tmpfs for the full disk.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sitmon.store import Store

from tests.support.pty_harness import ROOT, PtyApp, sitmon_argv

pytestmark = pytest.mark.slow
FEEDS = ROOT / "examples" / "feeds"


def write_config(path: Path, feed_name: str, url: str, interval: int = 3600) -> Path:
    path.write_text(
        f'[[feeds]]\nname = "{feed_name}"\nurl = "{url}"\nformat = "auto"\ninterval = {interval}\n'
    )
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitmon", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_tui_and_cli_refresh_share_the_store(tmp_path):
    """The TUI refreshes its own feed while `sitmon refresh` (cron, say) writes the same store:
    neither batch is lost, and the open TUI reloads the other process's changes by itself."""
    store_path = tmp_path / "s.json"
    Store.open(store_path)  # seeded from the bundled dataset
    cfg = write_config(tmp_path / "config.toml", "samples", str(FEEDS / "sample.jsonfeed.json"))
    env = {"SITMON_CONFIG": str(cfg), "HOME": str(tmp_path)}
    with PtyApp(sitmon_argv("--store", str(store_path)), cols=160, rows=48, env=env) as app:
        app.wait_text("as of 2024-12-05", 60)
        app.press("r")  # the TUI's own refresh of its configured feed ...
        # ... while another process refreshes the follow-up feed into the same file
        r = cli(
            "--store", str(store_path), "refresh", "--feed", str(FEEDS / "followup.sitmon.json")
        )
        assert r.returncode == 0, r.stderr
        assert "Homs" in r.stdout and "Damascus" in r.stdout
        # the open TUI notices the file changed and shows the new latest moment without a restart
        # (the follow-up runs to 8 Dec; the TUI's own sample feed may reach a later day)
        app.wait_for(
            lambda screen: re.search(r"as of 2024-12-(0[89]|1\d)", screen), 60, "a later as-of"
        )
        app.wait_text("✓ feeds 1 ok", 60)  # and its own refresh has finished
        assert app.alive()
        app.press("q")
        assert app.wait_exit() == 0
    final = Store.open(store_path)
    control = final.control_as_of(None)
    assert control["homs"].faction == "hts_led" and control["damascus"].faction == "hts_led"
    sample_ids = {e.id for e in final.events()} & {
        rec.id
        for rec in _records_of(FEEDS / "sample.jsonfeed.json", "samples")
        if type(rec).__name__ == "Event"
    }
    assert sample_ids, "the TUI's own refresh batch was lost"
    assert final.feed_state("samples").get("last_success")


def _records_of(path: Path, feed_name: str):
    from sitmon.store.ingest import ingest_bytes

    return ingest_bytes(path.read_bytes(), "auto", source_name=feed_name).records


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(folder: Path) -> Path:
    """Fill a filesystem to the last byte (unbuffered writes, halving the size at ENOSPC)."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        size = 1 << 16
        while size:
            try:
                os.write(fd, b"\0" * size)
            except OSError:
                size //= 2
    finally:
        os.close(fd)
    return filler


def test_disk_full_under_the_open_tui(tmpfs, tmp_path):
    store_path = tmpfs / "s.json"
    Store.open(store_path)
    before = store_path.read_bytes()
    cfg = write_config(tmp_path / "config.toml", "followup", str(FEEDS / "followup.sitmon.json"))
    env = {"SITMON_CONFIG": str(cfg), "HOME": str(tmp_path)}
    with PtyApp(
        sitmon_argv("--store", str(store_path), "run", "--no-refresh"), cols=160, rows=48, env=env
    ) as app:
        app.wait_text("as of 2024-12-05", 60)
        filler = fill(tmpfs)
        app.press("r")
        screen = app.wait_text("feeds 1/1 failing", 60)
        assert "as of 2024-12-05" in screen  # still showing what it had
        app.press("f")  # the Feeds screen has the error in full
        app.wait_text("space left on device", 30)
        app.press("q")  # back to the main screen
        app.wait_text("[1] Timeline", 30)
        assert app.alive()
        assert store_path.read_bytes() == before  # nothing lost, nothing half-written
        assert not [p for p in tmpfs.iterdir() if "sitmon-tmp" in p.name]
        # space comes back: the next refresh goes through
        filler.unlink()
        app.press("r")
        app.wait_text("as of 2024-12-08", 60)
        app.press("q")
        assert app.wait_exit() == 0
    assert Store.open(store_path).control_as_of(None)["homs"].faction == "hts_led"
