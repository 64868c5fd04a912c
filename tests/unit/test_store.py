"""The store: merge rules (as properties), queries, the TinyDB file on disk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store import Store
from sitmon.store.merge import apply_batch, empty_tables
from sitmon.store.records import Event, Tombstone
from sitmon.store.storage import AtomicJSONStorage
from sitmon.store.timeutil import parse_as_of
from tinydb import Query, TinyDB

from tests.support import factories as f


def new_store(tmp_path, records=None):
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(records if records is not None else f.base_world())
    return s


def test_merge_adds_updates_and_reports_flips(tmp_path):
    s = new_store(tmp_path)
    assert s.counts()["places"] == 4
    cs = s.merge([f.control("hama", "reb", 8), f.event(1, places=("hama",), factions=("reb",))])
    assert sorted(cs.added) == [("control", "ctl-hama-8-reb"), ("event", "ev-1")]
    assert [(x.place, x.from_faction, x.to_faction) for x in cs.flips] == [("hama", "gov", "reb")]
    assert cs.flips[0].when == f.T0 + timedelta(days=8)
    # newer updated_at wins
    newer = msgspec.structs.replace(
        f.event(1, title="Hama falls"), updated_at=f.STAMP + timedelta(hours=1)
    )
    cs = s.merge([newer])
    assert cs.updated == [("event", "ev-1")] and s.tables["event"]["ev-1"].title == "Hama falls"
    # older loses
    cs = s.merge([f.event(1, title="stale")])
    assert cs.unchanged == 1 and s.tables["event"]["ev-1"].title == "Hama falls"


def test_control_as_of_is_latest_change_at_or_before(tmp_path):
    s = new_store(tmp_path, f.base_world() + [f.control("hama", "reb", 8)])
    day8 = f.T0 + timedelta(days=8)
    assert s.control_as_of(day8 - timedelta(seconds=1))["hama"].faction == "gov"
    assert s.control_as_of(day8)["hama"].faction == "reb"
    assert s.control_as_of(None)["hama"].faction == "reb"
    assert "hama" not in s.control_as_of(f.T0 - timedelta(days=60))


def test_rejects_unknown_references_and_keeps_the_rest(tmp_path):
    s = new_store(tmp_path)
    cs = s.merge([f.control("atlantis", "gov", 1), f.event(2, places=("hama",))])
    assert cs.added == [("event", "ev-2")]
    assert len(cs.rejected) == 1 and "unknown place 'atlantis'" in cs.rejected[0].reason


def test_tombstone_deletes_and_blocks_stale_replays(tmp_path):
    s = new_store(tmp_path, f.base_world() + [f.event(3)])
    tomb = Tombstone(id="ev-3", kind="event", updated_at=f.STAMP + timedelta(days=1))
    cs = s.merge([tomb])
    assert cs.deleted == [("event", "ev-3")] and "ev-3" not in s.tables["event"]
    cs = s.merge([f.event(3)])  # the old version comes back from a stale feed
    assert not cs.changed and "ev-3" not in s.tables["event"]
    reopened = Store.open(s.path)
    assert "ev-3" not in reopened.tables["event"]
    assert reopened.tables["tombstone"]["event:ev-3"] == tomb


def test_event_queries_filter_by_text_place_faction_type_and_time(tmp_path):
    s = new_store(
        tmp_path,
        f.base_world()
        + [
            f.event(1, title="Street fighting in Hama", places=("hama",), factions=("reb",)),
            f.event(
                2, title="Airstrike on Aleppo", places=("aleppo",), factions=("gov",), type="strike"
            ),
            f.event(3, title="Convoy near Homs", places=("homs",), factions=("gov",)),
        ],
    )
    assert [e.id for e in s.events(filter="hama")] == ["ev-1"]
    assert [e.id for e in s.events(filter="place:aleppo")] == ["ev-2"]
    assert [e.id for e in s.events(filter="faction:gov type:strike")] == ["ev-2"]
    assert [e.id for e in s.events(filter='"convoy near"')] == ["ev-3"]
    assert [e.id for e in s.events(as_of=f.T0 + timedelta(minutes=2))] == ["ev-1", "ev-2"]
    assert [e.id for e in s.events(place="homs")] == ["ev-3"]


def test_figures_keep_sources_side_by_side(tmp_path):
    world = f.base_world() + [f.source("src-b", "Other")]
    a1 = f.figure(1, value=100)
    a2 = f.figure(3, value=300)
    b = msgspec.structs.replace(
        f.figure(2, value=250), sources=[msgspec.structs.replace(f.REF[0], source="src-b")]
    )
    s = new_store(tmp_path, world + [a1, a2, b])
    [m] = s.figures(as_of=parse_as_of("2024-11-29"))
    assert m.latest.id == "fig-2" and [o.id for o in m.others] == ["fig-1"]
    assert [h.id for h in m.history] == ["fig-1", "fig-2"]
    [m] = s.figures()
    assert m.latest.id == "fig-3" and [o.id for o in m.others] == ["fig-2"]
    assert len(m.history) == 3


def test_every_file_is_a_real_tinydb_document(tmp_path):
    s = new_store(tmp_path, f.base_world() + [f.event(7, title="Hama falls")])
    db = TinyDB(s.path, storage=AtomicJSONStorage)
    assert db.tables() >= {"meta", "places", "control"}
    meta = db.table("meta").get(doc_id=1)
    assert meta["schema_version"] == 2
    [(month, entry)] = meta["shards"].items()
    assert month == "2024-11" and entry["count"] == 1
    db.close()
    shard = TinyDB(tmp_path / "s.json.events" / entry["file"], storage=AtomicJSONStorage)
    assert shard.table("events").search(Query().title == "Hama falls")[0]["id"] == "ev-7"
    shard.close()


def test_a_batch_writes_the_core_and_only_the_months_it_touches(tmp_path, monkeypatch):
    import sitmon.store.db
    import sitmon.store.shards

    s = new_store(tmp_path)
    s.merge(f.synthetic_events(500))  # 12 days from 2024-11-27: November and December
    writes = []
    for module in (sitmon.store.db, sitmon.store.shards):
        real = module.atomic_write_bytes
        monkeypatch.setattr(
            module,
            "atomic_write_bytes",
            lambda p, b, real=real: (writes.append(p.name), real(p, b)),
        )
    s.merge([f.event(900, minutes=10 * 24 * 60)])  # one new December event
    assert writes == ["2024-12.g4.json", "2024-12.g4.ids.json", "s.json"]  # shard, its ids
    s.merge([f.event(900, minutes=10 * 24 * 60)])  # a replay writes nothing at all
    assert len(writes) == 3
    assert sorted(p.name for p in (tmp_path / "s.json.events").iterdir()) == [
        "2024-11.g3.ids.json",
        "2024-11.g3.json",
        "2024-12.g4.ids.json",
        "2024-12.g4.json",
    ]  # the replaced December files are gone


# ---------------------------------------------------------------- properties

STAMPS = [f.STAMP + timedelta(hours=h) for h in range(3)]


@st.composite
def batches(draw):
    """Random batches over a small id space: events with varied stamps, control changes, tombstones."""
    out = []
    for _ in range(draw(st.integers(0, 12))):
        what = draw(st.sampled_from(["event", "event", "control", "tomb"]))
        i = draw(st.integers(0, 5))
        stamp = draw(st.sampled_from(STAMPS))
        if what == "event":
            title = draw(st.sampled_from(["a", "b", "c"]))
            out.append(f.event(i, title=title, stamp=stamp))
        elif what == "control":
            out.append(
                f.control(
                    draw(st.sampled_from(f.PLACE_IDS)),
                    draw(st.sampled_from(f.FACTION_IDS)),
                    i,
                    stamp=stamp,
                )
            )
        else:
            out.append(Tombstone(id=f"ev-{i}", kind="event", updated_at=stamp))
    return out


def _merge_all(tables, seq):
    for batch in seq:
        tables, _ = apply_batch(tables, batch)
    return tables


def _world_tables():
    tables, _ = apply_batch(empty_tables(), f.base_world())
    return tables


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(st.lists(batches(), max_size=4))
def test_prop_idempotent_and_replay_changes_nothing(seq):
    tables = _world_tables()
    for batch in seq:
        tables, _ = apply_batch(tables, batch)
        again, cs = apply_batch(tables, batch)  # the same document again
        assert not cs.changed and cs.flips == []
        assert again == tables


@PROPS
@given(batches(), st.randoms(use_true_random=False))
def test_prop_order_does_not_matter(batch, rnd):
    shuffled = list(batch)
    rnd.shuffle(shuffled)
    a, _ = apply_batch(_world_tables(), batch)
    b, _ = apply_batch(_world_tables(), shuffled)
    assert a == b


@PROPS
@given(st.lists(batches(), max_size=4))
def test_prop_no_committed_id_is_lost_without_a_tombstone(seq):
    tables = _world_tables()
    for batch in seq:
        before = {(k, i) for k, t in tables.items() if k != "tombstone" for i in t}
        tables, cs = apply_batch(tables, batch)
        after = {(k, i) for k, t in tables.items() if k != "tombstone" for i in t}
        tombstoned = {(t.kind, t.id) for t in batch if isinstance(t, Tombstone)}
        assert before - after <= tombstoned
        assert set(cs.deleted) == before - after


@PROPS
@given(st.lists(batches(), min_size=1, max_size=4))
def test_prop_newer_wins(seq):
    """What is stored is the content of the newest version; on an equal version, the
    later batch's (inside one batch: the larger encoding's). A newer version with the
    same content keeps the stored copy and its version (issue 11: re-importing the same
    bytes changes nothing; store/merge.py's rules), so a later batch with that stored
    version and other content replaces it. A version not newer than a tombstone of its id
    is deleted (store/merge.py's rules): it never wins."""
    tables = _merge_all(_world_tables(), seq)
    newest = {}
    tomb: dict[str, object] = {}  # id -> the newest tombstone so far (a batch's included)
    for batch in seq:
        for r in batch:
            if isinstance(r, Tombstone) and (r.id not in tomb or r.updated_at > tomb[r.id]):
                tomb[r.id] = r.updated_at
        in_batch = {}
        for r in batch:
            if r.id in tomb and not isinstance(r, Tombstone) and r.updated_at <= tomb[r.id]:
                continue  # a tombstone deletes every version not newer than itself
            if not isinstance(r, Tombstone) and r.id.startswith("ev-"):
                prev = in_batch.get(r.id)
                if prev is None or (r.updated_at, r.title) > (prev.updated_at, prev.title):
                    in_batch[r.id] = r
        for rid, r in in_batch.items():
            kept = newest.get(rid)
            if kept is None or (r.updated_at > kept.updated_at and r.title != kept.title):
                newest[rid] = r
            elif r.updated_at == kept.updated_at:
                newest[rid] = r  # equal version: the later batch wins
    for rid, r in newest.items():
        if rid in tables["event"]:
            assert tables["event"][rid].title == r.title


@PROPS
@given(st.lists(batches(), min_size=1, max_size=4))
def test_prop_flips_reported_exactly(seq):
    tables = _world_tables()
    for batch in seq:
        before = _latest(tables)
        tables, cs = apply_batch(tables, batch)
        after = _latest(tables)
        expected = {
            p: (before[p], after[p]) for p in after if p in before and before[p] != after[p]
        }
        got = {
            x.place: ((x.from_faction, x.from_status), (x.to_faction, x.to_status))
            for x in cs.flips
        }
        assert got == expected


def _latest(tables):
    out = {}
    for c in tables["control"].values():
        best = out.get(c.place)
        if best is None or (c.valid_from, c.id) > (best.valid_from, best.id):
            out[c.place] = c
    return {p: (c.faction, c.status) for p, c in out.items()}


@settings(max_examples=25, deadline=None)
@given(st.lists(batches(), max_size=3))
def test_prop_disk_roundtrip_equals_memory(tmp_path_factory, seq):
    path = tmp_path_factory.mktemp("rt") / "s.json"
    s = Store.open(path, seed=False)
    s.merge(f.base_world())
    for batch in seq:
        s.merge(batch)
    assert Store.open(path).tables == s.tables


def test_situation_is_adopted_only_by_a_store_without_one(tmp_path):
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world(), situation={"title": "Backup", "start": "2024-11-27"})
    assert Store.open(s.path).meta["situation"] == {"title": "Backup", "start": "2024-11-27"}
    assert s.time_bounds()[0] == parse_as_of("2024-11-26") + timedelta(microseconds=1)
    s.merge([f.event(1)], situation={"title": "Other", "start": "2020-01-01"})
    assert s.meta["situation"]["title"] == "Backup"


@pytest.fixture(scope="module")
def indexed_store(tmp_path_factory) -> tuple[Path, list[Event]]:
    """A store of 400 synthetic events, written once for every example below."""
    path = tmp_path_factory.mktemp("idx") / "s.json"
    evs = f.synthetic_events(400, seed=5)
    Store.open(path, seed=False).merge(f.base_world() + evs)
    return path, evs


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["hama", "aleppo", "homs", "raqqa", "nowhere"]), max_size=2),
    st.lists(st.sampled_from(["prison", "bridge", "clash", "#1", "zzz"]), max_size=2),
    st.integers(0, 12 * 24 * 60),
)
def test_prop_indexed_filters_equal_a_plain_scan(indexed_store, places, words, minutes):
    path, evs = indexed_store
    s = Store.open(path, seed=False)  # a fresh open for each query: its indexes start cold
    as_of = f.T0 + timedelta(minutes=minutes)
    flt = " ".join([f"place:{p}" for p in places] + words)
    got = [e.id for e in s.events(as_of=as_of, filter=flt)]
    want = [
        e.id
        for e in sorted(evs, key=lambda e: (e.time, e.id))
        if e.time <= as_of
        and all(p in e.places for p in places)
        and all(w in _searchable(e) for w in words)
    ]
    assert got == want


