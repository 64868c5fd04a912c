"""The sitmon application: a thin App around the main screen.

State lives here, in plain attributes (the store, the shown day, the selected
place, a filter per pane); the main screen (:class:`~.main_screen.MainScreen`,
the default screen) turns it into one snapshot per pane and owns the main keys.
Slow work runs in thread workers that never touch widgets: they post messages
(:mod:`.messages`), and the handlers here own the state (harlequin's pattern).
The store loads in a worker after the first frame; feeds refresh under
:class:`~.scheduler.FeedScheduler`; :class:`~.diskwatch.DiskWatcher` notices a
store replaced by another process.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitmon.store.deadline import Cancel
from sitmon.store.termsafe import terminal_safe
from sitmon.store.timeutil import day_of, end_of_day
from sitmon.widgets.panes import PaneOptions
from sitmon.widgets.render_util import safe
from textual import on, work
from textual.app import App

from . import actions, gcstart
from .copyopen import CopyAndOpen
from .diskwatch import DiskWatcher
from .history import HistoryLoader
from .indexing import SearchIndexer
from .main_screen import MIN_HEIGHT, MIN_WIDTH, PANE_ORDER, MainScreen
from .messages import (
    HistoryFailed,
    HistoryLoaded,
    RefreshFinished,
    SearchIndexReady,
    StoreFailed,
    StoreLoaded,
    StoreReloaded,
    StoreReloadFailed,
)
from .quitting import DaemonExecutor, install_signal_handlers
from .scheduler import FeedScheduler
from .situation_switch import SituationSwitching

if TYPE_CHECKING:  # imported where used: the first frame does not wait for them
    from sitmon.store import Store


def _sitmon_commands():
    from .palette import SitmonCommands

    return SitmonCommands


__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "SitmonApp"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SitmonApp(CopyAndOpen, SituationSwitching, App):
    """The terminal situation monitor."""

    CSS_PATH = "app.tcss"
    TITLE = "sitmon"
    #: sitmon's commands only: Textual's system ones (Theme, Keys, Maximize, Screenshot,
    #: Quit) would stand beside our equivalents of each
    COMMANDS = {_sitmon_commands}
    COMMAND_PALETTE_DISPLAY = "^p"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        store_path: str | os.PathLike[str] | None = None,
        *,
        config: Any = None,
        config_error: str | None = None,
        as_of: date | None = None,
        theme: str | None = None,
        refresh: bool = True,
        disk_watch: bool = True,
        clock: Callable[[], datetime] | None = None,
        ascii: bool | None = None,
        cursor_blink: bool = True,
        replay_interval: float = 1.0,
        disk_interval: float = 2.0,
        situation: Any = None,
        main_config: Any = None,
        preload: Any = None,
    ) -> None:
        super().__init__()
        #: the first read of the store, started by the command line (tui/preload.py)
        self._preload = preload
        self.store_path = Path(store_path) if store_path is not None else None
        #: the situation shown (None: the bundled Syria, as before situations)
        self.situation = situation
        #: the config before any situation's feeds.toml (for switching situations)
        self.main_config = main_config if main_config is not None else config
        #: only the bundled situation's store is created from the bundled dataset
        self.seed_store = situation is None or situation.bundled
        self._saved_views: dict[str, Any] = {}
        self._disk_started = False
        self.config = config
        self.config_error = config_error
        self.clock = clock or _utcnow
        self.ascii = (
            ascii
            if ascii is not None
            else not (getattr(sys.stdout, "encoding", "") or "utf-8").lower().startswith("utf")
        )
        self.cursor_blink = cursor_blink
        self.refresh_enabled = refresh
        self.disk_watch = disk_watch
        self.replay_interval = replay_interval
        self._theme_request = theme or getattr(config, "theme", None)
        #: binding id -> keys, from the config's [keymap]
        #: binding id -> keys, from the config's [keymap], checked: bad names and conflicts dropped
        self.keymap, self.keymap_problems = actions.check_keymap(
            dict(getattr(config, "keymap", None) or {})
        )
        # -- state
        self.store: Store | None = None
        self.store_error: str | None = None
        self.day: date | None = None  # None: the latest moment
        self._initial_day = as_of
        self.place: str | None = None
        self.filters: dict[str, str] = dict.fromkeys(PANE_ORDER, "")
        self.marked: frozenset[str] = frozenset()
        self.last_changes: list[Any] = []  # ChangeSets of this session's refreshes, newest last
        self.store_generation = 0
        self.notices: list[str] = []  # every notification text (tests read it)
        self.last_copied: str | None = None
        self.last_opened: str | None = None
        #: set once the store has loaded (or failed to): tests and benches await it
        self.loaded = asyncio.Event()
        #: True once the first frame with the store's data (or its error) is painted:
        #: what waits for it (the footer's keys, the garbage collector) follows then
        self.start_done = False
        self.export_dir: Path = _documents_dir()
        self.last_export: Path | None = None
        #: shared by every fetch of this session: quitting cancels them all at once
        self.cancel = Cancel()
        #: the reload error last reported (reported once, not at every tick)
        self._reload_error: str | None = None
        self.scheduler = FeedScheduler(self)
        #: reads the months the first paint skipped (tui/history.py)
        self.history = HistoryLoader(self)
        #: builds the search index behind the screen (tui/indexing.py)
        self.indexer = SearchIndexer(self)
        self.disk_watcher = DiskWatcher(
            self, disk_interval, busy_elsewhere=self.scheduler.any_running
        )

    def set_keymap(self, keymap: dict[str, str]) -> None:
        """Bind keys by binding id (``{"app.goto_date": "G"}``); hints follow (:attr:`keymap`)."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)
        if self.screen_stack:
            self.main_screen.show_key_hints()

    def update_keymap(self, keymap: dict[str, str]) -> None:
        """Merge ``keymap`` into the current one (see :meth:`set_keymap`)."""
        self.set_keymap({**self.keymap, **keymap})

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def on_mount(self) -> None:
        # Quit means exit: thread workers must never hold the process after the app
        # ends, and SIGTERM/SIGHUP quit like `q` (see tui/quitting.py).
        loop = asyncio.get_running_loop()
        loop.set_default_executor(DaemonExecutor())
        install_signal_handlers(loop, self._quit_on_signal)
        if self._theme_request:
            self._apply_theme(self._theme_request)
        if self.keymap_problems:
            self.notify_plain(
                "\n".join(self.keymap_problems) + "\nThe other keys apply; ? shows them.",
                title="Config: keymap",
                severity="warning",
                timeout=15,
            )
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.config_error:
            self.notify_plain(self.config_error, title="Config", severity="warning", timeout=10)
        # The store loads in a worker while the first frame is composed and painted.
        self._load_store()
        self.set_interval(30, self.update_header)
        self.set_timer(gcstart.LATEST, self._start_finished)  # at the latest

    async def action_help_quit(self) -> None:
        """Ctrl+C quits, as in k9s, lazygit and newsboat (a focused text field copies instead)."""
        await self.action_quit()

    def _apply_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify_plain(
                f"Unknown theme {name!r}; using {self.theme}. Themes: {', '.join(sorted(self.available_themes))}",
                title="Theme",
                severity="warning",
            )

    # ------------------------------------------------------------------ helpers

    @property
    def pane_options(self) -> PaneOptions:
        return PaneOptions(colour=not self.no_color, ascii=self.ascii)

    @property
    def main_screen(self) -> MainScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def update_views(self, which: tuple[str, ...] = PANE_ORDER) -> None:
        """Show the current state in the main screen's panes (``which`` of them)."""
        if self.screen_stack:
            self.main_screen.update_views(which)

    def update_header(self) -> None:
        if self.screen_stack:
            self.main_screen.update_header()

    def notify_plain(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
    ) -> None:
        """A notification whose text is shown literally (data never parsed as markup)."""
        self.notices.append(message)
        # outside text (names, paths, errors) escaped visibly, line by line
        message = "\n".join(terminal_safe(line) for line in str(message).split("\n"))
        self.notify(
            safe(message, newlines=True),
            title=safe(terminal_safe(title)),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_store(self) -> None:
        """Open (or create from the bundled dataset) the store, off the UI thread: the core
        and the newest months; the rest is read after the first data paint (:attr:`history`)."""
        from sitmon.store import Store, StoreError

        preload, self._preload = self._preload, None
        try:
            if preload is not None and (preload.path, preload.seed) == (
                self.store_path,
                self.seed_store,
            ):
                store = preload.result()  # the command line's read of the same store
            else:
                store = Store.open(self.store_path, seed=self.seed_store, events="newest")
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        except Exception as exc:  # pragma: no cover - the app must keep running
            self.post_message(StoreFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(StoreLoaded(store))

    async def wait_until_loaded(self) -> None:
        """Until the store is loaded (or failed to load) and shown."""
        await self.loaded.wait()

    @on(StoreLoaded)
    def _store_loaded(self, message: StoreLoaded) -> None:
        if self.store_path is not None and message.store.path != self.store_path:
            return  # the store of the situation shown before a switch
        self.install_store(message.store)
        self.loaded.set()
        self.call_after_refresh(self._start_finished)  # the data is on screen
        if message.store.partial:  # the older months, after the first data frame
            self.call_after_refresh(self.history.start, message.store)
        else:
            self.history.start(message.store)  # whole already: nothing to read
        for warning in message.store.warnings:
            self.notify_plain(warning, title="Store", severity="warning", timeout=15)
        if self._initial_day is not None:
            from sitmon.store.argcheck import as_of_problem

            problem = as_of_problem(self._initial_day, message.store, day_of(self.clock()))
            if problem:  # the command line's rule: say so in one line and stop
                self.exit(return_code=2, message=f"sitmon: --as-of: {problem}")
                return
            self.set_day(self._initial_day)
        self.scheduler.load_status()
        if self.disk_watch and not self._disk_started:
            self._disk_started = True
            self.disk_watcher.start()
        if self.refresh_enabled:
            self.scheduler.start_all()

    def _start_finished(self) -> None:
        """The first data (or the store's error) is on screen: the garbage collector
        (tui/gcstart.py) and the footer's keys, which waited for it, follow now."""
        if self.start_done:
            return
        self.start_done = True
        gcstart.resume()
        if self.screen_stack:
            self.main_screen.start_finished()

    @on(HistoryLoaded)
    def _history_loaded(self, message: HistoryLoaded) -> None:
        self.history.loaded(message.store)

    @on(SearchIndexReady)
    def _search_index_ready(self, message: SearchIndexReady) -> None:
        self.indexer.ready(message.store)

    @on(HistoryFailed)
    def _history_failed(self, message: HistoryFailed) -> None:
        self.history.failed(message.store, message.error)

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.store_error = message.error
        self.loaded.set()
        self.call_after_refresh(self._start_finished)
        if self.screen_stack:
            self.main_screen.show_store_error(message.error)
        self.notify_plain(message.error, title="Store", severity="error", timeout=30)
        self.update_header()

    def install_store(self, store: Store) -> None:
        """Show ``store`` (loaded, refreshed or re-read); keep the day and place if they fit."""
        self.store = store
        self.store_error = None
        self.store_generation += 1
        if self.place is not None and self.place not in store.places:
            self.place = None
        if self.day is not None:
            lo, hi = self.day_bounds()
            if self.day >= hi:
                self.day = None
            elif self.day < lo:
                self.day = lo
        self.update_views()
        # after the paint: the search index (a merge keeps it, a reload starts anew)
        self.call_after_refresh(self.indexer.start, store)

    @on(StoreReloaded)
    def _store_reloaded(self, message: StoreReloaded) -> None:
        self.disk_watcher.busy = False
        self._reload_error = None
        if self.store is None or message.store.path != self.store.path:
            return  # the situation was switched meanwhile
        self.install_store(message.store)
        self.notify_plain("The store changed on disk; reloaded.", title="Store", timeout=4)

    @on(StoreReloadFailed)
    def _store_reload_failed(self, message: StoreReloadFailed) -> None:
        """Keep showing what we have (nothing was written or moved) and say why, once."""
        self.disk_watcher.busy = False
        if message.error == self._reload_error:
            return
        self._reload_error = message.error
        self.notify_plain(
            f"The store changed on disk but cannot be read: {message.error}. "
            "Still showing what was loaded before.",
            title="Store",
            severity="warning",
            timeout=15,
        )

    @on(RefreshFinished)
    def _refresh_finished(self, message: RefreshFinished) -> None:
        if message.store is not None and (
            self.store is None or message.store.path != self.store.path
        ):
            return  # a refresh of the situation shown before a switch
        self.scheduler.finished(message)

    # ------------------------------------------------------------------ time

    def situation_zone_label(self) -> str:
        """The situation's zone, named (``Khartoum CAT``; ``UTC+03`` for the bundled
        Syria's fixed offset): the zone of the situation shown
        (:func:`sitmon.store.timeutil.situation_zone`, set when it is opened)."""
        from sitmon.store.timeutil import situation_zone
        from sitmon.widgets.timefmt import zone_label

        return zone_label(situation_zone(), self.clock())

    def day_bounds(self) -> tuple[date, date]:
        """(first day, last day) time travel may show: one day before the start .. the latest.

        The command line's rule (store.argcheck.as_of_range); before the store
        loads, today.
        """
        if self.store is None:
            today = day_of(self.clock())
            return today - timedelta(days=1), today
        from sitmon.store.argcheck import as_of_range

        return as_of_range(self.store, day_of(self.clock()))

    def time_travel_days(self) -> list[date]:
        if self.store is None:
            return []
        lo, hi = self.day_bounds()
        return [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]

    @property
    def shown_day(self) -> date:
        return self.day if self.day is not None else self.day_bounds()[1]

    @property
    def as_of(self) -> datetime | None:
        """The moment shown (None: the latest)."""
        return end_of_day(self.day) if self.day is not None else None

    def set_day(self, day: date | None) -> None:
        """Show the situation as of the end of ``day`` (None or the last day: the latest)."""
        if self.store is None:
            return
        lo, hi = self.day_bounds()
        if day is not None:
            day = max(lo, min(day, hi))
            if day >= hi:
                day = None
        if day == self.day:
            return
        self.day = day
        self.update_views()

    # ------------------------------------------------------------------ screenshots and quit

    def action_svg_screenshot(self) -> None:
        self.set_timer(0.1, self._save_svg)

    def _save_svg(self) -> None:
        try:
            path = self.save_screenshot(path=str(_documents_dir()))
        except OSError as exc:
            self.notify_plain(f"Could not save the screenshot: {exc}", severity="error")
            return
        self.notify_plain(f"Saved a screenshot to {path}", title="Screenshot")

    async def action_quit(self) -> None:
        """Quit now: cancel every fetch (their sockets shut down), stop workers, exit."""
        self._stop_everything()
        self.exit(0)

    def _quit_on_signal(self, sig: int) -> None:
        """SIGTERM / SIGHUP: quit like ``q``, restoring the terminal; exit code 128 + signal."""
        self._stop_everything()
        self.exit(return_code=128 + int(sig))

    def _stop_everything(self) -> None:
        self.cancel.cancel()
        if self.screen_stack:
            self.main_screen.stop_replay()
        self.workers.cancel_all()


def _documents_dir() -> Path:
    try:
        import platformdirs

        return Path(platformdirs.user_documents_dir())
    except Exception:  # pragma: no cover
        return Path.home()
