"""``sitmon export --view timeline`` of a store that holds what a long history holds:
several months (one shard each), reports of one event from several feeds (one row with
"n sources"), rows in Arabic, CJK and with combining accents, context rows, rows of
several places, day- and month-precision rows, a faction-less row, and a row in
another UTC offset.

The expected bytes are files in ``tests/golden/timeline-store/``, written by the export
before its speed-ups (issue 13) and unchanged since: the fast paths (decoding, the
corroboration of the whole history, the row loop) must give the same text. After a
deliberate change of the timeline's text, regenerate them with::

    SITMON_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_export_timeline_store.py

and read the diff. The tests below the golden ones say what a reader must see whatever
the exact bytes.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sitmon.store import Store, gcpause
from sitmon.store.records import Event, Source, SourceRef
from sitmon.store.timeutil import SITUATION_TZ

from tests.support.cli import cli
from tests.support.tui_fixtures import STAMP, situation_store

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "timeline-store"
UPDATE = os.environ.get("SITMON_UPDATE_GOLDEN") == "1"

#: (arguments after ``export --view timeline``, golden file name)
CASES = [
    ((), "width-80.txt"),
    (("--width", "50"), "width-50.txt"),
    (("--width", "120", "--ascii"), "width-120-ascii.txt"),
    (("--as-of", "2024-10-31"), "as-of-2024-10-31.txt"),
    (("--filter", "hama"), "filter-hama.txt"),
]


def _at(month: int, day: int, hour: int = 12, minute: int = 0, tz=SITUATION_TZ) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=tz)


def _ev(
    eid: str,
    when: datetime,
    title: str,
    places: list[str],
    *,
    factions: tuple[str, ...] = ("hts_led",),
    type: str = "capture",
    src: str = "sohr",
    url: str = "",
    precision: str = "exact",
    context: bool = False,
) -> Event:
    return Event(
        id=eid,
        time=when,
        precision=precision,
        title=title,
        type=type,
        places=places,
        factions=list(factions),
        context=context,
        updated_at=STAMP,
        sources=[SourceRef(source=src, url=url)],
    )


def extra_records() -> list:
    """Records over September to December 2024 beside the mini-situation's."""
    feeds = [
        Source(id=f"feed-{k}", name=f"Wire {k[-1].upper()}", kind="media", url=u, updated_at=STAMP)
        for k, u in (("wire_a", "https://wire-a.example/"), ("wire_b", "https://wire-b.example/"))
    ]
    plus5 = timezone(timedelta(hours=5))
    return [
        *feeds,
        # September: a plain month
        _ev("acled-901", _at(9, 3, 8), "Shelling reported on the outskirts of Idlib", ["idlib"]),
        _ev(
            "acled-902",
            _at(9, 14),
            "Army convoy ambushed near Saraqib",
            ["saraqib"],
            factions=("government",),
            type="battle",
            precision="day",
        ),
        _ev(
            "acled-903",
            _at(9, 1),
            "Fuel prices rise across the north",
            [],
            factions=(),
            precision="month",
        ),
        # October: a report corroborated by two other feeds on one day (one row, 3 sources)
        _ev(
            "acled-1001",
            _at(10, 12, 9, 15),
            "Rebels capture the town of Tal Rifaat after heavy clashes",
            ["tal_rifaat"],
            factions=("sna",),
        ),
        _ev(
            "ucdp-1001",
            _at(10, 12, 14),
            "Tal Rifaat captured by rebels after clashes",
            ["tal_rifaat"],
            factions=("sna",),
            type="battle",
            src="feed-wire_a",
            url="https://wire-a.example/tal-rifaat",
        ),
        _ev(
            "jf-wire_b-77",
            _at(10, 12, 22, 40),
            "Heavy clashes as rebels capture Tal Rifaat",
            ["tal_rifaat"],
            factions=("sna",),
            src="feed-wire_b",
        ),
        # the same day, same place, but another story: not grouped
        _ev(
            "ucdp-1002",
            _at(10, 12, 16),
            "Aid convoy reaches displaced families",
            ["tal_rifaat"],
            factions=(),
            type="humanitarian",
            src="feed-wire_a",
        ),
        # non-ASCII rows: Arabic, CJK (two cells a character), combining accents
        _ev("acled-1003", _at(10, 20, 7), "قوات المعارضة تتقدم نحو حلب من الغرب", ["aleppo"]),
        _ev(
            "acled-1004",
            _at(10, 21, 7),
            "東京 大阪 京都 神戸 横浜 札幌 福岡 仙台 名古屋 広島 奈良",
            ["aleppo", "idlib"],
        ),
        _ev(
            "acled-1005",
            _at(10, 22, 7),
            "Re\u0301fugie\u0301s: the e\u0301te\u0301 camps of Idlib are full again",
            ["idlib"],
            factions=(),
            type="humanitarian",
        ),
        # a row in another UTC offset (+05): shown in the situation's zone
        _ev(
            "acled-1006",
            _at(10, 31, 23, 50, tz=plus5),
            "Late-night strike on Hama",
            ["hama"],
            type="strike",
        ),
        # November: a context row, a long row that wraps, a row of three places
        _ev(
            "acled-1101",
            _at(11, 2),
            "The front lines north of Hama have not moved for four years",
            ["hama"],
            factions=(),
            type="other",
            precision="day",
            context=True,
        ),
        _ev(
            "acled-1102",
            _at(11, 9, 6),
            "Rebels and government forces exchange artillery fire along the whole front"
            " line from Saraqib to the western countryside of Aleppo, residents say",
            ["saraqib", "aleppo", "idlib"],
            type="battle",
        ),
        # December: a pair of reports grouped on the offensive's first day, beside the
        # mini-situation's own December rows
        _ev(
            "acled-1201",
            _at(12, 6, 10),
            "Rebels reach the outskirts of Homs",
            ["homs"],
            type="offensive",
        ),
        _ev(
            "jf-wire_b-90",
            _at(12, 6, 11, 30),
            "Homs outskirts reached by rebels",
            ["homs"],
            type="offensive",
            src="feed-wire_b",
            url="https://wire-b.example/homs",
        ),
    ]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = situation_store(tmp_path_factory.mktemp("timeline") / "s.json", extra=extra_records())
    months = sorted(Store.open(path).meta["shards"])
    assert months == ["2024-09", "2024-10", "2024-11", "2024-12"]  # one shard a month
    return path


