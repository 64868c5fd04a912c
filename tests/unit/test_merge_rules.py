"""Merge rules the issue names (#11): versions, reference checks after the batch's
tombstones, exact flips. Expected values are written out; the properties generate
every control status, places with no prior control, unknown references and
same-batch tombstones."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store.merge import apply_batch, empty_tables
from sitmon.store.records import Casualties, SourceRef, Tombstone

from tests.support import factories as f

LATER = f.STAMP + timedelta(hours=1)


def world():
    tables, _ = apply_batch(empty_tables(), f.base_world())
    return tables


def _ev(best: int, stamp=f.STAMP, i: int = 7):
    return msgspec.structs.replace(f.event(i, stamp=stamp), fatalities=Casualties(best=best))


# ------------------------------------------------------------------ versions


def test_equal_version_with_other_content_is_updated_by_the_later_document():
    tables, cs = apply_batch(world(), [_ev(5)])
    assert cs.added == [("event", "ev-7")]
    tables, cs = apply_batch(tables, [_ev(4)])  # revised down, same version
    assert (cs.updated, cs.unchanged) == ([("event", "ev-7")], 0)
    assert tables["event"]["ev-7"].fatalities.best == 4
    tables, cs = apply_batch(tables, [_ev(7)])
    assert cs.updated == [("event", "ev-7")]
    assert tables["event"]["ev-7"].fatalities.best == 7


def test_an_older_version_never_replaces_a_newer_one():
    tables, _ = apply_batch(world(), [_ev(5, stamp=LATER)])
    tables, cs = apply_batch(tables, [_ev(4)])
    assert (cs.updated, cs.unchanged) == ([], 1)
    assert tables["event"]["ev-7"].fatalities.best == 5


def test_a_newer_version_with_the_same_content_changes_nothing():
    tables, _ = apply_batch(world(), [_ev(5)])
    again, cs = apply_batch(tables, [_ev(5, stamp=LATER)])  # re-imported later, same content
    assert not cs.changed and cs.unchanged == 1
    assert again["event"]["ev-7"].updated_at == f.STAMP


# ------------------------------------------------------------- reference checks


def test_control_naming_an_unknown_faction_is_rejected():
    _, cs = apply_batch(world(), [f.control("hama", "nobody", 3)])
    assert cs.added == []
    assert [str(r) for r in cs.rejected] == [
        "control 'ctl-hama-3-nobody': field `faction`: unknown faction 'nobody'"
    ]


def test_any_record_citing_an_unknown_source_is_rejected():
    bad = [SourceRef(source="ghost")]
    recs = [
        msgspec.structs.replace(f.event(1), sources=bad),
        msgspec.structs.replace(f.figure(1), sources=bad),
        msgspec.structs.replace(f.quote(1), sources=bad),
        msgspec.structs.replace(f.place("idlib", 35.93, 36.63), sources=bad),
    ]
    _, cs = apply_batch(world(), recs)
    assert cs.added == []
    assert [(r.kind, r.id, r.reason) for r in cs.rejected] == [
        ("event", "ev-1", "field `sources`: unknown source 'ghost'"),
        ("figure", "fig-1", "field `sources`: unknown source 'ghost'"),
        ("quote", "q-1", "field `sources`: unknown source 'ghost'"),
        ("place", "idlib", "field `sources`: unknown source 'ghost'"),
    ]


def test_a_record_deleted_earlier_in_the_batch_cannot_be_referenced():
    batch = [
        Tombstone(id="homs", kind="place", updated_at=LATER),
        f.event(2, places=("homs",)),
    ]
    tables, cs = apply_batch(world(), batch)
    assert [(r.kind, r.id, r.reason) for r in cs.rejected] == [
        ("event", "ev-2", "field `places`: unknown place 'homs'")
    ]
    assert "ev-2" not in tables["event"]


def test_a_record_deleted_later_in_the_batch_cannot_be_referenced_either():
    batch = [
        f.event(2, places=("homs",)),
        Tombstone(id="homs", kind="place", updated_at=LATER),
    ]
    _, cs = apply_batch(world(), batch)
    assert [(r.kind, r.id) for r in cs.rejected] == [("event", "ev-2")]


def test_a_reference_to_a_rejected_record_of_the_same_batch_is_rejected():
    batch = [  # the quote comes first: its event falls only after it was checked
        msgspec.structs.replace(f.quote(3), event="ev-3"),
        f.event(3, places=("nowhere",)),
    ]
    _, cs = apply_batch(world(), batch)
    assert [(r.kind, r.id, r.reason) for r in cs.rejected] == [
        ("quote", "q-3", "field `event`: unknown event 'ev-3'"),
        ("event", "ev-3", "field `places`: unknown place 'nowhere'"),
    ]


# ------------------------------------------------------------------------ flips


def test_a_new_places_first_control_is_not_a_flip():
    batch = [f.place("idlib", 35.93, 36.63, "Idlib"), f.control("idlib", "reb", 1)]
    tables, cs = apply_batch(world(), batch)
    assert ("control", "ctl-idlib-1-reb") in cs.added
    assert cs.flips == []


def test_held_to_contested_and_back_are_flips():
    tables, cs = apply_batch(world(), [f.control("hama", "gov", 2, status="contested")])
    assert [(x.place, x.from_status, x.to_status) for x in cs.flips] == [
        ("hama", "held", "contested")
    ]
    tables, cs = apply_batch(tables, [f.control("hama", "reb", 3)])
    assert [
        (x.place, x.from_faction, x.from_status, x.to_faction, x.to_status) for x in cs.flips
    ] == [("hama", "gov", "contested", "reb", "held")]


# ------------------------------------------------------------------- properties

STATUSES = ("held", "contested", "besieged")
PLACES = (*f.PLACE_IDS, "idlib", "nowhere")  # idlib: added by some batches; nowhere: never
FACTIONS = (*f.FACTION_IDS, "nobody")


@st.composite
def batch(draw):
    out = []
    for _ in range(draw(st.integers(0, 10))):
        what = draw(st.sampled_from(["control", "control", "place", "event", "tomb", "tomb_ctl"]))
        stamp = f.STAMP + timedelta(hours=draw(st.integers(0, 2)))
        if what == "control":
            out.append(
                f.control(
                    draw(st.sampled_from(PLACES)),
                    draw(st.sampled_from(FACTIONS)),
                    draw(st.integers(0, 6)),
                    stamp=stamp,
                    status=draw(st.sampled_from(STATUSES)),
                )
            )
        elif what == "place":
            out.append(msgspec.structs.replace(f.place("idlib", 35.93, 36.63), updated_at=stamp))
        elif what == "event":
            out.append(f.event(draw(st.integers(0, 3)), places=(draw(st.sampled_from(PLACES)),)))
        elif what == "tomb":
            out.append(Tombstone(id=draw(st.sampled_from(PLACES)), kind="place", updated_at=stamp))
        else:
            out.append(
                Tombstone(
                    id=f"ctl-{draw(st.sampled_from(PLACES))}-{draw(st.integers(0, 6))}-"
                    f"{draw(st.sampled_from(FACTIONS))}",
                    kind="control",
                    updated_at=stamp,
                )
            )
    return out


def _latest(tables):
    out = {}
    for c in tables["control"].values():
        best = out.get(c.place)
        if best is None or (c.valid_from, c.id) > (best.valid_from, best.id):
            out[c.place] = c
    return {p: (c.faction, c.status) for p, c in out.items()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batch(), min_size=1, max_size=4))
def test_prop_references_flips_and_tombstones(seq):
    tables = world()
    for b in seq:
        before = _latest(tables)
        tables, cs = apply_batch(tables, b)
        after = _latest(tables)
        # every kept record's references resolve in the store after the batch
        for kind, rid in cs.added + cs.updated:
            rec = tables[kind][rid]
            if kind == "control":
                assert rec.place in tables["place"], rec
                assert rec.faction in tables["faction"], rec
            if kind == "event":
                assert all(p in tables["place"] for p in rec.places), rec
        # nothing named "nobody"/"nowhere" ever gets in
        assert "nowhere" not in tables["place"]
        assert all(c.faction != "nobody" for c in tables["control"].values())
        # flips are exactly the changes of a place that had control before
        want = {p: (before[p], after[p]) for p in after if p in before and before[p] != after[p]}
        got = {
            x.place: ((x.from_faction, x.from_status), (x.to_faction, x.to_status))
            for x in cs.flips
        }
        assert got == want
        # a place tombstoned by this batch is gone unless what is kept is newer
        # (the batch's own version counts: a same-content newer version keeps the stored copy)
        for t in b:
            if isinstance(t, Tombstone) and t.kind == "place" and t.id in tables["place"]:
                versions = [tables["place"][t.id].updated_at] + [
                    r.updated_at for r in b if type(r).__name__ == "Place" and r.id == t.id
                ]
                assert max(versions) > t.updated_at
