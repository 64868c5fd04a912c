"""Corroboration (#11): three feeds reporting one event give one timeline row with
"3 sources" and three reports in its detail view; nothing is deleted; the grouping is
recomputed on merge."""

from __future__ import annotations

import json

from sitmon.store import Store
from sitmon.store.corroborate import corroboration_groups, similar_titles
from sitmon.store.timeutil import parse_as_of
from sitmon.tui.cli import main
from sitmon.widgets.detail_render import render_detail


def _jsonfeed(feed_url: str, item_id: str, title: str, when: str) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": feed_url,
            "feed_url": feed_url,
            "items": [
                {
                    "id": item_id,
                    "title": title,
                    "date_published": when,
                    "tags": ["Homs", "offensive"],
                }
            ],
        }
    )


def cli(capsys, store_path, *args):
    rc = main(["--store", str(store_path), "--config", str(store_path.parent / "no.toml"), *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_three_feeds_reporting_one_event_are_one_row_with_three_sources(capsys, tmp_path):
    store_path = tmp_path / "store.json"
    Store.open(store_path)
    (tmp_path / "a.json").write_text(
        _jsonfeed(
            "https://wire-a.example/feed.json",
            "1",
            "Rebels reach the outskirts of Homs",
            "2024-12-06T15:00:00+03:00",
        )
    )
    (tmp_path / "b.json").write_text(
        _jsonfeed(
            "https://wire-b.example/feed.json",
            "x9",
            "Homs outskirts: rebels reach the city",
            "2024-12-06T17:30:00+03:00",
        )
    )
    (tmp_path / "c.json").write_text(
        _jsonfeed(
            "https://monitor-c.example/feed.json",
            "homs-1206",
            "HTS-led rebels reach Homs outskirts",
            "2024-12-06T13:00:00+03:00",
        )
    )
    before = None
    for name in ("a.json", "b.json", "c.json"):
        rc, _, err = cli(capsys, store_path, "import", str(tmp_path / name))
        assert (rc, err) == (0, "")
        if name == "a.json":
            before = Store.open(store_path).snapshot(parse_as_of("2024-12-06")).groups
    assert before == {}  # one report alone is no group

    store = Store.open(store_path)
    ids = (
        "jf-monitor_c_example_feed_json-homs-1206",
        "jf-wire_a_example_feed_json-1",
        "jf-wire_b_example_feed_json-x9",
    )
    assert all(i in store.tables["event"] for i in ids)  # nothing deleted
    snap = store.snapshot(parse_as_of("2024-12-06"))
    assert snap.groups["jf-wire_a_example_feed_json-1"] == ids  # lead first: the earliest
    assert all(snap.groups[i] == ids for i in ids)

    rc, out, _ = cli(
        capsys,
        store_path,
        "export",
        "--view",
        "timeline",
        "--width",
        "120",
        "--as-of",
        "2024-12-06",
    )
    rows = [line for line in out.splitlines() if "3 sources" in line]
    # one entry, citing the three feeds' Sources
    assert rows == [
        "2024-12-06 13:00  ·  Homs: HTS-led rebels reach Homs outskirts · 3 sources [1][2][3]"
    ]
    assert "[2]  https://wire-a.example/feed.json (no link)" in out
    body = out.split("Sources\n")[0]
    assert "Rebels reach the outskirts" not in body and "Homs outskirts:" not in body

    lines = render_detail(snap, "event", ids[0], 100, store=store, colour=False)
    text = "\n".join(line.text for line in lines)
    assert "Reports (3 sources)" in text
    reports = text.split("Reports (3 sources)")[1]
    assert "HTS-led rebels reach Homs outskirts" in reports
    assert "Rebels reach the outskirts of Homs" in reports
    assert "Homs outskirts: rebels reach the city" in reports


def test_grouping_rules():
    assert similar_titles(
        "Rebels reach the outskirts of Homs", "Homs outskirts: rebels reach the city"
    )
    assert not similar_titles("Airstrike on Idlib market", "Rebels reach the outskirts of Homs")
    assert not similar_titles("Army withdraws from Hama", "Rebels reach the outskirts of Homs")

    def ev(i, feed, day=0, **fields):
        return _report(i, feed, day * 1440 + 60 + i, **fields)

    # one feed's own records never group; other feeds' do
    assert corroboration_groups([ev(1, "feed-a"), ev(2, "feed-a")]) == {}
    assert corroboration_groups([ev(1, "feed-a"), ev(2, "feed-b")]) == {
        "ev-1": ("ev-1", "ev-2"),
        "ev-2": ("ev-1", "ev-2"),
    }
    # another day, another place, an incompatible type or another title: no group
    assert corroboration_groups([ev(1, "feed-a"), ev(2, "feed-b", day=1)]) == {}
    assert corroboration_groups([ev(1, "feed-a"), ev(2, "feed-b", places=("homs",))]) == {}
    assert corroboration_groups([ev(1, "feed-a"), ev(2, "feed-b", type="strike")]) == {}
    assert corroboration_groups([ev(1, "feed-a"), ev(2, "feed-b", title="Aid convoy")]) == {}


def _report(
    i, feed, minutes, title="Rebels reach the outskirts of Homs", places=("hama",), type="capture"
):
    """Event ``ev-<i>`` citing the feed Source ``feed`` (its feed for corroboration)."""
    import msgspec
    from sitmon.store.records import SourceRef

    from tests.support import factories as f

    e = f.event(i, title=title, places=places, type=type, minutes=minutes)
    return msgspec.structs.replace(e, sources=[SourceRef(source=feed)])


def test_groups_are_worked_out_per_day_and_match_the_whole_computation():
    """A snapshot's groups are worked out one day (+03) at a time: the same answer as
    the whole computation, including reports either side of midnight (never grouped)."""
    from sitmon.store.corroborate import DayGroups

    events = [
        _report(1, "feed-a", 60),  # 27 Nov 01:00
        _report(2, "feed-b", 90),  # 27 Nov 01:30: groups with 1
        _report(3, "feed-a", 1439, places=("homs",)),  # 27 Nov 23:59
        _report(4, "feed-b", 1441, places=("homs",)),  # 28 Nov 00:01: another day
        _report(5, "feed-c", 1442, places=("homs",)),  # 28 Nov 00:02: groups with 4
        _report(6, "feed-a", 2000, title="Aid convoy enters Homs"),  # alone
        _report(7, "feed-a", 2880 + 120, places=("idlib",)),  # 29 Nov 02:00 (28 Nov UTC)
        _report(8, "feed-b", 2880 + 240, places=("idlib",)),  # 29 Nov 04:00: groups with 7
    ]
    lookup = {e.id: e for e in events}
    groups = DayGroups(events, lookup)
    assert groups.get("ev-2") == ("ev-1", "ev-2")
    assert groups.get("ev-5") == ("ev-4", "ev-5")
    assert groups.get("ev-3") is None and "ev-3" not in groups
    assert groups.get("ev-6") is None
    assert dict(groups) == {
        "ev-1": ("ev-1", "ev-2"),
        "ev-2": ("ev-1", "ev-2"),
        "ev-4": ("ev-4", "ev-5"),
        "ev-5": ("ev-4", "ev-5"),
        "ev-7": ("ev-7", "ev-8"),
        "ev-8": ("ev-7", "ev-8"),
    }
    # an event the snapshot filtered out is in no group, though the store holds it
    shown = [e for e in events if e.id != "ev-1"]
    assert DayGroups(shown, lookup).get("ev-2") is None
    assert sorted(DayGroups(shown, lookup)) == ["ev-4", "ev-5", "ev-7", "ev-8"]


def test_a_merge_that_changes_a_report_regroups_its_day(tmp_path):
    """The per-day answers are kept between snapshots of one store state, never across a
    merge: a report retitled by its feed leaves the group at the next snapshot."""
    import msgspec

    from tests.support import factories as f

    store = Store.open(tmp_path / "s.json", seed=False)
    a, b = _report(1, "feed-a", 60), _report(2, "feed-b", 90)
    store.merge([f.source(), f.source("feed-a"), f.source("feed-b"), f.place("hama"), a, b])
    assert store.snapshot().groups.get("ev-2") == ("ev-1", "ev-2")
    later = msgspec.structs.replace(
        b, title="Aid convoy enters Hama", updated_at=f.STAMP + f.timedelta(hours=1)
    )
    store.merge([later])
    assert store.snapshot().groups.get("ev-2") is None
    assert dict(store.snapshot().groups) == {}
