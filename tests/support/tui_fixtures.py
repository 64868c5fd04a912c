"""Stores and apps for the TUI tests, snapshots and benches (no conftest magic).

:func:`situation_records` is a small, fixed world shaped like the bundled
dataset (the same place and faction ids, Aleppo falling on 29 Nov, Hama
contested on 3 Dec and taken on 5 Dec) but owned by these tests, so snapshots
do not change when the bundled data is edited. :func:`big_store` makes the
100k-event store of the benches.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sitmon.store import Store
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

__all__ = [
    "FROZEN_NOW",
    "HOSTILE_TITLE",
    "STAMP",
    "big_store",
    "frozen_clock",
    "hostile_event",
    "make_app",
    "settle",
    "situation_records",
    "situation_store",
]

STAMP = datetime(2024, 12, 6, 12, 0, tzinfo=SITUATION_TZ)
#: the frozen "now" of every test app (a day after the data ends)
FROZEN_NOW = datetime(2024, 12, 6, 9, 30, tzinfo=UTC)
HOSTILE_TITLE = "[@click=app.quit]Hama [bold]x[/b]"


def frozen_clock() -> datetime:
    return FROZEN_NOW


def _d(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Nov/Dec 2024 (situation time): day 27..30 is November, 1..8 December."""
    month = 11 if day >= 20 else 12
    return datetime(2024, month, day, hour, minute, tzinfo=SITUATION_TZ)


def _ref(source: str, url: str = "") -> list[SourceRef]:
    return [SourceRef(source=source, url=url)]


