"""The store's refresh log stays small: at most 20 entries, at most 50 ids per list,
with exact counts (planted: the caps removed or off by one)."""

from __future__ import annotations

from msgspec.structs import replace
from sitmon.store import Store

from tests.support import factories as f


def test_refresh_log_keeps_20_entries_of_at_most_50_ids(tmp_path):
    path = tmp_path / "s.json"
    s = Store.open(path, seed=False)
    s.merge(f.base_world())
    for k in range(25):
        batch = [f.event(i) for i in range(k * 60, (k + 1) * 60)]
        if k == 24:  # the last batch also updates 60 events and has 55 rejected
            batch += [
                replace(f.event(i), title="changed", updated_at=f.STAMP.replace(hour=23, minute=30))
                for i in range(60)
            ]
            batch += [replace(f.event(5000 + i), places=["nowhere"]) for i in range(55)]
        s.merge(batch)
    log = Store.open(path).meta["refresh_log"]
    assert len(log) == 20
    first, last = log[0], log[-1]
    # 26 merges in all (the world, then 25 batches): the 6 oldest entries were dropped
    assert first["counts"] == {
        "added": 60,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert first["added"][0] == ["event", "ev-300"] and first["added"][-1] == ["event", "ev-349"]
    assert len(first["added"]) == 50
    assert last["counts"] == {
        "added": 60,
        "updated": 60,
        "deleted": 0,
        "unchanged": 0,
        "rejected": 55,
    }
    assert (len(last["added"]), len(last["updated"]), len(last["rejected"])) == (50, 50, 50)
    assert last["updated"][0] == ["event", "ev-0"]
    assert last["rejected"][0]["id"] == "ev-5000"
    for entry in log:
        for key in ("added", "updated", "deleted", "rejected"):
            assert len(entry[key]) <= 50
