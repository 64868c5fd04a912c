"""The sharded layout (issue 13): a store written by the one-file sitmon is migrated and
keeps every record; readers racing a writer see a whole state; SIGKILLs during batches
that span several month shards (adding events, moving events to another month, deleting
one) leave the state before or after each batch, never a mix, and the id index agrees
with the shards at every open."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import textwrap
from pathlib import Path

import msgspec
import pytest
from sitmon.store import Store
from sitmon.store.records import record_to_dict
from sitmon.store.shards import shard_folder

from tests.support import factories as f
from tests.support.forked import Forker
from tests.support.pty_harness import ROOT

FIXTURE = Path(__file__).resolve().parents[1] / "support" / "data" / "store-v1-main-f35dea1.json"
TABLES = ("sources", "factions", "places", "control", "events", "quotes", "figures")


def _records_of(store: Store) -> dict[str, dict[str, dict]]:
    by_table = {name: {} for name in TABLES}
    kinds = dict(
        sources="source",
        factions="faction",
        places="place",
        control="control",
        events="event",
        quotes="quote",
        figures="figure",
    )
    for name, kind in kinds.items():
        for rid, rec in store.tables[kind].items():
            by_table[name][rid] = json.loads(json.dumps(record_to_dict(rec)))
    return by_table


def test_a_store_written_by_main_is_migrated_and_keeps_every_record(tmp_path):
    path = tmp_path / "sitmon.json"
    shutil.copyfile(FIXTURE, path)
    old = json.loads(FIXTURE.read_text())
    s = Store.open(path, seed=False)
    assert s.warnings == [
        f"The store {path} was upgraded to the sharded layout (events by month in"
        " sitmon.json.events); the old file is kept as sitmon.json.v1-backup."
    ]
    assert s.counts() == {
        "sources": 4,
        "factions": 4,
        "places": 8,
        "control": 13,
        "events": 53,
        "quotes": 3,
        "figures": 8,
        "tombstones": 0,
    }
    # every record, field for field, as the old file had it
    for store in (s, Store.open(path, seed=False)):
        got = _records_of(store)
        for name in TABLES:
            want = {d["id"]: d for d in old[name].values()}
            assert got[name] == want, name
    again = Store.open(path, seed=False)
    assert again.warnings == []  # migrated once
    assert again.meta["schema_version"] == 2
    assert again.feed_state("fixture")["etag"] == '"abc"'
    assert again.meta["refresh_log"] == old["meta"]["1"]["refresh_log"]
    assert (tmp_path / "sitmon.json.v1-backup").read_bytes() == FIXTURE.read_bytes()
    assert sorted(again.meta["shards"]) == ["2024-09", "2024-10", "2024-11", "2024-12"]
    assert sum(e["count"] for e in again.meta["shards"].values()) == 53


FIXTURE_V2 = FIXTURE.parent / "store-v2-main-8eee5d6"


def test_a_sharded_store_written_by_main_opens_and_keeps_every_record(tmp_path):
    """A core + month shards store as main wrote it at 8eee5d6 (the v1 fixture migrated):
    a later layout reads it, keeps every record through a write, and every file of it
    still opens with TinyDB."""
    from sitmon.store.storage import AtomicJSONStorage
    from tinydb import TinyDB

    shutil.copytree(FIXTURE_V2, tmp_path / "st")
    path = tmp_path / "st" / "sitmon.json"
    old = json.loads(FIXTURE.read_text())
    want = {name: {d["id"]: d for d in old[name].values()} for name in TABLES}
    s = Store.open(path, seed=False)
    assert s.counts()["events"] == 53
    assert _records_of(s) == want
    # a write (an event in the oldest month, another in the newest) keeps the rest
    early = msgspec.structs.replace(f.event(9001, places=("hama",)), time=s.time_bounds()[0])
    late = f.event(9002, places=("hama",), minutes=20_000)
    s.merge([f.source(), f.place("hama"), early, late])
    again = Store.open(path, seed=False)
    got = _records_of(again)
    assert sorted(set(got["events"]) - set(want["events"])) == ["ev-9001", "ev-9002"]
    for name in TABLES:
        assert {k: v for k, v in got[name].items() if k in want[name]} == want[name], name
    assert again.counts()["events"] == 55
    assert again.feed_state("fixture")["etag"] == '"abc"'
    assert again.meta["refresh_log"][:-1] == old["meta"]["1"]["refresh_log"]
    for file in [path, *sorted((tmp_path / "st" / "sitmon.json.events").iterdir())]:
        db = TinyDB(file, storage=AtomicJSONStorage)
        assert db.tables(), file.name
        db.close()


def test_a_reader_racing_a_writer_reads_the_newer_core(tmp_path, monkeypatch):
    import sitmon.store.db

    path = tmp_path / "s.json"
    Store.open(path, seed=False).merge(f.base_world() + f.synthetic_events(50))
    writer = Store.open(path, seed=False)
    real = sitmon.store.db.read_shard
    raced = []

    def read_shard_after_a_commit(folder, entry):
        if not raced:  # between this reader's core read and its first shard read
            raced.append(entry["file"])
            writer.merge([f.event(7000, title="Committed meanwhile", minutes=60)])
        return real(folder, entry)

    monkeypatch.setattr(sitmon.store.db, "read_shard", read_shard_after_a_commit)
    reader = Store.open(path, seed=False)
    assert not (shard_folder(path) / raced[0]).exists()  # the writer removed what it replaced
    assert reader.tables["event"]["ev-7000"].title == "Committed meanwhile"
    assert len(reader.tables["event"]) == 51


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    sys.path.insert(0, {root!r})
    import msgspec
    from sitmon.store import Store
    from sitmon.store.records import Tombstone
    from tests.support import factories as f
    path, size = sys.argv[1], int(sys.argv[2])
    later = f.STAMP + timedelta(hours=1)

    def ev(b, j, moved_by=None):
        # spread over six months: every batch touches several shards
        e = f.event(j, minutes=(j * 7919 + b * 131) % (180 * 24 * 60))
        if moved_by is None:
            when = e.time - timedelta(days=170)
            if j < 5:  # to be moved by the next batch: out of a month only that move touches
                when = datetime(2022, 1 + b % 12, 15, j, tzinfo=UTC)
            return msgspec.structs.replace(
                e, id=f"k-b{{b}}-{{j}}", title=f"batch {{b}} item {{j}}", time=when
            )
        return msgspec.structs.replace(  # 40 days later: another month's shard
            e, id=f"k-b{{b}}-{{j}}", title=f"batch {{b}} item {{j}} moved by {{moved_by}}",
            time=e.time - timedelta(days=130), updated_at=later,
        )

    full = Store.open(path, seed=False)
    start = 0
    while any(i.startswith(f"k-b{{start}}-") for i in full.tables["event"]):
        start += 1
    del full
    s = Store.open(path, seed=False, events=False)  # each merge reads only the months it touches
    print("ready", flush=True)
    for b in range(start, start + 1000):
        evs = [ev(b, j) for j in range(size)]
        if b:  # move five of the previous batch's events, delete a sixth
            evs += [ev(b - 1, j, moved_by=b) for j in range(5)]
            evs.append(Tombstone(kind="event", id=f"k-b{{b - 1}}-5", updated_at=later))
        s.merge(evs)
    """
).format(root=str(ROOT))


