"""Crash-safe TinyDB storage, the writer lock, and quarantine of broken files.

The store file is an ordinary TinyDB JSON document (``{table: {doc_id: doc}}``),
so ``TinyDB(path, storage=AtomicJSONStorage)`` opens it. What differs from
TinyDB's own ``JSONStorage`` is how it is written:

1. serialize the whole state first (a failure here touches no file);
2. write it to a temp file in the same folder; ``fsync`` it;
3. ``os.replace`` it over the store; ``fsync`` the folder.

A crash at any moment leaves either the old file or the new one. Writers hold
``<store>.lock`` (``flock``) while they write; readers never need it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
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
    "cleanup_temp_files",
    "quarantine",
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    On any failure the old file is untouched, the temp file is removed and
    :class:`StoreWriteError` says what happened and where.
    """
    path = Path(path)
    folder = path.parent
    tmp = folder / f".{path.name}{TEMP_MARK}{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise StoreWriteError(
            f"could not write {path}: {_describe(exc)}; the previous file is unchanged"
        ) from exc


def cleanup_temp_files(path: Path) -> list[Path]:
    """Remove temp files left by an interrupted write. Call only while holding the lock."""
    path = Path(path)
    removed = []
    prefix = f".{path.name}{TEMP_MARK}"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix):
            p = path.parent / name
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def quarantine(path: Path) -> Path:
    """Move a broken store aside to ``<name>.corrupt-<UTC timestamp>`` and return the new path."""
    path = Path(path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    _fsync_dir(path.parent)
    return target


class WriterLock:
    """The single-writer lock: ``flock`` on ``<store>.lock``.

    ``acquire`` waits up to ``timeout`` seconds (polling the lock, not sleeping
    blindly) and then raises :class:`LockTimeout` naming the lock file.
    Re-entrant within one object.
    """

    def __init__(self, store_path: Path, timeout: float = 30.0) -> None:
        self.path = Path(str(store_path) + ".lock")
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0

    def acquire(self, timeout: float | None = None) -> None:
        if self._fd is not None:
            self._depth += 1
            return
        limit = self.timeout if timeout is None else timeout
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreWriteError(
                f"cannot write {self.path.with_suffix('')}: cannot open its lock file"
                f" {self.path.name}: {_describe(exc)}; the store is unchanged"
            ) from exc
        deadline = time.monotonic() + limit
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockTimeout(
                        f"another sitmon process is writing {self.path.with_suffix('')}"
                        f" (lock held for more than {limit:g}s); try again later"
                    ) from None
                time.sleep(delay)  # poll the lock: there is no flock-with-timeout
                delay = min(delay * 2, 0.1)
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
