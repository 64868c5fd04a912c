"""Which moment the user sees: the latest of every record kind, and exact as-of boundaries.

Bugs these catch (planted to check): the latest moment taken from events only; a
quote or figure dated exactly at the moment dropped (``<`` for ``<=``) while events
are kept; a bare date read as a UTC day instead of a situation-time day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.records import ControlChange, Event, Figure, Quote
from sitmon.store.timeutil import parse_as_of
from sitmon.tui.cli import main

from tests.support import factories as f

SAMPLE_GEOJSON = Path(__file__).resolve().parents[2] / "examples" / "feeds" / "sample.geojson"
US = timedelta(microseconds=1)


def test_latest_moment_comes_from_every_record_kind(tmp_path, capsys):
    """sample.geojson has control changes only (9 and 10 Dec), no events: the default
    moment is 10 Dec with Manbij held by the SNA, not the bundled events' 5 Dec."""
    path = tmp_path / "store.json"
    Store.open(path)  # the bundled dataset
    argv = ["--store", str(path), "--config", str(tmp_path / "none.toml")]
    assert main([*argv, "import", str(SAMPLE_GEOJSON)]) == 0
    capsys.readouterr()
    store = Store.open(path)
    last = store.time_bounds()[1]
    assert last == datetime.fromisoformat("2024-12-10T00:00:00+03:00")
    snap = store.snapshot()
    assert (snap.control["manbij"].faction, snap.control["manbij"].status) == ("sna", "held")
    assert snap.control["deir_ez_zor"].faction == "hts_led"
    assert main([*argv, "export", "--view", "map", "--format", "text", "--output", "-"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("As of 10 December 2024")


T = datetime.fromisoformat("2024-12-05T12:00:00+03:00")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("m") / "s.json", seed=False)
    src = f.REF
    s.merge(
        [
            *f.base_world(),
            Event(id="ev-t", time=T, title="at T", updated_at=f.STAMP, sources=src),
            Quote(id="q-t", speaker="S", text="at T", said_at=T, updated_at=f.STAMP, sources=src),
            Figure(
                id="fig-t", metric="displaced", value=7, as_of=T, updated_at=f.STAMP, sources=src
            ),
            ControlChange(
                id="cc-t",
                place="hama",
                faction="reb",
                valid_from=T,
                updated_at=f.STAMP,
                sources=src,
            ),
        ]
    )
    return s


def _seen(store: Store, moment: datetime) -> tuple[bool, bool, bool, str]:
    snap = store.snapshot(moment)
    return (
        any(e.id == "ev-t" for e in snap.events),
        any(q.id == "q-t" for q in snap.quotes),
        any(m.metric == "displaced" for m in snap.figures),
        snap.control["hama"].faction,
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (T - US, (False, False, False, "gov")),
        (T, (True, True, True, "reb")),
        (T + US, (True, True, True, "reb")),
        # the same instant written in UTC
        (datetime(2024, 12, 5, 9, 0, tzinfo=UTC), (True, True, True, "reb")),
        (datetime(2024, 12, 5, 8, 59, 59, 999999, tzinfo=UTC), (False, False, False, "gov")),
    ],
    ids=["1us-before", "exactly", "1us-after", "utc-same-instant", "utc-1us-before"],
)
def test_every_kind_at_the_as_of_boundary(store, moment, expected):
    assert _seen(store, moment) == expected


LATE = datetime.fromisoformat("2024-12-05T23:30:00+03:00")  # 20:30 UTC, still 5 Dec
EARLY = datetime(2024, 12, 5, 23, 30, tzinfo=UTC)  # 02:30 on 6 Dec in situation time


@pytest.fixture(scope="module")
def late_store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("late") / "s.json", seed=False)
    rows = []
    for tag, when in (("late", LATE), ("utc", EARLY)):
        rows += [
            Event(id=f"ev-{tag}", time=when, title=tag, updated_at=f.STAMP, sources=f.REF),
            Quote(
                id=f"q-{tag}",
                speaker="S",
                text=tag,
                said_at=when,
                updated_at=f.STAMP,
                sources=f.REF,
            ),
            Figure(
                id=f"fig-{tag}",
                metric=f"m_{tag}",
                value=1,
                as_of=when,
                updated_at=f.STAMP,
                sources=f.REF,
            ),
        ]
    s.merge([*f.base_world(), *rows])
    return s


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-12-05", ["late"]),  # 23:30 situation time is on 5 Dec; 23:30 UTC is 6 Dec
        ("2024-12-06", ["late", "utc"]),
    ],
)
def test_a_bare_date_is_a_situation_time_day(late_store, day, expected):
    snap = late_store.snapshot(parse_as_of(day))
    assert [e.title for e in snap.events] == expected
    assert [q.text for q in snap.quotes] == expected
    assert sorted(m.metric.removeprefix("m_") for m in snap.figures) == expected
