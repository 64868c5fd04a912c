"""``sitmon situation new|list|use|remove``: named workspaces (see
:mod:`sitmon.store.situations`), and the global ``--situation`` choice.

Headless: imports neither Textual nor httpx.
"""

from __future__ import annotations

import argparse
import sys

from . import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "situation",
        help="follow another situation: new, list, use, remove",
        description="A situation is a named workspace: its own store, title, start date, "
        "time zone, area (countries and subdivisions), factions and feeds. The bundled "
        "Syria 2024 situation is called 'syria'.",
    )
    ssub = p.add_subparsers(dest="situation_command", metavar="ACTION", parser_class=type(p))
    new = ssub.add_parser("new", help="create a situation with an empty store")
    new.add_argument("name", metavar="NAME", help="lower-case letters, digits, - and _")
    new.add_argument(
        "--country",
        metavar="ISO3",
        action="append",
        required=True,
        help="an ISO 3166-1 alpha-3 country code (repeat for several countries)",
    )
    new.add_argument(
        "--admin1",
        metavar="FILE",
        help="first-level subdivisions: a GeoJSON FeatureCollection of (multi)polygons",
    )
    new.add_argument("--title", metavar="TEXT", help="the title (default: the countries' names)")
    new.add_argument("--start", metavar="DATE", help="the start of the time axis (YYYY-MM-DD)")
    new.add_argument("--tz", metavar="ZONE", help="the IANA time zone of its days (default: UTC)")
    new.add_argument(
        "--factions", metavar="FILE", help="a TOML file of [[factions]] (and [[labels]])"
    )
    new.set_defaults(func=cmd_new)

    ls = ssub.add_parser("list", help="the situations, which is current, records, last refresh")
    ls.set_defaults(func=cmd_list)

    use = ssub.add_parser("use", help="make NAME the current situation")
    use.add_argument("name", metavar="NAME")
    use.set_defaults(func=cmd_use)

    rm = ssub.add_parser("remove", help="delete a situation and its store (asks first)")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--yes", action="store_true", help="do not ask")
    rm.set_defaults(func=cmd_remove)
    p.set_defaults(func=_usage)


def _usage(args: argparse.Namespace) -> int:
    raise CommandError(
        "situation: choose an action: new, list, use or remove (see `sitmon situation --help`)", 2
    )


def _error(exc: Exception) -> CommandError:
    from sitmon.store.decode import one_line

    return CommandError(one_line(str(exc), 300), getattr(exc, "code", 2))


def cmd_new(args: argparse.Namespace) -> int:
    from sitmon.store.situations import SituationError, create_situation

    try:
        sit = create_situation(
            args.name,
            args.country,
            admin1=args.admin1,
            title=args.title,
            start=args.start,
            tz=args.tz,
            factions=args.factions,
        )
    except SituationError as exc:
        raise _error(exc) from None
    n_sub = len(sit.admin1())
    sub = f", {n_sub} subdivisions" if n_sub else ""
    print(
        f"created situation {sit.name!r}: {sit.title} ({', '.join(sit.countries)}{sub}, {sit.tz})"
    )
    print(f"  folder: {sit.folder}")
    print(f"  store:  {sit.store_path}")
    print(f"  feeds:  {sit.feeds_path} (optional; [[feeds]] as in the main config)")
    print(f"next: sitmon --situation {sit.name} import FILE")
    return 0


def _summary(sit) -> tuple[int | None, str]:
    """(records in its store, last refresh) without creating or seeding anything."""
    from sitmon.store import Store, StoreError

    if not sit.store_path.exists():
        return None, "-"
    try:
        store = Store.open(sit.store_path, seed=False)
    except StoreError:
        return None, "unreadable"
    n = sum(v for k, v in store.counts().items() if k not in ("sources", "tombstones"))
    return n, store.last_refresh() or "never"


def cmd_list(args: argparse.Namespace) -> int:
    from sitmon.store.decode import one_line
    from sitmon.store.situations import list_situations

    current = _current(args)
    rows = []
    for sit in list_situations():
        n, last = _summary(sit)
        rows.append(
            (
                "*" if sit.name == current else " ",
                sit.name,
                one_line(sit.title, 40),
                "-" if n is None else str(n),
                one_line(last, 40),
                sit.tz,
            )
        )
    head = (" ", "NAME", "TITLE", "RECORDS", "LAST REFRESH", "ZONE")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def _current(args: argparse.Namespace) -> str:
    from sitmon.store.situations import SituationError, resolve

    try:
        return resolve(getattr(args, "situation", None)).name
    except SituationError:
        from sitmon.store.situations import current_name

        return current_name()


def cmd_use(args: argparse.Namespace) -> int:
    from sitmon.store.situations import SituationError, set_current

    try:
        sit = set_current(args.name)
    except SituationError as exc:
        raise _error(exc) from None
    print(f"current situation: {sit.name} ({sit.title})")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from sitmon.store.situations import SituationError, get_situation, remove_situation

    try:
        sit = get_situation(args.name)
        if sit.bundled:
            raise SituationError("the bundled situation 'syria' cannot be removed")
    except SituationError as exc:
        raise _error(exc) from None
    if not args.yes:
        n, _last = _summary(sit)
        what = f"{n} records" if n is not None else "no store"
        if not sys.stdin.isatty():
            raise CommandError(
                f"remove {sit.name!r} ({what}): add --yes to confirm (no terminal to ask on)", 2
            )
        answer = input(
            f"Remove situation {sit.name!r} and its store ({what}) at {sit.folder}? [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            print("kept")
            return 1
    try:
        folder = remove_situation(sit.name)
    except (SituationError, OSError) as exc:
        raise _error(exc) from None
    print(f"removed situation {sit.name!r} ({folder})")
    return 0


def with_actor_factions(result, store, config, reingest):
    """For a situation other than the bundled one: make factions for the
    actors of ``result`` (an AdaptResult) that map to none of the store's
    (:mod:`sitmon.store.actor_factions`) and adapt again with them
    (``reingest(faction_map, known_ids)``), so their events and control
    changes are kept. Returns the records to merge and the final result."""
    from datetime import UTC, datetime

    from sitmon.store.actor_factions import actor_names, factions_from_actors
    from sitmon.store.actors import ActorMap

    from .common import situation

    if situation().bundled:
        return result.records, result
    names = actor_names(result.records)
    if not names:
        return result.records, result
    fmap = dict(getattr(config, "factions", None) or {})
    known = set(store.factions)
    made_records, made = factions_from_actors(
        names,
        known,
        {f.symbol for f in store.factions.values()},
        ActorMap(fmap),
        stamp=datetime.now(UTC).replace(microsecond=0),
    )
    if not made:
        return result.records, result
    again = reingest({**fmap, **made}, known | set(made.values()))
    return [*made_records, *again.records], again
