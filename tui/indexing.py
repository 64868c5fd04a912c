"""The search index, built behind the screen; a filter typed before it waits visibly.

A filter's words are answered from the store's search index
(:mod:`sitmon.store.search`), which takes seconds to build at a million events (10-23 s
measured, issue 13). :class:`SearchIndexer` builds it in a thread worker after each
data paint (a merge usually keeps it current, and then the build returns at once) and
posts :class:`~.messages.SearchIndexReady`; the worker never touches widgets.

Until it is ready the UI thread never builds it: the panes ask the store with
``index="ready"`` (:class:`~sitmon.store.search.SearchPending` when it is not built).
A pane whose filter has words then shows its rows not yet narrowed by them and says
``indexing…`` beside the filter in its title (:data:`PENDING_NOTE`); when the index
is ready those panes are shown again with the filter as it is *then* (the latest
text typed, not the text that found the index missing).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from .messages import SearchIndexReady

if TYPE_CHECKING:
    from sitmon.store import Store

    from .app import SitmonApp

__all__ = ["PENDING_NOTE", "SearchIndexer"]

#: beside the filter in the title of a pane whose filter waits for the search index
PENDING_NOTE = "indexing…"


class SearchIndexer:
    """Builds ``app.store``'s search index in a worker; remembers the panes waiting for it."""

    def __init__(self, app: SitmonApp) -> None:
        self.app = app
        #: the store a worker is building the index of (None: no worker running)
        self._building: Store | None = None
        #: ids of the panes whose filter waits for the index
        self.pending: set[str] = set()

    def start(self, store: Store) -> None:
        """Build ``store``'s index in a thread worker unless one is already at it (it
        builds until the index is current for the store's latest events)."""
        if self._building is store or store is not self.app.store:
            return
        self._building = store
        self.app.run_worker(
            partial(self._thread, store),
            thread=True,
            group="index",
            exit_on_error=False,
            name="search index",
        )

    def _thread(self, store: Store) -> None:
        app = self.app
        # a merge that changed too much during a build leaves it behind: build again
        while not app.cancel.cancelled and store is app.store:
            store.build_search_index()
            if store.search_ready:
                break
        app.post_message(SearchIndexReady(store))

    def ready(self, store: Store) -> None:
        """On the UI thread: the worker for ``store`` is done; show the waiting panes."""
        if self._building is store:
            self._building = None
        if store is not self.app.store:
            return  # the store of the situation shown before a switch
        if not store.search_ready:  # a merge landed since: build on
            self.start(store)
            return
        pending, self.pending = self.pending, set()
        if pending:
            self.app.update_views(tuple(pending))

    def wait(self, pane_id: str, store: Store) -> None:
        """``pane_id``'s filter needs the index, which is not ready: remember it, and make
        sure a worker is building it."""
        self.pending.add(pane_id)
        self.start(store)

    def note(self, pane_id: str) -> str | None:
        """The note beside ``pane_id``'s filter while it waits for the index."""
        return PENDING_NOTE if pane_id in self.pending else None

    def forget(self) -> None:
        """Switching situations: no pane waits for the old store's index."""
        self.pending.clear()
