"""``sitmon export``: a view, a situation report or the whole store, as a file or on stdout.

Registering the command imports nothing heavy; the export itself
(:mod:`sitmon.widgets.export`) imports the store and the pure renderers, never Textual
or httpx.
"""

from __future__ import annotations

import argparse
import sys

from . import CommandError
from .common import open_store

#: kept equal to sitmon.widgets.export.VIEWS / FORMATS (a test checks)
VIEWS = ("timeline", "map", "quotes", "stats", "all")
FORMATS = ("text", "markdown", "json", "feed")
MIN_WIDTH = 40
MAX_WIDTH = 1000


def _width(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not MIN_WIDTH <= n <= MAX_WIDTH:
        raise argparse.ArgumentTypeError(f"must be {MIN_WIDTH} to {MAX_WIDTH} (got {n})")
    return n


def _height(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"must be 1 to 1000 (got {n})")
    return n


def _as_of(text: str):
    from sitmon.store.timeutil import TimeError, parse_as_of

    try:
        return parse_as_of(text)
    except TimeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write a view or a situation report as text, Markdown or JSON (or the store as a feed)",
        description="Write a view (timeline, map, quotes, stats) or a situation report (all) "
        "as plain text, Markdown or JSON, or the whole store as a sitmon feed (--view all "
        "--format feed). Writes to stdout unless --output; the same store and arguments "
        "always give the same bytes.",
    )
    p.add_argument("--view", choices=VIEWS, default="all", help="what to export (default: all)")
    p.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        default="text",
        help="text, markdown, json, or feed (--view all only) (default: text)",
    )
    p.add_argument(
        "--width",
        type=_width,
        default=80,
        metavar="N",
        help=f"text and map width in characters, {MIN_WIDTH}-{MAX_WIDTH} (default: 80)",
    )
    p.add_argument(
        "--height",
        type=_height,
        metavar="N",
        help="map height (default: 3/8 of the width); for text timeline/quotes/stats, "
        "the rows shown and the sources they cite (default: all)",
    )
    p.add_argument(
        "--as-of",
        type=_as_of,
        metavar="DATE",
        help="the moment to export (e.g. 2024-12-05 = end of that day in the situation's time zone; default: latest)",
    )
    p.add_argument("--place", metavar="NAME", help="only events and quotes about this place")
    p.add_argument("--filter", metavar="TEXT", help="a text filter (e.g. 'hama type:capture')")
    p.add_argument("--ascii", action="store_true", help="7-bit output only (ASCII map)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) not stdout")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument(
        "--timestamp",
        action="store_true",
        help="add the time of the export (the output then differs from run to run)",
    )
    p.set_defaults(func=cmd_export)


def check_request(store, as_of, filter_text: str | None) -> None:
    """The monitor's rule (store.argcheck): an as-of day within the data, known filter values.

    Raises CommandError (exit 2) with a one-line message stating what is valid.
    """
    from sitmon.store.argcheck import as_of_problem, filter_problems
    from sitmon.store.query import parse_filter

    if as_of is not None:
        problem = as_of_problem(as_of, store)
        if problem:
            raise CommandError(f"--as-of: {problem}", 2)
    if filter_text:
        problems = filter_problems(parse_filter(filter_text), store)
        if problems:
            raise CommandError(f"--filter: {problems[0]}", 2)


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    request = request_from_args(args)  # every argument checked here, before any work
    output = args.output if args.output not in (None, "-") else None
    if output is not None and not args.force and Path(output).exists():
        # fail before any work (write_export checks again at the end)
        raise CommandError(f"{output} already exists; not replaced (--force replaces it)", 1)

    from sitmon.store.gcpause import gc_paused

    # an export reads the store, builds its text and ends: no reference cycles worth
    # collecting (its bulk is strings, which the collector does not track), while every
    # collection would walk the store's records again (~0.5 s of a 100k timeline export).
    # The store and the text are freed before the collector is back (_export returns
    # first): the first collection after the pause would walk every young object still
    # alive, and the events' tuples are hundreds of thousands (~0.1 s at 100k).
    with gc_paused():
        _export(args, request, output)
    return 0


def _export(args: argparse.Namespace, request, output: str | None) -> None:
    """Open the store, export, write; raises :class:`CommandError`."""
    from pathlib import Path

    from sitmon.widgets.export import ExportError, export, write_export

    store = open_store(args)
    check_request(store, args.as_of, args.filter)
    try:
        text = export(store, request)
        if output is None:
            _write_stdout(text)
        else:
            write_export(text, Path(output), force=args.force)
    except ExportError as exc:
        raise CommandError(str(exc), exc.code) from None


def request_from_args(args: argparse.Namespace):
    """The :class:`~sitmon.widgets.export.ExportRequest` the arguments ask for.

    Raises :class:`CommandError` (exit code 2) with the request's one-line reason.
    """
    from datetime import datetime

    from sitmon.store.timeutil import situation_zone
    from sitmon.widgets.area_geo import situation_area
    from sitmon.widgets.export import ExportArgumentError, ExportRequest

    from .common import situation

    stamp = datetime.now(situation_zone()).replace(microsecond=0) if args.timestamp else None
    try:
        return ExportRequest(
            view=args.view,
            fmt=args.fmt,
            width=args.width,
            height=args.height,
            as_of=args.as_of,
            place=args.place,
            filter=args.filter,
            ascii=args.ascii,
            timestamp=stamp,
            area=situation_area(situation()),
        )
    except ExportArgumentError as exc:
        raise CommandError(str(exc), exc.code) from None


def _write_stdout(text: str) -> None:
    """UTF-8 on stdout whatever the locale (a text stream without a buffer gets str)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    try:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    except BrokenPipeError:  # `sitmon export | head`: the reader has gone; that is fine
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
