"""Helpers shared by the headless commands (no Textual, no httpx here)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sitmon.store import Store
from sitmon.store.situations import Situation, SituationError, resolve
from sitmon.store.timeutil import set_situation_zone

from .output import err, say

__all__ = [
    "err",
    "open_store",
    "say",
    "select_situation",
    "situation",
    "situation_config",
    "store_path",
]

_selected: list[Situation] = []


def select_situation(name: str | None) -> str | None:
    """Choose the situation (``name``, else ``$SITMON_SITUATION``, else the current
    one) and use its time zone. Returns a one-line problem (an unknown name)
    or None; on a problem the bundled situation stays selected."""
    _selected.clear()
    try:
        sit = resolve(name)
    except SituationError as exc:
        sit, problem = resolve("syria"), str(exc)
    else:
        problem = None
    _selected.append(sit)
    set_situation_zone(sit.tz)
    return problem


def situation() -> Situation:
    """The selected situation (see :func:`select_situation`)."""
    if not _selected:
        select_situation(None)
    return _selected[0]


def store_path(args: argparse.Namespace) -> Path:
    """The store file the command line asks for: ``--store``, else the
    situation's (for ``syria``: ``$SITMON_STORE``, else the default)."""
    if getattr(args, "store", None):
        return Path(args.store).expanduser()
    return situation().store_path


def situation_config(config, sit: Situation | None = None):
    """``config`` as situation ``sit`` (default: the selected one) sees it: a
    situation other than the bundled one takes its feeds and actor names from
    its own ``feeds.toml`` (same format as the main config; missing = none)
    plus its factions' aliases. Raises the config module's ConfigError."""
    sit = sit or situation()
    if sit.bundled or config is None:
        return config
    import msgspec

    from ..config import load_config

    own = load_config(sit.feeds_path)
    factions = {**config.factions, **sit.actor_aliases(), **own.factions}
    return msgspec.structs.replace(config, feeds=own.feeds, factions=factions, path=own.path)


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

    Only the bundled situation's store is ever seeded with the bundled
    dataset: another situation's store is created empty, and a damaged one
    is refused (one line), never replaced by Syria's data.
    """
    path = store_path(args)
    if not getattr(args, "store", None) and not situation().bundled:
        seed, write = False, False
    store = Store.open(path, seed=seed, repair=write, on_lock_wait=err, events=events)
    for warning in store.warnings:
        err(f"warning: {warning}")
    return store