def situation_records() -> list:
    """A fixed mini-situation: 4 sources, 4 factions, 8 places, 13 events, 3 quotes, 8 figures."""
    sources = [
        Source(
            id="sohr",
            name="Syrian Observatory for Human Rights",
            kind="monitor",
            url="https://www.syriahr.com/en/",
            updated_at=STAMP,
        ),
        Source(
            id="cnn", name="CNN", kind="media", url="https://edition.cnn.com/", updated_at=STAMP
        ),
        Source(
            id="ocha", name="UN OCHA", kind="un", url="https://www.unocha.org/", updated_at=STAMP
        ),
        Source(
            id="reuters",
            name="Reuters",
            kind="media",
            url="https://www.reuters.com/",
            updated_at=STAMP,
        ),
    ]
    factions = [
        Faction(
            id="government",
            name="Syrian government forces",
            short="Government",
            symbol="G",
            colour="#d62728",
            updated_at=STAMP,
        ),
        Faction(
            id="hts_led",
            name="HTS-led Military Operations Command",
            short="HTS-led",
            symbol="H",
            colour="#2e9e44",
            updated_at=STAMP,
        ),
        Faction(
            id="sna",
            name="Syrian National Army",
            short="SNA",
            symbol="T",
            colour="#3a7bd5",
            updated_at=STAMP,
        ),
        Faction(
            id="sdf",
            name="Syrian Democratic Forces",
            short="SDF",
            symbol="K",
            colour="#b8860b",
            updated_at=STAMP,
        ),
    ]
    P = [
        ("aleppo", "Aleppo", 36.20124, 37.16117, 1, "Aleppo", ["Halab"]),
        ("damascus", "Damascus", 33.5102, 36.29128, 1, "Damascus", ["Dimashq"]),
        ("hama", "Hama", 35.13179, 36.75783, 2, "Hama", ["Hamah"]),
        ("homs", "Homs", 34.72682, 36.72339, 2, "Homs", []),
        ("idlib", "Idlib", 35.93062, 36.63393, 2, "Idleb", []),
        ("raqqa", "Raqqa", 35.95283, 39.00788, 2, "Ar-Raqqa", []),
        ("saraqib", "Saraqib", 35.86447, 36.80591, 3, "Idleb", []),
        ("tal_rifaat", "Tal Rifaat", 36.47229, 37.09471, 3, "Aleppo", []),
    ]
    places = [
        Place(
            id=i,
            name=n,
            lat=la,
            lon=lo,
            importance=imp,
            governorate=g,
            alt_names=alt,
            updated_at=STAMP,
            sources=_ref("reuters"),
        )
        for i, n, la, lo, imp, g, alt in P
    ]
    base = datetime(2024, 11, 1, tzinfo=SITUATION_TZ)

    def ctl(
        place: str,
        faction: str,
        when: datetime,
        status: str = "held",
        src: str = "sohr",
        note: str = "",
    ) -> ControlChange:
        return ControlChange(
            id=f"ctl-{place}-{when.date().isoformat()}-{faction}",
            place=place,
            faction=faction,
            status=status,
            valid_from=when,
            note=note,
            updated_at=STAMP,
            sources=_ref(src, "https://example.org/control/" + place),
        )

    control = [
        ctl("aleppo", "government", base, note="held before the offensive"),
        ctl("aleppo", "hts_led", _d(29), note="rebels enter the city"),
        ctl("damascus", "government", base),
        ctl("hama", "government", base),
        ctl("hama", "hts_led", _d(3), status="contested", note="fighting on the northern edge"),
        ctl("hama", "hts_led", _d(5), note="the army redeploys outside the city"),
        ctl("homs", "government", base),
        ctl("idlib", "hts_led", base),
        ctl("raqqa", "sdf", base),
        ctl("saraqib", "government", base),
        ctl("saraqib", "hts_led", _d(30)),
        ctl("tal_rifaat", "sdf", base),
        ctl("tal_rifaat", "sna", _d(2)),
    ]

    def ev(
        eid: str,
        when: datetime,
        title: str,
        places: list[str],
        factions: list[str],
        type: str,
        src: str = "sohr",
        precision: str = "day",
        summary: str = "",
    ) -> Event:
        return Event(
            id=eid,
            time=when,
            precision=precision,
            title=title,
            summary=summary or f"{title}.",
            type=type,
            places=places,
            factions=factions,
            updated_at=STAMP,
            sources=_ref(src, f"https://example.org/{eid}"),
        )

    events = [
        ev(
            "ev-offensive",
            _d(27, 6, 0),
            "HTS-led coalition launches an offensive west of Aleppo",
            ["aleppo"],
            ["hts_led", "government"],
            "offensive",
            precision="exact",
        ),
        ev(
            "ev-m5",
            _d(28),
            "Rebels cut the M5 highway near Saraqib",
            ["saraqib"],
            ["hts_led"],
            "capture",
        ),
        ev(
            "ev-aleppo-enter",
            _d(29, 18, 30),
            "Rebels enter Aleppo city",
            ["aleppo"],
            ["hts_led"],
            "capture",
            src="reuters",
            precision="exact",
        ),
        ev(
            "ev-airstrikes",
            _d(29, 22, 0),
            "First Russian airstrikes on Aleppo since 2016",
            ["aleppo"],
            ["government"],
            "strike",
            precision="exact",
        ),
        ev(
            "ev-saraqib",
            _d(30),
            "Saraqib taken; the army leaves most of Idlib province",
            ["saraqib", "idlib"],
            ["hts_led"],
            "capture",
        ),
        ev(
            "ev-tal-rifaat",
            _d(2),
            "SNA takes Tal Rifaat from the SDF",
            ["tal_rifaat"],
            ["sna", "sdf"],
            "capture",
        ),
        ev(
            "ev-hama-north",
            _d(3),
            "Opposition breaks lines north of Hama",
            ["hama"],
            ["hts_led", "government"],
            "battle",
        ),
        ev(
            "ev-homs-strike",
            _d(4),
            "Airstrikes on the road between Hama and Homs",
            ["homs", "hama"],
            ["government"],
            "strike",
        ),
        ev(
            "ev-hama-enter",
            _d(5, 11, 0),
            "Rebels enter several districts of Hama",
            ["hama"],
            ["hts_led"],
            "battle",
            precision="exact",
        ),
        ev(
            "ev-hama-falls",
            _d(5, 16, 0),
            "Hama falls to the HTS-led coalition",
            ["hama"],
            ["hts_led"],
            "capture",
            src="cnn",
            precision="exact",
        ),
        ev(
            "ev-army-redeploys",
            _d(5, 17, 0),
            "Army says it has redeployed outside Hama",
            ["hama"],
            ["government"],
            "withdrawal",
            precision="exact",
        ),
        ev(
            "ev-prison",
            _d(5),
            "Hundreds of prisoners freed from Hama central prison",
            ["hama"],
            ["hts_led"],
            "humanitarian",
        ),
        ev(
            "ev-displaced",
            _d(5),
            "More than 115,000 displaced in a week",
            [],
            [],
            "humanitarian",
            src="ocha",
        ),
    ]
    quotes = [
        Quote(
            id="q-conquest",
            speaker="Abu Mohammed al-Joulani",
            role="HTS leader",
            text="I ask God Almighty that this be a conquest without revenge.",
            said_at=_d(5),
            outlet="CNN",
            places=["hama"],
            event="ev-hama-falls",
            updated_at=STAMP,
            sources=_ref("cnn"),
        ),
        Quote(
            id="q-wound",
            speaker="Abu Mohammed al-Joulani",
            role="HTS leader",
            text="We close the wound that opened 40 years ago.",
            said_at=_d(5),
            outlet="CNN",
            places=["hama"],
            event="ev-hama-falls",
            updated_at=STAMP,
            sources=_ref("cnn"),
        ),
        Quote(
            id="q-army",
            speaker="Syrian army command",
            role="General Command",
            text="Our forces have redeployed outside the city to preserve civilian lives.",
            said_at=_d(5),
            outlet="SANA",
            places=["hama"],
            event="ev-army-redeploys",
            updated_at=STAMP,
            sources=_ref("reuters"),
        ),
    ]

    def fig(
        fid: str,
        metric: str,
        value: float,
        when: datetime,
        src: str,
        qualifier: str = "exact",
        scope: str = "",
    ) -> Figure:
        return Figure(
            id=fid,
            metric=metric,
            value=value,
            qualifier=qualifier,
            unit="people",
            as_of=when,
            scope=scope,
            updated_at=STAMP,
            sources=_ref(src, f"https://example.org/{fid}"),
        )

    figures = [
        fig("f-deaths-1", "deaths_total", 130, _d(28), "sohr", "more than", "first 24 h"),
        fig("f-deaths-2", "deaths_total", 417, _d(1), "sohr", "at least", "since 27 Nov"),
        fig("f-deaths-3", "deaths_total", 727, _d(5), "sohr", "more than", "since 27 Nov"),
        fig("f-deaths-r", "deaths_total", 600, _d(4), "reuters", "about", "since 27 Nov"),
        fig("f-civ-1", "civilian_deaths", 44, _d(1), "sohr"),
        fig("f-civ-2", "civilian_deaths", 111, _d(5), "sohr"),
        fig("f-disp-1", "displaced", 48500, _d(1), "ocha", "more than", "NW Syria"),
        fig("f-disp-2", "displaced", 115000, _d(5), "ocha", "more than", "NW Syria"),
    ]
    return [*sources, *factions, *places, *control, *events, *quotes, *figures]


