"""``sitmon refresh``, ``import``, ``validate`` and ``config path|init``.

Nothing heavy is imported at module import time: httpx only when a refresh
or a remote validate starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec.structs
from sitmon.store.adapters.base import FORMATS as FORMAT_CHOICES

from . import CommandError
from .output import err, say


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "refresh",
        help="refresh feeds now (all enabled configured feeds, or one) and print what changed",
    )
    p.add_argument("--feed", metavar="NAME|URL", help="a configured feed's name, or a URL or path")
    p.add_argument("--format", choices=FORMAT_CHOICES, help="the feed's format (default: auto)")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("import", help="merge a local feed document into the store")
    p.add_argument("file", metavar="FILE|-", help="a document path, or - for standard input")
    p.add_argument("--format", choices=FORMAT_CHOICES, default="auto")
    p.add_argument(
        "--name",
        help="the feed's name: scopes record ids when the document declares no identity "
        "(a JSON Feed's feed_url); default: the document's own identity",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "validate", help="check a feed document and report every bad record (never writes)"
    )
    p.add_argument(
        "target",
        metavar="FILE|URL",
        help="a path, - for standard input, a URL or a configured feed's name",
    )
    p.add_argument("--format", choices=FORMAT_CHOICES, default=None)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("config", help="where the config file is; write an example one")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", parser_class=type(p))
    cp = csub.add_parser("path", help="print where the config is read from")
    cp.set_defaults(func=cmd_config_path)
    ci = csub.add_parser(
        "init", help="write a commented example config (never overwrites without --force)"
    )
    ci.add_argument("--force", action="store_true", help="overwrite an existing config")
    ci.set_defaults(func=cmd_config_init)
    p.set_defaults(func=_config_usage)


def _config_usage(args: argparse.Namespace) -> int:
    raise CommandError("config: choose an action: `sitmon config path` or `sitmon config init`", 2)


def _load_config(args: argparse.Namespace):
    from ..config import ConfigError, config_path, load_config
    from .common import situation_config

    try:
        return situation_config(load_config(config_path(args)))
    except ConfigError as exc:
        raise CommandError(str(exc), 1) from None


def _looks_like_location(text: str) -> bool:
    return "://" in text or text.startswith(("/", "./", "../", "~")) or Path(text).exists()


def _adhoc_feed(target: str, fmt: str | None):
    from sitmon.store.fetch import display_url

    from ..config import FeedConfig

    return FeedConfig(name=display_url(target), url=target, format=fmt or "auto")


# ------------------------------------------------------------------- refresh


def cmd_refresh(args: argparse.Namespace) -> int:
    import msgspec
    from sitmon.store.refresh import refresh_feed

    from .common import open_store

    config = _load_config(args)
    if args.feed:
        feed = config.feed(args.feed)
        if feed is None:
            if not _looks_like_location(args.feed):
                names = ", ".join(f.name for f in config.feeds) or "none configured"
                raise CommandError(
                    f"no feed named {args.feed!r} in {config.path} (feeds: {names}); "
                    "pass a URL or a path to refresh an unconfigured feed",
                    1,
                )
            feed = _adhoc_feed(args.feed, args.format)
        elif args.format:
            feed = msgspec.structs.replace(feed, format=args.format)
        feeds = [feed]
    else:
        feeds = config.enabled_feeds
        if not feeds:
            raise CommandError(
                f"no feeds configured in {config.path}; add [[feeds]] (see `sitmon config init`) "
                "or pass --feed URL",
                1,
            )
        if args.format:
            feeds = [msgspec.structs.replace(f, format=args.format) for f in feeds]
    store = open_store(args, write=True, events=False)  # reads only the months it merges into
    failures = 0
    for feed in feeds:
        result = refresh_feed(store, feed, factions=config.factions)
        if not result.ok:
            failures += 1
            err(result.message)
            continue
        for flip in result.flips:
            say(f"{feed.name}: control flip: {flip}")
        _print_warnings(feed.name, result.warnings)
        for note in result.notes:
            say(f"{feed.name}: {note}")
        if result.changes is not None:
            counts = msgspec.structs.replace(result.changes, flips=[]).summary()
            say(f"{feed.name}: {counts}")
        else:
            say(result.message)
        _print_rejections(feed.name, result.rejected)
    if failures:
        if len(feeds) > 1:
            err(f"{failures} of {len(feeds)} feeds failed")
        return 1
    return 0


def _print_warnings(label: str, warnings: list[str]) -> None:
    for w in warnings:
        err(f"{label}: warning: {w}")


def _print_rejections(label: str, rejected: list[Any], limit: int = 10) -> None:
    for r in rejected[:limit]:
        say(f"{label}: rejected {r}", err=True)
    if len(rejected) > limit:
        say(f"{label}: ... and {len(rejected) - limit} more rejected records", err=True)


# -------------------------------------------------------------------- import


def _read_input(target: str, max_bytes: int) -> tuple[bytes, str]:
    if target == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise CommandError(f"standard input is over the {max_bytes}-byte limit", 1)
        return data, "stdin"
    from sitmon.store.fetch import FetchError, fetch

    try:
        result = fetch(target, name=Path(target).name, max_bytes=max_bytes)
    except FetchError as exc:
        raise CommandError(str(exc), 1) from None
    return result.body, Path(target).name


def cmd_import(args: argparse.Namespace) -> int:
    from sitmon.store.adapters.base import FeedError
    from sitmon.store.fetch import DEFAULT_MAX_BYTES, is_local
    from sitmon.store.ingest import ingest_bytes
    from sitmon.store.refresh import describe_flips

    from .common import open_store

    if args.file != "-" and not is_local(args.file):
        raise CommandError("import reads local files; use `sitmon refresh --feed URL` for URLs", 2)
    config = _load_config(args)
    data, label = _read_input(args.file, DEFAULT_MAX_BYTES)
    name = args.name or label
    store = open_store(args, write=True, events=False)  # reads only the months it merges into
    try:
        result = ingest_bytes(
            data,
            args.format,
            source_name=name,
            faction_map=config.factions,
            places=store.places,
            factions=set(store.factions),
            feed_id=args.name or "",
        )
    except FeedError as exc:
        raise CommandError(str(exc), 1) from None
    from .situation import with_actor_factions

    records, result = with_actor_factions(
        result,
        store,
        config,
        lambda fmap, known: ingest_bytes(
            data,
            args.format,
            source_name=name,
            faction_map=fmap,
            places=store.places,
            factions=known,
            feed_id=args.name or "",
        ),
    )
    _print_warnings(name, result.warnings)
    if result.meta.get("note"):
        say(f"{name}: {result.meta['note']}")
    cs = store.merge(
        records,
        rejected=result.rejected,
        situation=result.meta.get("situation"),
        imported=name,
    )
    for flip in describe_flips(store, cs):
        say(f"{name}: control flip: {flip}")

    say(f"{name}: {result.format}: {msgspec.structs.replace(cs, flips=[]).summary()}")
    _print_rejections(name, cs.rejected)
    return 0


# ------------------------------------------------------------------ validate


def cmd_validate(args: argparse.Namespace) -> int:
    from sitmon.store.adapters.base import FeedError
    from sitmon.store.fetch import (
        DEFAULT_MAX_BYTES,
        FetchError,
        display_url,
        expand_headers,
        expand_url,
        fetch,
        is_local,
        url_secrets,
    )
    from sitmon.store.ingest import ingest_bytes

    config = _load_config(args)
    target = args.target
    fmt = args.format
    feed = config.feed(target)
    feed_id = ""
    if feed is not None:
        target_url, fmt, headers, name = feed.url, fmt or feed.format, feed.headers, feed.name
        feed_id = feed.name
    else:
        target_url, headers = target, {}
        name = Path(target).name if is_local(target) else display_url(target)
    fmt = fmt or "auto"
    if target_url == "-":
        data, _ = _read_input("-", DEFAULT_MAX_BYTES)
    else:
        try:
            hdrs = expand_headers(headers, feed=name) if headers else {}
            secrets = [*hdrs.values(), *url_secrets(target_url)]
            url = expand_url(target_url, feed=name)
            data = fetch(url, name=name, headers=hdrs, secrets=secrets).body
        except FetchError as exc:
            raise CommandError(str(exc), 1) from None
    known = _known_ids(args)
    try:
        result = ingest_bytes(
            data,
            fmt,
            source_name=name,
            faction_map=config.factions,
            places=known.get("place_records"),
            factions=known.get("faction") if known else None,
            feed_id=feed_id,
            url=target_url if target_url != "-" else "",
        )
    except FeedError as exc:
        raise CommandError(str(exc), 1) from None
    if result.meta.get("note"):
        say(f"{name}: {result.meta['note']}")
    warnings = [f"warning: {w}" for w in result.warnings]
    problems = [str(r) for r in result.rejected]
    problems += _reference_problems(result.records, known)
    counts: dict[str, int] = {}
    from sitmon.store.records import kind_of

    for rec in result.records:
        counts[kind_of(rec)] = counts.get(kind_of(rec), 0) + 1
    for line in warnings + problems:
        say(line)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no records"
    if problems or warnings:
        said = [f"{len(problems)} invalid record(s)"] if problems else []
        said += [f"{len(warnings)} warning(s)"] if warnings else []
        err(f"{name}: {', '.join(said)}; {summary} valid ({result.format})")
        return 1
    say(f"{name}: ok ({result.format}): {summary}")
    return 0


def _known_ids(args: argparse.Namespace) -> dict[str, Any]:
    """Ids in the existing store (read without locking or writing), for reference checks.

    Without a store file: the bundled dataset's ids, which a new store starts with.
    """
    import msgspec
    from sitmon.store.db import TABLE_NAMES
    from sitmon.store.records import Place

    from .common import store_path

    path = store_path(args)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:  # a new store would start from the bundled dataset
        from sitmon.store.bundled import bundled_bytes

        try:
            from sitmon.store.adapters.sitmon import adapt
            from sitmon.store.records import kind_of

            recs = adapt(msgspec.json.decode(bundled_bytes())).records
        except Exception:
            return {}
        out: dict[str, Any] = {k: set() for k in TABLE_NAMES}
        for r in recs:
            out[kind_of(r)].add(r.id)
        out["place_records"] = {r.id: r for r in recs if kind_of(r) == "place"}
        return out
    except OSError:
        return {}

    class _Id(msgspec.Struct):
        id: str
        kind: str = ""

    fields = {
        name: dict[str, _Id] for name in TABLE_NAMES.values() if name not in ("meta", "places")
    }
    shape = msgspec.defstruct(
        "_Ids",
        [(n, t, msgspec.field(default_factory=dict)) for n, t in fields.items()]
        + [("places", dict[str, Place], msgspec.field(default_factory=dict))],
    )
    try:
        doc = msgspec.json.decode(raw, type=shape)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return {}
    out: dict[str, Any] = {}
    for kind, name in TABLE_NAMES.items():
        if kind == "place":
            continue
        out[kind] = {r.id for r in getattr(doc, name).values()}
    out["place_records"] = {p.id: p for p in doc.places.values()}
    out["place"] = set(out["place_records"])
    return out


def _reference_problems(records: list[Any], known: dict[str, Any]) -> list[str]:
    """References to places, factions, sources and events that exist nowhere."""
    from sitmon.store.records import kind_of

    ids: dict[str, set[str]] = {
        k: set(known.get(k, ())) for k in ("source", "faction", "place", "event")
    }
    for rec in records:
        k = kind_of(rec)
        if k in ids:
            ids[k].add(rec.id)
    out = []
    for rec in records:
        k = kind_of(rec)
        checks: list[tuple[str, str, list[str]]] = [
            ("sources", "source", [s.source for s in rec.sources])
        ]
        if k == "control":
            checks += [("place", "place", [rec.place]), ("faction", "faction", [rec.faction])]
        elif k in ("event", "quote"):
            checks.append(("places", "place", list(rec.places)))
            if k == "event":
                checks.append(("factions", "faction", list(rec.factions)))
            elif rec.event:
                checks.append(("event", "event", [rec.event]))
        for field_name, table, values in checks:
            for v in values:
                if v not in ids[table]:
                    out.append(f"{k} {rec.id!r}: field `{field_name}`: unknown {table} {v!r}")
                    break
    return out


# -------------------------------------------------------------------- config


def cmd_config_path(args: argparse.Namespace) -> int:
    from ..config import config_path

    path = config_path(args)
    say(path)
    if not path.exists():
        err(f"{path} does not exist yet (`sitmon config init` writes an example)")
    return 0


def cmd_config_init(args: argparse.Namespace) -> int:
    import os

    from ..config import EXAMPLE_CONFIG, config_path

    path = config_path(args)
    if path.exists() and not args.force:
        raise CommandError(f"{path} already exists; not overwritten (use --force to replace it)", 1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(EXAMPLE_CONFIG, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}", 1) from None
    say(f"wrote {path}")
    return 0
