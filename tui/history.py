"""The older history, read behind the first paint (issue 13: data on screen first).

The load worker opens the store with ``Store.open(events="newest")``: the core and
the newest month shards, enough for the first screen. Once that frame is painted,
:class:`HistoryLoader` reads the other months in a thread worker
(:meth:`Store.load_rest <sitmon.store.db.Store.load_rest>`, which swaps them in
under the store's mutex) and posts :class:`~.messages.HistoryLoaded` (or
:class:`~.messages.HistoryFailed`, one line); the app's handlers refresh the panes.
The worker never touches widgets.

Until then nothing counts over history silently: the panes that list events say
``loading history…`` beside their title and their count reads ``n/N+``
(:meth:`note`); a day before the months in memory shows a message instead of an
empty timeline (:meth:`missing_before`); actions that need every event (the detail
screen, copy, the change log) wait for the history and say so (:meth:`after`);
an export reads the rest itself before writing. A failed read keeps what was
painted, labelled ``newest months only``, and says why once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from .messages import HistoryFailed, HistoryLoaded

if TYPE_CHECKING:
    from sitmon.store import Store

    from .app import SitmonApp

__all__ = ["LOADING_NOTE", "PARTIAL_NOTE", "HistoryLoader", "after_history"]

#: seconds between the first data frame and the start of the read: decoding a shard holds
#: the interpreter (the GIL) for up to ~0.4 s at 1M events, so a read started at once
#: delayed that frame's own writing to the terminal by seconds (bench/bench_startup.py)
START_DELAY = 0.3
#: beside the title of a pane whose events are the newest months only, while they load
LOADING_NOTE = "loading history…"
#: the same, once reading the older months has failed
PARTIAL_NOTE = "newest months only"


class HistoryLoader:
    """Reads ``app.store``'s older months after the first paint; gates what needs them."""

    def __init__(self, app: SitmonApp) -> None:
        self.app = app
        #: the last read's error (one line), while the store shown is still partial
        self.error: str | None = None
        #: the store shown is whole, or its read failed (tests and benches wait for it)
        self.done = False
        self._pending: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ loading

    def start(self, store: Store, delay: float = START_DELAY) -> None:
        """Read the months ``store`` left on disk, in a thread worker, ``delay`` seconds
        from now (none left: nothing)."""
        self.error = None
        self._pending.clear()
        self.done = not store.partial
        if store.partial:
            self.app.set_timer(delay, partial(self._start_now, store))

    def _start_now(self, store: Store) -> None:
        if store is not self.app.store:
            return  # switched situations meanwhile
        if not store.partial:  # a refresh's merge read them first: done all the same
            self.app.post_message(HistoryLoaded(store))
            return
        self.app.run_worker(
            partial(self._thread, store),
            thread=True,
            exclusive=True,
            group="history",
            exit_on_error=False,
            name="history",
        )

    def _thread(self, store: Store) -> None:
        from sitmon.store import StoreError

        try:
            store.load_rest()
        except StoreError as exc:
            self.app.post_message(HistoryFailed(store, str(exc)))
            return
        except Exception as exc:  # pragma: no cover - the app must keep running
            self.app.post_message(HistoryFailed(store, f"{type(exc).__name__}: {exc}"))
            return
        self.app.post_message(HistoryLoaded(store))

    def loaded(self, store: Store) -> None:
        """On the UI thread: the history is in; show every pane again, run what waited."""
        if store is not self.app.store:
            return  # the store of the situation shown before a switch
        self.error = None
        self.done = True
        self.app.install_store(store)  # (which builds the search index again, after it)
        self._run_pending()

    def failed(self, store: Store, error: str) -> None:
        """On the UI thread: keep the newest months (labelled), say why once, run what waited."""
        if store is not self.app.store:
            return
        self.error = " ".join(error.split())
        self.done = True
        self.app.notify_plain(
            f"The older history could not be read: {self.error}. Showing the newest months only.",
            title="Store",
            severity="error",
            timeout=30,
        )
        self.app.update_views()  # the panes' notes say "newest months only"
        self._run_pending()

    def forget(self) -> None:
        """Switching situations: what waited for the old store's history is dropped."""
        self._pending.clear()
        self.error = None
        self.done = False

    # ------------------------------------------------------------------ what the screen says

    def note(self, store: Store | None) -> str | None:
        """The note for panes listing events, while ``store`` holds the newest months only."""
        if store is None or not store.partial:
            return None
        return PARTIAL_NOTE if self.error else LOADING_NOTE

    def label(self, pane, pane_id: str, store: Store, as_of: datetime | None) -> bool:
        """Mark ``pane`` partial while its events are the newest months only (the timeline's
        count reads "n/N+"); True when it shows :meth:`missing_before`'s message instead."""
        pane.partial = pane_id == "timeline" and store.partial
        missing = self.missing_before(store, as_of) if pane.partial else None
        if missing:  # a day before the months in memory
            from sitmon.store.termsafe import terminal_safe

            pane.set_message(terminal_safe(missing))
        return bool(missing)

    def missing_before(self, store: Store | None, as_of: datetime | None) -> str | None:
        """The timeline's message when the day shown is before the months in memory."""
        since = store.history_from if store is not None else None
        if since is None or as_of is None or as_of >= since:
            return None
        from sitmon.store.timeutil import fmt_day

        day = fmt_day(since)
        if self.error:
            return f"The events before {day} could not be read: {self.error}"
        return f"Loading the history before {day}…"

    # ------------------------------------------------------------------ actions that need it

    def after(self, action: Callable[[], None], what: str) -> None:
        """Run ``action`` now if every event is in memory, else once the history is read
        (saying so: ``what`` completes "Reading the older history first; ...")."""
        store = self.app.store
        if store is None or not store.partial or self.error is not None:
            action()
            return
        self._pending.append(action)
        self.app.notify_plain(
            f"Reading the older history first; {what} when it is read.",
            title="Store",
            timeout=4,
        )

    def _run_pending(self) -> None:
        pending, self._pending = self._pending, []
        for action in pending:
            action()


def after_history(what: str):
    """Decorate a main-screen method that needs every event: it runs at once when the
    history is in memory, else once it is read (:meth:`HistoryLoader.after`; ``what``
    completes "Reading the older history first; ...")."""

    def wrap(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            self.app.history.after(lambda: method(self, *args, **kwargs), what)

        return wrapper

    return wrap