def _batches(path: Path, size: int) -> list[int]:
    s = Store.open(path, seed=False)
    assert not s.warnings, s.warnings
    counts: dict[int, int] = {}
    for rid in s.tables["event"]:
        if rid.startswith("k-b"):
            b = int(rid.split("-")[1][1:])
            counts[b] = counts.get(b, 0) + 1
    present = sorted(counts)
    assert present == list(range(len(present))), "batches must form a prefix"
    for b, n in counts.items():
        followed = b + 1 in counts  # batch b+1 moved five of b's events and deleted one
        assert n == (size - 1 if followed else size), f"batch {b} is half there: {n} events"
        assert (f"k-b{b}-5" in s.tables["event"]) is not followed
        for j in range(5):
            title = s.tables["event"][f"k-b{b}-{j}"].title
            want = f"batch {b} item {j}" + (f" moved by {b + 1}" if followed else "")
            assert title == want, f"batch {b + 1} is half there: {title!r}"
    return present


def _index_matches_shards(path: Path) -> None:
    """Each month's id list names exactly its shard's events, in order; no id is in two
    months."""
    folder = shard_folder(path)
    manifest = json.loads(path.read_text())["meta"]["1"]["shards"]
    seen: set[str] = set()
    for key, entry in manifest.items():
        shard = json.loads((folder / entry["file"]).read_text())["events"]
        (listed,) = json.loads((folder / entry["ids"]).read_text())["ids"].values()
        assert listed["month"] == key
        assert listed["ids"] == [e["id"] for e in shard.values()], key
        assert seen.isdisjoint(listed["ids"]), f"an id is in two months ({key})"
        seen.update(listed["ids"])


