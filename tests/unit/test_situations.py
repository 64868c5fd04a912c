"""The situations registry and what it is made of: zones, geography files,
factions files, the empty `{}` store."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sitmon.store import Store
from sitmon.store.geodata import GeoError, read_admin1
from sitmon.store.situations import (
    SituationError,
    create_situation,
    current_name,
    faction_look,
    get_situation,
    list_situations,
    load_factions_file,
    remove_situation,
    resolve,
    set_current,
)
from sitmon.store.timeutil import (
    TimeError,
    fmt_day,
    get_zone,
    parse_when,
    set_situation_zone,
    start_of_day,
    zone_name,
)


def test_a_store_holding_empty_braces_is_an_empty_store_not_a_corrupt_one(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{}\n")
    store = Store.open(path)  # seed=True: still never seeded
    assert store.warnings == []
    assert store.counts()["events"] == 0 and store.counts()["places"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # nothing set aside
    assert path.read_text() == "{}\n"  # opening only reads


def test_day_boundaries_follow_the_situation_zone():
    when = parse_when("2023-04-15T23:30:00+02:00")
    assert fmt_day(when) == "2023-04-16"  # the bundled situation's fixed UTC+03:00
    set_situation_zone("Africa/Khartoum")
    assert fmt_day(when) == "2023-04-15"
    assert start_of_day(date(2023, 4, 15)).isoformat() == "2023-04-15T00:00:00+02:00"
    assert parse_when("2023-04-15T10:00").isoformat() == "2023-04-15T10:00:00+02:00"
    assert zone_name() == "Africa/Khartoum"
    set_situation_zone(None)
    # Syria keeps exactly the days it always had, even before 2022 (Damascus was UTC+02 then)
    assert start_of_day(date(2018, 1, 1)).isoformat() == "2018-01-01T00:00:00+03:00"
    assert zone_name() == "UTC+03:00"


def test_zones_by_name_and_fixed_offsets():
    assert get_zone("UTC+05:30").utcoffset(None).total_seconds() == 5.5 * 3600
    assert get_zone("-03:00").utcoffset(None).total_seconds() == -3 * 3600
    assert zone_name(get_zone("UTC+03:00")) == "UTC+03:00"
    assert get_zone("Europe/Kyiv").utcoffset(datetime(2024, 7, 1)).total_seconds() == 3 * 3600
    for bad in ("Mars/Olympus", "UTC+15", "../../etc/passwd", ""):
        with pytest.raises(TimeError, match="unknown time zone"):
            get_zone(bad)


def test_admin1_geojson_any_name_property_any_orientation_crs_ignored(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}},
        "features": [
            {  # clockwise ring, geoBoundaries-style name
                "type": "Feature",
                "properties": {"shapeName": "North", "shapeISO": "XX-N"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]},
            },
            {  # a multipolygon with a hole, OCHA-style name
                "type": "Feature",
                "properties": {"ADM1_EN": "South", "ADM1_PCODE": "XX02"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [
                            [[0, -2], [2, -2], [2, 0], [0, 0], [0, -2]],
                            [[0.5, -1.5], [1, -1.5], [1, -1]],
                        ],
                        [[[3, 3], [4, 3], [4, 4]]],
                    ],
                },
            },
            {"type": "Feature", "properties": {"name": "nowhere"}, "geometry": None},
        ],
    }
    path = tmp_path / "a.geojson"
    path.write_text(json.dumps(doc))
    units = read_admin1(path)
    assert [(u.code, u.name, len(u.rings)) for u in units] == [
        ("XX-N", "North", 1),
        ("XX02", "South", 3),
    ]
    assert units[0].rings[0] == (0.0, 0.0, 0.0, 1.0, 1.0, 1.0)  # closing point dropped
    doc["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    path.write_text(json.dumps(doc))
    with pytest.raises(GeoError, match=r"a.geojson: feature 1 \(North\) is a LineString"):
        read_admin1(path)


def test_faction_looks_are_stable_and_distinct():
    assert faction_look("Rapid Support Forces") == ("#c69026", "R")
    assert faction_look("Sudanese Armed Forces") == ("#8ddb8c", "S")
    assert faction_look("Rapid Support Forces", {"R"}) == ("#c69026", "A")  # R taken: next letter


def test_factions_file(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text(
        '[[factions]]\nid = "saf"\nname = "Sudanese Armed Forces"\nshort = "SAF"\n'
        'colour = "#4F8FD6"\naliases = ["Military Forces of Sudan (2019-)"]\n'
        '[[factions]]\nid = "rsf"\nname = "Rapid Support Forces"\n'
        '[[labels]]\ntext = "Red Sea"\nlat = 20.0\nlon = 38.5\n'
    )
    specs, labels = load_factions_file(path)
    assert [(f.id, f.short, f.colour, f.symbol) for f in specs] == [
        ("saf", "SAF", "#4f8fd6", "S"),
        ("rsf", "Rapid Support Forces"[:24], "#c69026", "R"),
    ]
    assert labels[0].text == "Red Sea"


def test_create_use_resolve_remove(tmp_path, monkeypatch):
    facs = tmp_path / "f.toml"
    facs.write_text(
        '[[factions]]\nid = "saf"\nname = "Sudanese Armed Forces"\nshort = "SAF"\n'
        'aliases = ["Military Forces of Sudan (2019-)"]\n'
    )
    sit = create_situation(
        "sudan", ["sdn"], tz="Africa/Khartoum", start="2023-04-15", factions=facs
    )
    assert (sit.name, sit.countries, sit.tz, sit.start, sit.title) == (
        "sudan",
        ("SDN",),
        "Africa/Khartoum",
        "2023-04-15",
        "Sudan",
    )
    assert sit.actor_aliases() == {
        "Sudanese Armed Forces": "saf",
        "Military Forces of Sudan (2019-)": "saf",
    }
    store = Store.open(sit.store_path, seed=False)
    assert list(store.factions) == ["saf"] and store.counts()["events"] == 0
    assert store.meta["situation"] == {"title": "Sudan", "start": "2023-04-15"}
    assert [s.name for s in list_situations()] == ["syria", "sudan"]
    assert resolve().name == "syria"
    set_current("sudan")
    assert current_name() == "sudan" and resolve().name == "sudan"
    monkeypatch.setenv("SITMON_SITUATION", "syria")
    assert resolve().name == "syria"
    assert resolve("sudan").name == "sudan"  # --situation wins over the environment
    remove_situation("sudan")
    assert current_name() == "syria" and not sit.folder.exists()
    with pytest.raises(SituationError, match="no situation called 'sudan'"):
        get_situation("sudan")
