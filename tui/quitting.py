"""Quit means exit: within a second, whatever the network or the disk is doing.

Three pieces, used by the App:

- :class:`DaemonExecutor` becomes the event loop's default executor, where
  Textual runs thread workers. Its threads are daemon threads and its
  ``shutdown`` does not wait for them: ``asyncio.run`` (inside ``App.run``)
  and the interpreter's exit would otherwise join a worker still blocked in a
  socket, which kept the process alive for minutes after ``q`` ("the screen
  came back but not the prompt"). Workers are told to stop first (every fetch
  shares the app's :class:`~sitmon.store.deadline.Cancel`, which shuts its
  sockets down); whatever is still running when the app exits is abandoned,
  which is safe because a store write is atomic (old state or new, never
  half) and a cancelled refresh is checked again right before its merge.
- :func:`install_signal_handlers`: SIGTERM and SIGHUP (the terminal was
  closed) quit the app the same way ``q`` does, so the terminal is restored
  (alternate screen left, mouse reporting off) instead of the process dying
  with it still in application mode. SIGINT reaches Textual as the Ctrl+C key
  (the driver turns ISIG off), which quits the same way.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import signal
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["QUIT_SIGNALS", "DaemonExecutor", "install_signal_handlers"]

#: signals that quit the monitor cleanly
QUIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """A default executor whose work runs in daemon threads nobody waits for at exit."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="sitmon-worker")
        self._live: set[threading.Thread] = set()
        self._live_lock = threading.Lock()
        self._closed = False

    def submit(
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future:
        if self._closed:
            raise RuntimeError("cannot schedule new work after shutdown")
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            try:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # handed to whoever awaits the future
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            finally:
                with self._live_lock:
                    self._live.discard(threading.current_thread())

        thread = threading.Thread(target=run, name="sitmon-worker", daemon=True)
        with self._live_lock:
            self._live.add(thread)
        thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work; never wait for running work (quitting must not hang on it)."""
        self._closed = True

    def running(self) -> int:
        """Threads still running (for tests and diagnostics)."""
        with self._live_lock:
            return sum(1 for t in self._live if t.is_alive())


def install_signal_handlers(
    loop: asyncio.AbstractEventLoop, quit: Callable[[int], Any]
) -> list[signal.Signals]:
    """Make SIGTERM and SIGHUP call ``quit(signal_number)`` on the event loop.

    Returns the signals handled.

    Where the loop cannot handle signals (not the main thread, not Unix) nothing
    is installed and the default action stays.
    """
    installed = []
    for sig in QUIT_SIGNALS:
        try:
            loop.add_signal_handler(sig, quit, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        installed.append(sig)
    return installed
