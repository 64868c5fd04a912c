"""``Store.open(events="newest")`` (issue 13, data on screen first): the monitor's store
reads the core and the newest month shards, answers from them (never reading the
others behind the caller's back), and :meth:`Store.load_rest` reads the rest on a
worker, swapping them in whole; a merge, another process's commit or an unreadable
shard during that load loses nothing and mixes nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import msgspec
import pytest
import sitmon.store.db
from sitmon.store import Store, StoreError
from sitmon.store.shards import shard_folder

from tests.support import factories as f
from tests.support.shardreads import count_shard_reads

#: three events in each of four months (UTC): September .. December 2024
MONTHS = ((2024, 9), (2024, 10), (2024, 11), (2024, 12))


def _event(month: tuple[int, int], day: int, title: str | None = None):
    e = f.event(0)
    when = datetime(month[0], month[1], day, 12, tzinfo=UTC)
    rid = f"ev-{month[0]}-{month[1]:02d}-{day:02d}"
    return msgspec.structs.replace(e, id=rid, time=when, title=title or rid)


def _store(tmp_path):
    path = tmp_path / "s.json"
    events = [_event(m, d) for m in MONTHS for d in (3, 13, 23)]
    Store.open(path, seed=False).merge(f.base_world() + events)
    return path


@pytest.fixture
def reads(monkeypatch):
    """The shard files read, in order (the store's reader, counted)."""
    seen = count_shard_reads(monkeypatch)
    monkeypatch.setattr(sitmon.store.db, "NEWEST_EVENTS", 5)  # two months of three
    return seen


def test_newest_reads_the_newest_months_and_answers_from_them_until_load_rest(tmp_path, reads):
    path = _store(tmp_path)
    full = Store.open(path, seed=False)
    reads.clear()
    s = Store.open(path, seed=False, events="newest")
    assert reads == ["2024-11", "2024-12"]
    assert s.partial
    assert s.history_from == datetime(2024, 11, 1, tzinfo=UTC)
    # whole figures from the manifest, not the months in memory
    assert s.counts()["events"] == 12
    assert s.time_bounds() == full.time_bounds()
    # queries and the tables answer from the newest months and read nothing more
    assert [e.id for e in s.events()] == [
        "ev-2024-11-03",
        "ev-2024-11-13",
        "ev-2024-11-23",
        "ev-2024-12-03",
        "ev-2024-12-13",
        "ev-2024-12-23",
    ]
    assert len(s.tables["event"]) == 6
    s.snapshot()
    s.events(filter="ev-2024-09")
    assert reads == ["2024-11", "2024-12"]

    assert s.load_rest() is True
    assert reads == ["2024-11", "2024-12", "2024-09", "2024-10"]
    assert not s.partial and s.history_from is None
    assert [e.id for e in s.events()] == [e.id for e in full.events()]
    assert [e.id for e in s.events(as_of=datetime(2024, 9, 30, tzinfo=UTC))] == [
        "ev-2024-09-03",
        "ev-2024-09-13",
        "ev-2024-09-23",
    ]
    assert [e.id for e in s.events(filter="ev-2024-10-13")] == ["ev-2024-10-13"]
    assert s.tables["event"].keys() == full.tables["event"].keys()
    assert s.load_rest() is False  # nothing left: reads nothing
    assert len(reads) == 4


def test_a_store_whose_months_all_fit_is_whole_at_once(tmp_path, monkeypatch):
    path = _store(tmp_path)
    monkeypatch.setattr(sitmon.store.db, "NEWEST_EVENTS", 2_000)
    s = Store.open(path, seed=False, events="newest")
    assert not s.partial and s.history_from is None
    assert len(s.events()) == 12


def test_queries_do_not_wait_for_a_background_load(tmp_path, reads, monkeypatch):
    """The load reads outside the store's mutex: the UI's queries answer meanwhile."""
    path = _store(tmp_path)
    s = Store.open(path, seed=False, events="newest")
    real = sitmon.store.db.read_shard
    started, release = threading.Event(), threading.Event()

    def slow(folder, entry, **options):
        started.set()
        assert release.wait(30)
        return real(folder, entry, **options)

    monkeypatch.setattr(sitmon.store.db, "read_shard", slow)
    worker = threading.Thread(target=s.load_rest)
    worker.start()
    assert started.wait(30)
    assert len(s.events()) == 6  # answered while the worker is stuck in its read
    assert s.counts()["events"] == 12
    release.set()
    worker.join(30)
    assert len(s.events()) == 12


def _loading(store, monkeypatch) -> tuple[threading.Thread, threading.Event]:
    """``store.load_rest()`` running on a thread, stuck in its first shard read until the
    returned event is set (reads on other threads go through)."""
    real = sitmon.store.db.read_shard
    started, release = threading.Event(), threading.Event()

    def slow(folder, entry, **options):
        if threading.current_thread().name == "history":
            started.set()
            assert release.wait(30)
        return real(folder, entry, **options)

    monkeypatch.setattr(sitmon.store.db, "read_shard", slow)
    loader = threading.Thread(target=store.load_rest, name="history")
    loader.start()
    assert started.wait(30)
    return loader, release


def test_a_merge_during_the_background_load_loses_nothing(tmp_path, reads, monkeypatch):
    path = _store(tmp_path)
    s = Store.open(path, seed=False, events="newest")
    loader, release = _loading(s, monkeypatch)
    batch = [
        _event((2024, 12), 28, "New in December"),
        _event((2024, 9), 13, "September, corrected"),  # an update in an unread month
    ]
    batch = [msgspec.structs.replace(e, updated_at=datetime(2025, 1, 1, tzinfo=UTC)) for e in batch]
    merged: list = []
    entered = threading.Event()
    real_merge = Store.merge

    def merge(store, *args, **kwargs):  # started while the load is stuck in its read
        entered.set()
        return real_merge(store, *args, **kwargs)

    monkeypatch.setattr(Store, "merge", merge)
    merger = threading.Thread(target=lambda: merged.append(s.merge(batch)))
    merger.start()
    assert entered.wait(30)
    release.set()
    loader.join(30)
    merger.join(30)
    assert len(merged[0].added) == 1 and len(merged[0].updated) == 1
    for store in (s, Store.open(path, seed=False)):  # in memory and on disk
        assert not store.partial
        assert store.counts()["events"] == 13
        assert store.tables["event"]["ev-2024-09-13"].title == "September, corrected"
        assert store.tables["event"]["ev-2024-12-28"].title == "New in December"
        assert [e.id for e in store.events()][:3] == [
            "ev-2024-09-03",
            "ev-2024-09-13",
            "ev-2024-09-23",
        ]


def test_a_reload_during_the_background_load_wins(tmp_path, reads, monkeypatch):
    """The disk watcher re-reads the store (another process wrote) while the load is
    reading the older months: the load drops what it read instead of splicing the old
    generation into the new state."""
    path = _store(tmp_path)
    s = Store.open(path, seed=False, events="newest")
    loader, release = _loading(s, monkeypatch)
    late = msgspec.structs.replace(
        _event((2024, 12), 23, "Changed by another process"),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    Store.open(path, seed=False).merge([late])  # December only: the older files stay
    assert s.reload() is True
    release.set()
    loader.join(30)
    assert not s.partial
    assert len(s.events()) == 12
    assert len({e.id for e in s.events()}) == 12
    assert s.tables["event"]["ev-2024-12-23"].title == "Changed by another process"


def test_another_process_committing_before_the_load_reads_its_state(tmp_path, reads):
    """The older months' files were replaced (and removed) by another writer's commit:
    the load reads the new state whole instead of failing or mixing generations."""
    path = _store(tmp_path)
    s = Store.open(path, seed=False, events="newest")
    other = Store.open(path, seed=False)
    fixed = msgspec.structs.replace(
        _event((2024, 9), 3, "Fixed by another process"),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    other.merge([fixed])
    assert s.load_rest() is True
    assert not s.partial
    assert s.tables["event"]["ev-2024-09-03"].title == "Fixed by another process"
    assert s.counts()["events"] == 12
    assert not s.changed_on_disk()


def test_an_unreadable_older_shard_fails_the_load_in_one_line_and_keeps_the_newest(tmp_path, reads):
    path = _store(tmp_path)
    s = Store.open(path, seed=False, events="newest")
    september = shard_folder(path) / s.meta["shards"]["2024-09"]["file"]
    september.write_bytes(b'{"events": {"1": {"id": ')
    with pytest.raises(StoreError) as err:
        s.load_rest()
    assert str(err.value).startswith(f"the event shard {september} does not parse")
    assert "\n" not in str(err.value)
    assert s.partial
    assert len(s.events()) == 6  # what was painted stays
    assert s.counts()["events"] == 12


def test_an_open_without_events_still_reads_every_month_on_first_use(tmp_path, reads):
    path = _store(tmp_path)
    s = Store.open(path, seed=False, events=False)
    assert reads == [] and s.partial
    assert len(s.events()) == 12
    assert not s.partial
    assert sorted(reads) == ["2024-09", "2024-10", "2024-11", "2024-12"]


def test_events_must_be_a_known_mode(tmp_path):
    with pytest.raises(ValueError, match="events must be True, False or 'newest'"):
        Store.open(tmp_path / "s.json", seed=False, events="oldest")


def test_the_background_load_decodes_each_month_in_pieces_and_gets_the_same_events(
    tmp_path, reads, monkeypatch
):
    """A whole month's decode holds the interpreter lock (0.2-0.5 s at 1M events), so
    the monitor's UI thread stuttered while the history loaded: the background load
    decodes a few events at a time. Same events, same errors."""
    from sitmon.store import shards

    path = _store(tmp_path)
    whole = Store.open(path, seed=False)
    pieces: list[int] = []
    real = shards._events_decoder

    class Counting:
        def decode(self, raw):
            got = real.decode(raw)
            pieces.append(len(got))
            return got

    monkeypatch.setattr(shards, "_events_decoder", Counting())
    monkeypatch.setattr(shards, "PIECE", 2)
    s = Store.open(path, seed=False, events="newest")
    assert pieces == []  # the first paint's months: whole (the fastest decode)
    s.load_rest()
    assert pieces == [2, 1, 2, 1]  # September and October, three events each
    assert list(s.events()) == list(whole.events())
    assert s.tables["event"] == whole.tables["event"]
    # a month that does not parse says so as the whole decode does, with its path
    raw = b'{"events": {"1": {"id": "ev-1"}, "2": {"id": '
    with pytest.raises(msgspec.DecodeError) as piecewise:
        shards.decode_shard(raw, piecewise=True)
    with pytest.raises(msgspec.DecodeError) as at_once:
        shards.decode_shard(raw)
    assert str(piecewise.value) == str(at_once.value)


def test_a_sparse_history_is_not_read_whole_before_the_first_screen(tmp_path, monkeypatch):
    """Twelve newest months are enough once they hold a first screen's events: a few
    events a month over years is not read one small shard at a time at the start."""
    seen = count_shard_reads(monkeypatch)
    monkeypatch.setattr(sitmon.store.db, "FIRST_SCREEN_EVENTS", 24)
    months = [(2023, m) for m in range(1, 13)] + [(2024, m) for m in range(1, 13)]
    path = tmp_path / "s.json"
    Store.open(path, seed=False).merge(
        f.base_world() + [_event(m, d) for m in months for d in (5, 15, 25)]
    )
    seen.clear()
    s = Store.open(path, seed=False, events="newest")
    assert sorted(seen) == [f"2024-{m:02d}" for m in range(1, 13)]  # 36 events in 12 months
    assert s.partial and len(s.events()) == 36
    assert s.history_from == datetime(2024, 1, 1, tzinfo=UTC)
    s.load_rest()
    assert len(s.events()) == 72
    # fewer than a first screen's events in twelve months: read on until there are enough
    monkeypatch.setattr(sitmon.store.db, "FIRST_SCREEN_EVENTS", 45)
    seen.clear()
    s = Store.open(path, seed=False, events="newest")
    assert len(seen) == 15 and len(s.events()) == 45
