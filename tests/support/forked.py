"""Writer processes forked from a warm parent, for the kill-loop tests.

A kill-loop test starts a writer process and SIGKILLs it at a random moment, dozens of
times. Starting a fresh interpreter and importing sitmon took most of each round (about
0.35 s of 0.6 s for a store writer, more for ``sitmon refresh`` with httpx) and none of
it is what those tests are about. A :class:`Forker` is one interpreter that imports the
given modules once, then forks a child per :meth:`Forker.run`; the child runs a script
(or ``-m module``) as ``__main__`` with its own ``sys.argv``. Each child is still a real,
separate process writing the real store and killed by a real SIGKILL: only the start-up
is shared.

The parent's and the children's output share one pipe: the parent's own lines start
with a NUL byte (``\\0pid N``, ``\\0exit CODE``); everything else is a child's output.
The parent never runs threads, so forking it is safe.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PARENT = r"""
import os, runpy, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    __import__(name)
for line in sys.stdin:
    argv = line.rstrip("\n").split("\0")
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            if argv[0] == "-m":
                sys.argv = argv[1:]
                runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
            else:
                sys.argv = argv
                runpy.run_path(argv[0], run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(f"\0pid {pid}", flush=True)
    _, status = os.waitpid(pid, 0)
    print(f"\0exit {os.waitstatus_to_exitcode(status)}", flush=True)
"""


class Forker:
    """A warm parent process that forks one child per :meth:`run` (one child at a time).

    ``preload``: module names imported once in the parent (what each child would
    otherwise import on start-up). ``cwd``: the children's working folder."""

    def __init__(self, *preload: str, cwd: Path = ROOT) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _PARENT, str(ROOT), *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._child: Child | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("\0eof")

    def run(self, *argv: str | Path) -> Child:
        """Fork a child running ``argv`` (a script path and its arguments, or ``"-m",
        module, arguments``); returns once the child's pid is known."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("\0".join(map(str, argv)) + "\n")
        self.proc.stdin.flush()
        child = self._child = Child(self)
        while child.pid is None:
            child._take(60.0)
        return child

    def close(self) -> None:
        """Kill a child still running (a test that failed mid-round), then end the parent."""
        if self._child is not None:
            self._child.send_signal(signal.SIGKILL)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Forker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Child:
    """One forked child: :meth:`readline`, :meth:`wait` and :meth:`send_signal` work as
    :class:`subprocess.Popen`'s do (``wait`` raises :class:`subprocess.TimeoutExpired`)."""

    def __init__(self, forker: Forker) -> None:
        self._forker = forker
        self.pid: int | None = None
        self.returncode: int | None = None
        self.output: list[str] = []  # the child's lines not yet read by readline
        self.all_output: list[str] = []

    def _take(self, timeout: float) -> bool:
        """Handle the next line from the pipe; False if none came within ``timeout``."""
        try:
            line = self._forker._lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return False
        if "\0" in line[1:]:  # a killed child's unfinished line, then the parent's
            head, _, tail = line.partition("\0")
            self.output.append(head)
            self.all_output.append(head)
            line = "\0" + tail
        if line.startswith("\0pid "):
            self.pid = int(line[5:])
        elif line.startswith("\0exit "):
            self.returncode = int(line[6:])
        elif line == "\0eof":
            raise AssertionError(f"the fork parent died; output: {self.all_output}")
        else:
            self.output.append(line)
            self.all_output.append(line)
        return True

    def readline(self, timeout: float = 60.0) -> str:
        """The child's next output line ("" once it has exited with nothing more)."""
        deadline = time.monotonic() + timeout
        while not self.output:
            if self.returncode is not None:
                return ""
            if not self._take(deadline - time.monotonic()):
                raise AssertionError(f"no output from the child in {timeout} s")
        return self.output.pop(0)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = 3600.0 if deadline is None else deadline - time.monotonic()
            if left <= 0 or not self._take(left):
                raise subprocess.TimeoutExpired(f"forked child {self.pid}", timeout or 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Signal the child unless it is already known to have exited."""
        while self.returncode is None and self._take(0):
            pass  # the lines already there: maybe it has exited
        if self.returncode is None:
            assert self.pid is not None
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass  # exited and reaped this very moment

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def forked_run(forker: Forker, *argv: str | Path, timeout: float = 120.0) -> tuple[int, str]:
    """Run one child to its end: (exit code, its output)."""
    child = forker.run(*argv)
    code = child.wait(timeout)
    return code, "\n".join(child.all_output)