def situation_store(path: Path, extra: list | None = None) -> Path:
    """Write the mini-situation (plus ``extra`` records) to a new store at ``path``."""
    store = Store.open(path, seed=False)
    cs = store.merge([*situation_records(), *(extra or [])])
    assert not cs.rejected, cs.rejected
    return Path(path)


def hostile_event(title: str = HOSTILE_TITLE, *, eid: str = "ev-hostile") -> Event:
    """An event with markup and terminal control bytes in its title and summary."""
    return Event(
        id=eid,
        time=_d(5, 23, 0),
        precision="exact",
        title=title,
        summary=title + " \x1b[2J\x1b]52;c;ZXZpbA==\x07 \x9b31m",
        type="other",
        places=["hama"],
        factions=["hts_led"],
        updated_at=STAMP,
        sources=_ref("sohr"),
    )


def big_store(path: Path, n: int = 100_000, seed: int = 7) -> Path:
    """The mini-situation plus ``n`` synthetic events over the 10 days (for benches)."""
    if Path(path).exists():
        return Path(path)
    rng = random.Random(seed)
    words = "offensive shelling clash capture airstrike convoy checkpoint prison bridge district".split()
    places = ["aleppo", "damascus", "hama", "homs", "idlib", "raqqa", "saraqib", "tal_rifaat"]
    factions = ["government", "hts_led", "sna", "sdf"]
    start = _d(27)
    events = []
    for i in range(n):
        events.append(
            Event(
                id=f"syn-{i}",
                time=start + timedelta(minutes=rng.randrange(9 * 24 * 60)),
                precision="exact",
                title=" ".join(rng.choice(words) for _ in range(5)) + f" #{i}",
                type=rng.choice(["battle", "strike", "capture", "other"]),
                places=[rng.choice(places)],
                factions=[rng.choice(factions)],
                updated_at=STAMP,
                sources=_ref("sohr"),
            )
        )
    store = Store.open(path, seed=False)
    store.merge([*situation_records(), *events])
    return Path(path)


def bridge_store(tmp_path: Path) -> Path:
    """Four strike reports at Hama over three days (``tests.support.factories.report``):
    ev-a0 and nw-b0 are one event from two feeds ("· 2 sources"), ev-c1 the convoy at
    the market, ev-d2 the checkpoint at the bridge. Rows, newest first: d2, c1, a0."""
    from tests.support import factories as f

    path = tmp_path / "s.json"
    s = Store.open(path, seed=False)
    s.merge(
        f.base_world()
        + [
            f.report("ev-a0", 0, 10, "Army shells the northern bridge"),
            f.report("nw-b0", 0, 11, "Northern bridge shelled by the army"),
            f.report("ev-c1", 1, 12, "Convoy reaches the market"),
            f.report("ev-d2", 2, 9, "Checkpoint at the bridge reopens"),
        ]
    )
    return path


def make_app(store_path: Path, **kwargs):
    """A test app: frozen clock, no background refresh or disk polling, no blinking."""
    from sitmon.tui.app import SitmonApp

    opts = dict(
        refresh=False, disk_watch=False, clock=frozen_clock, ascii=False, cursor_blink=False
    )
    opts.update(kwargs)
    return SitmonApp(store_path, **opts)


async def settle(pilot) -> None:
    """Wait for the store to load and every worker to finish, then for the screen."""
    app = pilot.app
    await app.wait_until_loaded()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
