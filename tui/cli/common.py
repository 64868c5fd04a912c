"""Helpers shared by the headless commands (no Textual, no httpx here)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sitmon.store import Store, default_store_path

from .output import err, say

__all__ = ["err", "open_store", "say", "store_path"]


def store_path(args: argparse.Namespace) -> Path:
    """The store file the command line asks for (``--store``, ``$SITMON_STORE``, default)."""
    return Path(args.store).expanduser() if getattr(args, "store", None) else default_store_path()


def open_store(
    args: argparse.Namespace, *, seed: bool = True, write: bool = False, events: bool = True
) -> Store:
    """Open the store, printing any warning (a file set aside, ...) to stderr.

    A command that only reads (``info``, ``export``) gets a one-line
    :class:`StoreError` for a store it cannot read, and nothing is created or
    moved. A command that was asked to write (``write=True``: ``refresh``,
    ``import``) may, under the lock and after re-checking, set a broken file
    aside and start from the bundled dataset (:meth:`Store.open` ``repair``).
    A write waiting for another process's lock says so on stderr after 1 s.
    """
    path = store_path(args)
    store = Store.open(path, seed=seed, repair=write, on_lock_wait=err, events=events)
    for warning in store.warnings:
        err(f"warning: {warning}")
    return store
