"""Feeds that can be trusted together (#11): every case in tests/e2e/cases/ (copied from
../shared/cases/) imported end to end through the command line into a real store file,
with the ChangeSet line and the store content it must leave written out."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.tui.cli import main

CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store.json"
    Store.open(path)  # seeded from the bundled dataset, as a new user's store is
    return path


def cli(capsys, store_path, *args, stdin: bytes | None = None):
    config = store_path.parent / "no-config.toml"
    if stdin is not None:
        old = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        rc = main(["--store", str(store_path), "--config", str(config), *args])
    finally:
        if stdin is not None:
            sys.stdin = old
    out, err = capsys.readouterr()
    return rc, out, err


def case(name: str) -> str:
    return str(CASES / name)


def tables(path: Path):
    return Store.open(path).tables


# ------------------------------------------------------------ 11-ucdp-revision


def test_11_ucdp_revision_down_then_up_each_applies(capsys, store_path, tmp_path):
    """11-ucdp-revision/v1, v2-revised-down, v3-revised-up, imported from one path."""
    path = tmp_path / "ucdp.json"
    lines = []
    for v in ("v1.json", "v2-revised-down.json", "v3-revised-up.json", "v3-revised-up.json"):
        shutil.copy(CASES / "11-ucdp-revision" / v, path)
        rc, out, _ = cli(capsys, store_path, "import", str(path))
        assert rc == 0
        lines.append(out.strip())
        ev = tables(store_path)["event"]["ucdp-9100001"]
        lines.append((ev.fatalities.best, ev.fatalities.low, ev.fatalities.high))
    assert lines == [
        "ucdp.json: ucdp: 3 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
        (5, 5, 9),
        "ucdp.json: ucdp: 0 added, 1 updated, 0 deleted, 1 unchanged, 0 rejected",
        (4, 4, 4),
        "ucdp.json: ucdp: 0 added, 1 updated, 0 deleted, 1 unchanged, 0 rejected",
        (7, 5, 9),
        # the same bytes again change nothing
        "ucdp.json: ucdp: 0 added, 0 updated, 0 deleted, 2 unchanged, 0 rejected",
        (7, 5, 9),
    ]
    t = tables(store_path)
    assert t["event"]["ucdp-9100001"].places == ("ucdp-rastan",)
    rastan = t["place"]["ucdp-rastan"]
    assert (rastan.name, rastan.lat, rastan.lon) == ("Rastan", 34.9267, 36.7331)
    assert t["event"]["ucdp-9100001"].sources[0].source == "feed-ucdp"


# --------------------------------------------------------- 06a/06b GeoJSON ids


@pytest.mark.parametrize("order", [("06a", "06b"), ("06b", "06a")])
def test_06_geojson_feature_ids_from_two_files_never_collide(capsys, store_path, order):
    files = {
        "06a": "06a-geojson-ids-file1.geojson",
        "06b": "06b-geojson-ids-file2.geojson",
    }
    outs = [cli(capsys, store_path, "import", case(files[o]))[1].strip() for o in order]
    assert outs == [
        f"{files[order[0]]}: geojson: 3 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
        f"{files[order[1]]}: geojson: 3 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
    ]
    places = tables(store_path)["place"]
    got = {pid: (places[pid].name, places[pid].lat, places[pid].lon) for pid in places}
    assert {k: got[k] for k in ("salamiyah", "masyaf", "qardaha", "baniyas")} == {
        "salamiyah": ("Salamiyah", 35.0113, 37.0522),
        "masyaf": ("Masyaf", 35.0653, 36.3414),
        "qardaha": ("Qardaha", 35.4542, 36.0578),
        "baniyas": ("Baniyas", 35.1822, 35.9403),
    }
    assert "0" not in places and "1" not in places


# ------------------------------------------------------ 07 after 08: coordinates


def test_07_after_08_swapped_points_are_refused_and_known_places_keep_coordinates(
    capsys, store_path
):
    rc, out, _ = cli(capsys, store_path, "import", case("08-acled-quirks.json"))
    assert rc == 0
    before = {
        pid: (p.name, p.lat, p.lon)
        for pid, p in tables(store_path)["place"].items()
        if p.name in ("Rastan", "Talbiseh")
    }
    rc, out, err = cli(capsys, store_path, "import", case("07-geojson-latlon-swapped.geojson"))
    assert rc == 0
    assert out.strip() == (
        "07-geojson-latlon-swapped.geojson: geojson: 1 added, 0 updated, 0 deleted, "
        "0 unchanged, 4 rejected"
    )
    name = "07-geojson-latlon-swapped.geojson"
    assert err.splitlines() == [
        f"{name}: rejected place 'Talbiseh': field `geometry.coordinates`: the point "
        "(lat 36.7297, lon 34.8406) is outside Syria; it looks like [lat, lon] "
        "(GeoJSON coordinates are [lon, lat])",
        f"{name}: rejected place 'Rastan': field `geometry.coordinates`: the point "
        "(lat 36.7331, lon 34.9267) is outside Syria; it looks like [lat, lon] "
        "(GeoJSON coordinates are [lon, lat])",
        f"{name}: rejected place 'Wrong hemisphere': field `geometry.coordinates`: the point "
        "(lat -34.9, lon -36.7) is outside Syria; the signs look wrong (a southern or western "
        "point)",
        f"{name}: rejected place 'Out of range': field `geometry.coordinates`: "
        "latitude 95 is outside -90..90",
    ]
    after = {
        pid: (p.name, p.lat, p.lon)
        for pid, p in tables(store_path)["place"].items()
        if p.name in ("Rastan", "Talbiseh")
    }
    assert after == before
    assert ("Rastan", 34.9267, 36.7331) in after.values()
    assert ("Talbiseh", 34.8406, 36.7297) in after.values()


def test_a_good_geojson_point_matches_a_known_place_by_name_and_distance_only(
    capsys, store_path, tmp_path
):
    """Hama within a few km is the known Hama (never overwritten); a 'Hama' 200 km away
    is another place."""
    doc = tmp_path / "hama.geojson"
    doc.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "Hamah", "alt_names": ["حماة"], '
        '"faction": "hts_led", "valid_from": "2024-12-05"}, '
        '"geometry": {"type": "Point", "coordinates": [36.76, 35.14]}},'
        '{"type": "Feature", "properties": {"name": "Hama"}, '
        '"geometry": {"type": "Point", "coordinates": [39.0, 36.5]}}]}'
    )
    before = tables(store_path)["place"]["hama"]
    rc, out, _ = cli(capsys, store_path, "import", str(doc))
    assert rc == 0
    t = tables(store_path)
    assert t["place"]["hama"] == before
    assert t["control"]["geo-hama-2024-12-05-hts_led"].place == "hama"
    far = t["place"]["hama-36.50-39.00"]
    assert (far.name, far.lat, far.lon) == ("Hama", 36.5, 39.0)


# ------------------------------------------------------- 08 Arabic-named place label


def test_08_arabic_named_acled_place_is_labelled_by_name_on_the_ascii_map(capsys, store_path):
    """08-acled-quirks.json names a place only in Arabic (``خان شيخون``): the ASCII map
    labels it with its romanized name, never with its internal id (``acled-x…``)."""
    rc, out, _ = cli(capsys, store_path, "import", case("08-acled-quirks.json"))
    assert rc == 0
    names = {p.name for p in tables(store_path)["place"].values()}
    assert "خان شيخون" in names
    rc, out, err = cli(capsys, store_path, "export", "--view", "map", "--ascii", "--width", "160")
    assert (rc, err) == (0, "")
    assert out.isascii()
    assert "Khan Shikhun" in out
    assert "acled-" not in out


# ------------------------------------------------------------------ 09 deletions


def test_09_acled_deletions_become_tombstones(capsys, store_path):
    cli(capsys, store_path, "import", case("08-acled-quirks.json"))
    assert {"acled-SYR900001", "acled-SYR900004"} <= set(tables(store_path)["event"])
    rc, out, err = cli(capsys, store_path, "import", case("09-acled-deleted-endpoint.json"))
    assert rc == 0 and err == ""
    # two events deleted; unchanged: the feed's Source (one for ACLED under any file
    # name) and the two control-change tombstones, which find nothing to delete
    assert out.strip() == (
        "09-acled-deleted-endpoint.json: acled: 0 added, 0 updated, 2 deleted, "
        "3 unchanged, 0 rejected"
    )
    t = tables(store_path)
    assert "acled-SYR900001" not in t["event"] and "acled-SYR900004" not in t["event"]
    assert {"acled-SYR900002", "acled-SYR900003"} <= set(t["event"])
    tomb = t["tombstone"]["event:acled-SYR900001"]
    assert (tomb.reason, tomb.updated_at.isoformat()) == (
        "deleted by ACLED",
        "2024-12-10T03:06:40+00:00",
    )
    rc, out, _ = cli(capsys, store_path, "validate", case("09-acled-deleted-endpoint.json"))
    assert (rc, out.strip()) == (
        0,
        "09-acled-deleted-endpoint.json: ok (acled): 1 source, 4 tombstone",
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"status": 403, "error": {"message": "Access denied: invalid key"}, "data": []}',
        b'{"status": 403, "success": false, "error": [{"message": "Access denied: invalid key"}]}',
    ],
    ids=["with-data", "without-data"],
)
def test_acled_error_bodies_give_acleds_message(capsys, store_path, tmp_path, body):
    p = tmp_path / "acled.json"
    p.write_bytes(body)
    before = store_path.read_bytes()
    rc, out, err = cli(capsys, store_path, "import", "--format", "acled", str(p))
    assert rc == 1
    assert err.strip() == "sitmon: feed 'acled.json': ACLED API error: Access denied: invalid key"
    assert store_path.read_bytes() == before


# ------------------------------------------------------------------- JSON Feed


def test_01_jsonfeed_1_0_with_http_version_is_read(capsys, store_path):
    for fmt in ("auto", "jsonfeed"):
        rc, out, err = cli(
            capsys, store_path, "import", "--format", fmt, case("01-jsonfeed-http-version.json")
        )
        assert (rc, err) == (0, "")
    t = tables(store_path)
    ev = t["event"]["jf-blog_example_net-1"]
    assert (ev.title, ev.places, ev.type) == ("Hama falls to the rebels", ("hama",), "capture")
    assert ev.url == "https://blog.example.net/2024/12/05/hama"


def test_one_jsonfeed_under_three_names_is_one_copy(capsys, store_path, tmp_path):
    raw = (CASES / "01-jsonfeed-http-version.json").read_bytes()
    (tmp_path / "feed.json").write_bytes(raw)
    (tmp_path / "feed (1).json").write_bytes(raw)
    outs = [
        cli(capsys, store_path, "import", str(tmp_path / "feed.json"))[1].strip(),
        cli(capsys, store_path, "import", str(tmp_path / "feed (1).json"))[1].strip(),
        cli(capsys, store_path, "import", "-", stdin=raw)[1].strip(),
    ]
    assert outs == [
        "feed.json: jsonfeed: 2 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
        "feed (1).json: jsonfeed: 0 added, 0 updated, 0 deleted, 2 unchanged, 0 rejected",
        "stdin: jsonfeed: 0 added, 0 updated, 0 deleted, 2 unchanged, 0 rejected",
    ]
    titles = [e.title for e in tables(store_path)["event"].values()]
    assert titles.count("Hama falls to the rebels") == 1


def test_jsonfeed_feed_url_is_its_identity_and_relative_urls_resolve(capsys, store_path, tmp_path):
    doc = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "%s",'
        ' "feed_url": "https://news.example.org/syria/feed.json",'
        ' "items": [{"id": "a1", "url": "/2024/12/06/homs", "title": "Homs",'
        ' "date_published": "2024-12-06T10:00:00Z"}]}'
    )
    (tmp_path / "one.json").write_text(doc % "Wire")
    (tmp_path / "two.json").write_text(doc % "Wire (renamed)")
    cli(capsys, store_path, "import", "--name", "first", str(tmp_path / "one.json"))
    rc, out, _ = cli(capsys, store_path, "import", "--name", "second", str(tmp_path / "two.json"))
    t = tables(store_path)
    ids = [i for i in t["event"] if i.startswith("jf-")]
    assert ids == ["jf-news_example_org_syria_feed_json-a1"]
    assert t["event"][ids[0]].url == "https://news.example.org/2024/12/06/homs"
    assert t["source"]["feed-news_example_org_syria_feed_json"].name == "Wire (renamed)"


def test_02_duplicate_ids_warn_naming_both_keep_the_later_and_validate_fails(capsys, store_path):
    name = "02-jsonfeed-shape-deviations.json"
    warning = (
        "event 'Duplicate id, first copy' and 'Duplicate id, second copy' share the id "
        "'jf-wire_example_net-dup'; the later one is kept"
    )
    rc, out, err = cli(capsys, store_path, "validate", case(name))
    assert rc == 1
    assert out.strip() == f"warning: {warning}"
    assert err.strip() == f"sitmon: {name}: 1 warning(s); 4 event, 1 source valid (jsonfeed)"
    rc, out, err = cli(capsys, store_path, "import", case(name))
    assert rc == 0
    assert err.strip() == f"sitmon: {name}: warning: {warning}"
    assert (
        out.strip() == f"{name}: jsonfeed: 5 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected"
    )
    events = tables(store_path)["event"]
    assert events["jf-wire_example_net-dup"].title == "Duplicate id, second copy"
    assert events["jf-wire_example_net-42"].title == "Numeric id item"
    assert events["jf-wire_example_net-1833406427961081857"].title == "64-bit id as a JSON number"


def test_14_persian_zwnj_and_emoji_zwj_are_kept_and_found(capsys, store_path):
    rc, out, _ = cli(capsys, store_path, "import", case("14-persian-zwnj.jsonfeed.json"))
    assert rc == 0
    events = tables(store_path)["event"]
    fa = next(e for e in events.values() if e.id.endswith("-fa-1"))
    assert fa.title == "نیمه\u200cشب: شورشیان به حماه می\u200cروند"
    assert fa.summary == "کتاب\u200cها و خانه\u200cها — نیمه\u200cشب"
    emoji = next(e for e in events.values() if e.id.endswith("-emoji-zwj"))
    assert "\U0001f468\u200d\U0001f469\u200d\U0001f467" in emoji.title
    rc, out, _ = cli(capsys, store_path, "export", "--view", "timeline", "--filter", "می\u200cروند")
    assert rc == 0
    assert "1 event · filter: می\u200cروند" in out
    assert "نیمه\u200cشب: شورشیان به حماه می\u200cروند" in out


# ------------------------------------------------------------- last import shown


def test_info_shows_the_last_import_beside_the_last_refresh(capsys, store_path):
    rc, out, _ = cli(capsys, store_path, "info")
    assert "last refresh:   never (bundled dataset)" in out
    assert "last import:    never" in out
    cli(capsys, store_path, "import", case("01-jsonfeed-http-version.json"))
    rc, out, _ = cli(capsys, store_path, "info")
    line = next(x for x in out.splitlines() if x.startswith("last import:"))
    assert line.endswith(" (01-jsonfeed-http-version.json)")
    assert Store.open(store_path).meta["last_import"]["name"] == "01-jsonfeed-http-version.json"


def test_header_says_when_data_was_imported():
    from datetime import UTC, datetime

    from sitmon.widgets.header_render import HeaderState, render_header

    now = datetime(2024, 12, 6, 12, 0, tzinfo=UTC)
    plain = HeaderState(now=now, origin="bundled dataset")
    text = render_header(plain, 200, colour=False).text
    assert "no feeds: bundled dataset" in text and "imported" not in text
    imported = HeaderState(
        now=now,
        origin="bundled dataset",
        store_refreshed=datetime(2024, 12, 6, 11, 55, tzinfo=UTC),
        store_imported=datetime(2024, 12, 6, 10, 0, tzinfo=UTC),
    )
    text = render_header(imported, 200, colour=False).text
    assert "data refreshed 5 min ago" in text and "imported 2 h ago" in text
