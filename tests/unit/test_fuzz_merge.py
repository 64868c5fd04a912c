"""Fuzzing merge with arbitrary (valid) record batches: 10,000 inputs opt-in (`pytest -m fuzz`),
a short smoke run by default. The only exception merge may raise is none at all: bad
references become rejections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store.merge import apply_batch, empty_tables
from sitmon.store.records import Tombstone

from tests.support import factories as f

IDS = st.sampled_from(["a", "b", "c", "hama", "aleppo", "gov", "reb", "src-test", "x"])
STAMP = st.integers(0, 5).map(lambda h: f.STAMP + timedelta(hours=h))


@st.composite
def any_record(draw):
    kind = draw(
        st.sampled_from(
            ["source", "faction", "place", "control", "event", "quote", "figure", "tomb"]
        )
    )
    rid = draw(IDS)
    stamp = draw(STAMP)
    if kind == "source":
        return f.source(rid)
    if kind == "faction":
        return f.faction(rid, draw(st.sampled_from("GRK")))
    if kind == "place":
        return f.place(rid, draw(st.floats(32, 37.5)), draw(st.floats(35.5, 42.5)))
    if kind == "control":
        return f.control(draw(IDS), draw(IDS), draw(st.integers(-3, 12)), stamp=stamp)
    if kind == "event":
        return f.event(
            draw(st.integers(0, 4)), places=tuple(draw(st.lists(IDS, max_size=2))), stamp=stamp
        )
    if kind == "quote":
        return f.quote(draw(st.integers(0, 4)), draw(st.one_of(st.none(), IDS)))
    if kind == "figure":
        return f.figure(draw(st.integers(0, 4)), value=draw(st.floats(0, 1e6)))
    return Tombstone(
        id=draw(st.sampled_from(["ev-0", "ev-1", "hama", "a"])),
        kind=draw(st.sampled_from(["event", "place", "control", "faction"])),
        updated_at=stamp,
    )


def check(batches):
    tables = empty_tables()
    for batch in batches:
        tables, cs = apply_batch(tables, batch)
        again, cs2 = apply_batch(tables, batch)
        assert again == tables and not cs2.changed
        # a record added or updated by this batch had every reference resolvable
        for kind, rid in cs.added + cs.updated:
            rec = tables[kind][rid]
            if kind == "control":
                assert rec.place in tables["place"] and rec.faction in tables["faction"]
        for kind, rid in cs.added + cs.updated:
            assert rid in tables[kind]
        for kind, rid in cs.deleted:
            assert rid not in tables[kind]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(any_record(), max_size=10), max_size=4))
def test_merge_smoke(batches):
    check(batches)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(any_record(), max_size=12), max_size=5))
def test_merge_fuzz(batches):
    check(batches)
