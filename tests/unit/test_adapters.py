"""Format adapters: the examples, the sitmon schema, round trips, and near-miss fuzzing."""

from __future__ import annotations

import copy
import json
import typing
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store import Store
from sitmon.store.actors import ActorMap
from sitmon.store.adapters import (
    acled,
    geojson,
    jsonfeed,
    sitmon,
    ucdp,
)
from sitmon.store.adapters.base import FeedError
from sitmon.store.adapters.detect import AdaptContext, detect_format, make_id, slug
from sitmon.store.bundled import bundled_document
from sitmon.store.ingest import ADAPTERS, ingest_bytes, ingest_document
from sitmon.store.records import KINDS, Casualties, SourceRef, kind_of, record_to_dict

from tests.support.shared import SHARED as _SHARED

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "examples" / "feeds"
SCHEMA = json.loads((ROOT / "docs" / "feed-format.schema.json").read_text())
SHARED = _SHARED / "data" / "reference"

EXAMPLES = {
    "followup.sitmon.json": "sitmon",
    "sample.jsonfeed.json": "jsonfeed",
    "sample.geojson": "geojson",
    "sample.acled.json": "acled",
    "sample.ucdp.json": "ucdp",
    "sample.ucdp.page1.json": "ucdp",
    "sample.ucdp.page2.json": "ucdp",
    "sample.events.geojson": "geojson",
    "sample.gdelt.json": "gdelt",
    "sample.reliefweb.json": "reliefweb",
    "sample.reliefweb.disasters.json": "reliefweb",
    "sample.hapi.json": "hapi",
}


@pytest.fixture(scope="module")
def bundled():
    recs = bundled_document().records
    places = {r.id: r for r in recs if kind_of(r) == "place"}
    factions = {r.id for r in recs if kind_of(r) == "faction"}
    return places, factions


def ctx_for(bundled, name="sample") -> AdaptContext:
    places, factions = bundled
    return AdaptContext(source_name=name, places=places, factions=factions)


def load(name: str):
    return json.loads((FEEDS / name).read_text())


# ------------------------------------------------------------------ examples


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_detect_and_adapt_without_rejections(name, bundled):
    doc = load(name)
    assert detect_format(doc) == EXAMPLES[name]
    result = ingest_document(doc, "auto", ctx_for(bundled))
    assert result.format == EXAMPLES[name]
    assert result.records and result.rejected == []


