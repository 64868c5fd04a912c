"""Crash safety: injected I/O faults, a real full disk, a real read-only folder,
corrupt files at open, SIGKILL mid-write, and two writers at once."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sitmon.store.storage
from sitmon.store import Store, StoreError, StoreUnreadable, StoreWriteError

from tests.support import factories as f
from tests.support.forked import Forker

ROOT = Path(__file__).resolve().parents[2]


def make_store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "s.json", seed=False)
    s.merge(f.base_world() + f.synthetic_events(50))
    return s


def temp_files(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if sitmon.store.storage.TEMP_MARK in n]


@pytest.mark.parametrize(
    ("target", "err", "words"),
    [
        ("replace", errno.EIO, "Input/output error"),
        ("fsync", errno.EIO, "Input/output error"),
        ("write", errno.ENOSPC, "no space left on device"),
        ("open", errno.EROFS, "read-only"),
    ],
)
def test_injected_fault_keeps_old_file_and_memory(tmp_path, monkeypatch, target, err, words):
    s = make_store(tmp_path)
    before = s.path.read_bytes()
    tables_before = s.tables
    real = getattr(os, target)

    def boom(*args, **kwargs):
        # only the store's temp file is affected (the lock file and reads go through)
        if target == "open" and sitmon.store.storage.TEMP_MARK not in str(args[0]):
            return real(*args, **kwargs)
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(sitmon.store.storage.os, target, boom)
    with pytest.raises(StoreWriteError) as info:
        s.merge(f.synthetic_events(20, seed=9))
    msg = str(info.value)
    assert str(s.path) in msg and words.lower() in msg.lower() and "unchanged" in msg
    assert "\n" not in msg
    monkeypatch.undo()
    assert s.path.read_bytes() == before
    assert temp_files(tmp_path) == []
    assert s.tables is tables_before
    assert Store.open(s.path).tables == tables_before


# ------------------------------------------------------------ real filesystems


@pytest.fixture
def tmpfs(tmp_path):
    """A small real tmpfs (root only); skipped where mounting is not allowed."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_real_disk_full(tmpfs):
    s = Store.open(tmpfs / "s.json", seed=False)
    s.merge(f.base_world() + f.synthetic_events(100))
    before = s.path.read_bytes()
    with pytest.raises(StoreWriteError, match="no space left on device"):
        s.merge(f.synthetic_events(3000, seed=3))  # far more than 256 KiB
    assert s.path.read_bytes() == before
    assert temp_files(tmpfs) == []
    assert len(Store.open(s.path).tables["event"]) == 100


def test_real_read_only_folder(tmpfs):
    s = Store.open(tmpfs / "s.json", seed=False)
    s.merge(f.base_world())
    before = s.path.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    with pytest.raises(StoreWriteError, match="read-only|permission"):
        s.merge(f.synthetic_events(10))
    assert s.path.read_bytes() == before
    # reading still works on a read-only folder
    assert Store.open(s.path).counts()["places"] == 4


# --------------------------------------------------------------- corrupt files

CORRUPT = {
    "garbage": b"\x00\xffnot json at all",
    "empty": b"",
    "whitespace": b"   \n",
    "list": b"[1, 2, 3]",
    "wrong_table_shape": b'{"meta": {"1": {"schema_version": 1}}, "events": [1, 2]}',
    "bad_record": b'{"meta": {"1": {"schema_version": 1}}, "places": {"1": {"id": "x", "name": "X", "lat": 999, "lon": 0, "updated_at": "2024-01-01T00:00:00+00:00"}}}',
    "no_version": b'{"meta": {}, "places": {}}',
    "bad_event_id": b'{"meta": {"1": {"schema_version": 1}}, "events": {"1": {"id": "a b", "time": "2024-01-01T00:00:00+00:00", "title": "X", "updated_at": "2024-01-01T00:00:00+00:00"}}}',
}


