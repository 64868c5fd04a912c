"""A merge updates the store's time index and search index in place (issue 13):
after any batch they equal indexes built from scratch, and the file agrees."""

from __future__ import annotations

import random
from datetime import timedelta

from sitmon.store import Store
from sitmon.store.records import Tombstone

from tests.support import factories as f


def _fresh(path):
    s = Store.open(path, seed=False)
    s.build_search_index()
    return s


def test_batches_of_adds_moves_updates_and_deletes_keep_every_index_exact(tmp_path):
    rng = random.Random(4)
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + f.synthetic_events(300, seed=1))
    s.build_search_index()
    stamp = f.STAMP
    for round_ in range(6):
        stamp = stamp + timedelta(hours=1)
        ids = sorted(s.tables["event"])
        batch = []
        for rid in rng.sample(ids, 20):  # updates: half keep their time, half move
            e = s.tables["event"][rid]
            moved = (
                e.time + timedelta(minutes=rng.randrange(-3000, 3000))
                if rng.random() < 0.5
                else e.time
            )
            batch.append(_replace(e, title=f"{e.title} r{round_}", time=moved, updated_at=stamp))
        for i in range(15):  # new events, some tied in time with stored ones
            e = f.event(10_000 + round_ * 100 + i, minutes=rng.randrange(12 * 24 * 60), stamp=stamp)
            batch.append(e)
        for rid in rng.sample([r for r in ids if r not in {b.id for b in batch}], 5):
            batch.append(Tombstone(id=rid, kind="event", updated_at=stamp, sources=f.REF))
        cs = s.merge(batch)
        assert len(cs.added) == 15 and len(cs.updated) == 20 and len(cs.deleted) == 5
        fresh = _fresh(s.path)
        assert [e.id for e in s._events] == [e.id for e in fresh._events]
        assert s._events == fresh._events
        assert s._event_times == fresh._event_times
        assert s._search is not None  # updated from the first changed event, not dropped
        # what a user sees through queries: the same as an index built from scratch
        for text in (f"r{round_}", "r", "prison", "#1", "place:hama bridge", "type:bat"):
            assert [e.id for e in s.events(filter=text)] == [
                e.id for e in fresh.events(filter=text)
            ], text


def test_a_merge_past_the_tail_limit_rebuilds_the_index(tmp_path, monkeypatch):
    from sitmon.store import search

    monkeypatch.setattr(search, "TAIL_LIMIT", 5)
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + f.synthetic_events(300, seed=1))
    s.build_search_index()
    early = f.event(9_000, title="Early tunnel found", minutes=0)  # before 300 others
    s.merge([early])
    assert s._search is None  # dropped: rebuilt on the next text query
    assert [e.id for e in s.events(filter="tunnel")] == ["ev-9000"]
    assert s._search is not None


def _replace(e, **changes):
    import msgspec

    return msgspec.structs.replace(e, **changes)


def test_a_merge_during_the_index_build_carries_the_index_forward(tmp_path, monkeypatch):
    """A refresh that lands while the monitor builds the search index (seconds at 1M
    events) does not throw the build away: the index is carried forward from the merge's
    first changed event, with no second full build, and finds the merged event."""
    import sitmon.store.db as db

    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + f.synthetic_events(300, seed=1))
    real, builds = db.SearchIndex, []

    def building(events, tables, **kw):
        builds.append(len(events))
        index = real(events, tables, **kw)
        if len(builds) == 1:  # a refresh's merge lands while this build runs
            s.merge([f.event(9_001, title="Tunnel found under the bridge", minutes=100_000)])
        return index

    monkeypatch.setattr(db, "SearchIndex", building)
    s.build_search_index()
    assert builds == [300]  # one full build, for the state it started from
    assert s._search is not None  # current for the state after the merge
    assert [e.id for e in s.events(filter="tunnel")] == ["ev-9001"]
    assert builds == [300]  # the query used it: no build on demand


def test_a_merge_works_out_corroboration_again_only_for_the_days_it_touched(tmp_path, monkeypatch):
    from sitmon.store import corroborate

    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(
        f.base_world()
        + [
            f.report("ev-a0", 0, 10, "Army shells the northern bridge"),
            f.report("nw-a0", 0, 11, "Northern bridge shelled by the army"),
            f.report("ev-b1", 1, 10, "Convoy hit near the market"),
            f.report("nw-b1", 1, 12, "Market convoy hit by a strike"),
            f.report("ev-c2", 2, 9, "Prison guards attacked at dawn"),
            f.report("nw-c2", 2, 15, "Dawn attack on prison guards"),
        ]
    )
    s.build_search_index()
    worked_out = []
    real = corroborate.corroboration_groups

    def counting(events, *feeds):
        worked_out.append([e.id for e in events])
        return real(events, *feeds)

    monkeypatch.setattr(corroborate, "corroboration_groups", counting)
    # day 0: a report retitled out of its group; day 1 untouched; day 2: a third report
    retitled = _replace(
        s.tables["event"]["nw-a0"],
        title="Bakery reopens in the old town",
        updated_at=f.STAMP + timedelta(hours=1),
    )
    s.merge([retitled, f.report("xx-c2", 2, 16, "Prison guards attacked again at dawn")])
    assert s._search is not None  # kept from the first changed event
    assert worked_out == [["ev-a0", "nw-a0"], ["ev-c2", "nw-c2", "xx-c2"]]  # not day 1
    c2 = ("ev-c2", "nw-c2", "xx-c2")
    assert dict(s.snapshot().groups.items()) == {
        "ev-b1": ("ev-b1", "nw-b1"),
        "nw-b1": ("ev-b1", "nw-b1"),
        "ev-c2": c2,
        "nw-c2": c2,
        "xx-c2": c2,
    }
