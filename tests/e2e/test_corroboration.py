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
    import msgspec
    from sitmon.store.records import SourceRef

    from tests.support import factories as f

    assert similar_titles(
        "Rebels reach the outskirts of Homs", "Homs outskirts: rebels reach the city"
    )
    assert not similar_titles("Airstrike on Idlib market", "Rebels reach the outskirts of Homs")
    assert not similar_titles("Army withdraws from Hama", "Rebels reach the outskirts of Homs")

    def ev(
        i, feed, title="Rebels reach the outskirts of Homs", type="capture", places=("hama",), day=0
    ):
        e = f.event(i, title=title, places=places, type=type, minutes=day * 1440 + 60 + i)
        return msgspec.structs.replace(e, sources=[SourceRef(source=feed)])

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