def _kill_loop(tmp_path: Path, rounds: int) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    path = tmp_path / "s.json"
    Store.open(path, seed=False).merge(f.base_world() + f.synthetic_events(2000))
    rng = random.Random(77)
    size = 300
    last: list[int] = []
    killed_mid_run = 0
    # each writer is forked from one warm parent (tests/support/forked.py): a real process
    # and a real SIGKILL, without an interpreter start-up and imports per round
    with Forker(
        "msgspec", "sitmon.store", "sitmon.store.records", "tests.support.factories"
    ) as forker:
        for _ in range(rounds):
            proc = forker.run(script, path, size)
            assert proc.readline().strip() == "ready"
            try:
                proc.wait(timeout=rng.uniform(0.0, 0.4))
            except subprocess.TimeoutExpired:
                killed_mid_run += 1
            during = _batches(path, size)  # opened while the writer writes: before or after
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            after = _batches(path, size)
            _index_matches_shards(path)  # no writer now: the files stay put while read
            assert len(last) <= len(during) <= len(after)
            last = after
            s = Store.open(path, seed=False)
            named = {e["file"] for e in s.meta["shards"].values()}
            named |= {e["ids"] for e in s.meta["shards"].values()}  # and their id lists
            assert len(s.meta["shards"]) >= 6
            assert {p.name for p in shard_folder(path).iterdir()} == named  # no leftovers
    assert killed_mid_run >= rounds * 3 // 4
    assert last, "no batch ever committed"


def test_kill_loop_across_multi_shard_batches(tmp_path):
    """A short run by default; `pytest -m soak` runs the 120-kill version."""
    _kill_loop(tmp_path, 12)


@pytest.mark.soak
@pytest.mark.timeout(1800)  # 120 rounds of a growing store: minutes on a loaded 2-core machine
def test_kill_loop_across_multi_shard_batches_120_kills(tmp_path):
    _kill_loop(tmp_path, 120)


def test_an_open_without_events_reads_only_the_core_until_events_are_asked_for(
    tmp_path, monkeypatch
):
    import sitmon.store.db

    path = tmp_path / "s.json"
    shutil.copyfile(FIXTURE, path)
    full = Store.open(path, seed=False)  # migrates
    reads: list[str] = []
    real = sitmon.store.db.read_shard
    monkeypatch.setattr(
        sitmon.store.db,
        "read_shard",
        lambda folder, e: (reads.append(e["file"]), real(folder, e))[1],
    )
    core_only = Store.open(path, seed=False, events=False)
    assert core_only.counts() == full.counts() and core_only.counts()["events"] == 53
    assert core_only.time_bounds() == full.time_bounds()
    assert reads == []
    assert [e.id for e in core_only.events()] == [e.id for e in full.events()]
    assert len(reads) == 4  # the four month shards, read once on first use
    core_only.events(filter="hama")
    assert len(reads) == 4
