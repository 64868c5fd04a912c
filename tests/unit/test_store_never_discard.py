"""The store is never thrown away: the lock really excludes, a waiting writer merges onto
the other's state, the write order is the durable one, links and modes survive, and
readers never write, move or quarantine a file (they wait for one that is changing)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sitmon.store.db
import sitmon.store.storage
from sitmon.store import LockTimeout, Store, StoreError, StoreUnreadable, StoreWriteError

from tests.support import factories as f

ROOT = Path(__file__).resolve().parents[2]

#: a child that opens the store, takes the writer lock, says "locked", and on "go"
#: merges one event ("child-event") while still holding the lock, then exits
HOLDER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from sitmon.store import Store
    from tests.support import factories as f
    s = Store.open(sys.argv[1], seed=False)
    with s.lock:
        print("locked", flush=True)
        if sys.stdin.readline().strip() == "go":
            ev = f.event(9001, title="written by the other writer")
            s.merge([type(ev)(**{{**{{k: getattr(ev, k) for k in ev.__struct_fields__}},
                                  "id": "child-event"}})])
        print("done", flush=True)
    """
).format(root=str(ROOT))


def make_store(tmp_path: Path, name: str = "s.json") -> Store:
    s = Store.open(tmp_path / name, seed=False)
    s.merge(f.base_world() + f.synthetic_events(20))
    return s


@pytest.fixture
def holder(tmp_path):
    """Start the lock-holding child for a store path; killed at the end."""
    procs: list[subprocess.Popen] = []

    def start(path: Path) -> subprocess.Popen:
        p = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        procs.append(p)
        assert p.stdout.readline().strip() == "locked"
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


def run_in_thread(fn):
    """Run ``fn`` in a thread; return (thread, box) where box gets "result" or "error"."""
    box: dict[str, object] = {}

    def target():
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, box


# ------------------------------------------------------------------- the lock


def test_a_lock_held_by_another_process_times_out_with_one_line_and_writes_nothing(
    tmp_path, holder
):
    s = make_store(tmp_path)
    before = s.path.read_bytes()
    child = holder(s.path)
    s.lock.timeout = 1.5
    t, box = run_in_thread(lambda: s.merge(f.synthetic_events(5, seed=7)))
    t.join(20)  # a lock that waits forever fails here, not by hanging the suite
    assert not t.is_alive(), "the writer waited far past its 1.5 s lock timeout"
    err = box.get("error")
    assert isinstance(err, LockTimeout), box
    msg = str(err)
    assert "\n" not in msg
    assert f"PID {child.pid} is writing {s.path}" in msg
    assert "nothing was written" in msg
    assert s.path.read_bytes() == before
    assert s.counts()["events"] == 20


