"""End to end: the real console script in a pseudo-terminal, read back through pyte.

Offline and deterministic: a temp ``--store`` (seeded from the bundled dataset
on first run) and ``SITMON_CONFIG`` pointing at a missing file (no feeds).
The test waits for the panes, presses Tab and ``[``, checks the screen
changed accordingly, quits with ``q`` and expects exit code 0.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte
import pytest

ROOT = Path(__file__).resolve().parents[2]
COLS, ROWS = 120, 36

pytestmark = pytest.mark.slow


class Terminal:
    """A child process on a pty, its output fed to a pyte screen."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.proc = subprocess.Popen(
            cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True
        )
        os.close(slave)

    def pump(self, timeout: float = 0.05) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return
            if data:
                self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, cond: Callable[[str], bool], timeout: float = 30.0, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            text = self.text()
            if cond(text):
                return text
            if self.proc.poll() is not None:
                break
        raise AssertionError(f"timed out waiting for {what or cond}; screen:\n{self.text()}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait_exit(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.02)
            code = self.proc.poll()
            if code is not None:
                return code
        raise AssertionError(f"the app did not exit; screen:\n{self.text()}")

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def _command(store: Path) -> list[str]:
    """This checkout's sitmon under the test interpreter (never a ``sitmon`` on PATH)."""
    return [sys.executable, "-m", "sitmon", "--store", str(store)]


def test_the_app_in_a_pty(tmp_path):
    env = dict(os.environ)
    env.update(
        TERM="xterm-256color",
        SITMON_CONFIG=str(tmp_path / "missing-config.toml"),
        COLUMNS=str(COLS),
        LINES=str(ROWS),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    for var in ("NO_COLOR", "SITMON_STORE", "TEXTUAL"):
        env.pop(var, None)
    term = Terminal(_command(tmp_path / "store.json"), env, ROOT)
    try:
        # the panes, with data from the bundled dataset (latest moment)
        text = term.wait_for(
            lambda t: "Timeline" in t and "Statistics" in t and "(latest)" in t,
            what="the four panes with the store loaded",
        )
        assert "▶ [1] Timeline" in text
        latest = re.search(r"as of (\d{4}-\d\d-\d\d)", text).group(1)

        term.send(b"\t")  # Tab: the map pane takes the focus marker
        term.wait_for(
            lambda t: "▶ [2] Map" in t and "▶ [1] Timeline" not in t and "[1] Timeline" in t,
            what="Tab to move the focus marker to the map",
        )

        term.send(b"[")  # a day back
        text = term.wait_for(
            lambda t: "(latest)" not in t and "as of " in t, what="[ to step a day back"
        )
        shown = re.search(r"as of (\d{4}-\d\d-\d\d)", text).group(1)
        assert shown < latest

        term.send(b"q")
        assert term.wait_exit() == 0
    finally:
        term.close()
