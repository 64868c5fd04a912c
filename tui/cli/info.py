"""``sitmon info``: where the store is and what it holds."""

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
    say(f"last refresh:   {store.last_refresh() or never}")
    if first or last:
        say(
            f"period:         {fmt_day(first) if first else '?'} .. {fmt_day(last) if last else '?'}"
        )
    say("records:")
    for table, n in store.counts().items():
        say(f"  {table:<11} {n}")
    for name, state in sorted(meta.get("feeds", {}).items()):
        say(f"feed {name}: last success {state.get('last_success', 'never')}")
    return 0