def test_followup_builder_is_deterministic_and_up_to_date():
    import subprocess
    import sys

    if not SHARED.exists():
        pytest.skip("../shared reference data not available")
    proc = subprocess.run(
        [sys.executable, str(FEEDS / "build_followup.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_followup_uses_bundled_ids_and_cites_every_record(bundled):
    places, factions = bundled
    doc = load("followup.sitmon.json")
    result = sitmon.adapt(doc)
    bundled_sources = {r.id for r in bundled_document().records if kind_of(r) == "source"}
    new_sources = {r.id for r in result.records if kind_of(r) == "source"}
    assert not new_sources & bundled_sources
    for rec in result.records:
        if kind_of(rec) in ("control", "event", "figure"):
            assert rec.sources, rec.id
            for ref in rec.sources:
                assert ref.source in bundled_sources | new_sources
        if kind_of(rec) == "control":
            new_places = {"rastan", "talbiseh"}  # the feed's own towns (with their baselines)
            assert (rec.place in places or rec.place in new_places) and rec.faction in factions
            if rec.precision != "undated":
                assert "2024-12-06" <= rec.valid_from.date().isoformat() <= "2024-12-08"
    days = {r.time.date().isoformat() for r in result.records if kind_of(r) == "event"}
    assert days == {"2024-12-06", "2024-12-07", "2024-12-08"}


def test_jsonfeed_example_is_valid_json_feed_1_1():
    if not SHARED.exists():
        pytest.skip("../shared reference data not available")
    schema = json.loads((SHARED / "jsonfeed-1.1.schema.json").read_text())
    jsonschema.validate(load("sample.jsonfeed.json"), schema)


def test_jsonfeed_mapping(bundled):
    result = jsonfeed.adapt(load("sample.jsonfeed.json"), ctx_for(bundled, "news"))
    events = {r.id: r for r in result.records if kind_of(r) == "event"}
    # ids are scoped by the feed's feed_url, not by the name it was imported under
    homs = events["jf-example_org_newsroom_feed_json-https://example.org/newsroom/2024/12/08/homs"]
    assert homs.type == "capture" and homs.places == ("homs",)
    assert homs.factions == ("hts_led", "government") and homs.precision == "exact"
    dam = next(e for e in events.values() if "Damascus" in e.title)
    assert dam.summary == (
        "Rebels entered Damascus on 8 December.\n"
        "Bashar al-Assad fled the country & was granted asylum in Moscow."
    )
    assert dam.places == ("damascus",) and dam.factions == ("hts_led", "government")
    assert dam.updated_at > dam.time
    manbij = events["jf-example_org_newsroom_feed_json-manbij-2024-12-09"]
    assert manbij.title == "SNA reports full control of Manbij."
    assert (
        manbij.places == ("manbij",) and manbij.factions == ("sna",) and manbij.precision == "exact"
    )
    assert manbij.summary.startswith("SNA reports full control of Manbij.\nTurkish sources")
    (source,) = [r for r in result.records if kind_of(r) == "source"]
    assert source.id == "feed-example_org_newsroom_feed_json"
    assert source.url == "https://example.org/newsroom/"
    assert all(e.sources[0].source == source.id for e in events.values())


def test_html_is_stripped_and_entities_cannot_smuggle_controls():
    text = jsonfeed.html_to_text("<script>alert(1)</script><p>a &#27;[31m b&#x9b;&#x202e;</p><br>c")
    assert text.startswith("a [31m b") and text.endswith("\nc") and "alert" not in text
    assert not [
        c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
    ]


def test_geojson_mapping(bundled):
    result = geojson.adapt(load("sample.geojson"), ctx_for(bundled, "geo"))
    control = {r.id: r for r in result.records if kind_of(r) == "control"}
    assert control["geo-manbij-2024-12-09-sna"].faction == "sna"
    assert control["geo-deir_ez_zor-2024-12-10-hts_led"].place == "deir_ez_zor"
    crossing = next(
        r for r in result.records if kind_of(r) == "place" and r.id == "example_crossing"
    )
    assert (crossing.lat, crossing.lon, crossing.kind) == (34.9, 38.5, "crossing")
    poly = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": []},
                "properties": {"name": "X"},
            }
        ],
    }
    r = geojson.adapt(poly, ctx_for(bundled))
    assert [x.reason for x in r.rejected] == [
        "field `geometry.type`: Polygon features are not read: give Point features "
        "(places, or events with title and date)"
    ]


def test_acled_mapping(bundled):
    result = acled.adapt(load("sample.acled.json"), ctx_for(bundled, "acled"))
    recs = {(kind_of(r), r.id): r for r in result.records}
    e1 = recs[("event", "acled-SYNTH0001")]
    assert e1.type == "battle" and e1.fatalities == Casualties(best=4)
    assert e1.factions == ("hts_led", "government") and e1.places == ("acled-synthville",)
    assert e1.updated_at == datetime.fromtimestamp(1733500000, UTC)
    assert e1.sources == (SourceRef(source="feed-acled", note="Synthetic Observer"),)
    cc = recs[("control", "acled-SYNTH0002-control")]
    assert (cc.place, cc.faction) == ("acled-synthville", "hts_led")
    e3 = recs[("event", "acled-SYNTH0003")]
    assert e3.type == "strike" and e3.factions == ("russia",) and e3.time.day == 7  # dd-mm-yyyy
    e4 = recs[("event", "acled-SYNTH0004")]
    assert e4.places == () and e4.type == "diplomatic"  # geo_precision 3: no point
    # a known place is matched by name AND distance (the gazetteer, as UCDP and GeoJSON):
    # "Hims" (an alternative name) 0.1 km from the bundled Homs is Homs, no new place
    row = dict(
        load("sample.acled.json")["data"][1],
        location="Hims",
        latitude="34.7270",
        longitude="36.7230",
        event_id_cnty="SYNTH9",
    )
    r = acled.adapt({"data": [row]}, ctx_for(bundled))
    (cc,) = [x for x in r.records if kind_of(x) == "control"]
    assert cc.place == "homs" and not [x for x in r.records if kind_of(x) == "place"]
    # "Homs" 19 km away (34.90, 36.70) is another place, versioned by its arrival
    far = dict(row, location="Homs", latitude="34.9000", longitude="36.7000")
    ctx = ctx_for(bundled)
    ctx.arrived_at = datetime(2024, 12, 8, 6, 0, tzinfo=UTC)
    r = acled.adapt({"data": [far]}, ctx)
    (place,) = [x for x in r.records if kind_of(x) == "place"]
    assert (place.id, place.name, place.lat, place.lon) == ("acled-homs", "Homs", 34.9, 36.7)
    assert place.updated_at == datetime(2024, 12, 8, 6, 0, tzinfo=UTC)  # not 1970
    (cc,) = [x for x in r.records if kind_of(x) == "control"]
    assert cc.place == "acled-homs"
    # with no coordinates there is nothing to compare: the name alone
    bare = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
    r = acled.adapt({"data": [dict(bare, location="Homs")]}, ctx_for(bundled))
    assert [x.places for x in r.records if kind_of(x) == "event"] == [("homs",)]
    # an unmapped actor: the event stays, the control change is rejected with the reason
    row = dict(row, actor1="Some Unknown Brigade", event_id_cnty="SYNTH10")
    r = acled.adapt({"data": [row]}, ctx_for(bundled))
    assert [kind_of(x) for x in r.records] == ["source", "event"]
    assert "maps to no known faction" in r.rejected[0].reason
    assert (
        acled.adapt(
            {"data": [row]},
            AdaptContext(actors=ActorMap({"Some Unknown Brigade": "sna"}), factions={"sna"}),
        ).rejected
        == []
    )
    with pytest.raises(FeedError, match="ACLED API error: Access denied"):
        acled.adapt(
            {
                "status": 403,
                "success": False,
                "error": [{"status": 403, "message": "Access denied"}],
            }
        )


