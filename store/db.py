"""The store: a TinyDB file on disk, in-memory indexes, one writer, as-of queries.

File layout (an ordinary TinyDB document, one table per record kind)::

    {"meta":    {"1": {"schema_version": 1, "generation": 7, ...}},
     "sources": {"1": {...}, ...}, "factions": {...}, "places": {...},
     "control": {...}, "events": {...}, "quotes": {...}, "figures": {...},
     "tombstones": {...}}

Opening decodes the file once, straight into typed records (msgspec), and
builds the indexes. Every change goes through :meth:`Store.merge`, which takes
the writer lock, re-reads the file if another process changed it, merges, and
writes the whole new state with **one** atomic write.

Over 500 lines on purpose: the store's indexes and the queries that read them
change together (a new index is a new query); the filtering rules themselves
live in :mod:`.filtering` and the views in :mod:`.views`.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import os
import shutil
import stat as stat_mod
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from .compact import compact_records
from .corroborate import DayGroups, GroupCache
from .eventview import EventView, Selection, bits_of
from .filtering import filter_figures, filter_places
from .gcpause import gc_paused
from .merge import TABLE_KINDS, ChangeSet, Rejection, Tables, apply_batch, empty_tables
from .provenance import headline, publisher_of, series_by_publisher
from .query import Filter, MetricSummary, Snapshot, parse_filter
from .records import (
    TABLES,
    ControlChange,
    Event,
    Faction,
    Figure,
    Place,
    Quote,
    Record,
    Source,
    Tombstone,
)
from .search import INDEX_MODES, NAME_TABLES, SearchIndex, SearchPending
from .shards import (
    check_event_ids,
    manifest_files,
    month_key,
    month_slices,
    read_shard,
    remove_unreferenced,
    shard_folder,
    write_ids,
    write_shard,
)
from .storage import (
    TEMP_MARK,
    AtomicJSONStorage,
    StoreError,
    StoreWriteError,
    WriterLock,
    atomic_write_bytes,
    check_regular,
    cleanup_temp_files,
    quarantine,
    real_path,
)
from .storage import _describe as describe_os_error  # one wording for OS errors
from .timeutil import TimeError, parse_when, situation_zone
from .touch import plan_reads

__all__ = [
    "SCHEMA_VERSION",
    "TABLE_NAMES",
    "Store",
    "StoreError",
    "StoreUnreadable",
    "default_store_path",
]

#: 2: a core file plus event shards by month (store/shards.py); 1: one file (migrated on open)
SCHEMA_VERSION = 2
#: versions this sitmon reads (older ones are migrated on first open)
READABLE_VERSIONS = (1, 2)
#: record kind -> TinyDB table name (:data:`.records.TABLES`)
TABLE_NAMES: dict[str, str] = TABLES
REFRESH_LOG_LIMIT = 20
#: a file modified less than this many seconds ago may still be being written
#: (``cp`` restoring a backup, an editor saving): a reader that cannot parse it waits
SETTLE_SECONDS = 2.0
#: how long a reader retries (with backoff) a file that does not parse while it changes
READ_PATIENCE = 5.0
#: ``Store.open(events="newest")`` reads the newest months until it holds at least this many
#: events (or every month): enough for the monitor's first screen and far more
NEWEST_EVENTS = 2_000
#: ... or this many months once they hold :data:`FIRST_SCREEN_EVENTS`: a sparse history
#: (a few events a month over years) is not read whole, one small shard at a time,
#: before the first frame (49 shards for 1k events over four years: most of its start)
NEWEST_MONTHS = 12
#: the events a first screen needs at least (a tall terminal shows ~60 timeline rows)
FIRST_SCREEN_EVENTS = 200


class StoreUnreadable(StoreError):
    """The store file exists but does not read as a store. It was left exactly as it is.

    ``problem`` says why; ``changing`` is True when the file was still being
    written while sitmon waited for it (try again later).
    """

    def __init__(self, path: Path, problem: str, changing: bool, patience: float) -> None:
        if changing:
            msg = (
                f"the store {path} was still changing after {patience:g} s and does not parse "
                f"yet ({problem}); it was left as it is: try again when the program writing "
                "it has finished"
            )
        else:
            msg = (
                f"the store {path} cannot be read: {problem}; it was left as it is "
                "(restore a backup, or move it away to start a new store)"
            )
        super().__init__(msg)
        self.path = path
        self.problem = problem
        self.changing = changing


class _File(msgspec.Struct):
    """The typed shape of a store file (unknown tables, like TinyDB's ``_default``, are ignored)."""

    meta: dict[str, dict[str, Any]] = {}
    sources: dict[str, Source] = {}
    factions: dict[str, Faction] = {}
    places: dict[str, Place] = {}
    control: dict[str, ControlChange] = {}
    events: dict[str, Event] = {}
    quotes: dict[str, Quote] = {}
    figures: dict[str, Figure] = {}
    tombstones: dict[str, Tombstone] = {}


class _Probe(msgspec.Struct):
    meta: dict[str, dict[str, Any]] = {}


_file_decoder = msgspec.json.Decoder(_File)
_probe_decoder = msgspec.json.Decoder(_Probe)
_encoder = msgspec.json.Encoder()


def default_store_path() -> Path:
    """The bundled situation's store: ``$SITMON_STORE``, else ``sitmon.json`` in
    ``$SITMON_HOME``, else in the platform's user data folder."""
    env = os.environ.get("SITMON_STORE")
    if env:
        return Path(env).expanduser()
    home = os.environ.get("SITMON_HOME")
    if home:
        return Path(home).expanduser() / "sitmon.json"
    import platformdirs

    return Path(platformdirs.user_data_dir("sitmon", appauthor=False)) / "sitmon.json"


class _Stat(msgspec.Struct, frozen=True):
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @staticmethod
    def of(path: Path) -> _Stat | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return _Stat.from_stat(st)

    @staticmethod
    def from_stat(st: os.stat_result) -> _Stat:
        return _Stat(st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def recent(self) -> bool:
        """Modified less than :data:`SETTLE_SECONDS` ago (it may still be being written)."""
        return time.time() - self.mtime_ns / 1e9 < SETTLE_SECONDS


def _read_regular(path: Path) -> bytes:
    """The file's bytes; never blocks on a FIFO swapped in after the stat."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat_mod.S_ISREG(os.fstat(fd).st_mode):
            check_regular(path)  # raises the one-line "is a FIFO" error
            raise StoreError(f"{path} is not a regular file")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def situation_update(
    stored: dict[str, str] | None, incoming: dict[str, str] | None
) -> dict[str, str] | None:
    """The situation a merge should store, or None to keep ``stored`` as it is.

    Adopted whole when the store has none. Otherwise only a newer one counts:
    ``incoming["updated_at"]`` later than ``stored["updated_at"]`` (a stored
    situation without one is older than any dated one); then its non-empty
    fields replace the stored ones. An undated ``incoming`` never replaces one.
    """
    if not incoming:
        return None
    if not stored:
        return dict(incoming)
    try:
        new_at = parse_when(incoming["updated_at"]) if incoming.get("updated_at") else None
        old_at = parse_when(stored["updated_at"]) if stored.get("updated_at") else None
    except (TimeError, TypeError):
        return None
    if new_at is None or (old_at is not None and new_at <= old_at):
        return None
    merged = dict(stored)
    merged.update({k: v for k, v in incoming.items() if isinstance(v, str) and v.strip()})
    return merged if merged != stored else None


def _consistent(method):
    """Run a query under the store's mutex, so it never sees half of a merge's swap."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._deferred is not None and not self._background:
            self._load_deferred()  # events=False: the first query reads them (not under the mutex)
        with self._mutex:
            return method(self, *args, **kwargs)

    return wrapper


class Store:
    """An open store. Reading needs no file lock; :meth:`merge` is the only writer.

    Thread use: one thread may :meth:`merge` (or :meth:`reload`) while others
    query. A merge builds the new tables and indexes beside the current ones
    (sharing every unchanged record) and swaps them in under a mutex; queries
    take the same mutex, so each sees the state before or after, never a mix.
    Tables handed out (``store.tables[...]``, ``store.places``) are never
    changed in place: a merge replaces the dicts it changes.
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float = 30.0,
        *,
        patience: float = READ_PATIENCE,
        on_lock_wait: Any = None,
    ) -> None:
        self.path = Path(path)
        self.lock = WriterLock(self.path, lock_timeout, on_wait=on_lock_wait)
        #: seconds a read retries a file that does not parse while it is changing
        self.patience = patience
        #: month key -> manifest entry of the months whose events are not in memory
        #: (``Store.open(events=False)`` or ``events="newest"``); every other month's
        #: events are. None: every event is in memory.
        self._deferred: dict[str, Any] | None = None
        #: which months the next read from disk reads: "all", "none" or "newest"
        #: (the newest months, see :data:`NEWEST_EVENTS`); the open sets it, then "all"
        self._read_events = "all"
        #: opened with ``events="newest"``: queries answer from the months in memory
        #: and never read the others themselves (:meth:`load_rest` does, on a worker)
        self._background = False
        #: serializes reading the deferred months (a background load and a merge)
        self._load_lock = threading.Lock()
        self.tables: Tables = empty_tables()
        self.meta: dict[str, Any] = {}
        #: messages for the user from opening the store (quarantined files, ...)
        self.warnings: list[str] = []
        self._stat: _Stat | None = None
        #: the schema version of the file as read (1: to migrate at the next write)
        self._disk_version: int | None = None
        #: guards the swap of tables and indexes: a refresh worker merges into this
        #: store while the UI thread queries it (see :meth:`merge`)
        self._mutex = threading.RLock()
        #: one search index build at a time (:meth:`build_search_index`)
        self._build_lock = threading.Lock()
        self._index_tables()

    # ------------------------------------------------------------------ open

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        seed: bool = True,
        lock_timeout: float = 30.0,
        create: bool = True,
        repair: bool = False,
        patience: float = READ_PATIENCE,
        on_lock_wait: Any = None,
        events: bool | str = True,
    ) -> Store:
        """Open the store at ``path`` (default: :func:`default_store_path`).

        - ``events=False`` reads only the core file: record counts and time bounds
          come from the shard manifest, and the events are read from their shards
          on first use (any query, ``tables``, a merge). ``sitmon info`` uses it.
        - ``events="newest"`` (the monitor) reads the core and the newest months'
          shards, until at least :data:`NEWEST_EVENTS` events (or
          :data:`NEWEST_MONTHS` months holding :data:`FIRST_SCREEN_EVENTS`), or every
          month: enough to paint the first screen. The other months stay on disk
          (:attr:`partial` is True) until :meth:`load_rest` reads them, on a worker
          thread. Meanwhile queries and :attr:`tables` answer from the months in
          memory and never read the others themselves (the caller labels what it
          shows, :attr:`history_from`); :meth:`counts` and :meth:`time_bounds`
          are whole (the manifest's counts and times); a merge reads them first.

        - A missing file is created when ``create`` (from the bundled dataset
          when ``seed``, else empty), under the writer lock; else
          :class:`StoreError`.
        - A file holding ``{}`` is an empty store (never seeded, never set aside).
        - Opening only *reads* an existing file: it never writes, moves or
          quarantines it. A file that does not parse while it is changing
          (its size or mtime moves, or it was modified in the last
          :data:`SETTLE_SECONDS`) is re-read with backoff for up to ``patience``
          seconds; a file that still does not read raises
          :class:`StoreUnreadable` (one line, the file untouched).
        - ``repair`` (for commands that were asked to write): instead of
          raising, take the writer lock, re-check the file, and only if it is
          still unreadable and not changing, move it aside to
          ``<name>.corrupt-<timestamp>`` (see :attr:`warnings`) and start a
          store from the bundled dataset (never an empty one).
        - A file from a newer sitmon (unknown schema version) is refused with
          :class:`StoreError`, untouched. A FIFO, device or folder is refused at
          once (:func:`~store.storage.check_regular`).

        ``on_lock_wait(line)`` is called once when a write waits more than a
        second for another process's lock.
        """
        store = cls(
            Path(path) if path is not None else default_store_path(),
            lock_timeout,
            patience=patience,
            on_lock_wait=on_lock_wait,
        )
        if events not in (True, False, "newest"):
            raise ValueError(f"events must be True, False or 'newest', not {events!r}")
        store._read_events = "newest" if events == "newest" else ("all" if events else "none")
        store._background = events == "newest"
        try:
            store._open(seed, create=create, repair=repair)
        finally:
            store._read_events = "all"
        return store

    def _open(self, seed: bool, *, create: bool = True, repair: bool = False) -> None:
        try:
            if self._load_from_disk():
                self._cleanup_temp_files()
                self._remove_orphan_shards()
                if self._disk_version == 1:
                    self._migrate()
                return
        except StoreUnreadable as exc:
            if not repair:
                raise
            self._repair(exc, seed)
            return
        if not create:
            raise StoreError(f"the store {self.path} does not exist")
        folder = real_path(self.path).parent
        if not folder.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the store folder {folder}: {exc.strerror}"
                ) from exc
        with self.lock:
            cleanup_temp_files(self.path)
            try:
                if self._load_from_disk():  # another process created it meanwhile
                    return
            except StoreUnreadable as exc:
                if not repair:
                    raise
                self._repair(exc, seed)
                return
            self._create(seed)

    def _cleanup_temp_files(self) -> None:
        """Leftover temp files from a crashed writer: removed only when no one writes."""
        target = real_path(self.path)
        prefix = f".{target.name}{TEMP_MARK}"
        try:
            if not any(n.startswith(prefix) for n in os.listdir(target.parent)):
                return
        except OSError:
            return
        if self.lock.try_acquire():
            try:
                cleanup_temp_files(self.path)
            finally:
                self.lock.release()

    def _remove_orphan_shards(self) -> None:
        """Shard files no committed manifest names (a writer died before its commit, or
        after it but before removing the replaced files): removed only when no one
        writes and the core this store read is still the current one."""
        folder = shard_folder(self.path)
        named = manifest_files(self.meta.get("shards", {}))
        try:
            if set(os.listdir(folder)) <= named:
                return
        except OSError:
            return
        if self.lock.try_acquire():
            try:
                if not self.changed_on_disk():
                    remove_unreferenced(folder, self.meta.get("shards", {}))
            finally:
                self.lock.release()

    def _create(self, seed: bool) -> None:
        """Write a new store (the caller holds the lock and found no file)."""
        self.tables = empty_tables()
        self.meta = {
            "schema_version": SCHEMA_VERSION,
            "generation": 0,
        }
        records: list[Record] = []
        if seed:
            from .bundled import bundled_document

            result = bundled_document()
            records = result.records
            if "situation" in result.meta:
                self.meta["situation"] = result.meta["situation"]
            self.meta["origin"] = "bundled dataset"
        self._merge_locked(records, (), feed=None, feed_state=None, force_write=True)

    def _repair(self, first: StoreUnreadable, seed: bool) -> None:
        """A writer's last resort: under the lock, re-check, set the broken file aside, start anew.

        Never when the file is changing (someone is writing it): that raises.
        The new store starts from the bundled dataset, never empty.
        """
        with self.lock:
            try:
                if self._load_from_disk():
                    return  # it was mid-write after all, and is whole now
            except StoreUnreadable as again:
                if again.changing:
                    raise
                first = again
            else:  # it disappeared meanwhile: a plain new store
                self._create(seed=True)
                return
            moved = quarantine(self.path)
            self.warnings.append(
                f"The store {self.path} could not be read: {first.problem}. "
                f"It was moved aside to {moved.name} (its bytes kept) and a new store "
                "was started from the bundled dataset."
            )
            self._create(seed=True)

    def _load_from_disk(self) -> bool:
        """Load the file: True when loaded, False when it does not exist.

        Never writes or moves anything. Raises :class:`StoreUnreadable` when the
        file does not read as a store after retrying while it changed, and
        :class:`StoreError` for a newer schema, a FIFO, or a read error.
        """
        deadline = time.monotonic() + self.patience
        delay = 0.02
        races, locked = 0, False
        try:
            while True:
                st = check_regular(self.path)
                if st is None:
                    return False
                before = _Stat.from_stat(st)
                try:
                    raw = _read_regular(self.path)
                except FileNotFoundError:
                    continue  # replaced between stat and open: look again
                except OSError as exc:
                    raise StoreError(f"cannot read the store {self.path}: {exc.strerror}") from exc
                after = _Stat.of(self.path)
                problem, data = self._parse(raw)
                events: list[Event] | None = None
                deferred = None
                if problem is None and data is not None and data.meta["1"]["schema_version"] == 2:
                    read, deferred = _split_manifest(
                        data.meta["1"].get("shards", {}), self._read_events
                    )
                    try:
                        with _gc_paused():
                            events = self._read_shards(read)
                    except FileNotFoundError as exc:
                        if _Stat.of(self.path) != before:
                            # A writer committed a newer generation and removed the shard
                            # files this (older) core names: read the new core. A writer
                            # that commits faster than this read could starve it, so after
                            # a few such races wait for its merge to end and read under the
                            # lock (a reader still writes nothing to the store).
                            races += 1
                            if races >= 3 and not locked:
                                with contextlib.suppress(StoreError):
                                    self.lock.acquire(timeout=self.patience)
                                    locked = True
                            continue
                        raise StoreError(
                            f"the store {self.path} names an event shard that is missing:"
                            f" {exc.filename}; it was left as it is"
                        ) from None
                if problem is None and after == before:
                    assert data is not None
                    with _gc_paused():
                        self._install(data, before, events, deferred)
                    return True
                changing = after != before or before.recent()
                if time.monotonic() >= deadline or not changing:
                    if problem is None:  # whole, though it moved while read: use it, recheck later
                        assert data is not None
                        with _gc_paused():
                            self._install(data, None, events, deferred)
                        return True
                    raise StoreUnreadable(self.path, problem, changing, self.patience)
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 0.5)

        finally:
            if locked:
                self.lock.release()

    def _parse(self, raw: bytes) -> tuple[str | None, _File | None]:
        """(problem, None) or (None, data). Raises for a store of a newer schema."""
        if not raw.strip():
            return "the file is empty", None
        if raw.strip() == b"{}":
            # an empty store (the first write adds the rest of the meta)
            return None, _File(meta={"1": {"schema_version": SCHEMA_VERSION}})
        try:
            data = _decode_file(raw)
        except msgspec.DecodeError as exc:
            version = _schema_version_of(raw)
            if isinstance(version, int) and version > SCHEMA_VERSION:
                raise self._future_error(version) from None
            return f"it does not parse as a sitmon store ({_short(exc)})", None
        meta = data.meta.get("1", {})
        version = meta.get("schema_version")
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise self._future_error(version)
        if version not in READABLE_VERSIONS:
            return f"it has no valid schema version (found {version!r})", None
        return None, data

    def _future_error(self, version: int) -> StoreError:
        return StoreError(
            f"the store {self.path} was written by a newer sitmon (schema version {version}; "
            f"this sitmon reads {SCHEMA_VERSION}): upgrade sitmon or choose another --store"
        )

    @property
    def tables(self) -> Tables:
        """Record kind -> {id: record}. Never changed in place (see the class docstring).

        While :attr:`partial` after ``events="newest"``, the event table holds the
        months in memory only (never read here: see :meth:`load_rest`); after
        ``events=False``, the first access reads every month.
        """
        if self._deferred is not None and not self._background:
            self._load_deferred()
        return self._tables

    @tables.setter
    def tables(self, value: Tables) -> None:
        self._tables = value

    @property
    def partial(self) -> bool:
        """True while some months' events are still on disk only (``events="newest"``
        before :meth:`load_rest`)."""
        return self._deferred is not None

    @property
    def history_from(self) -> datetime | None:
        """While :attr:`partial`: the moment from which every event is in memory (the
        start of the oldest month read after the last unread one); None otherwise.

        A view whose events all fall at or after it is whole; one reaching before it
        is not (the monitor labels it, or waits for :meth:`load_rest`).
        """
        deferred = self._deferred
        if deferred is None:
            return None
        return _month_after(max(deferred))

    def load_rest(self) -> bool:
        """Read the months ``Store.open(events="newest")`` left on disk and swap them in.

        Safe on a worker thread while other threads query: the shards are read and
        decoded outside the mutex, and the new event list and indexes are swapped
        in under it, so a query sees the state before or after, never a mix. A merge
        or reload that replaced the state meanwhile wins (the months are read again
        from what it left deferred). Returns True when it read anything, False when
        nothing was deferred. Raises :class:`StoreError` (one line; the store in
        memory is left as it was) when a shard is unreadable or missing.
        """
        return self._load_deferred()

    def _load_deferred(self) -> bool:
        """Read every deferred month (once; a second caller waits for the first).

        The read runs outside the mutex; the swap runs under it and only if no merge
        or reload changed the deferred months meanwhile (else it reads again). A
        shard removed by another process's newer commit: the whole state is read
        again from disk.
        """
        with self._load_lock:
            done: dict[str, list[Event]] = {}  # shard file name -> its events, across retries
            while True:
                with self._mutex:
                    manifest = self._deferred
                if manifest is None:
                    return bool(done)
                try:
                    with _gc_paused():
                        for key in sorted(manifest):
                            entry = manifest[key]
                            name = entry.get("file")
                            if name not in done:  # (the monitor's worker: in pieces, so
                                # its UI thread gets the interpreter lock between them)
                                done[name] = self._read_shards(
                                    {"": entry}, piecewise=self._background
                                )
                except FileNotFoundError:  # another process committed meanwhile: read it all
                    with self._mutex:
                        if self._deferred is not manifest:
                            continue  # this process replaced the state: read what it left
                    self._reload_everything()
                    return True
                with self._mutex:
                    if self._deferred is not manifest:
                        continue  # a merge or reload replaced the state while we read
                    read = {key: done[entry.get("file")] for key, entry in manifest.items()}
                    events, times = _insert_months(self._events, self._event_times, read)
                    tables = dict(self._tables)
                    table = dict(tables["event"])
                    table.update((e.id, e) for month in read.values() for e in month)
                    tables["event"] = table
                    self._deferred = None
                    self._tables = tables
                    self._index_tables((events, times, None))
                    return True

    def _reload_everything(self) -> None:
        """Read the store's current state from disk, every month (its shards changed)."""
        mode, self._read_events = self._read_events, "all"
        try:
            if not self._load_from_disk():
                raise StoreError(f"the store {self.path} disappeared")
        finally:
            self._read_events = mode

    def _read_shards(self, manifest: dict[str, Any], *, piecewise: bool = False) -> list[Event]:
        """Every shard's events, months in order: already the time order of the index
        (``piecewise``: decoded a piece at a time, :func:`.shards.decode_shard`).

        Raises ``FileNotFoundError`` for a shard a newer commit removed."""
        folder = shard_folder(self.path)
        read = functools.partial(read_shard, piecewise=True) if piecewise else read_shard
        events: list[Event] = []
        for key in sorted(manifest):
            events += read(folder, manifest[key])
        return events

    def _install(
        self,
        data: _File,
        stat: _Stat | None,
        events: list[Event] | None = None,
        deferred: dict[str, Any] | None = None,
    ) -> None:
        """Install decoded tables; ``events`` (from the shards) in time order when given;
        ``deferred``: the months whose shards were not read (see :attr:`partial`)."""
        tables = empty_tables()
        for kind, name in TABLE_NAMES.items():
            docs = getattr(data, name)
            if kind == "tombstone":
                tables[kind] = {f"{t.kind}:{t.id}": t for t in docs.values()}
            elif kind == "event" and events is not None:
                tables[kind] = {e.id: e for e in events}
            else:
                tables[kind] = {r.id: r for r in docs.values()}
        events_ix = None
        if events is not None:
            times = [e.time for e in events]
            if times == sorted(times):  # as written (a C-level check); else sorted below
                events_ix = (events, times, None)
        with self._mutex:
            self._deferred = None  # (the indexes below read the tables as they are)
            self.tables = tables
            self.meta = dict(data.meta.get("1", {}))
            self._disk_version = self.meta.get("schema_version")
            self._stat = stat
            self._index_tables(events_ix)
            self._deferred = deferred or None

    def _migrate(self) -> None:
        """Rewrite a one-file store (schema 1) as core + shards, keeping the old file.

        Needs the writer lock; without it (another writer, a read-only folder)
        the store stays as it is on disk and is migrated by the next write.
        The old file is kept as ``<name>.v1-backup`` (see :meth:`_commit`).
        """
        if not self.lock.try_acquire():
            return
        try:
            if self.changed_on_disk() and not self._load_from_disk():
                return
            if self._disk_version == 1:
                self._merge_locked((), (), feed=None, feed_state=None, force_write=True)
        except StoreWriteError:
            return  # e.g. a read-only folder: keep reading the old file as it is
        finally:
            self.lock.release()

    # ------------------------------------------------------------- reloading

    def changed_on_disk(self) -> bool:
        """Has another process replaced the file since we read or wrote it?"""
        return _Stat.of(self.path) != self._stat

    def reload(self) -> bool:
        """Re-read the file if it changed on disk. Returns True when it did.

        A reader: never writes or moves the file. When the new file cannot be
        read (:class:`StoreUnreadable`, or it disappeared: :class:`StoreError`)
        the store in memory is kept exactly as it was.
        """
        if not self.changed_on_disk():
            return False
        if not self._load_from_disk():
            raise StoreError(
                f"the store {self.path} disappeared; still showing what was read before"
            )
        return True

    # ---------------------------------------------------------------- writing

    def merge(
        self,
        records: Iterable[Record],
        *,
        rejected: Iterable[Rejection] = (),
        feed: str | None = None,
        feed_state: dict[str, Any] | None = None,
        situation: dict[str, str] | None = None,
        imported: str | None = None,
    ) -> ChangeSet:
        """Merge a batch: one lock, one atomic write (none if nothing changed).

        ``imported`` (the name a document was imported under, by ``sitmon import``)
        is recorded as the store's last import, shown by ``info`` and the header,
        when the import changed something (otherwise nothing is written).

        ``situation`` (a document's ``{"title", "start", "updated_at"}``) is adopted
        by a store that has none yet (e.g. an empty store importing a backup), and
        replaces the stored one when its ``updated_at`` (the document's
        ``generated_at``) is later than the stored one's: a feed that continues
        the story can update the situation's title (see :func:`situation_update`).

        ``feed_state`` (validators such as ``etag``/``last_modified``, the last
        success time) is saved in the same write as the data it describes.
        On a write failure the store in memory and on disk is unchanged.
        """
        with self.lock:
            # Another process may have written since we loaded: merge onto its state.
            # An unreadable file raises StoreUnreadable here: it is left as it is.
            # A store whose months were not all read reads the new core only (the monitor's
            # store: and its newest months, which it shows; load_rest reads the rest).
            if self.changed_on_disk():
                if self._deferred is not None:
                    self._read_events = "newest" if self._background else "none"
                try:
                    loaded = self._load_from_disk()
                finally:
                    self._read_events = "all"
                if not loaded:
                    raise StoreError(
                        f"the store {self.path} disappeared; nothing was written "
                        "(open it again to start a new one)"
                    )
            # While months are unread (``_deferred``) the merge holds the mutex: no reader
            # or background load installs months between what it reads and what it swaps in.
            with self._mutex if self._deferred is not None else contextlib.nullcontext():
                return self._merge_locked(
                    records,
                    rejected,
                    feed=feed,
                    feed_state=feed_state,
                    situation=situation,
                    imported=imported,
                )

    def _merge_locked(
        self,
        records: Iterable[Record],
        rejected: Iterable[Rejection],
        *,
        feed: str | None,
        feed_state: dict[str, Any] | None,
        situation: dict[str, str] | None = None,
        force_write: bool = False,
        imported: str | None = None,
    ) -> ChangeSet:
        """Merge under the writer lock, reading only the unread months the batch touches."""
        # tuples for lists, values shared with the stored records (store/compact.py)
        records = compact_records(records)
        elsewhere = None
        if self._deferred is not None:
            plan = plan_reads(records, self._deferred, shard_folder(self.path))
            self._take_months(plan.months)
            elsewhere = {"event": plan.stored}
        new_tables, cs = apply_batch(self._tables, records, rejected, elsewhere=elsewhere)
        cs.feed = feed
        cs.at = datetime.now(UTC).replace(microsecond=0)
        meta = dict(self.meta)
        meta_changed = False
        new_situation = situation_update(meta.get("situation"), situation)
        if new_situation is not None:
            meta["situation"] = new_situation
            meta_changed = True
        if feed is not None:
            feeds = dict(meta.get("feeds", {}))
            state = dict(feeds.get(feed, {}))
            state.update(feed_state or {})
            if cs.changed:
                state["last_change"] = cs.at.isoformat()
            if state != feeds.get(feed):
                feeds[feed] = state
                meta["feeds"] = feeds
                meta_changed = True
        if imported is not None and (cs.changed or meta_changed):
            # an import that changes nothing writes nothing (issue 11: re-importing the
            # same bytes changes nothing), so the last import is the last one that did
            meta["last_import"] = {"at": cs.at.isoformat(), "name": imported}
            meta_changed = True
        if cs.changed:
            log = list(meta.get("refresh_log", []))
            log.append(cs.log_entry())
            meta["refresh_log"] = log[-REFRESH_LOG_LIMIT:]
        if not (cs.changed or meta_changed or force_write):
            return cs
        meta["generation"] = int(meta.get("generation", 0)) + 1
        meta["schema_version"] = SCHEMA_VERSION
        # The new time-ordered event list, spliced from the current one: only the
        # batch's events are placed (binary search), history is not re-sorted.
        events_ix = self._spliced_events(new_tables, cs)
        months = self._touched_months(new_tables, cs, everything=self._disk_version != 2)
        self._commit(new_tables, meta, events_ix, months)  # StoreWriteError: nothing changed
        unread = self._deferred
        with self._mutex:  # readers on other threads see the old state or the new, whole
            self.tables = new_tables
            self.meta = meta
            # the months still unread are untouched: their entries are the same files
            self._deferred = {k: meta["shards"][k] for k in unread} if unread else None
            self._disk_version = SCHEMA_VERSION
            self._stat = _Stat.of(self.path)
            self._index_tables(events_ix)
        return cs

    def _touched_months(self, new_tables: Tables, cs: ChangeSet, *, everything: bool) -> set[str]:
        """The months whose shard a batch changes: old and new months of each changed event."""
        if everything:  # a new store, or the migration of a one-file store
            return set(self.meta.get("shards", {})) | {
                month_key(e.time) for e in new_tables["event"].values()
            }
        old, new = self._tables["event"], new_tables["event"]
        months = set()
        for kind, rid in (*cs.added, *cs.updated, *cs.deleted):
            if kind != "event":
                continue
            for version in (old.get(rid), new.get(rid)):
                if version is not None:
                    months.add(month_key(version.time))
        return months

    def _commit(
        self,
        tables: Tables,
        meta: dict[str, Any],
        events_ix: tuple[list[Event], list[datetime], Any],
        months: set[str],
    ) -> None:
        """Write the touched months' shards (new files), then the core: its atomic
        replacement commits the batch. Old shard files are removed after the swap.

        Migrating a one-file store, the old file is first hard-linked (else
        copied) to ``<name>.v1-backup``. Raises :class:`StoreWriteError`; then the
        committed state on disk is unchanged (the caller drops ``meta``).
        """
        folder = shard_folder(self.path)
        old_manifest = dict(self.meta.get("shards", {}))
        manifest = dict(old_manifest)
        events, times, _ = events_ix
        unchanged = "the previous file is unchanged" if self._stat else "no store was created"
        try:
            try:
                if months:
                    folder.mkdir(exist_ok=True)
                for key, (lo, hi) in sorted(month_slices(times, months).items()):
                    if hi > lo:
                        manifest[key] = write_shard(folder, key, meta["generation"], events[lo:hi])
                    else:
                        manifest.pop(key, None)
                self._index_untouched(manifest, events_ix, meta["generation"])
                backup = self._backup_one_file_store() if self._disk_version == 1 else None
            except StoreWriteError as exc:  # say it of the store, not of one shard file
                why = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
                raise StoreWriteError(
                    f"could not write {self.path} (its events in {folder.name}):"
                    f" {describe_os_error(why)}; {unchanged}"
                ) from why
            except OSError as exc:
                raise StoreWriteError(
                    f"could not write {self.path} (its events in {folder.name}):"
                    f" {describe_os_error(exc)}; {unchanged}"
                ) from exc
            meta["shards"] = manifest
            atomic_write_bytes(self.path, encode_core(tables, meta))
        except StoreWriteError:
            with contextlib.suppress(OSError):
                remove_unreferenced(folder, old_manifest)  # the new files of this batch
            raise
        if backup is not None:
            self.warnings.append(
                f"The store {self.path} was upgraded to the sharded layout (events by month"
                f" in {folder.name}); the old file is kept as {backup.name}."
            )
        remove_unreferenced(folder, manifest)  # the replaced generations

    def _index_untouched(
        self, manifest: dict[str, Any], events_ix: tuple[list[Event], list[datetime], Any], gen: int
    ) -> None:
        """Give every month entry of ``manifest`` without an id list one (a store written
        before the id index: the merge read those months, :func:`.touch.plan_reads`).
        Only the id list is written; the month's shard stays as it is."""
        events, times, _ = events_ix
        folder = shard_folder(self.path)
        lacking = [k for k, e in manifest.items() if e.get("ids") is None]
        for key, (lo, hi) in sorted(month_slices(times, lacking).items()):
            if self._deferred and key in self._deferred or hi - lo != manifest[key].get("count"):
                continue  # not read (never, by the plan): it keeps no index until it is
            ids = [e.id for e in events[lo:hi]]
            manifest[key] = {**manifest[key], "ids": write_ids(folder, key, gen, ids)}

    def _take_months(self, keys: Iterable[str]) -> None:
        """Read the unread months ``keys`` (of :attr:`_deferred`) and add their events to
        the ones in memory, in time order; the rest stay unread.

        Raises ``FileNotFoundError`` for a shard a newer commit removed and
        :class:`StoreError` for an unreadable one (nothing is installed then).
        """
        folder = shard_folder(self.path)
        with self._mutex:
            deferred = self._deferred or {}
            keys = sorted(k for k in set(keys) if k in deferred)
            if not keys:
                return
            with _gc_paused():
                parts = {k: read_shard(folder, deferred[k]) for k in keys}
            tables = dict(self._tables)
            tables["event"] = {
                **self._tables["event"],
                **{e.id: e for p in parts.values() for e in p},
            }
            events_ix = self._with_months(parts)
            rest = {k: e for k, e in deferred.items() if k not in parts}
            self._tables = tables
            self._deferred = rest or None
            self._index_tables(events_ix)

    def _with_months(
        self, parts: dict[str, list[Event]]
    ) -> tuple[list[Event], list[datetime], None]:
        """The time-ordered (events, times, None) in memory with the events of the
        months ``parts`` (months not in memory) inserted, each month as one block."""
        parts = {
            key: part
            if all(a.time <= b.time for a, b in zip(part, part[1:], strict=False))
            else sorted(part, key=_event_key)
            for key, part in parts.items()
        }
        events, times = _insert_months(self._events, self._event_times, parts)
        return events, times, None

    def _backup_one_file_store(self) -> Path:
        """Keep the one-file store being migrated: ``<name>.v1-backup`` (hard link, else copy)."""
        target = real_path(self.path)
        backup = target.with_name(target.name + ".v1-backup")
        if backup.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            backup = backup.with_name(f"{backup.name}-{stamp}")
        try:
            os.link(target, backup)
        except OSError:
            shutil.copy2(target, backup)
        return backup

    def _spliced_events(
        self, new_tables: Tables, cs: ChangeSet
    ) -> tuple[list[Event], list[datetime], list[str] | None]:
        """(events, times, None) after ``cs``, built from the current ones.

        Cost: O(k log n) binary searches for the k changed events plus one
        C-level copy of the lists, instead of sorting all n events again.
        """
        events, times = self._events, self._event_times
        old = self._tables["event"]
        touched = [rid for kind, rid in (*cs.added, *cs.updated, *cs.deleted) if kind == "event"]
        if not touched:
            return events, times, None
        new = new_tables["event"]
        events, times = list(events), list(times)
        drop: list[int] = []
        inserts: list[Event] = []
        for rid in dict.fromkeys(touched):
            before, after = old.get(rid), new.get(rid)
            pos = -1
            if before is not None:
                pos = bisect.bisect_left(events, _event_key(before), key=_event_key)
                if pos >= len(events) or events[pos].id != rid:
                    return self._sorted_events(new_tables)  # not indexed: rebuild (defensive)
            if after is not None and before is not None and after.time == before.time:
                events[pos] = after  # same place in time order: replace in place
                continue
            if pos >= 0:
                drop.append(pos)
            if after is not None:
                inserts.append(after)
        if drop:
            drop.sort()
            events, times = _without(events, drop), _without(times, drop)
        if inserts:
            inserts.sort(key=_event_key)
            at = [bisect.bisect_left(events, _event_key(e), key=_event_key) for e in inserts]
            events = _with(events, at, inserts)
            times = _with(times, at, [e.time for e in inserts])
        return events, times, None

    def _sorted_events(self, tables: Tables) -> tuple[list[Event], list[datetime], None]:
        events = sorted(tables["event"].values(), key=_event_key)
        return events, [e.time for e in events], None

    def tinydb(self):  # pragma: no cover - convenience for users' own scripts
        """A read-write :class:`tinydb.TinyDB` on the same file, with the atomic storage."""
        from tinydb import TinyDB

        return TinyDB(self.path, storage=AtomicJSONStorage)

    # ---------------------------------------------------------------- indexes

    def _index_tables(
        self, events_ix: tuple[list[Event], list[datetime], list[str] | None] | None = None
    ) -> None:
        """Build the indexes from :attr:`tables` (events from ``events_ix`` when given)."""
        t = self._tables  # as they are: building indexes never reads unread months
        events, times, _ = events_ix or self._sorted_events(t)
        self._events: list[Event] = events
        self._event_times: list[datetime] = times
        #: the search index (:mod:`.search`): kept up to date from the first changed
        #: event by a merge, else dropped and rebuilt on demand
        previous: SearchIndex | None = getattr(self, "_search_ix", None)
        self._search_ix: SearchIndex | None = (
            previous.after_merge(events, t) if previous is not None else None
        )
        #: (events, the tables named in their texts) of this state, read as one by a
        #: background index build: not the event table, which a build held for its
        #: seconds at 1M while the refreshes it overlaps made new ones (held twice)
        self._indexed = (events, {k: t[k] for k in NAME_TABLES})
        #: corroboration per day for this state's snapshots (a merge starts a new one)
        self._group_cache = GroupCache()
        by_place: dict[str, list[ControlChange]] = {}
        for c in t["control"].values():
            by_place.setdefault(c.place, []).append(c)
        for changes in by_place.values():
            changes.sort(key=lambda c: (c.valid_from, c.id))
        self._control: dict[str, list[ControlChange]] = by_place
        self._control_times = {p: [c.valid_from for c in cs] for p, cs in by_place.items()}
        self._quotes = sorted(t["quote"].values(), key=lambda q: (q.said_at, q.id))
        self._quote_times = [q.said_at for q in self._quotes]
        self._figures = sorted(t["figure"].values(), key=lambda f: (f.as_of, f.id))
        self._figure_times = [f.as_of for f in self._figures]
        self._place_terms: dict[str, str] = {
            p.id: " ".join([p.id, p.name, *p.alt_names]).lower() for p in t["place"].values()
        }
        self._faction_terms: dict[str, str] = {
            f.id: " ".join([f.id, f.name, f.short, f.group]).lower() for f in t["faction"].values()
        }

    @property
    def _search(self) -> SearchIndex | None:
        """The search index of the current state, or None (not built, or dropped)."""
        index = self._search_ix
        return index if index is not None and index.events is self._events else None

    @property
    def search_ready(self) -> bool:
        """Is the search index built for the current events (a filter's words are
        answered without building it)?"""
        return self._search is not None

    def _search_index(self, mode: str = "build") -> SearchIndex | None:
        """The search index, built now if it is not yet and ``mode`` is ``build`` (the
        monitor builds it after the first data paint, :meth:`build_search_index`; a
        merge keeps it up to date); ``ready``: raise :class:`~.search.SearchPending`
        instead; ``skip``: None (:data:`~.search.INDEX_MODES`)."""
        index = self._search
        if index is None:
            if mode == "ready":
                raise SearchPending("the search index is being built")
            if mode == "skip":
                return None
            index = self.build_search_index()
        return index

    def build_search_index(self) -> SearchIndex:
        """Build the search index (:mod:`.search`) unless it is current; returns it.

        Takes O(events) time once (seconds at a million events); afterwards each
        merge updates it from the first event it changed. Safe to call from a worker
        thread; a second caller waits for the build under way. The build never takes
        the store's mutex (a query holding it may be the one waiting), and the index
        names the event list it was built for: a query uses it only for that list.
        """
        if self._deferred is not None and not self._background:
            self._load_deferred()  # (events="newest": the months in memory; load_rest rebuilds)
        with self._build_lock:
            events, tables = self._indexed
            index = self._search_ix
            if index is not None and index.events is events:
                return index
            index = SearchIndex(events, tables)
            # merges that landed during the build (seconds at 1M events): carry the
            # index forward from their first changed event instead of discarding it
            # and building again (each full build pauses the GC for seconds)
            while self._indexed[0] is not events:
                events, tables = self._indexed
                moved = index.after_merge(events, tables)
                if moved is None:
                    return index  # too much changed: the next build starts anew
                index = moved
            self._search_ix = index
            return index

    # ---------------------------------------------------------------- queries

    # the core's tables: never wait for unread event months
    @property
    def places(self) -> dict[str, Place]:
        return self._tables["place"]

    @property
    def factions(self) -> dict[str, Faction]:
        return self._tables["faction"]

    @property
    def sources(self) -> dict[str, Source]:
        return self._tables["source"]

    def counts(self) -> dict[str, int]:
        """Table name -> records, whole: the events in memory plus the unread months'
        counts from the manifest (see :attr:`partial`)."""
        with self._mutex:
            deferred, tables = self._deferred, self._tables
        out = {}
        for k in TABLE_KINDS:
            out[TABLE_NAMES[k]] = len(tables[k])
        if deferred is not None:  # the months read, plus the unread ones
            out[TABLE_NAMES["event"]] += sum(int(e.get("count", 0)) for e in deferred.values())
        return out

    def time_bounds(self) -> tuple[datetime | None, datetime | None]:
        """(start of the situation, latest moment in the data).

        The start is the situation's ``start`` date when the data names one,
        else the earliest event. The latest is the latest dated record.
        While the event shards are unread, the events' bounds come from the manifest.
        """
        with self._mutex:
            bounds = self._manifest_bounds()
            deferred = self._deferred
        if bounds is None and deferred is not None:  # a manifest without times: read them
            self._load_deferred()
        with self._mutex:
            return self._time_bounds(self._manifest_bounds())

    def _manifest_bounds(self) -> tuple[datetime, datetime] | None:
        """(first, last) event time from the unread shards' manifest entries, if they say."""
        deferred = self._deferred
        if not deferred:
            return None
        try:
            firsts = [parse_when(e["first"]) for e in deferred.values()]
            lasts = [parse_when(e["last"]) for e in deferred.values()]
        except (KeyError, TypeError, ValueError):
            return None
        return min(firsts), max(lasts)

    def _time_bounds(
        self, event_bounds: tuple[datetime, datetime] | None
    ) -> tuple[datetime | None, datetime | None]:
        if self._events:  # the months read, with the unread months' bounds from the manifest
            lo, hi = self._event_times[0], self._event_times[-1]
            event_bounds = (
                (min(lo, event_bounds[0]), max(hi, event_bounds[1])) if event_bounds else (lo, hi)
            )
        candidates: list[datetime] = []
        if event_bounds:
            candidates.append(event_bounds[1])
        if self._quotes:
            candidates.append(self._quotes[-1].said_at)
        if self._figures:
            candidates.append(max(f.as_of for f in self._figures))
        for changes in self._control.values():
            candidates.append(changes[-1].valid_from)
        last = max(candidates) if candidates else None
        first = None
        start = self.meta.get("situation", {}).get("start")
        if isinstance(start, str):
            with contextlib.suppress(ValueError):
                first = parse_when(start)
        if first is None and event_bounds:
            first = event_bounds[0]
        return first, last

    @_consistent
    def control_as_of(self, as_of: datetime | None = None) -> dict[str, ControlChange]:
        """Control of every place as of ``as_of``: the latest change at or before it."""
        out = {}
        for place, changes in self._control.items():
            if as_of is None:
                out[place] = changes[-1]
                continue
            i = bisect.bisect_right(self._control_times[place], as_of)
            if i:
                out[place] = changes[i - 1]
        return out

    @_consistent
    def control_history(self, place: str) -> list[ControlChange]:
        return list(self._control.get(place, []))

    def resolve_places(self, term: str) -> set[str]:
        """Place ids whose id, name or alternative names contain ``term`` (case-insensitive)."""
        term = term.lower()
        exact = {pid for pid, p in self.places.items() if term in (pid, p.name.lower())}
        if exact:
            return exact
        return {pid for pid, terms in self._place_terms.items() if term in terms}

    def resolve_factions(self, term: str) -> set[str]:
        term = term.lower()
        exact = {fid for fid, f in self.factions.items() if term in (fid, f.short.lower())}
        if exact:
            return exact
        return {fid for fid, terms in self._faction_terms.items() if term in terms}

    @_consistent
    def events(
        self,
        *,
        as_of: datetime | None = None,
        since: datetime | None = None,
        place: str | None = None,
        filter: Filter | str | None = None,
        index: str = "build",
    ) -> EventView:
        """Events with ``since <= time <= as_of``, chronological, filtered
        (:mod:`.filtering` says what a term matches).

        Returns a read-only :class:`~.eventview.EventView` over the store's list (no
        copy): the time range by binary search, the filter by the search index
        (:mod:`.search`; bitmaps, one per term). A state of the store never changes,
        so a view stays valid after later merges. ``index`` says what the filter's
        words do while the index is not built (:data:`~.search.INDEX_MODES`):
        ``build`` it here, raise :class:`~.search.SearchPending` (``ready``), or
        ``skip`` them. Raises ``ValueError`` for another mode.
        """
        if index not in INDEX_MODES:
            raise ValueError(f"index must be one of {', '.join(INDEX_MODES)}, not {index!r}")
        flt = parse_filter(filter) if isinstance(filter, str) or filter is None else filter
        events, times = self._events, self._event_times
        lo = bisect.bisect_left(times, since) if since is not None else 0
        hi = bisect.bisect_right(times, as_of) if as_of is not None else len(events)
        hi = max(lo, hi)
        place_sets = [self.resolve_places(t) for t in flt.place]
        if place is not None:
            place_sets.append({place})
        faction_sets = [self.resolve_factions(t) for t in flt.faction]
        search = self._search_index(index) if flt.text and hi > lo else self._search
        words = flt.text if search is not None else ()  # (skipped: not built yet)
        if not (place_sets or faction_sets or flt.type or words) or hi == lo:
            return EventView(events, lo, hi)
        if search is not None:
            bits = search.select(
                lo,
                hi,
                words=words,
                place_sets=place_sets,
                faction_sets=faction_sets,
                types=flt.type,
                tables=self._tables,
            )
        else:  # the index is built after the first paint: until then, place/faction/type scan
            bits = bits_of(
                i
                for i in range(lo, hi)
                if _fields_match(events[i], place_sets, faction_sets, flt.type)
            )
        return EventView(events, lo, hi, Selection(bits))

    @_consistent
    def quotes(
        self,
        *,
        as_of: datetime | None = None,
        place: str | None = None,
        speaker: str | None = None,
        filter: Filter | str | None = None,
    ) -> list[Quote]:
        """Quotes said at or before ``as_of``, chronological, filtered."""
        flt = parse_filter(filter) if isinstance(filter, str) or filter is None else filter
        hi = len(self._quotes) if as_of is None else bisect.bisect_right(self._quote_times, as_of)
        out = self._quotes[:hi]
        if speaker:
            s = speaker.lower()
            out = [q for q in out if s in q.speaker.lower()]
        place_sets = [self.resolve_places(t) for t in flt.place]
        if place is not None:
            place_sets.append({place})
        for ps in place_sets:
            out = [q for q in out if not ps.isdisjoint(q.places) or self._quote_event_in(q, ps)]
        for term in flt.text:
            out = [
                q
                for q in out
                if term in f"{q.speaker}\n{q.role}\n{q.text}\n{q.context}\n{q.outlet}".lower()
            ]
        for term in flt.faction:
            fs = self.resolve_factions(term)
            out = [q for q in out if q.event and not fs.isdisjoint(self._event_factions(q.event))]
        for term in flt.type:
            out = [q for q in out if q.event and self._event_type(q.event).startswith(term)]
        return out

    def _quote_event_in(self, q: Quote, places: set[str]) -> bool:
        ev = self.tables["event"].get(q.event) if q.event else None
        return ev is not None and not places.isdisjoint(ev.places)

    def _event_factions(self, event_id: str) -> list[str]:
        ev = self.tables["event"].get(event_id)
        return ev.factions if ev else []

    def _event_type(self, event_id: str) -> str:
        ev = self.tables["event"].get(event_id)
        return ev.type if ev else ""

    @_consistent
    def figures(self, *, as_of: datetime | None = None) -> list[MetricSummary]:
        """Each metric as of ``as_of``: the headline figure, each other publisher's latest,
        and every publisher's series (:mod:`store.provenance` states the rules).

        Observations are never collapsed: two publishers' values stand side by side,
        and one publisher's counts over time are one series, whoever relayed them.
        """
        hi = len(self._figures) if as_of is None else bisect.bisect_right(self._figure_times, as_of)
        known = self._figures[:hi]
        by_metric: dict[str, list[Figure]] = {}
        for f in known:
            by_metric.setdefault(f.metric, []).append(f)
        sources = self.sources
        out = []
        for metric, obs in by_metric.items():
            series = series_by_publisher(obs, sources)
            latest = headline((s[-1] for s in series.values()), sources)
            publisher = publisher_of(latest, sources)
            others = [s[-1] for p, s in series.items() if p != publisher]
            others.sort(key=lambda f: (f.as_of, f.id), reverse=True)
            out.append(
                MetricSummary(
                    metric,
                    latest,
                    tuple(others),
                    tuple(obs),
                    publisher=publisher,
                    series=tuple((p, tuple(s)) for p, s in series.items()),
                )
            )
        out.sort(key=lambda m: (_METRIC_ORDER.get(m.metric, 99), m.metric))
        return out

    @_consistent
    def snapshot(
        self,
        as_of: datetime | None = None,
        *,
        place: str | None = None,
        filter: Filter | str | None = None,
        index: str = "build",
    ) -> Snapshot:
        """Everything the panes and exports show, as of a moment (``None``: the latest).

        ``filter`` applies to every record kind as :mod:`.filtering` says; a term
        that does not apply to a kind (``faction:`` for figures) matches none of it.
        Views refuse such terms first (:func:`.views.view_snapshot`). ``index``: what
        the filter's words do to the events while the search index is not built
        (:meth:`events`; ``ready`` raises :class:`~.search.SearchPending`).
        """
        flt = parse_filter(filter) if isinstance(filter, str) or filter is None else filter
        first, last = self.time_bounds()
        moment = as_of if as_of is not None else last
        start_moment = first - timedelta(microseconds=1) if first else None
        control = self.control_as_of(moment)
        at_start = self.control_as_of(start_moment) if start_moment else {}
        shown = filter_places(self, flt, control)
        if shown is not self.places:  # the filter applies to control as to its places
            control = {p: c for p, c in control.items() if p in shown}
            at_start = {p: c for p, c in at_start.items() if p in shown}
        events = self.events(as_of=moment, place=place, filter=flt, index=index)
        return Snapshot(
            as_of=moment if moment is not None else datetime.now(situation_zone()),
            first=first,
            last=last,
            control=control,
            control_at_start=at_start,
            events=events,
            quotes=self.quotes(as_of=moment, place=place, filter=flt),
            figures=filter_figures(self, self.figures(as_of=moment), flt),
            places=self.places,
            factions=self.factions,
            sources=self.sources,
            place=place,
            filter=flt,
            map_places=shown,
            event_table=self.tables["event"],
            groups=self._groups_of(events),
        )

    def _groups_of(self, events: EventView) -> Mapping[str, tuple[str, ...]]:
        """Corroboration among ``events`` (a view of this state's list).

        Per day, on use (:class:`~.corroborate.DayGroups`): with the search index,
        among only the events that have a group in the whole store
        (:func:`.corroborate.grouped_positions`; the same groups, from far fewer events);
        before it is built, among all of them. A screen of rows costs its days, not
        the history (at 1M events after refreshes, one dict of every group took
        seconds per snapshot).
        """
        index = self._search
        if index is None or index.events is not self._events:
            return DayGroups(events, self.tables["event"], self._group_cache)
        grouped, (lo, hi) = index.grouped, events.span
        cut = grouped[bisect.bisect_left(grouped, lo) : bisect.bisect_left(grouped, hi)]
        members = [self._events[p] for p in cut if events.holds(p)]
        return DayGroups(members, self.tables["event"], self._group_cache) if members else {}

    def feed_state(self, feed: str) -> dict[str, Any]:
        return dict(self.meta.get("feeds", {}).get(feed, {}))

    def last_import(self) -> str | None:
        """ISO time of the most recent ``sitmon import`` into this store, if any."""
        entry = self.meta.get("last_import")
        return entry.get("at") if isinstance(entry, dict) else None

    def last_refresh(self) -> str | None:
        """ISO time of the most recent successful refresh of any feed, if any."""
        times = [
            s.get("last_success")
            for s in self.meta.get("feeds", {}).values()
            if s.get("last_success")
        ]
        return max(times) if times else None


_METRIC_ORDER = {
    "deaths_total": 0,
    "civilian_deaths": 1,
    "displaced": 2,
    "prisoners_freed": 3,
    "deaths_since_2011": 4,
}


def _event_key(e: Event) -> tuple[datetime, str]:
    return (e.time, e.id)


#: pause the cyclic GC while loading: 100k records allocate no cycles
_gc_paused = gc_paused


def _fields_match(
    e: Event, place_sets: list[set[str]], faction_sets: list[set[str]], types: tuple[str, ...]
) -> bool:
    """``e`` names a place of each set, a faction of each set, and a type of each prefix."""
    return (
        all(not ps.isdisjoint(e.places) for ps in place_sets)
        and all(not fs.isdisjoint(e.factions) for fs in faction_sets)
        and all(e.type.startswith(t) for t in types)
    )


def _decode_file(raw: bytes) -> _File:
    """The typed file; ``msgspec.DecodeError`` when it is not one (event ids included:
    :func:`~.shards.check_event_ids`)."""
    with _gc_paused():
        data = _file_decoder.decode(raw)
    check_event_ids(list(data.events.values()))
    return data


def _schema_version_of(raw: bytes) -> Any:
    try:
        return _probe_decoder.decode(raw).meta.get("1", {}).get("schema_version")
    except msgspec.DecodeError:
        return None


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 120 else text[:117] + "..."


def encode_core(tables: Tables, meta: dict[str, Any]) -> bytes:
    """The core file as TinyDB JSON bytes (doc ids 1..n per table): every table but
    the events, which live in the shards ``meta["shards"]`` names."""
    doc: dict[str, Any] = {"meta": {"1": meta}}
    for kind, name in TABLE_NAMES.items():
        if kind != "event":
            doc[name] = {str(i): r for i, r in enumerate(tables[kind].values(), 1)}
    return _encoder.encode(doc)


def _without(seq: list, drop: list[int]) -> list:
    """``seq`` without the items at the sorted positions ``drop`` (slices, no per-item loop)."""
    out: list = []
    prev = 0
    for i in drop:
        out += seq[prev:i]
        prev = i + 1
    out += seq[prev:]
    return out


def _with(seq: list, at: list[int], items: list) -> list:
    """``seq`` with ``items[j]`` inserted before position ``at[j]`` (``at`` ascending)."""
    out: list = []
    prev = 0
    for i, item in zip(at, items, strict=True):
        out += seq[prev:i]
        out.append(item)
        prev = i
    out += seq[prev:]
    return out


def _split_manifest(
    manifest: dict[str, Any], which: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the months to read now, the months to leave on disk or None) for a read mode:
    ``"all"``, ``"none"``, or ``"newest"`` (the newest months until they hold
    :data:`NEWEST_EVENTS` events, or :data:`NEWEST_MONTHS` months holding
    :data:`FIRST_SCREEN_EVENTS`)."""
    if which == "all" or not manifest:
        return manifest, None
    if which == "none":
        return {}, dict(manifest)
    if not all("first" in e and "last" in e for e in manifest.values()):
        return manifest, None  # no times to answer time_bounds from: read every month
    read: dict[str, Any] = {}
    held = 0
    for key in sorted(manifest, reverse=True):
        if held >= NEWEST_EVENTS or (len(read) >= NEWEST_MONTHS and held >= FIRST_SCREEN_EVENTS):
            break
        read[key] = manifest[key]
        held += int(manifest[key].get("count", 0))
    rest = {k: v for k, v in manifest.items() if k not in read}
    return read, rest or None


def _month_after(key: str) -> datetime:
    """The first moment (UTC) after the month ``"YYYY-MM"``."""
    year, month = int(key[:4]), int(key[5:7])
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def _insert_months(
    events: list[Event], times: list[datetime], months: dict[str, list[Event]]
) -> tuple[list[Event], list[datetime]]:
    """``events`` (time order, with ``times``) plus each month's events (time order, a
    month none of ``events`` falls in), placed by binary search: slices, no sort."""
    out_events: list[Event] = []
    out_times: list[datetime] = []
    prev = 0
    for key in sorted(months):
        month = months[key]
        if not month:
            continue
        at = bisect.bisect_left(times, month[0].time)
        out_events += events[prev:at]
        out_times += times[prev:at]
        out_events += month
        out_times += [e.time for e in month]
        prev = at
    out_events += events[prev:]
    out_times += times[prev:]
    return out_events, out_times
