"""Messages the workers post to the app (workers never touch widgets).

Each carries its result; the app's handlers own the state (harlequin's pattern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from sitmon.store import Store

__all__ = [
    "HistoryFailed",
    "HistoryLoaded",
    "RefreshFinished",
    "SearchIndexReady",
    "StoreFailed",
    "StoreLoaded",
    "StoreReloadFailed",
    "StoreReloaded",
]


class StoreLoaded(Message):
    """The load worker opened the store (or created it from the bundled dataset)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store


class HistoryLoaded(Message):
    """The history worker read the months the first paint skipped (``store.load_rest()``)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store


class HistoryFailed(Message):
    """The history worker could not read the older months; ``error`` is one line.

    The app keeps showing the newest months, labelled as such, and says why.
    """

    def __init__(self, store: Store, error: str) -> None:
        super().__init__()
        self.store = store
        self.error = error


class StoreFailed(Message):
    """The load worker could not open the store; ``error`` is one line."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SearchIndexReady(Message):
    """The index worker is done building the store's search index (``store.search_ready``
    says whether it is current: a merge may have landed since)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store


class StoreReloaded(Message):
    """The disk watcher re-read a store another process replaced."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store


class StoreReloadFailed(Message):
    """The disk watcher saw the file change but could not read it; ``error`` is one line.

    The app keeps showing what it has (nothing was written or moved) and says why.
    """

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RefreshFinished(Message):
    """One feed's refresh worker ended: its result and private store, or an error."""

    def __init__(self, feed: str, result: Any, store: Store | None, error: str | None) -> None:
        super().__init__()
        self.feed = feed
        self.result = result
        self.store = store
        self.error = error