def _export(capsys, store_path: Path, *args: str) -> str:
    rc, out, err = cli(capsys, store_path, "export", "--view", "timeline", *args)
    assert (rc, err) == (0, "")
    return out


@pytest.mark.parametrize(("args", "name"), CASES, ids=[name for _, name in CASES])
def test_the_timeline_export_is_unchanged(capsys, store_path, args, name):
    got = _export(capsys, store_path, *args)
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got.encode("utf-8"))
    assert got == path.read_bytes().decode("utf-8"), (
        f"{name} differs from the export; if the change is intended, regenerate with "
        "SITMON_UPDATE_GOLDEN=1 and review the diff"
    )


def test_a_reader_sees_one_row_per_story_and_every_script(capsys, store_path):
    out = _export(capsys, store_path)
    rows = out.split("\n\nSources\n")[0].splitlines()
    lead = "2024-10-12 09:15  T  Tal Rifaat: Rebels capture the town of Tal Rifaat after"
    i = rows.index(lead)  # one row for three feeds' reports, citing all three
    assert rows[i + 1] == "                     heavy clashes · 3 sources [1][17][18]"
    # the other reports of a group have no row of their own
    assert not [r for r in rows if "Tal Rifaat captured by rebels" in r or "Homs outskirts" in r]
    assert "2024-10-12 16:00  ·  Tal Rifaat: Aid convoy reaches displaced families [16]" in rows
    assert "2024-10-20 07:00  H  Aleppo: قوات المعارضة تتقدم نحو حلب من الغرب [1]" in rows
    assert "2024-10-31 21:50  H  Hama: Late-night strike on Hama [1]" in rows  # 23:50 at +05
    assert rows[-1] == "2024-09           ·  Fuel prices rise across the north [1]"
    assert "As of 6 December 2024, end of day (UTC+03) · 25 events" in out


def test_the_store_is_gone_before_the_collector_is_back(capsys, store_path, monkeypatch):
    """The export pauses the cyclic collector. The first collection after the pause walks
    every young object still alive: were the store alive then, that would be every
    event's tuples again (~0.1 s at 100k events)."""
    opened: list[weakref.ref] = []
    alive_at_resume: list[int] = []
    real_open, real_paused = Store.open, gcpause.gc_paused

    def open_(*args, **kwargs):
        store = real_open(*args, **kwargs)
        opened.append(weakref.ref(store))
        return store

    @contextlib.contextmanager
    def paused():
        with real_paused():
            yield
            assert not gc.isenabled()
            alive_at_resume.append(sum(ref() is not None for ref in opened))

    monkeypatch.setattr(Store, "open", open_)
    monkeypatch.setattr(gcpause, "gc_paused", paused)
    _export(capsys, store_path)
    assert len(opened) == 1 and alive_at_resume == [0]
    assert gc.isenabled()


def test_a_timeline_export_does_not_import_the_map_renderer(store_path):
    # (the map renderer and its geography are the export's largest imports, ~20 ms)
    code = (
        "import sys; from sitmon.tui.cli import main; "
        f"rc = main(['--store', {str(store_path)!r}, 'export', '--view', 'timeline']); "
        "print(rc, 'sitmon.widgets.map_render' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.splitlines()[-1] == "0 False", done.stderr
    assert "2024-10-12 09:15  T  Tal Rifaat: Rebels capture" in done.stdout


def test_no_stray_golden_files():
    assert {p.name for p in GOLDEN.iterdir()} == {name for _, name in CASES}
