"""Records: validation errors name the record and the field."""

import pytest
from sitmon.store.records import RecordError, convert_record, first_non_id

GOOD_EVENT = {
    "id": "ev-1",
    "time": "2024-12-05T10:00:00+03:00",
    "title": "Hama captured",
    "type": "capture",
    "updated_at": "2024-12-05T23:00:00+03:00",
    "sources": [{"source": "sohr", "url": "https://example.org"}],
}


def test_good_event_converts():
    ev = convert_record("event", GOOD_EVENT)
    assert ev.title == "Hama captured"
    assert ev.time.utcoffset().total_seconds() == 3 * 3600


@pytest.mark.parametrize(
    ("kind", "patch", "field", "words"),
    [
        ("event", {"time": "2024-12-05T10:00:00"}, "time", "timezone"),
        ("event", {"type": "party"}, "type", "Invalid enum value"),
        ("event", {"title": 5}, "title", "Expected `str`"),
        ("event", {"fatalities": {"low": 10, "high": 2}}, "fatalities.low", "above high"),
        ("event", {"sources": [{"source": "bad id"}]}, "sources[0].source", "regex"),
        ("event", {"places": ["hama", "bad id"]}, "places[1]", "regex"),
        ("event", {"factions": [""]}, "factions[0]", "regex"),
        ("event", {"places": ["x" * 161]}, "places[0]", "length <= 160"),
        ("event", {"surprise": 1}, "surprise", "unknown field"),
        ("place", {"lat": 91}, "lat", "<= 90"),
        ("figure", {"value": -1}, "value", ">= 0"),
    ],
)
def test_invalid_record_names_kind_id_and_field(kind, patch, field, words):
    base = dict(GOOD_EVENT)
    if kind == "place":
        base = {
            "id": "ev-1",
            "name": "Hama",
            "lat": 35,
            "lon": 36,
            "updated_at": GOOD_EVENT["updated_at"],
        }
    if kind == "figure":
        base = {
            "id": "ev-1",
            "metric": "displaced",
            "value": 5,
            "as_of": GOOD_EVENT["time"],
            "updated_at": GOOD_EVENT["updated_at"],
        }
    base.update(patch)
    with pytest.raises(RecordError) as info:
        convert_record(kind, base)
    err = info.value
    assert err.kind == kind and err.record_id == "ev-1" and err.field == field
    assert str(err).startswith(f"{kind} 'ev-1': field `{field}`")
    assert words.lower() in str(err).lower()


def test_missing_field_and_unreadable_id():
    with pytest.raises(RecordError) as info:
        convert_record("event", {"id": "has space", "time": GOOD_EVENT["time"]})
    assert info.value.record_id is None
    assert "field `" in str(info.value)
    with pytest.raises(RecordError, match="field `title`"):
        convert_record("event", {k: v for k, v in GOOD_EVENT.items() if k != "title"})


def test_non_object_and_unknown_kind():
    with pytest.raises(RecordError, match="expected an object"):
        convert_record("event", ["x"])
    with pytest.raises(RecordError, match="unknown record kind"):
        convert_record("planet", {})


@pytest.mark.parametrize("bad", ["bad id", "-ev", "", "ev\nx", "x" * 161, "ev\u00e9"])
def test_an_event_whose_own_id_is_not_an_id_is_refused(bad):
    with pytest.raises(RecordError) as info:
        convert_record("event", {**GOOD_EVENT, "id": bad})
    err = info.value
    assert err.kind == "event" and err.record_id is None and err.field == "id"


@pytest.mark.parametrize(
    ("values", "first_bad"),
    [
        ([], None),
        (["ev-1", "acled-2024:7", "a.b_c@d/e+f#g"], None),
        (["ev-1", "x" * 160], None),
        (["ev-1", "x" * 161], 1),
        (["ev-1", "ev 2", "ev 3"], 1),
        (["-ev"], 0),
        (["ev-1", ""], 1),
        (["ev-1", "ev\nx"], 1),  # a newline inside: not one id, however the pass splits
        (["ev-1\n"], None),  # one trailing newline passes, as msgspec's pattern search lets it
        (["ev-1", "ev-\u00e9"], 1),
    ],
)
def test_first_non_id_finds_the_first_value_that_is_not_an_id(values, first_bad):
    assert first_non_id(values) == first_bad
