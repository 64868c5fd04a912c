"""Factions made from the actor names of a situation's feeds.

A situation other than the bundled one starts with the factions its
``--factions`` file gives, or none. When a document (ACLED, UCDP, ...) names
actors that map to no faction of the store, :func:`factions_from_actors`
makes one faction per such actor, so that its events carry a faction and its
control changes are kept instead of refused: id ``actor-<slug>``, the actor's
name, a short label (:func:`short_label`) and a stable colour and symbol
(:func:`sitmon.store.situations.faction_look`). Generic actors (civilians,
protesters, rioters, unidentified groups) never become factions.

Pure Python: no Textual, no Rich.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime

from .actors import ActorMap
from .adapters.detect import make_id, slug
from .records import Event, Faction, Source, SourceRef
from .situations import faction_look

__all__ = ["GENERIC_ACTORS", "actor_names", "factions_from_actors", "short_label"]

#: Actor names (case-insensitive prefixes) that are not parties to map.
GENERIC_ACTORS = (
    "civilians",
    "protesters",
    "rioters",
    "unidentified",
    "private security",
    "labor group",
    "refugees",
)
SOURCE_ID = "sitmon-actors"
_PAREN = re.compile(r"\s*\(.*?\)\s*")


def short_label(name: str) -> str:
    """A faction's short label from an actor name: the part before ``:`` when
    it looks like an acronym ("RSF: Rapid Support Forces" -> "RSF"), else the
    name without parenthesised dates, cut to 24 characters."""
    head, sep, _rest = name.partition(":")
    if sep and 1 < len(head.strip()) <= 8:
        return head.strip()
    plain = " ".join(_PAREN.sub(" ", name).split()) or name.strip()
    return plain if len(plain) <= 24 else plain[:23].rstrip() + "."


def _generic(name: str) -> bool:
    low = name.strip().casefold()
    return not low or low.startswith(GENERIC_ACTORS)


def actor_names(records: Iterable[object]) -> list[str]:
    """The distinct actor names of the events in ``records``, in order."""
    seen: dict[str, None] = {}
    for rec in records:
        if isinstance(rec, Event):
            for name in rec.actors:
                seen.setdefault(name.strip(), None)
    return [n for n in seen if n]


def factions_from_actors(
    names: Iterable[str],
    known: Collection[str],
    taken_symbols: Collection[str],
    actors: ActorMap,
    *,
    stamp: datetime,
) -> tuple[list[object], dict[str, str]]:
    """New records for actors that map to no faction in ``known`` (faction ids).

    Returns (records, actor name -> new faction id). The records are the new
    factions and, when there are any, the Source they cite ("Actor names of
    the situation's feeds"). ``taken_symbols`` are the symbols already in use.
    """
    taken = set(taken_symbols)
    made: dict[str, str] = {}
    records: list[object] = []
    for name in names:
        if _generic(name) or actors.faction(name, known) is not None or name in made:
            continue
        fid = make_id("actor-", slug(name, 60))
        if fid in known or fid in made.values():
            made[name] = fid
            continue
        colour, symbol = faction_look(name, taken)
        taken.add(symbol)
        records.append(
            Faction(
                id=fid,
                name=name[:500],
                short=short_label(name),
                symbol=symbol,
                colour=colour,
                updated_at=stamp,
                sources=(SourceRef(SOURCE_ID),),
            )
        )
        made[name] = fid
    if records:
        records.insert(
            0,
            Source(
                id=SOURCE_ID,
                name="Actor names of the situation's feeds (factions made by sitmon)",
                updated_at=stamp,
            ),
        )
    return records, made