def _settled(path: Path) -> None:
    """Date the file a minute back: written long ago, not being written now."""
    old = path.stat().st_mtime - 60
    os.utime(path, (old, old))


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_file_is_refused_and_left_as_it_is(tmp_path, case):
    path = tmp_path / "s.json"
    path.write_bytes(CORRUPT[case])
    _settled(path)
    with pytest.raises(StoreUnreadable) as info:
        Store.open(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg and "left as it is" in msg
    assert path.read_bytes() == CORRUPT[case]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # nothing created


def test_a_one_file_store_holding_an_event_with_a_bad_id_says_which_field(tmp_path):
    # the event ids of a file are checked all at once, outside the type: still refused
    path = tmp_path / "s.json"
    path.write_bytes(CORRUPT["bad_event_id"])
    _settled(path)
    with pytest.raises(StoreUnreadable, match=r"matching regex .* - at `\$\.events\[\.\.\.\]\.id`"):
        Store.open(path)


@pytest.mark.parametrize("case", ["garbage", "empty", "no_version"])
def test_a_writer_sets_a_corrupt_file_aside_and_starts_from_the_bundled_data(tmp_path, case):
    path = tmp_path / "s.json"
    path.write_bytes(CORRUPT[case])
    _settled(path)
    s = Store.open(path, seed=False, repair=True)
    moved = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == CORRUPT[case]
    assert len(s.warnings) == 1 and moved[0].name in s.warnings[0] and str(path) in s.warnings[0]
    # never replaced by an empty store: the new one holds the bundled dataset
    assert s.meta["origin"] == "bundled dataset" and s.counts()["events"] > 0
    assert Store.open(path).counts() == s.counts()


def test_a_writer_never_sets_aside_a_file_that_is_being_written(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b'{"meta": {"1": {"schema_ver')  # fresh: someone is writing it
    with pytest.raises(StoreUnreadable, match="still changing"):
        Store.open(path, repair=True, patience=0.3)
    assert path.read_bytes() == b'{"meta": {"1": {"schema_ver'
    assert not any(".corrupt-" in p.name for p in tmp_path.iterdir())


def test_truncated_file_is_refused_and_kept(tmp_path):
    s = make_store(tmp_path)
    data = s.path.read_bytes()
    s.path.write_bytes(data[: len(data) // 2])
    _settled(s.path)
    with pytest.raises(StoreUnreadable, match="does not parse"):
        Store.open(s.path, seed=False)
    assert s.path.read_bytes() == data[: len(data) // 2]
    assert not any(".corrupt-" in p.name for p in tmp_path.iterdir())


def test_future_schema_is_refused_and_file_untouched(tmp_path):
    path = tmp_path / "s.json"
    doc = {"meta": {"1": {"schema_version": 99}}, "events": {"1": {"whatever": True}}}
    path.write_text(json.dumps(doc))
    with pytest.raises(StoreError, match="newer sitmon.*schema version 99"):
        Store.open(path)
    assert json.loads(path.read_text()) == doc
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"] or all(
        ".corrupt-" not in p.name for p in tmp_path.iterdir()
    )


def test_stale_temp_files_are_removed_at_open(tmp_path):
    s = make_store(tmp_path)
    stale = tmp_path / f".s.json{sitmon.store.storage.TEMP_MARK}12345-1"
    stale.write_bytes(b"half a write")
    Store.open(s.path)
    assert not stale.exists()


# ------------------------------------------------------------ processes

WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from sitmon.store import Store
    from tests.support import factories as f
    path, who, batches, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = Store.open(path, seed=False)
    start = 0
    while any(i.startswith(f"{{who}}-b{{start}}-") for i in s.tables["event"]):
        start += 1
    print("ready", flush=True)
    for b in range(start, start + batches):
        evs = [f.event(j, title=f"{{who}} batch {{b}} item {{j}}") for j in range(size)]
        evs = [type(e)(**{{**{{k: getattr(e, k) for k in e.__struct_fields__}}, "id": f"{{who}}-b{{b}}-{{j}}"}})
               for j, e in enumerate(evs)]
        s.merge(evs)
    print("done", flush=True)
    """
).format(root=str(ROOT))


def _batches_present(path: Path, who: str, size: int) -> list[int]:
    s = Store.open(path, seed=False)
    assert not s.warnings, s.warnings
    counts: dict[int, int] = {}
    for rid in s.tables["event"]:
        if rid.startswith(f"{who}-b"):
            b = int(rid.split("-")[1][1:])
            counts[b] = counts.get(b, 0) + 1
    for b, n in counts.items():
        assert n == size, f"batch {b} is half written: {n} of {size} records"
    return sorted(counts)


def test_kill_loop_leaves_old_or_new_state(tmp_path):
    """SIGKILL a writer at random moments, 60 times: the file always opens whole."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    path = tmp_path / "s.json"
    s = Store.open(path, seed=False)
    s.merge(f.base_world() + f.synthetic_events(3000))  # big enough that writes take time
    rng = random.Random(1234)
    size = 200
    kills_mid_run = 0
    last = []
    # each writer is forked from one warm parent (tests/support/forked.py): a real process
    # and a real SIGKILL, without an interpreter start-up and imports per round
    with Forker("sitmon.store", "tests.support.factories") as forker:
        for _round in range(60):
            proc = forker.run(script, path, "w", "1000", size)
            assert proc.readline().strip() == "ready"
            try:
                proc.wait(timeout=rng.uniform(0.0, 0.25))  # the random moment of the kill
            except subprocess.TimeoutExpired:
                kills_mid_run += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            present = _batches_present(path, "w", size)
            assert present == list(range(len(present))), "batches must form a prefix"
            assert len(present) >= len(last)
            last = present
    assert kills_mid_run >= 50
    assert len(last) > 0


def test_two_processes_writing_lose_no_batch(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    path = tmp_path / "s.json"
    Store.open(path, seed=False).merge(f.base_world())
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), who, "15", "20"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0 and out.split() == ["ready", "done"]
    assert _batches_present(path, "a", 20) == list(range(15))
    assert _batches_present(path, "b", 20) == list(range(15))
