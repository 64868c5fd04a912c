"""The monitor's store, read while the monitor's modules import.

``sitmon``/``sitmon run`` starts reading the store (the core and the newest
months, as the app's own first read does: ``Store.open(events="newest")``) on a
thread before it imports Textual and the app (tui/cli ``cmd_run``). The imports
take a few hundred milliseconds; the read is done by the time the app mounts,
so the first frame already has the data instead of a "Loading the store…"
frame drawn in between (issue 13: data on screen). The app's load worker takes
the result (:meth:`Preload.result`) and reports it as it reports its own read.

Nothing is read for arguments the monitor refuses anyway (a bad ``--as-of``):
those are reported before any store is touched, as before.

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitmon.store import Store

__all__ = ["Preload", "preload_store"]


class Preload:
    """``Store.open(path, seed=seed, events="newest")`` on a daemon thread, started at once."""

    def __init__(self, path: Path, seed: bool) -> None:
        self.path = Path(path)
        self.seed = seed
        self._store: Store | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="sitmon-preload", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            from sitmon.store import Store

            self._store = Store.open(self.path, seed=self.seed, events="newest")
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> Store:
        """The store read (waits for the read); raises what the read raised
        (:class:`~sitmon.store.StoreError` for a store that cannot be opened)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        return self._store


def preload_store(args: argparse.Namespace) -> Preload | None:
    """Start reading the store ``sitmon run`` will show; None when the arguments will be
    refused before the monitor opens (nothing is read then)."""
    if getattr(args, "as_of", None):
        from sitmon.store.timeutil import TimeError, parse_as_of

        try:
            parse_as_of(args.as_of)
        except TimeError:
            return None
    from .cli.common import situation, store_path

    sit = situation()
    return Preload(store_path(args), seed=sit is None or sit.bundled)
