"""``sitmon info``: where the store is, what it holds, and the configured feeds' state.

Clock times are in the user's local zone with its abbreviation (as in the
monitor's header and Feeds screen, :mod:`sitmon.widgets.timefmt`).
"""

from __future__ import annotations

import argparse

from .common import open_store, say


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show the store's path, record counts, schema and last refresh")
    p.set_defaults(func=cmd_info)


def cmd_info(args: argparse.Namespace) -> int:
    from sitmon.store.timeutil import fmt_day

    store = open_store(args, events=False)  # counts and bounds from the manifest
    meta = store.meta
    first, last = store.time_bounds()
    say(f"store:          {store.path}")
    say(f"schema version: {meta.get('schema_version')}")
    say(f"generation:     {meta.get('generation')} (writes so far)")
    origin = meta.get("origin", "")
    never = f"never ({origin})" if origin else "never"
    say(f"last refresh:   {_when(store.last_refresh()) or never}")
    imported = meta.get("last_import") if isinstance(meta.get("last_import"), dict) else {}
    when = _when(imported.get("at"))
    say(f"last import:    {when} ({imported.get('name')})" if when else "last import:    never")
    if first or last:
        say(
            f"period:         {fmt_day(first) if first else '?'} .. {fmt_day(last) if last else '?'}"
        )
    say("records:")
    for table, n in store.counts().items():
        say(f"  {table:<11} {n}")
    _feeds(args, meta.get("feeds", {}) or {})
    return 0


def _when(value: object) -> str:
    """A stored ISO time as ``2024-12-05 07:30 EET`` (local zone), or "" when absent."""
    from sitmon.widgets.header_render import parse_iso
    from sitmon.widgets.timefmt import fmt_clock

    dt = parse_iso(value)
    if dt is None:
        return str(value) if value else ""
    return fmt_clock(dt, dated=True)


def _feeds(args: argparse.Namespace, states: dict) -> None:
    """The config's feeds with their last state; a bad config is a warning, not a failure."""
    from sitmon.tui.config import ConfigError, config_path, load_config

    path = config_path(args)
    try:
        config = load_config(path)
    except ConfigError as exc:
        say(
            f"config:         {path} (not loaded: {len(exc.problems)} problem(s); see `sitmon refresh`)"
        )
        config = None
    else:
        say(f"config:         {path}" + ("" if path.exists() else " (none: no feeds)"))
    names = [f.name for f in config.feeds] if config is not None else []
    if names:
        say("feeds:")
    from sitmon.store.fetch import display_url

    for feed in config.feeds if config is not None else []:
        state = states.get(feed.name, {}) or {}
        error = state.get("last_error")
        status = "failing" if error else ("ok" if state.get("last_success") else "never refreshed")
        off = "" if feed.enabled else " (disabled)"
        say(f"  {feed.name}{off}: {status}, every {feed.interval} s")
        say(f"    url:          {display_url(feed.url)}")  # credentials masked
        say(f"    last success: {_when(state.get('last_success')) or 'never'}")
        if error:
            say(f"    last error:   {error}")
    for name in sorted(set(states) - set(names)):  # refreshed once, no longer configured
        state = states[name] or {}
        say(
            f"feed {name} (not in the config): last success {_when(state.get('last_success')) or 'never'}"
        )
