"""Run the real ``sitmon`` in a pseudo-terminal, read its screen with pyte, keep every raw byte.

Waiting is always for a condition (the screen shows X, the process exited),
signalled by the reader thread, with a deadline; never a bare sleep.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[2]

KEYS = {
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "enter": "\r",
    "escape": "\x1b",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "pagedown": "\x1b[6~",
    "pageup": "\x1b[5~",
}


def sitmon_argv(*args: str) -> list[str]:
    """This checkout's sitmon, run by the interpreter running the tests (never whatever
    ``sitmon`` comes first on PATH, which may be another install)."""
    return [sys.executable, "-m", "sitmon", *args]


class PtyApp:
    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._cond = threading.Condition()
        self._eof = False
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
            "TEXTUAL_ANIMATIONS": "none",
        }
        full_env.update(env or {})
        pid, fd = pty.fork()
        if pid == 0:  # the child
            try:
                os.chdir(cwd)
                os.execvpe(argv[0], list(argv), full_env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.returncode: int | None = None
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self.raw += data
                self.stream.feed(data)
                self._cond.notify_all()

    # -------------------------------------------------------------- reading

    def text(self) -> str:
        with self._cond:
            return "\n".join(self.screen.display)

    def wait_for(self, pred: Callable[[str], bool], timeout: float = 30.0, what: str = "") -> str:
        """Wait until ``pred(screen text)`` holds; fail with the screen if it never does."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                screen = "\n".join(self.screen.display)
                if pred(screen):
                    return screen
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    raise AssertionError(f"timed out waiting for {what or pred}; screen:\n{screen}")
                self._cond.wait(min(left, 0.5))

    def wait_text(self, needle: str, timeout: float = 30.0) -> str:
        return self.wait_for(lambda s: needle in s, timeout, repr(needle))

    def settle(self, quiet: float = 0.4, timeout: float = 10.0) -> str:
        """Wait until no output has arrived for ``quiet`` seconds (the app is idle)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            last = len(self.raw)
            while time.monotonic() < deadline:
                self._cond.wait(quiet)
                if len(self.raw) == last:
                    break
                last = len(self.raw)
            return "\n".join(self.screen.display)

    # -------------------------------------------------------------- writing

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.fd, KEYS.get(key, key).encode())

    def resize(self, cols: int, rows: int) -> None:
        with self._cond:
            self.cols, self.rows = cols, rows
            self.screen.resize(rows, cols)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.kill(self.pid, signal.SIGWINCH)

    def alive(self) -> bool:
        if self.returncode is not None:
            return False
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.returncode = os.waitstatus_to_exitcode(status)
        return False

    def wait_exit(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._eof and time.monotonic() < deadline:
                self._cond.wait(0.2)
        while time.monotonic() < deadline:
            if not self.alive():
                assert self.returncode is not None
                return self.returncode
            with self._cond:
                self._cond.wait(0.05)
        raise AssertionError(f"sitmon did not exit; screen:\n{self.text()}")

    def close(self) -> None:
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
