"""The id -> month index (issue 13): a merge into a store whose months are not read
reads only the months the batch touches, and still finds every stored version it
replaces or deletes, checks references against the whole store, and counts exactly.

The store here has one month shard per month from June to November 2024, two events
each (``ev-0``..``ev-11``); it is opened with ``events=False``, as ``sitmon import``
and ``sitmon refresh`` open it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from datetime import datetime, timedelta

import msgspec
import pytest
import sitmon.store.db
import sitmon.store.storage
from sitmon.store import Store, StoreWriteError
from sitmon.store.records import Quote, Tombstone, record_to_dict
from sitmon.store.shards import shard_folder
from sitmon.store.storage import AtomicJSONStorage
from tinydb import TinyDB

from tests.support import factories as f
from tests.support.cli import cli
from tests.support.shardreads import count_shard_reads

MONTHS = ["2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11"]
LATER = f.STAMP + timedelta(hours=1)


def ev(i: int, when: str, title: str | None = None, stamp: datetime = f.STAMP):
    """Event ``ev-i`` at noon UTC of the ISO day ``when``."""
    return msgspec.structs.replace(
        f.event(i, title=title, stamp=stamp),
        time=datetime.fromisoformat(f"{when}T12:00:00+00:00"),
    )


def history() -> list:
    """Two events in each month of MONTHS: ev-0/ev-1 on 2024-06-10/20, ev-2/ev-3 in July..."""
    out = []
    for m, month in enumerate(MONTHS):
        out += [ev(2 * m, f"{month}-10"), ev(2 * m + 1, f"{month}-20")]
    return out


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "s.json"
    Store.open(p, seed=False).merge(f.base_world() + history())  # generation 2 (1: created)
    return p


@pytest.fixture
def reads(monkeypatch):
    """The shard files (events) read, in order."""
    return count_shard_reads(monkeypatch)


def months_on_disk(path) -> dict[str, list[str]]:
    """month -> ids, from the shard files the committed manifest names."""
    manifest = json.loads(path.read_text())["meta"]["1"]["shards"]
    folder = shard_folder(path)
    return {
        key: [e["id"] for e in json.loads((folder / entry["file"]).read_text())["events"].values()]
        for key, entry in sorted(manifest.items())
    }


def id_lists(path) -> dict[str, list[str]]:
    """month -> ids, from the id lists (opened as TinyDB files, as a user's script would)."""
    manifest = json.loads(path.read_text())["meta"]["1"]["shards"]
    out = {}
    for key, entry in sorted(manifest.items()):
        db = TinyDB(shard_folder(path) / entry["ids"], storage=AtomicJSONStorage)
        (doc,) = db.table("ids").all()
        db.close()
        assert doc["month"] == key
        out[key] = doc["ids"]
    return out


def test_an_update_moving_an_event_to_another_month_removes_the_old_months_copy(path, reads):
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([ev(3, "2024-11-25", "Moved to November", stamp=LATER)])
    assert (cs.added, cs.updated, cs.deleted, cs.unchanged) == ([], [("event", "ev-3")], [], 0)
    assert reads == ["2024-07", "2024-11"]  # the old month and the new one, nothing else
    want = {
        "2024-06": ["ev-0", "ev-1"],
        "2024-07": ["ev-2"],
        "2024-08": ["ev-4", "ev-5"],
        "2024-09": ["ev-6", "ev-7"],
        "2024-10": ["ev-8", "ev-9"],
        "2024-11": ["ev-10", "ev-11", "ev-3"],
    }
    assert months_on_disk(path) == want
    assert id_lists(path) == want
    assert s.meta["refresh_log"][-1]["counts"] == {
        "added": 0,
        "updated": 1,
        "deleted": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    # the store in memory: the months it read, and the rest read on first use, in order
    assert s.counts()["events"] == 12
    assert [e.id for e in s.events()] == [
        *("ev-0", "ev-1", "ev-2", "ev-4", "ev-5", "ev-6", "ev-7", "ev-8", "ev-9"),
        *("ev-10", "ev-11", "ev-3"),
    ]
    assert s.tables["event"]["ev-3"].title == "Moved to November"


def test_a_merge_while_some_months_are_read_keeps_them_and_reads_only_what_it_needs(path, reads):
    """As the monitor holds a store: the newest months read, the rest not yet."""
    s = Store.open(path, seed=False, events=False)
    s._take_months({"2024-10", "2024-11"})  # the months a first paint needs
    assert [e.id for e in s._events] == ["ev-8", "ev-9", "ev-10", "ev-11"]
    reads.clear()
    cs = s.merge([ev(1, "2024-10-01", "Moved to October", stamp=LATER), ev(12, "2024-08-01")])
    assert (cs.added, cs.updated) == ([("event", "ev-12")], [("event", "ev-1")])
    assert reads == ["2024-06", "2024-08"]
    assert sorted(s._deferred) == ["2024-07", "2024-09"]
    assert s.counts()["events"] == 13
    assert [e.id for e in s.events()] == [
        *("ev-0", "ev-2", "ev-3", "ev-12", "ev-4", "ev-5", "ev-6", "ev-7"),
        *("ev-1", "ev-8", "ev-9", "ev-10", "ev-11"),
    ]
    assert [e.id for e in Store.open(path, seed=False).events()] == [e.id for e in s.events()]


def test_untouched_months_keep_their_files_counts_and_bounds(path):
    before = json.loads(path.read_text())["meta"]["1"]["shards"]
    s = Store.open(path, seed=False, events=False)
    s.merge([ev(12, "2024-11-28", "New in November")])
    after = json.loads(path.read_text())["meta"]["1"]["shards"]
    for key in MONTHS[:-1]:
        assert after[key] == before[key], key
    assert after["2024-06"] == {
        "file": "2024-06.g2.json",
        "ids": "2024-06.g2.ids.json",
        "count": 2,
        "first": "2024-06-10T12:00:00+00:00",
        "last": "2024-06-20T12:00:00+00:00",
    }
    assert after["2024-11"]["count"] == 3
    assert after["2024-11"]["last"] == "2024-11-28T12:00:00+00:00"
    assert after["2024-11"]["file"] == "2024-11.g3.json"
    assert s.counts()["events"] == 13
    first, last = s.time_bounds()
    assert (first.isoformat(), last.isoformat()) == (
        "2024-06-10T12:00:00+00:00",
        "2024-11-28T12:00:00+00:00",
    )


def test_a_tombstone_for_an_event_in_an_unread_month_deletes_it(path, reads):
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([Tombstone(kind="event", id="ev-5", updated_at=LATER)])
    assert (cs.added, cs.updated, cs.deleted, cs.unchanged) == ([], [], [("event", "ev-5")], 0)
    assert reads == ["2024-08"]
    assert months_on_disk(path)["2024-08"] == ["ev-4"]
    assert id_lists(path)["2024-08"] == ["ev-4"]
    assert "ev-5" not in Store.open(path, seed=False).tables["event"]


def test_a_tombstone_for_an_unknown_event_changes_nothing(path, reads):
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([Tombstone(kind="event", id="ev-404", updated_at=LATER)])
    assert (cs.added, cs.updated, cs.deleted, cs.unchanged) == ([], [], [], 1)
    assert reads == []
    assert len(Store.open(path, seed=False).tables["event"]) == 12


def quote(event: str) -> Quote:
    return msgspec.structs.replace(f.quote(1), event=event)


def test_a_quote_naming_an_event_in_an_unread_month_is_accepted_without_reading_it(path, reads):
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([quote("ev-2")])
    assert (cs.added, cs.rejected) == ([("quote", "q-1")], [])
    assert reads == []  # found in July's id list; no month's events were read
    assert Store.open(path, seed=False).tables["quote"]["q-1"].event == "ev-2"


def test_a_quote_naming_an_unknown_event_is_still_rejected(path, reads):
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([quote("ev-404")])
    assert cs.added == []
    assert [str(r) for r in cs.rejected] == ["quote 'q-1': field `event`: unknown event 'ev-404'"]
    assert reads == []


def test_a_quote_naming_an_event_its_batch_deletes_is_rejected(path):
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([Tombstone(kind="event", id="ev-2", updated_at=LATER), quote("ev-2")])
    assert cs.deleted == [("event", "ev-2")]
    assert [str(r) for r in cs.rejected] == ["quote 'q-1': field `event`: unknown event 'ev-2'"]


def test_a_store_without_id_lists_gets_them_at_its_first_write(path, reads):
    """A store written before the index (its manifest names no id lists)."""
    doc = json.loads(path.read_text())
    shards = doc["meta"]["1"]["shards"]
    for entry in shards.values():
        os.unlink(shard_folder(path) / entry.pop("ids"))
    path.write_text(json.dumps(doc))
    s = Store.open(path, seed=False, events=False)
    cs = s.merge([ev(12, "2024-11-28")])
    assert cs.added == [("event", "ev-12")]
    assert reads == MONTHS  # once, to build the index
    after = json.loads(path.read_text())["meta"]["1"]["shards"]
    assert after["2024-06"]["file"] == "2024-06.g2.json"  # not rewritten: only its id list
    assert after["2024-06"]["ids"] == "2024-06.g3.ids.json"
    assert id_lists(path)["2024-11"] == ["ev-10", "ev-11", "ev-12"]
    assert id_lists(path) == months_on_disk(path)
    reads.clear()
    Store.open(path, seed=False, events=False).merge([ev(13, "2024-11-29")])
    assert reads == ["2024-11"]


def test_a_writer_that_did_not_read_merges_onto_what_another_process_wrote(path):
    mine = Store.open(path, seed=False, events=False)
    other = Store.open(path, seed=False)
    other.merge([ev(12, "2024-09-15", "Written by the other")])
    cs = mine.merge([ev(12, "2024-10-15", "Moved by me", stamp=LATER)])
    assert (cs.added, cs.updated) == ([], [("event", "ev-12")])
    assert months_on_disk(path)["2024-09"] == ["ev-6", "ev-7"]
    assert months_on_disk(path)["2024-10"] == ["ev-8", "ev-12", "ev-9"]
    assert id_lists(path) == months_on_disk(path)


def test_a_failed_id_list_write_keeps_the_committed_state(path, monkeypatch):
    s = Store.open(path, seed=False, events=False)
    core, files = path.read_bytes(), sorted(os.listdir(shard_folder(path)))
    real = sitmon.store.storage.os.replace

    def fail_id_lists(src, dst, *a, **k):
        if str(dst).endswith(".ids.json"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(sitmon.store.storage.os, "replace", fail_id_lists)
    with pytest.raises(StoreWriteError, match="Input/output error"):
        s.merge([ev(3, "2024-11-25", "Moved", stamp=LATER)])
    monkeypatch.undo()
    assert path.read_bytes() == core
    assert sorted(os.listdir(shard_folder(path))) == files  # the batch's new files removed
    assert s.tables["event"]["ev-3"].title == "Event number 3"
    cs = s.merge([ev(3, "2024-11-25", "Moved", stamp=LATER)])  # the same store writes again
    assert cs.updated == [("event", "ev-3")]
    assert id_lists(path) == months_on_disk(path)


# ----------------------------------------------------------------- sitmon import


def feed(tmp_path, events) -> str:
    p = tmp_path / "feed.sitmon.json"
    p.write_bytes(
        msgspec.json.encode({"sitmon_feed": 1, "events": [record_to_dict(e) for e in events]})
    )
    return str(p)


def test_import_reads_and_writes_only_the_months_its_batch_touches(path, tmp_path, capsys):
    """A real-file check: the untouched months' files are moved out of the store during
    the import, so reading any of them would fail."""
    batch = [ev(100 + i, f"2024-11-2{i % 8 + 1}") for i in range(10)]
    batch += [ev(9, "2024-10-20", "Updated in October", stamp=LATER)]
    away = tmp_path / "away"
    away.mkdir()
    folder = shard_folder(path)
    manifest = json.loads(path.read_text())["meta"]["1"]["shards"]
    untouched = [n for k in MONTHS[:4] for n in (manifest[k]["file"], manifest[k]["ids"])]
    for name in untouched:
        shutil.move(folder / name, away / name)
    # the id lists of unread months are read to find ids: keep those in place
    for k in MONTHS[:4]:
        shutil.copy(away / manifest[k]["ids"], folder / manifest[k]["ids"])
        os.utime(folder / manifest[k]["ids"], (0, 0))
    rc, out, err = cli(capsys, path, "import", feed(tmp_path, batch))
    assert (rc, err) == (0, "")
    assert out.endswith("sitmon: 10 added, 1 updated, 0 deleted, 0 unchanged, 0 rejected\n")
    written = sorted(n for n in os.listdir(folder) if n not in untouched)
    assert written == [
        "2024-10.g3.ids.json",
        "2024-10.g3.json",
        "2024-11.g3.ids.json",
        "2024-11.g3.json",
    ]
    for k in MONTHS[:4]:  # id lists of untouched months: read, never rewritten
        assert os.stat(folder / manifest[k]["ids"]).st_mtime == 0
    for name in untouched:
        shutil.move(away / name, folder / name)
    s = Store.open(path, seed=False)
    assert len(s.tables["event"]) == 22
    assert s.tables["event"]["ev-9"].title == "Updated in October"
    assert id_lists(path) == months_on_disk(path)


def test_reimporting_the_same_bytes_writes_nothing(path, tmp_path, capsys, reads):
    doc = feed(tmp_path, [ev(100, "2024-11-21"), ev(9, "2024-10-20", "Updated", stamp=LATER)])
    assert cli(capsys, path, "import", doc)[0] == 0
    files = {n: os.stat(shard_folder(path) / n).st_mtime_ns for n in os.listdir(shard_folder(path))}
    core = (path.read_bytes(), os.stat(path).st_mtime_ns)
    reads.clear()
    rc, out, _ = cli(capsys, path, "import", doc)
    assert rc == 0
    assert out.endswith("sitmon: 0 added, 0 updated, 0 deleted, 2 unchanged, 0 rejected\n")
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == core
    assert {
        n: os.stat(shard_folder(path) / n).st_mtime_ns for n in os.listdir(shard_folder(path))
    } == files
    assert reads == ["2024-10", "2024-11"]