#: what a text filter searches, written out for the factories' world (store/db.py builds
#: its own index; this is the expectation, not a copy of it)
_NAMES = {"aleppo": "Aleppo", "hama": "Hama", "homs": "Homs", "raqqa": "Raqqa"}
_SHORTS = {"gov": "gov", "reb": "reb", "kur": "kur"}


def _searchable(e) -> str:
    parts = [e.title, e.summary, e.type, *e.actors, "Test Monitor"]
    parts += [_NAMES[p] for p in e.places] + [_SHORTS[x] for x in e.factions]
    return "\n".join(parts).lower()


def test_text_filter_examples(tmp_path):
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(
        f.base_world()
        + [
            f.event(1, title="Prison break in Hama", places=("hama",)),
            f.event(2, title="Bridge shelled", places=("aleppo",), factions=("reb",)),
            f.event(3, title="Convoy at the prison gate", places=("homs",)),
        ]
    )
    assert [e.id for e in s.events(filter="prison")] == ["ev-1", "ev-3"]
    assert [e.id for e in s.events(filter="prison place:hama")] == ["ev-1"]
    assert [e.id for e in s.events(filter="aleppo")] == ["ev-2"]  # a place's name
    assert [e.id for e in s.events(filter="test monitor bridge")] == ["ev-2"]  # a source
    assert [e.id for e in s.events(filter="summary of event 3")] == ["ev-3"]
    assert [e.id for e in s.events(filter="zzz")] == []
