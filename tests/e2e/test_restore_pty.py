"""Restoring a backup with `cp` while the monitor is open loses nothing.

`cp` truncates the store and rewrites it in place, so the monitor's disk check
reads half-written files. It must never move, quarantine or rewrite the file:
it keeps showing what it has until the copy is whole, then shows the backup.
The default run restores 5 times; the opt-in soak (`pytest -m soak`) 100 times.
Outside names (a hostile store file name, a hostile feed URL) shown by the monitor
never reach the terminal raw.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
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


def slow_cp(src: Path, dst: Path, seconds: float = 3.0) -> None:
    """Copy like `cp` does (truncate the target, write it in place) but slowly, as from a
    slow disk or a network share: the monitor's 2 s disk check surely reads it half-written.
    The pauses simulate the slow writer; the test never waits on them for a condition."""
    data = src.read_bytes()
    step = max(1, len(data) // 30)
    with open(dst, "r+b") as fh:
        fh.truncate(0)
        for i in range(0, len(data), step):
            fh.write(data[i : i + step])
            fh.flush()
            time.sleep(seconds / 30)


def real_cp(src: Path, dst: Path) -> None:
    subprocess.run(["cp", str(src), str(dst)], check=True)


def restore_loop(tmp_path: Path, iterations: int, n_backup: int, copy=real_cp) -> None:
    """Alternate two backups with ``copy`` (ending on the first); each must be shown in turn."""
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
            # a sharded backup (issue 13) is restored shards first, then the core that
            # names them (`cp -r` the folder, then `cp` the core while the monitor is open)
            shards = Path(f"{backups[i % 2]}.events")
            shutil.copytree(shards, Path(f"{store}.events"), dirs_exist_ok=True)
            copy(backups[i % 2], store)
            app.wait_text(days[i % 2], 60)  # the restored backup is what the monitor shows
            assert app.alive(), f"the monitor died at restore {i + 1}"
        app.press("q")
        assert app.wait_exit() == 0
    assert store.read_bytes() == backups[0].read_bytes()
    assert not [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert set(Store.open(store).tables["event"]) == ids


def test_restore_with_cp_while_the_monitor_is_open(tmp_path):
    restore_loop(tmp_path, 5, n_backup=20_000)


def test_a_slow_restore_is_read_half_written_and_never_thrown_away(tmp_path):
    restore_loop(tmp_path, 3, n_backup=10_000, copy=slow_cp)


@pytest.mark.soak
def test_restore_with_cp_100_times_while_the_monitor_is_open(tmp_path):
    restore_loop(tmp_path, 101, n_backup=50_000)


def test_a_reload_that_fails_keeps_what_is_shown_and_says_why(tmp_path):
    store = tmp_path / "s.json"
    make_store(store, 100, 14)  # shown as of 11 Dec
    env = {"SITMON_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}
    argv = sitmon_argv("--store", str(store), "run", "--no-refresh")
    with PtyApp(argv, cols=200, rows=40, env=env) as app:
        app.wait_text("as of 2024-12-11", 60)
        broken = b'{"meta": {"1": {"schema_version": 1}}, "events": [1, 2]}'
        store.write_bytes(broken)  # another program breaks the file...
        old = time.time() - 60
        os.utime(store, (old, old))  # ...and is long done with it
        # says why (a notification: "The store changed on disk but cannot be read: ...")
        screen = app.wait_text("changed on disk but cannot be read", 60)
        assert "as of 2024-12-11" in screen  # and what was shown is still shown
        assert "Event number 100" in screen
        app.press("q")
        assert app.wait_exit() == 0
    assert store.read_bytes() == broken  # the monitor only read it
    # nothing set aside or created: the core, its month shards (issue 13) and the lock
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "s.json.events", "s.json.lock"]
