"""Record factories for tests and benchmarks (synthetic data, never real ACLED rows)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sitmon.store.records import (
    ControlChange,
    Event,
    Faction,
    Figure,
    Place,
    Quote,
    Source,
    SourceRef,
)
from sitmon.store.timeutil import SITUATION_TZ

T0 = datetime(2024, 11, 27, tzinfo=SITUATION_TZ)
STAMP = datetime(2024, 12, 5, 23, 0, tzinfo=SITUATION_TZ)
REF = (SourceRef(source="src-test", url="https://example.org/report"),)


def source(id: str = "src-test", name: str = "Test Monitor") -> Source:
    return Source(id=id, name=name, kind="monitor", url="https://example.org", updated_at=STAMP)


def faction(id: str, symbol: str, colour: str = "#336699", name: str | None = None) -> Faction:
    return Faction(
        id=id,
        name=name or id.title(),
        short=(name or id)[:12],
        symbol=symbol,
        colour=colour,
        updated_at=STAMP,
        sources=REF,
    )


def place(id: str, lat: float = 35.0, lon: float = 37.0, name: str | None = None) -> Place:
    return Place(id=id, name=name or id.title(), lat=lat, lon=lon, updated_at=STAMP, sources=REF)


def control(
    place_id: str, faction_id: str, day: int, *, stamp: datetime = STAMP, status: str = "held"
) -> ControlChange:
    return ControlChange(
        id=f"ctl-{place_id}-{day}-{faction_id}",
        place=place_id,
        faction=faction_id,
        status=status,
        valid_from=T0 + timedelta(days=day),
        updated_at=stamp,
        sources=REF,
    )


def event(
    i: int,
    *,
    title: str | None = None,
    places: tuple[str, ...] = (),
    factions: tuple[str, ...] = (),
    stamp: datetime = STAMP,
    minutes: int | None = None,
    type: str = "battle",
) -> Event:
    return Event(
        id=f"ev-{i}",
        time=T0 + timedelta(minutes=i if minutes is None else minutes),
        precision="exact",
        title=title or f"Event number {i}",
        summary=f"Summary of event {i}",
        type=type,
        places=tuple(places),
        factions=tuple(factions),
        updated_at=stamp,
        sources=REF,
    )


def quote(i: int, place_id: str | None = None) -> Quote:
    return Quote(
        id=f"q-{i}",
        speaker=f"Speaker {i}",
        text=f"Words number {i}",
        said_at=T0 + timedelta(days=i % 9),
        places=(place_id,) if place_id else (),
        updated_at=STAMP,
        sources=REF,
    )


def figure(i: int, metric: str = "deaths_total", value: float = 100) -> Figure:
    return Figure(
        id=f"fig-{i}",
        metric=metric,
        value=value,
        as_of=T0 + timedelta(days=i % 9),
        updated_at=STAMP,
        sources=REF,
    )


def base_world() -> list:
    """A small consistent world: one source, three factions, four places, control."""
    return [
        source(),
        faction("gov", "G", "#cc3333"),
        faction("reb", "R", "#33aa33"),
        faction("kur", "K", "#ddaa00"),
        place("aleppo", 36.2, 37.16, "Aleppo"),
        place("hama", 35.13, 36.76, "Hama"),
        place("homs", 34.73, 36.72, "Homs"),
        place("raqqa", 35.95, 39.0, "Raqqa"),
        control("aleppo", "gov", -30),
        control("hama", "gov", -30),
        control("homs", "gov", -30),
        control("raqqa", "kur", -30),
    ]


PLACE_IDS = ("aleppo", "hama", "homs", "raqqa")
FACTION_IDS = ("gov", "reb", "kur")


def synthetic_events(n: int, seed: int = 1) -> list[Event]:
    """``n`` events spread over 12 days, with varied titles, places and factions."""
    rng = random.Random(seed)
    words = "offensive shelling clash capture airstrike convoy checkpoint prison bridge district".split()
    out = []
    for i in range(n):
        title = " ".join(rng.choice(words) for _ in range(4)) + f" #{i}"
        out.append(
            event(
                i,
                title=title,
                places=(rng.choice(PLACE_IDS),),
                factions=(rng.choice(FACTION_IDS),),
                minutes=rng.randrange(12 * 24 * 60),
            )
        )
    return out


def report(rid: str, day: int, hour: int, title: str, place: str = "hama") -> Event:
    """A strike report ``rid`` at ``place``, ``hour`` o'clock on day ``day`` after T0: the
    id's namespace (before ``-``) is its feed, for corroboration tests."""
    import msgspec

    e = event(0, title=title, places=(place,), minutes=(day * 24 + hour) * 60, type="strike")
    return msgspec.structs.replace(e, id=rid)
