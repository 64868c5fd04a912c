"""Helpers shared by the headless commands (no Textual, no httpx here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sitmon.store import Store, StoreError, default_store_path

__all__ = ["open_store", "store_path"]


def store_path(args: argparse.Namespace) -> Path:
    """The store file the command line asks for (``--store``, ``$SITMON_STORE``, default)."""
    return Path(args.store).expanduser() if getattr(args, "store", None) else default_store_path()


def open_store(args: argparse.Namespace, *, seed: bool = True) -> Store:
    """Open the store, printing any warning (a quarantined file, ...) to stderr."""
    path = store_path(args)
    try:
        store = Store.open(path, seed=seed)
    except StoreError:
        raise
    for warning in store.warnings:
        print(f"sitmon: warning: {warning}", file=sys.stderr)
    return store
