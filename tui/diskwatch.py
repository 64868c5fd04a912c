"""The disk watcher: notices when another process (``sitmon refresh`` from cron, a
second monitor) replaced the store file, and posts the re-read store.

Every ``interval`` seconds, unless a refresh of this app is running or a check is
still busy, a thread worker asks :meth:`Store.changed_on_disk`; when the file
changed it re-reads it and posts :class:`~.messages.StoreReloaded`.

The watcher only ever *reads*: it never writes, moves, quarantines or creates
the file. A file that does not parse while it is being written (``cp``
restoring a backup) is re-read with backoff by :meth:`Store.open` and, if still
being written, simply tried again at the next tick. A file that stays
unreadable (or disappeared) is reported once with
:class:`~.messages.StoreReloadFailed`; the app keeps showing what it has.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from .messages import StoreReloaded, StoreReloadFailed

if TYPE_CHECKING:
    from sitmon.store import Store
    from textual.app import App

__all__ = ["DiskWatcher"]


class DiskWatcher:
    """Checks the store file of ``app.store`` for changes by other processes."""

    def __init__(self, app: App, interval: float, *, busy_elsewhere: Callable[[], bool]) -> None:
        self.app = app
        self.interval = interval
        self.busy_elsewhere = busy_elsewhere
        self.busy = False

    def start(self) -> None:
        self.app.set_interval(self.interval, self.check)

    def check(self) -> None:
        """Start one check in a thread worker (at most one at a time)."""
        store = getattr(self.app, "store", None)
        if store is None or self.busy or self.busy_elsewhere():
            return
        self.busy = True
        self.app.run_worker(
            partial(self._check_thread, store),
            thread=True,
            exclusive=True,
            group="disk",
            exit_on_error=False,
        )

    def _check_thread(self, store: Store) -> None:
        from sitmon.store import StoreError, StoreUnreadable

        try:
            # Only when another process wrote: re-read into the same Store (no second
            # copy). An unreadable file raises, and the store in memory stays as it was.
            if store.changed_on_disk() and store.reload():
                self.app.post_message(StoreReloaded(store))
                return
        except StoreUnreadable as exc:
            if not exc.changing:  # still being written: quietly try again at the next tick
                self.app.post_message(StoreReloadFailed(str(exc)))
                return
        except StoreError as exc:
            self.app.post_message(StoreReloadFailed(str(exc)))
            return
        except Exception as exc:  # pragma: no cover - the app must keep running
            self.app.post_message(StoreReloadFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.busy = False  # a plain flag; the next timer tick reads it