def test_a_waiting_writer_says_so_and_then_merges_onto_the_other_writers_state(tmp_path, holder):
    s = make_store(tmp_path)
    child = holder(s.path)
    told: list[str] = []
    waiting = threading.Event()

    def on_wait(line: str) -> None:
        told.append(line)
        waiting.set()

    s.lock.on_wait = on_wait
    ours = f.event(5000, title="written by the waiting writer")
    t, box = run_in_thread(lambda: s.merge([ours]))
    assert waiting.wait(20), "the waiting writer never said it was waiting"
    assert told == [f"waiting for the lock held by PID {child.pid} on {s.path} (up to 30 s)"]
    child.stdin.write("go\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "done"
    t.join(20)
    assert not t.is_alive() and "error" not in box, box
    on_disk = Store.open(s.path).tables["event"]
    assert "child-event" in on_disk  # the other writer's batch survived ours
    assert "ev-5000" in on_disk
    assert len(on_disk) == 22


# --------------------------------------------------------------- write order


def test_the_write_order_is_temp_write_fsync_replace_folder_fsync(tmp_path, monkeypatch):
    s = make_store(tmp_path)
    real = {n: getattr(os, n) for n in ("open", "write", "fsync", "replace", "close")}
    names: dict[int, str] = {}
    trace: list[tuple[str, str]] = []

    def kind(p: object) -> str:
        p = str(p)
        if sitmon.store.storage.TEMP_MARK in p:
            return "temp"
        if p == str(tmp_path):
            return "folder"
        return Path(p).name

    def op_open(path, flags, *a, **kw):
        fd = real["open"](path, flags, *a, **kw)
        names[fd] = kind(path)
        return fd

    def op_write(fd, data):
        if names.get(fd) == "temp" and (not trace or trace[-1] != ("write", "temp")):
            trace.append(("write", "temp"))
        return real["write"](fd, data)

    def op_fsync(fd):
        trace.append(("fsync", names.get(fd, "?")))
        return real["fsync"](fd)

    def op_replace(src, dst):
        trace.append(("replace", f"{kind(src)}->{kind(dst)}"))
        return real["replace"](src, dst)

    def op_close(fd):
        names.pop(fd, None)
        return real["close"](fd)

    for name, fn in [
        ("open", op_open),
        ("write", op_write),
        ("fsync", op_fsync),
        ("replace", op_replace),
        ("close", op_close),
    ]:
        monkeypatch.setattr(sitmon.store.storage.os, name, fn)
    # the batch spans November and December (issue 13's month shards): each month's new
    # shard and its id list are written, fsynced, renamed and their folder fsynced, and only
    # then is the core (the manifest) replaced: that last rename commits the batch (issue
    # 12's order, per file)
    s.merge(f.synthetic_events(3, seed=11))
    assert trace == [
        ("write", "temp"),
        ("fsync", "temp"),
        ("replace", "temp->2024-11.g3.json"),
        ("fsync", "s.json.events"),
        ("write", "temp"),
        ("fsync", "temp"),
        ("replace", "temp->2024-11.g3.ids.json"),
        ("fsync", "s.json.events"),
        ("write", "temp"),
        ("fsync", "temp"),
        ("replace", "temp->2024-12.g3.json"),
        ("fsync", "s.json.events"),
        ("write", "temp"),
        ("fsync", "temp"),
        ("replace", "temp->2024-12.g3.ids.json"),
        ("fsync", "s.json.events"),
        ("write", "temp"),
        ("fsync", "temp"),
        ("replace", "temp->s.json"),
        ("fsync", "folder"),
    ]


# ------------------------------------------------------- links, modes, owners


def test_a_symlinked_store_stays_a_link_and_its_target_is_updated(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    target = data / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(Path("data") / "real.json")  # relative, as people make them
    s = Store.open(link, seed=False)
    s.merge(f.base_world())
    s.merge([f.event(1)])
    assert link.is_symlink() and os.readlink(link) == "data/real.json"
    assert target.is_file() and not target.is_symlink()
    assert "ev-1" in Store.open(target).tables["event"]
    # temp, lock and month shards beside the target; nothing beside the link
    assert sorted(os.listdir(data)) == ["real.json", "real.json.events", "real.json.lock"]
    assert sorted(os.listdir(tmp_path)) == ["data", "link.json"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_the_file_mode_is_kept(tmp_path, mode):
    s = make_store(tmp_path)
    os.chmod(s.path, mode)
    s.merge([f.event(77)])
    assert stat.S_IMODE(os.stat(s.path).st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_the_owner_and_group_are_kept(tmp_path):
    s = make_store(tmp_path)
    os.chown(s.path, 4321, 4322)
    s.merge([f.event(78)])
    st = os.stat(s.path)
    assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_a_read_only_file_is_refused_not_replaced(tmp_path):
    s = make_store(tmp_path)
    os.chmod(s.path, 0o444)
    before = s.path.read_bytes()
    ino = os.stat(s.path).st_ino
    with pytest.raises(StoreWriteError, match=r"read-only \(mode 444\); not written"):
        s.merge([f.event(79)])
    assert s.path.read_bytes() == before and os.stat(s.path).st_ino == ino


def test_no_store_yet_and_a_write_failure_does_not_claim_an_unchanged_previous_file(
    tmp_path, monkeypatch
):
    def full(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sitmon.store.storage.os, "write", full)
    with pytest.raises(StoreWriteError) as info:
        Store.open(tmp_path / "new.json")
    assert "no space left on device; no store was created" in str(info.value)
    assert "previous file" not in str(info.value)


# -------------------------------------------------------------------- readers


def test_a_fifo_as_the_store_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    t, box = run_in_thread(lambda: Store.open(fifo))
    t.join(10)
    assert not t.is_alive(), "opening a FIFO as the store blocked"
    err = box.get("error")
    assert isinstance(err, StoreError)
    assert str(err) == (
        f"{fifo} is a FIFO (named pipe), not a store file; choose a regular file with "
        "--store or $SITMON_STORE"
    )


def test_a_reader_waits_for_a_file_being_restored_and_never_moves_it(tmp_path, monkeypatch):
    backup = make_store(tmp_path, "backup.json").path.read_bytes()
    path = tmp_path / "s.json"
    # a sharded backup (issue 13) is its core and its month shards: `cp -r` the shard
    # folder first, then the core, whose manifest names those shards
    shutil.copytree(tmp_path / "backup.json.events", tmp_path / "s.json.events")
    shards = sorted(os.listdir(tmp_path / "s.json.events"))
    path.write_bytes(backup[: len(backup) // 3])  # `cp` has written a third so far
    first_read = threading.Event()
    real_read = sitmon.store.db._read_regular

    def read(p):
        data = real_read(p)
        first_read.set()
        return data

    monkeypatch.setattr(sitmon.store.db, "_read_regular", read)
    t, box = run_in_thread(lambda: Store.open(path, create=False, patience=30))
    assert first_read.wait(20)
    with open(path, "ab") as fh:  # ...and now the rest arrives
        fh.write(backup[len(backup) // 3 :])
    t.join(30)
    assert not t.is_alive() and "error" not in box, box
    assert box["result"].counts()["events"] == 20
    assert path.read_bytes() == backup
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "backup.json",
        "backup.json.events",
        "backup.json.lock",
        "s.json",
        "s.json.events",
    ]
    assert sorted(os.listdir(tmp_path / "s.json.events")) == shards
    assert shards == [
        "2024-11.g2.ids.json",
        "2024-11.g2.json",
        "2024-12.g2.ids.json",
        "2024-12.g2.json",
    ]


def test_reload_of_an_unreadable_file_keeps_what_was_loaded(tmp_path):
    s = make_store(tmp_path)
    good = s.tables
    s.path.write_bytes(b'{"meta": ')
    s.patience = 0.2
    with pytest.raises(StoreUnreadable):
        s.reload()
    assert s.tables is good and s.counts()["events"] == 20
    assert s.path.read_bytes() == b'{"meta": '
    # and the next merge refuses rather than overwrite what it cannot read
    with pytest.raises(StoreUnreadable):
        s.merge([f.event(99)])
    assert s.path.read_bytes() == b'{"meta": '
