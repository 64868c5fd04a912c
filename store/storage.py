"""Crash-safe TinyDB storage, the writer lock, and quarantine of broken files.

The store file is an ordinary TinyDB JSON document (``{table: {doc_id: doc}}``),
so ``TinyDB(path, storage=AtomicJSONStorage)`` opens it. What differs from
TinyDB's own ``JSONStorage`` is how it is written:

1. serialize the whole state first (a failure here touches no file);
2. write it to a temp file in the same folder; ``fsync`` it;
3. ``os.replace`` it over the store; ``fsync`` the folder.

A crash at any moment leaves either the old file or the new one. Writers hold
``<store>.lock`` (``flock``) while they write; readers never need it.

A store reached through a symlink is written *beside its target* (the link
stays a link and the target is replaced atomically), and the new file keeps
the old one's permission bits and, where the process may set it, its owner
and group. A file without write permission (``chmod 444``) is refused, never
replaced. A FIFO, a device or a folder is never opened as a store
(:func:`check_regular`): reading a FIFO would block forever.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from tinydb.storages import Storage

__all__ = [
    "AtomicJSONStorage",
    "LockTimeout",
    "StoreError",
    "StoreWriteError",
    "WriterLock",
    "atomic_write_bytes",
    "check_regular",
    "cleanup_temp_files",
    "quarantine",
    "real_path",
]

TEMP_MARK = ".sitmon-tmp-"


class StoreError(Exception):
    """A store problem with a one-line explanation for the user."""


class StoreWriteError(StoreError):
    """A write failed; the previous file is intact."""


class LockTimeout(StoreError):
    """Another process held the writer lock for too long."""


_encoder = msgspec.json.Encoder()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # some platforms cannot open folders; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (read-only folder or file?)"
    return exc.strerror or str(exc)


def real_path(path: Path) -> Path:
    """``path`` with every symlink followed (the file a write must replace).

    A dangling link resolves to where its target would be, so the first write
    creates the target and the link starts to work.
    """
    return Path(os.path.realpath(path))


def check_regular(path: Path) -> os.stat_result | None:
    """``os.stat`` of ``path`` (links followed), None if it does not exist.

    Raises :class:`StoreError` at once when it exists but is not a regular file
    (a FIFO, a socket, a device, a folder): such a "store" would block a reader
    forever or be destroyed by a write.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {_describe(exc)}") from exc
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(st.st_mode)
            else "a folder"
            if stat.S_ISDIR(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "not a regular file"
        )
        raise StoreError(
            f"{path} is {kind}, not a store file; choose a regular file with --store "
            "or $SITMON_STORE"
        )
    return st


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    The order is fixed and tested: write the temp file, ``fsync`` it,
    ``os.replace`` it over the file, ``fsync`` the folder. ``path`` may be a
    symlink: its target is replaced, beside itself, and the link is kept. The
    new file keeps the old file's mode (and owner and group, where allowed);
    a new file gets ``0o666`` less the umask. A file the user made read-only
    is refused with :class:`StoreWriteError` (nothing is written).

    On any failure the old file is untouched, the temp file is removed and
    :class:`StoreWriteError` says what happened and where.
    """
    path = Path(path)
    target = real_path(path)
    folder = target.parent
    old = check_regular(target)
    if old is not None and (not old.st_mode & 0o222 or not os.access(target, os.W_OK)):
        raise StoreWriteError(
            f"{path} is read-only (mode {stat.S_IMODE(old.st_mode):o}); not written. "
            "Make it writable (chmod u+w) to let sitmon update it"
        )
    tmp = folder / f".{target.name}{TEMP_MARK}{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            if old is not None:
                _keep_owner_and_mode(fd, old)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        _fsync_dir(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        unchanged = "the previous file is unchanged" if old is not None else "no store was created"
        raise StoreWriteError(f"could not write {path}: {_describe(exc)}; {unchanged}") from exc


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    """Give the temp file the replaced file's owner, group and permission bits."""
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, old.st_uid, old.st_gid)
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def cleanup_temp_files(path: Path) -> list[Path]:
    """Remove temp files left by an interrupted write. Call only while holding the lock."""
    target = real_path(path)
    removed = []
    prefix = f".{target.name}{TEMP_MARK}"
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix):
            p = target.parent / name
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def quarantine(path: Path) -> Path:
    """Move a broken store aside to ``<name>.corrupt-<UTC timestamp>`` and return the new path.

    Only a writer holding the lock may call this, after re-checking that the
    file is really broken and not being written (readers never move a file).
    A symlinked store moves its target, beside itself; the link is left dangling
    until the next write recreates the target.
    """
    target = real_path(path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    moved = target.with_name(f"{target.name}.corrupt-{stamp}")
    os.replace(target, moved)
    _fsync_dir(target.parent)
    return moved


#: seconds a writer waits for the lock before it says so (``on_wait``)
WAIT_NOTICE_AFTER = 1.0


class WriterLock:
    """The single-writer lock: ``flock`` on ``<store>.lock`` (beside the real file).

    ``acquire`` waits up to ``timeout`` seconds (polling the lock, not sleeping
    blindly) and then raises :class:`LockTimeout`, one line naming the store
    and the PID holding the lock. The holder writes its PID into the lock file.
    After :data:`WAIT_NOTICE_AFTER` seconds of waiting, ``on_wait`` (if set) is
    called once with a line such as ``"waiting for the lock held by PID 4242 on
    /path/sitmon.json (up to 30 s)"``: a command prints it, so a user never
    stares at a silent terminal. Re-entrant within one object.
    """

    def __init__(
        self,
        store_path: Path,
        timeout: float = 30.0,
        on_wait: Callable[[str], object] | None = None,
    ) -> None:
        self.store_path = Path(store_path)
        self.path = Path(str(real_path(self.store_path)) + ".lock")
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd: int | None = None
        self._depth = 0

    def holder(self, fd: int | None = None) -> int | None:
        """The PID written in the lock file by its holder, if readable."""
        try:
            if fd is not None:
                raw = os.pread(fd, 32, 0)
            else:
                with open(self.path, "rb") as fh:
                    raw = fh.read(32)
            return int(raw.strip()) if raw.strip() else None
        except (OSError, ValueError):
            return None

    def acquire(self, timeout: float | None = None) -> None:
        if self._fd is not None:
            self._depth += 1
            return
        limit = self.timeout if timeout is None else timeout
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreWriteError(
                f"cannot write {self.store_path}: cannot open its lock file"
                f" {self.path.name}: {_describe(exc)}; the store is unchanged"
            ) from exc
        start = time.monotonic()
        deadline = start + limit
        delay = 0.005
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    pid = self.holder(fd)
                    os.close(fd)
                    by = f"PID {pid}" if pid else "another sitmon process"
                    raise LockTimeout(
                        f"{by} is writing {self.store_path} (lock held for more than "
                        f"{limit:g} s); nothing was written; try again later"
                    ) from None
                if not told and self.on_wait is not None and now - start >= WAIT_NOTICE_AFTER:
                    told = True
                    pid = self.holder(fd)
                    by = f"PID {pid}" if pid else "another process"
                    self.on_wait(
                        f"waiting for the lock held by {by} on {self.store_path} "
                        f"(up to {limit:g} s)"
                    )
                time.sleep(min(delay, max(0.0, deadline - now)))  # no flock-with-timeout
                delay = min(delay * 2, 0.1)
        with contextlib.suppress(OSError):  # who holds it, for a waiting writer's message
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        self._depth = 1

    def try_acquire(self) -> bool:
        """Take the lock if it is free right now; False if busy or impossible (read-only)."""
        try:
            self.acquire(timeout=0)
        except (LockTimeout, StoreWriteError):
            return False
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically (see the module docstring).

    ``TinyDB(path, storage=AtomicJSONStorage)`` reads and writes sitmon stores.
    Each ``write`` takes the writer lock for the duration of the write.
    """

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float = 30.0) -> None:
        super().__init__()
        self.path = Path(path)
        self.lock = WriterLock(self.path, lock_timeout)

    def read(self) -> dict[str, dict[str, Any]] | None:
        if check_regular(self.path) is None:
            return None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        return msgspec.json.decode(raw)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        payload = _encoder.encode(data)  # serialize before touching any file
        with self.lock:
            atomic_write_bytes(self.path, payload)

    def write_bytes(self, payload: bytes) -> None:
        """Write an already-serialized document (the caller holds the lock)."""
        atomic_write_bytes(self.path, payload)