def test_ucdp_mapping(bundled):
    result = ucdp.adapt(load("sample.ucdp.json"), ctx_for(bundled, "ucdp"))
    recs = {(kind_of(r), r.id): r for r in result.records}
    e1 = recs[("event", "ucdp-9000001")]
    assert e1.fatalities == Casualties(best=5, low=4, high=7)
    assert e1.places == ("ucdp-synthville",) and e1.factions == ("government", "hts_led")
    e2 = recs[("event", "ucdp-9000002")]
    assert (
        e2.type == "violence_against_civilians"
        and recs[("place", "ucdp-example_district")].kind == "area"
    )
    e3 = recs[("event", "ucdp-9000003")]
    assert e3.places == () and "Governorate: Example governorate" in e3.summary  # where_prec 4
    assert ucdp.next_page_url(load("sample.ucdp.page1.json")) == "sample.ucdp.page2.json"
    assert ucdp.next_page_url(load("sample.ucdp.page2.json")) is None


def test_detect_unknown_shape_names_what_was_expected():
    for doc in ({"foo": 1}, [1, 2], "text", 3):
        with pytest.raises(FeedError) as info:
            detect_format(doc)
        msg = str(info.value)
        assert "sitmon feed" in msg and "JSON Feed" in msg and "GeoJSON" in msg
        assert "ACLED" in msg and "UCDP" in msg and "\n" not in msg


def test_actor_map_defaults_units_renames_and_overrides():
    m = ActorMap()
    assert m.faction("Military Forces of Syria (2000-)") == "government"
    assert m.faction("Military Forces of Syria (2000-) Republican Guard") == "government"
    assert m.faction("Military Forces of Syria (2000-2024)") == "government"
    assert m.faction("military forces of  syria (2000-)") == "government"
    assert m.faction("HTS: Hayat Tahrir al Sham") == "hts_led"
    assert m.faction("Hezbollah") is None and m.faction("Protesters (Syria)") is None
    assert m.faction("Military Forces of Russia (2000-)", known={"government"}) is None
    assert ActorMap({"Hezbollah": "government"}).faction("Hezbollah") == "government"


def test_ids_and_slugs():
    assert slug("Deir ez-Zor") == "deir_ez_zor" and slug("حلب").startswith("x")
    assert make_id("acled-", "SYR123") == "acled-SYR123"
    long_id = make_id("jf-", "https://example.org/a b?c=" + "x" * 300)
    assert len(long_id) <= 160 and long_id.startswith("jf-https_example_org_a_b_c_")


# --------------------------------------------------------- sitmon format


def _literal_values(tp) -> set | None:
    for arg in typing.get_args(tp) or (tp,):
        if typing.get_origin(arg) is typing.Literal:
            return set(typing.get_args(arg))
    if typing.get_origin(tp) is typing.Literal:
        return set(typing.get_args(tp))
    return None


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_agrees_with_the_record_definitions(kind):
    cls = KINDS[kind]
    schema = SCHEMA["$defs"][cls.__name__]
    info = msgspec.structs.fields(cls)
    assert set(schema["properties"]) == {f.encode_name for f in info}
    required = {f.encode_name for f in info if f.required}
    assert set(schema.get("required", [])) == required
    hints = typing.get_type_hints(cls, include_extras=True)
    for f in info:
        values = _literal_values(hints[f.name])
        if values is not None:
            assert set(schema["properties"][f.encode_name]["enum"]) == values, f.name
    section = {v: k for k, v in sitmon.SECTIONS.items()}[kind]
    assert SCHEMA["properties"][section]["items"]["$ref"] == f"#/$defs/{cls.__name__}"
    assert schema["additionalProperties"] is False


