"""The ``sitmon`` command line (``sitmon`` and ``python -m sitmon``).

``sitmon`` alone opens the monitor. Subcommands are registered by the modules of
this package (``register(subparsers)``): :mod:`.info`, :mod:`.feeds` (refresh,
import, validate, config) and :mod:`.export`. None imports anything heavy at import
time: ``--help``, ``--version``, ``info`` and ``export`` never import Textual or httpx.
Commands raise :class:`CommandError` for a one-line message and an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["CommandError", "main"]

#: modules that add subcommands; each has ``register(subparsers) -> None``
COMMAND_MODULES = (
    "sitmon.tui.cli.info",
    "sitmon.tui.cli.feeds",
    "sitmon.tui.cli.export",
    "sitmon.tui.cli.situation",
)


class CommandError(Exception):
    """A command failed in a way the user should read: one line, and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        from sitmon.store.termsafe import terminal_safe

        self.exit(2, f"{self.prog}: error: {terminal_safe(message)} (see '{self.prog} --help')\n")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("sitmon")
    except Exception:  # not installed (running from a checkout)
        return "0.1.0"


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked for (reading the
    package metadata costs ~40 ms of every command's start otherwise)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, **kw):
        kw.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest=dest, default=default, nargs=0, **kw)

    def __call__(self, parser, namespace, values, option_string=None) -> NoReturn:
        sys.stdout.write(f"sitmon {_version()}\n")  # on stdout, as argparse's own action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sitmon",
        description="A terminal situation monitor: timeline, map of city control, quotes and "
        "statistics. With no command, opens the monitor.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="the TinyDB store file (default: the situation's; for 'syria' $SITMON_STORE, "
        "else sitmon.json in the data folder)",
    )
    parser.add_argument(
        "--situation",
        metavar="NAME",
        help="the situation to work on (default: $SITMON_SITUATION, else the one chosen with "
        "`sitmon situation use`, else the bundled 'syria')",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="the TOML config file (default: $SITMON_CONFIG, else the platform config folder)",
    )
    # the run options work without `run` too: `sitmon --theme nord`, `sitmon --as-of 2024-12-01`
    add_run_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    run = sub.add_parser("run", help="open the monitor (the default)")
    add_run_options(run, suppress=True)
    run.set_defaults(func=cmd_run)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def add_run_options(p: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--as-of``, ``--theme``, ``--no-refresh``: on ``sitmon`` itself and on ``sitmon run``.

    On ``run`` they default to SUPPRESS, so ``sitmon --theme nord run`` keeps
    the value given before the command.
    """
    default = argparse.SUPPRESS if suppress else None
    p.add_argument(
        "--as-of", metavar="DATE", default=default, help="open at this moment (e.g. 2024-12-01)"
    )
    p.add_argument("--theme", metavar="NAME", default=default, help="a Textual theme name")
    p.add_argument(
        "--no-refresh",
        action="store_true",
        default=default if suppress else False,
        help="do not refresh feeds in the background",
    )


def cmd_run(args: argparse.Namespace) -> int:
    from ..preload import preload_store

    preload = preload_store(args)  # read while the monitor's modules import (tui/preload.py)
    from ..launch import run_app

    return run_app(args, preload=preload)


def _situation_arg(argv: Sequence[str]) -> str | None:
    """The value of a global ``--situation NAME`` / ``--situation=NAME`` (before the command)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--situation" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--situation="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-") and (i == 0 or argv[i - 1] not in _VALUE_OPTIONS):
            break  # the command: its own options follow
    return None


#: the options before the command that take a value (``--store PATH``)
_VALUE_OPTIONS = ("--store", "--config", "--situation", "--as-of", "--theme")


def _opens_monitor(argv: Sequence[str]) -> bool:
    """True when ``argv`` opens the monitor: no command, or ``run``."""
    for i, arg in enumerate(argv):
        if arg == "--":
            return False
        if arg.startswith("-") or (i > 0 and argv[i - 1] in _VALUE_OPTIONS):
            continue
        return arg == "run"
    return True


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from .. import gcstart

    if _opens_monitor(argv):
        gcstart.pause()  # until the data is on screen (tui/gcstart.py)
    try:
        return _main(argv)
    finally:
        gcstart.resume()  # whatever happened (the app resumes it itself, earlier)


def _main(argv: list[str]) -> int:
    parser = build_parser()
    from .common import select_situation

    # before parsing: dates given as options are read in the situation's zone
    problem = select_situation(_situation_arg(argv))
    args = parser.parse_args(argv)
    if problem is not None and args.command != "situation":
        print(f"sitmon: {problem}", file=sys.stderr)
        return 2
    if args.command is None:
        # `sitmon` alone (or with run options) opens the monitor.
        args.func = cmd_run
    # $SITMON_STORE is the bundled situation's store (sitmon.store.default_store_path);
    # another situation uses its own store unless --store says otherwise.
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        from .output import err

        err(exc)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sitmon export ... | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:  # a StoreError and friends: one line, not a traceback
        from sitmon.store import StoreError

        if isinstance(exc, StoreError):
            from .output import err

            err(exc)
            return 1
        raise
