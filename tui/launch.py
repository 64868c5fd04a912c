"""``sitmon`` / ``sitmon run``: the monitor's entry point (the config, the app, the exit).

Imported by the command line only when it opens the monitor (``tui/cli``), so the
other commands never import Textual.
"""

from __future__ import annotations

import argparse
import os
import sys

from sitmon.store.timeutil import TimeError, day_of, parse_as_of

from . import gcstart
from .app import SitmonApp
from .preload import Preload

__all__ = ["run_app"]


def _load_config(args: argparse.Namespace, *, situation_feeds: bool = True):
    """(config, error message) from the config module, when it is available;
    with ``situation_feeds``, as the selected situation sees it."""
    try:
        from . import config as config_mod
    except ImportError:
        return None, None
    try:
        from .cli.common import situation_config

        path = config_mod.config_path(args)
        config = config_mod.load_config(path)
        return (situation_config(config) if situation_feeds else config), None
    except getattr(config_mod, "ConfigError", ValueError) as exc:
        return None, f"Config not loaded: {exc}. Using defaults."


def run_app(
    args: argparse.Namespace, *, exit_process: bool = True, preload: Preload | None = None
) -> int:
    """``sitmon`` / ``sitmon run``: open the monitor; returns (or exits with) its exit code.

    With ``exit_process`` (the command line), once the app has ended and restored
    the terminal the process exits at once (:func:`os._exit` after flushing
    stdout and stderr): the interpreter's teardown of a large store in memory and
    of any worker still blocked (a DNS lookup, say) would otherwise keep the
    shell waiting for up to a second or more after ``q``. ``preload``: the store's read
    started by the command line (:mod:`.preload`), which the app takes over.
    """
    from .cli.common import store_path

    as_of = None
    if getattr(args, "as_of", None):
        try:
            as_of = day_of(parse_as_of(args.as_of))
        except TimeError as exc:
            print(f"sitmon: --as-of: {exc}", file=sys.stderr)
            return 2
    from .cli.common import situation

    config, config_error = _load_config(args)
    app = SitmonApp(
        store_path(args),
        situation=situation(),
        main_config=_load_config(args, situation_feeds=False)[0],
        config=config,
        config_error=config_error,
        as_of=as_of,
        theme=getattr(args, "theme", None),
        refresh=not getattr(args, "no_refresh", False),
        preload=preload,
    )
    gcstart.freeze_imports()
    app.run()
    code = app.return_code or 0
    if exit_process:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # the terminal is gone (SIGHUP): nothing to flush to
                pass
        os._exit(code)
    return code
