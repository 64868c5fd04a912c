"""Compact records (issue 13, memory): a store written before records were compact
opens, keeps every record and re-encodes to the same bytes; repeated values are one
object; records cannot be changed in place. The memory this saves is measured by
``python bench/bench_scale.py --only decode,rss`` (bytes per event, the monitor's RSS).

The fixture ``store-v2-main-cdf098d`` was written by sitmon at main cdf098d (records
held lists then): a core and three month shards, with day-precision events sharing
a day, an event at the same instant written in UTC, actors, casualty counts, a
source reference with a URL and a note, a place with alternative names.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest
from sitmon.store import Store
from sitmon.store.compact import Interner, compact_records
from sitmon.store.db import encode_core
from sitmon.store.records import Casualties, Event, SourceRef
from sitmon.store.shards import encode_shard, read_shard, shard_folder
from sitmon.store.storage import StoreError

from tests.support import factories as f

FIXTURE = Path(__file__).resolve().parents[1] / "support" / "data" / "store-v2-main-cdf098d"
SHARDS = ("2024-10.g2.json", "2024-11.g2.json", "2024-12.g2.json")


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "store")
    return tmp_path / "store" / "sitmon.json"


def _events(store: Store) -> dict[str, Event]:
    return store.tables["event"]


def test_a_store_written_before_compact_records_round_trips_byte_identical(old_store):
    s = Store.open(old_store, seed=False)
    assert s.warnings == []
    assert s.counts()["events"] == 8
    folder = shard_folder(old_store)
    assert [e["file"] for e in s.meta["shards"].values()] == list(SHARDS)
    for entry in s.meta["shards"].values():
        events = read_shard(folder, entry)
        assert encode_shard(events) == (folder / entry["file"]).read_bytes(), entry["file"]
    assert encode_core(s.tables, s.meta) == (FIXTURE / "sitmon.json").read_bytes()
    # the stored fields, as the old files say them
    ev3 = _events(s)["ev-3"]
    assert msgspec.json.encode(ev3.time) == b'"2024-10-02T21:00:00Z"'
    assert ev3.actors == ("Military Forces of Syria", "HTS")
    assert ev3.factions == ("government", "hts_led")
    assert ev3.fatalities == Casualties(best=3)
    assert _events(s)["ev-4"].sources == (
        SourceRef(source="sohr"),
        SourceRef(source="reuters", url="https://example.org/r", note="relayed"),
    )
    assert s.places["hama"].alt_names == ("Hamah", "حماة")
    assert s.quotes()[0].places == ("hama",)


def test_a_merge_into_an_old_store_rewrites_only_its_month_byte_for_byte(old_store):
    s = Store.open(old_store, seed=False)
    ev = _events(s)["ev-7"]
    changed = msgspec.structs.replace(ev, title="Event 7, corrected", updated_at=ev.updated_at)
    cs = s.merge([changed])
    assert cs.updated == [("event", "ev-7")]
    folder = shard_folder(old_store)
    for name in SHARDS[:2]:  # October and November: untouched files, same bytes
        assert (folder / name).read_bytes() == (FIXTURE / "sitmon.json.events" / name).read_bytes()
    new_file = s.meta["shards"]["2024-12"]["file"]
    assert new_file == "2024-12.g3.json"
    old_text = (FIXTURE / "sitmon.json.events" / SHARDS[2]).read_bytes()
    assert (folder / new_file).read_bytes() == old_text.replace(
        b'"title":"Event 7"', b'"title":"Event 7, corrected"'
    )


def test_repeated_values_are_one_object_across_shards(old_store):
    ev = _events(Store.open(old_store, seed=False))
    # October's ev-1 and December's ev-6: the same stamp, type set, source reference
    assert ev["ev-1"].updated_at is ev["ev-6"].updated_at
    assert ev["ev-1"].sources is ev["ev-2"].sources is ev["ev-7"].sources
    assert ev["ev-4"].sources is ev["ev-6"].sources  # two references, one tuple
    assert ev["ev-1"].places is ev["ev-6"].places is ev["ev-7"].places  # ("hama",)
    assert ev["ev-6"].factions is ev["ev-7"].factions
    assert ev["ev-1"].type is ev["ev-2"].type
    assert ev["ev-2"].fatalities is ev["ev-3"].fatalities  # Casualties(best=3)
    assert ev["ev-1"].time is ev["ev-2"].time  # the same day, the same offset
    assert ev["ev-6"].time is ev["ev-7"].time


def test_equal_instants_in_other_offsets_are_not_shared(old_store):
    ev = _events(Store.open(old_store, seed=False))
    # ev-3 is ev-1's instant written in UTC: equal datetimes, different bytes
    assert ev["ev-3"].time == ev["ev-1"].time
    assert ev["ev-3"].time is not ev["ev-1"].time
    assert ev["ev-3"].time.utcoffset() == timedelta(0)
    assert ev["ev-5"].updated_at.isoformat() == "2024-12-06T08:30:00+00:00"
    assert ev["ev-1"].updated_at.isoformat() == "2024-12-05T23:00:00+03:00"


def test_an_interner_never_swaps_an_offset_or_a_zone_name():
    shared = Interner()
    riyadh = datetime(2024, 12, 5, 20, 0, tzinfo=timezone(timedelta(hours=3)))
    named = datetime(2024, 12, 5, 20, 0, tzinfo=timezone(timedelta(hours=3), "+03"))
    utc = datetime(2024, 12, 5, 17, 0, tzinfo=UTC)
    assert shared.datetime(riyadh) is riyadh
    assert shared.datetime(named) is named  # equal, but its zone name differs
    assert shared.datetime(utc) is utc  # equal instant, other offset
    again = datetime(2024, 12, 5, 20, 0, tzinfo=timezone(timedelta(hours=3)))
    assert shared.datetime(again) is riyadh


def test_stored_records_cannot_be_changed_in_place(old_store):
    s = Store.open(old_store, seed=False)
    ev = _events(s)["ev-1"]
    with pytest.raises(AttributeError):
        ev.places.append("homs")  # shared with ev-2 and ev-6: this would move them all
    with pytest.raises(TypeError):
        ev.sources[0] = SourceRef(source="reuters")
    with pytest.raises(AttributeError):
        s.places["hama"].alt_names.append("x")
    assert ev.places == ("hama",)


def test_a_record_built_with_lists_is_stored_with_tuples_and_merges_again_as_unchanged(
    tmp_path,
):
    s = Store.open(tmp_path / "s.json", seed=False)
    records = [f.source(), f.place("hama", 35.13, 36.75), f.faction("government", "G")]

    def built_with_lists() -> Event:  # as an adapter or a user's script may build it
        return Event(
            id="ev-1",
            time=f.T0,
            title="Event 1",
            places=["hama"],
            factions=["government"],
            updated_at=f.STAMP,
            sources=[SourceRef(source="src-test", url="https://example.org/report")],
        )

    event = built_with_lists()
    assert type(event.places) is list
    cs = s.merge([*records, event])
    assert cs.added[-1] == ("event", event.id)
    stored = s.tables["event"][event.id]
    assert stored.places == ("hama",) and stored.factions == ("government",)
    assert stored.sources == (SourceRef(source="src-test", url="https://example.org/report"),)
    assert type(event.places) is list  # the caller's record is left as it was
    again = s.merge([*records, built_with_lists()])
    assert (again.added, again.updated, again.unchanged) == ([], [], 4)
    reopened = Store.open(tmp_path / "s.json", seed=False)
    assert reopened.tables["event"][event.id] == stored


def test_a_refresh_batch_shares_the_stored_values(old_store):
    s = Store.open(old_store, seed=False)
    stored = _events(s)["ev-6"]
    new = Event(
        id="ev-9",
        time=datetime(2024, 12, 7, tzinfo=timezone(timedelta(hours=3))),
        title="Event 9",
        places=["hama"],
        factions=["hts_led"],
        updated_at=msgspec.json.decode(b'"2024-12-05T23:00:00+03:00"', type=datetime),
        sources=[SourceRef(source="sohr")],
    )
    s.merge([new])
    got = _events(s)["ev-9"]
    assert got.places is stored.places and got.factions is stored.factions
    assert got.updated_at is stored.updated_at
    assert got.sources is _events(s)["ev-1"].sources


def test_compact_records_leaves_unhashable_oddities_alone():
    # a list inside a tuple field cannot be shared: kept as it is, never an exception
    ev = f.event(1)
    odd = msgspec.structs.replace(ev, actors=(["a"],))
    (out,) = compact_records([odd], Interner())
    assert out.actors == (["a"],)


@pytest.mark.parametrize(
    ("field", "bad", "where"),
    [
        ("places", '["hama","bad id"]', "places[1]"),
        ("factions", '["-x"]', "factions[0]"),
        ("sources", '[{"source":"sohr"},{"source":"a b"}]', "sources[1].source"),
    ],
)
def test_a_shard_naming_a_bad_id_does_not_read(tmp_path, field, bad, where):
    # the id pattern of references is checked once per distinct value, not in the type
    folder = tmp_path / "s.json.events"
    folder.mkdir()
    good = (FIXTURE / "sitmon.json.events" / SHARDS[2]).read_bytes()
    ev = b'"id":"ev-8",'
    assert ev in good
    if field == "sources":  # ev-8's own sources, the last field of the file
        assert good.endswith(b'"sources":[{"source":"sohr"}]}}}')
        bad_file = good[: -len(b'[{"source":"sohr"}]}}}')] + bad.encode() + b"}}}"
    else:
        bad_file = good.replace(ev, ev + f'"{field}":{bad},'.encode())
    (folder / "x.json").write_bytes(bad_file)
    with pytest.raises(StoreError) as info:
        read_shard(folder, {"file": "x.json", "count": 3})
    assert str(info.value) == (
        f"the event shard {folder / 'x.json'} does not parse: Expected `str` matching regex"
        f" '^[A-Za-z0-9][A-Za-z0-9._:@/+#-]{{0,159}}$' - at `{where}`: "
        + ("'bad id'" if field == "places" else "'-x'" if field == "factions" else "'a b'")
    )


@pytest.mark.parametrize("bad", ["ev 8", "-ev8", "ev-8\\nx", "x" * 161])
def test_a_shard_holding_an_event_with_a_bad_id_does_not_read(tmp_path, bad):
    # an event's own id is checked for the whole shard at once, not in the type: the
    # message is still msgspec's, and the file is named
    folder = tmp_path / "s.json.events"
    folder.mkdir()
    good = (FIXTURE / "sitmon.json.events" / SHARDS[2]).read_bytes()
    assert b'"id":"ev-8",' in good
    (folder / "x.json").write_bytes(good.replace(b'"id":"ev-8",', f'"id":"{bad}",'.encode()))
    with pytest.raises(StoreError) as info:
        read_shard(folder, {"file": "x.json", "count": 3})
    problem = (
        "Expected `str` of length <= 160"
        if len(bad) > 160
        else "Expected `str` matching regex '^[A-Za-z0-9][A-Za-z0-9._:@/+#-]{0,159}$'"
    )
    assert str(info.value) == (
        f"the event shard {folder / 'x.json'} does not parse: {problem} - at `$.events[...].id`"
    )