def test_schema_validates_the_feeds_and_rejects_a_bad_one():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for path in (FEEDS / "followup.sitmon.json", ROOT / "store" / "data" / "bundled.json"):
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        assert errors == [], (path, errors[:3])
    bad = load("followup.sitmon.json")
    bad["events"][0]["type"] = "massacre"
    assert list(validator.iter_errors(bad))
    assert not sitmon.adapt(bad).records or sitmon.adapt(bad).rejected


def _every_kind_document() -> dict:
    t = "2024-12-08T10:00:00+03:00"
    return {
        "sitmon_feed": 1,
        "title": "every record kind",
        "sources": [
            {
                "id": "s1",
                "name": "Source One",
                "kind": "monitor",
                "url": "https://example.org",
                "updated_at": t,
            }
        ],
        "factions": [
            {
                "id": "f1",
                "name": "Faction One",
                "short": "F1",
                "symbol": "1",
                "colour": "#123456",
                "group": "g",
                "updated_at": t,
                "sources": [{"source": "s1"}],
            },
            {
                "id": "f2",
                "name": "Faction Two",
                "short": "F2",
                "symbol": "2",
                "colour": "#654321",
                "updated_at": t,
            },
        ],
        "places": [
            {
                "id": "p1",
                "name": "Place One",
                "alt_names": ["P1"],
                "lat": 35.0,
                "lon": 36.5,
                "governorate": "G",
                "kind": "town",
                "importance": 2,
                "population": 1000,
                "note": "n",
                "updated_at": t,
                "sources": [{"source": "s1", "url": "https://e.org/1"}],
            }
        ],
        "control": [
            {
                "id": "c1",
                "place": "p1",
                "faction": "f1",
                "valid_from": "2024-12-01T00:00:00+03:00",
                "updated_at": t,
            },
            {
                "id": "c2",
                "place": "p1",
                "faction": "f2",
                "status": "contested",
                "valid_from": "2024-12-07T00:00:00+03:00",
                "note": "n",
                "updated_at": t,
                "sources": [{"source": "s1", "note": "x"}],
            },
        ],
        "events": [
            {
                "id": "e1",
                "time": t,
                "precision": "exact",
                "title": "T",
                "summary": "S",
                "type": "capture",
                "places": ["p1"],
                "factions": ["f1", "f2"],
                "actors": ["A"],
                "fatalities": {"best": 3, "low": 1, "high": 5},
                "url": "https://e.org",
                "updated_at": t,
                "sources": [{"source": "s1"}],
            },
            {"id": "e2", "time": t, "title": "gone", "updated_at": "2024-12-01T00:00:00+03:00"},
        ],
        "quotes": [
            {
                "id": "q1",
                "speaker": "Someone",
                "role": "r",
                "text": "words",
                "said_at": t,
                "outlet": "o",
                "context": "c",
                "places": ["p1"],
                "event": "e1",
                "updated_at": t,
            }
        ],
        "figures": [
            {
                "id": "g1",
                "metric": "displaced",
                "value": 10.0,
                "qualifier": "between",
                "low": 5.0,
                "high": 20.0,
                "unit": "people",
                "as_of": t,
                "period_start": "2024-11-27T00:00:00+03:00",
                "period_end": t,
                "scope": "s",
                "note": "n",
                "updated_at": t,
                "sources": [{"source": "s1"}],
            }
        ],
        "tombstones": [
            {
                "id": "e2",
                "kind": "event",
                "updated_at": t,
                "reason": "duplicate",
                "sources": [{"source": "s1"}],
            }
        ],
    }


