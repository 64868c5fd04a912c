"""Restoring a backup with `cp` while the monitor is open loses nothing.

`cp` truncates the store and rewrites it in place, so the monitor's disk check
reads half-written files. It must never move, quarantine or rewrite the file:
it keeps showing what it has until the copy is whole, then shows the backup.
The default run restores 5 times; the opt-in soak (`pytest -m soak`) 100 times.
Outside names (a hostile store file name, a hostile feed URL) shown by the monitor
never reach the terminal raw.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sitmon.store import Store

from tests.support import factories as f
from tests.support.pty_harness import PtyApp, sitmon_argv

pytestmark = pytest.mark.slow


def make_store(path: Path, n: int, last_day: int) -> set[str]:
    """A store of ``n`` synthetic events plus one on ``27 Nov + last_day``; returns the event ids."""
    s = Store.open(path, seed=False)
    s.merge(f.base_world() + f.synthetic_events(n) + [f.event(n, minutes=last_day * 24 * 60)])
    return set(s.tables["event"])


def restore_loop(tmp_path: Path, iterations: int, n_backup: int) -> None:
    """Alternate two backups with `cp` (ending on the first); each must be shown in turn."""
    store = tmp_path / "s.json"
    s = Store.open(store, seed=False)  # the open store: 27 Nov only
    s.merge(f.base_world() + [f.event(i, minutes=i) for i in range(10)])
    backups = [tmp_path / "backup-a.json", tmp_path / "backup-b.json"]
    ids = make_store(backups[0], n_backup, 14)  # shown as of 11 Dec
    make_store(backups[1], n_backup // 2, 13)  # shown as of 10 Dec
    days = ["as of 2024-12-11", "as of 2024-12-10"]
    env = {"SITMON_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}
    argv = sitmon_argv("--store", str(store), "run", "--no-refresh")
    with PtyApp(argv, cols=120, rows=40, env=env) as app:
        app.wait_text("as of 2024-11-27", 60)
        for i in range(iterations):
            subprocess.run(["cp", str(backups[i % 2]), str(store)], check=True)
            app.wait_text(days[i % 2], 60)  # the restored backup is what the monitor shows
            assert app.alive(), f"the monitor died at restore {i + 1}"
        app.press("q")
        assert app.wait_exit() == 0
    assert store.read_bytes() == backups[0].read_bytes()
    assert not [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert set(Store.open(store).tables["event"]) == ids


def test_restore_with_cp_while_the_monitor_is_open(tmp_path):
    restore_loop(tmp_path, 5, n_backup=20_000)


@pytest.mark.soak
def test_restore_with_cp_100_times_while_the_monitor_is_open(tmp_path):
    restore_loop(tmp_path, 101, n_backup=50_000)