def test_every_record_kind_round_trips_through_an_empty_store(tmp_path):
    doc = _every_kind_document()
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    result = ingest_bytes(json.dumps(doc).encode(), source_name="x")
    assert result.rejected == [] and {kind_of(r) for r in result.records} == set(KINDS)
    store = Store.open(tmp_path / "s.json", seed=False)
    cs = store.merge(result.records, rejected=result.rejected)
    assert cs.rejected == []
    reopened = Store.open(tmp_path / "s.json", seed=False)
    expected = {(kind_of(r), r.id): r for r in result.records if kind_of(r) != "tombstone"}
    expected.pop(("event", "e2"))  # deleted by the tombstone in the same document
    got = {(k, r.id): r for k, t in reopened.tables.items() if k != "tombstone" for r in t.values()}
    assert got == expected
    assert list(reopened.tables["tombstone"]) == ["event:e2"]
    # and back out as a document: the same records again
    out = {
        sec: [record_to_dict(r) for r in reopened.tables[kind].values()]
        for sec, kind in sitmon.SECTIONS.items()
    }
    again = sitmon.adapt({"sitmon_feed": 1, **out})
    assert {(kind_of(r), r.id): r for r in again.records if kind_of(r) != "tombstone"} == expected


def test_sitmon_bad_record_is_rejected_with_kind_id_and_field():
    doc = _every_kind_document()
    doc["places"][0]["lat"] = 123.0
    doc["events"].append(
        {"id": "e3", "title": "no time", "updated_at": "2024-12-08T10:00:00+03:00"}
    )
    r = sitmon.adapt(doc)
    reasons = {(x.kind, x.id): x.reason for x in r.rejected}
    assert reasons[("place", "p1")].startswith("field `lat`:")
    assert reasons[("event", "e3")].startswith("field `time`:")


# ----------------------------------------------------------- near misses

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "NaN",
            "Infinity",
            "-inf",
            "1e999",
            "12",
            "3.5",
            "x" * 30_000,
            "2024-13-45",
            "\x1b[31m",
            "null",
            "0x10",
            "٣",
            "[]",
            "{}",
        ]
    ),
    st.text(max_size=20),
)
VALUES = st.recursive(
    SCALARS,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=8,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:6]):
            yield from _paths(v, (*prefix, i))


@st.composite
def near_miss(draw, name):
    doc = copy.deepcopy(load(name))
    paths = [p for p in _paths(doc) if p]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        parent = doc
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["drop", "replace", "stringify"]))
            key = path[-1]
            if action == "drop":
                if isinstance(parent, dict):
                    parent.pop(key, None)
                elif isinstance(parent, list) and key < len(parent):
                    parent.pop(key)
            elif action == "stringify":
                parent[key] = str(parent[key])
            else:
                parent[key] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


def _check_only_feed_errors(doc, fmt, bundled):
    raw = json.dumps(doc).encode()
    for ctx in (ctx_for(bundled), AdaptContext()):
        try:
            ADAPTERS[fmt].adapt(doc) if fmt == "sitmon" else ADAPTERS[fmt].adapt(doc, ctx)
        except FeedError as exc:
            assert "\n" not in str(exc)
    try:
        ingest_bytes(raw, "auto", source_name="fuzz", places=bundled[0], factions=bundled[1])
    except FeedError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_near_miss_documents_only_raise_feed_error(name, bundled):
    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(near_miss(name))
    def run(doc):
        _check_only_feed_errors(doc, EXAMPLES[name], bundled)

    run()


@pytest.mark.fuzz
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_near_miss_documents_fuzz_10k(name, bundled):
    @settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(near_miss(name))
    def run(doc):
        _check_only_feed_errors(doc, EXAMPLES[name], bundled)

    run()


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(VALUES, st.sampled_from(sorted(ADAPTERS)))
def test_any_json_value_through_any_adapter(doc, fmt):
    try:
        ADAPTERS[fmt].adapt(doc) if fmt == "sitmon" else ADAPTERS[fmt].adapt(doc, AdaptContext())
    except FeedError:
        pass


def test_acled_one_name_at_two_far_points_is_two_places():
    """Two rows of one document name "Tell" 40 km apart: two places, the second with
    its rounded coordinates in its id; a third row 1 km from the first is the first."""
    base = {"event_date": "2024-12-06", "event_type": "Battles", "location": "Tell"}
    rows = [
        dict(base, event_id_cnty="T1", latitude="35.0000", longitude="37.0000"),
        dict(base, event_id_cnty="T2", latitude="35.3600", longitude="37.0000"),
        dict(base, event_id_cnty="T3", latitude="35.0090", longitude="37.0000"),
    ]
    r = acled.adapt({"data": rows}, AdaptContext(source_name="acled"))
    places = [(x.id, x.lat, x.lon) for x in r.records if kind_of(x) == "place"]
    assert places == [("acled-tell", 35.0, 37.0), ("acled-tell-35.36-37.00", 35.36, 37.0)]
    assert [x.places for x in r.records if kind_of(x) == "event"] == [
        ("acled-tell",),
        ("acled-tell-35.36-37.00",),
        ("acled-tell",),
    ]
