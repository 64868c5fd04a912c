"""The sitmon application: four panes, time travel, filters, refresh, export.

State lives here, in plain attributes (the shown day, the selected place, a
filter per pane); :meth:`SitmonApp.update_views` turns it into one
:class:`~store.query.Snapshot` per pane. Slow work runs in thread workers that
never touch widgets: they post messages, and the ``on_*`` handlers below own
the state (harlequin's pattern). The store loads in a worker after the first
frame; each feed refreshes in its own worker, re-armed with ``set_timer`` only
when it has finished (dolphie's pattern), so refreshes never overlap.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from sitmon.store.query import parse_filter
from sitmon.store.timeutil import SITUATION_TZ, TimeError, day_of, end_of_day, fmt_day, parse_as_of
from sitmon.widgets.lines import Span, StyledLine
from sitmon.widgets.panes import MapPane, Pane, PaneOptions, QuotesPane, StatsPane, TimelinePane
from sitmon.widgets.render_util import fit, safe, wrap
from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from . import actions

if TYPE_CHECKING:  # imported where used: the first frame does not wait for them
    from sitmon.store import Store


def _sitmon_commands():
    from .palette import SitmonCommands

    return SitmonCommands


__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "SitmonApp", "run_app"]

#: below this the app shows a message instead of panes
MIN_WIDTH = 60
MIN_HEIGHT = 16
#: at or above this the panes sit in a 2x2 grid; below, the focused pane takes the room
GRID_WIDTH = 110
GRID_HEIGHT = 30

PANE_ORDER = ("timeline", "map", "quotes", "stats")
PANE_TITLES = {"timeline": "Timeline", "map": "Map", "quotes": "Quotes", "stats": "Statistics"}
EXPORT_VIEWS = {"timeline": "timeline", "map": "map", "quotes": "quotes", "stats": "stats"}


# --------------------------------------------------------------------------- panes with keys


class Timeline(TimelinePane):
    BINDINGS = actions.bindings("pane", "timeline")


class MapView(MapPane):
    BINDINGS = actions.bindings("pane", "map")


class Quotes(QuotesPane):
    BINDINGS = actions.bindings("pane")


class Stats(StatsPane):
    BINDINGS = actions.bindings("pane")


class FilterBar(Input):
    """The ``/`` filter line of the focused pane."""

    BINDINGS = actions.bindings("filter")

    class Cancelled(Message):
        pass

    def __init__(self) -> None:
        super().__init__(id="filterbar")
        self.target = "timeline"

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class StatusHeader(Static):
    """One line: title, the moment shown, the data's age, feed status (literal Text)."""


# --------------------------------------------------------------------------- messages


class StoreLoaded(Message):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store


class StoreFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class StoreReloaded(Message):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store


class RefreshFinished(Message):
    def __init__(self, feed: str, result: Any, store: Store | None, error: str | None) -> None:
        super().__init__()
        self.feed = feed
        self.result = result
        self.store = store
        self.error = error


@dataclass
class FeedStatus:
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    next_attempt: datetime | None = None
    last_error: str | None = None
    running: bool = False


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _parse_iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _ago(then: datetime, now: datetime) -> str:
    secs = max(0, int((now - then).total_seconds()))
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{secs // 60} min ago"
    if secs < 86400 * 2:
        return f"{secs // 3600} h ago"
    return f"{secs // 86400} days ago"


# --------------------------------------------------------------------------- the app


class SitmonApp(App):
    """The terminal situation monitor."""

    CSS_PATH = "app.tcss"
    TITLE = "sitmon"
    BINDINGS: ClassVar = actions.bindings("app")
    COMMANDS = App.COMMANDS | {_sitmon_commands}
    COMMAND_PALETTE_DISPLAY = "^p"
    ENABLE_COMMAND_PALETTE = True

    #: actions that only make sense on the main screen (off elsewhere)
    MAIN_ONLY = frozenset(
        {
            "next_pane",
            "jump",
            "maximise",
            "filter",
            "step_day",
            "goto_date",
            "replay",
            "now",
            "export",
            "changes",
            "help",
            "quit_main",
        }
    )

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
    ) -> None:
        super().__init__()
        self.store_path = Path(store_path) if store_path is not None else None
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
        self.disk_interval = disk_interval
        self._theme_request = theme or getattr(config, "theme", None)
        #: binding id -> keys, from the config's [keymap]
        self.keymap: dict[str, str] = dict(getattr(config, "keymap", None) or {})
        # -- state
        self.store: Store | None = None
        self.store_error: str | None = None
        self.day: date | None = None  # None: the latest moment
        self._initial_day = as_of
        self.place: str | None = None
        self.filters: dict[str, str] = dict.fromkeys(PANE_ORDER, "")
        self.active_pane = "timeline"
        self.maximised = False
        self.marked: frozenset[str] = frozenset()
        self.last_changes: list[Any] = []  # ChangeSets of this session's refreshes, newest last
        self.feed_status: dict[str, FeedStatus] = {}
        self.replay_timer: Timer | None = None
        self._refresh_timers: dict[str, Timer] = {}
        self._disk_busy = False
        self._store_generation = 0
        self.layout_mode = "grid"
        self.notices: list[str] = []  # every notification text (tests read it)
        #: set once the store has loaded (or failed to): tests and benches await it
        self.loaded = asyncio.Event()
        self.export_dir: Path = _documents_dir()
        self.last_export: Path | None = None

    # ------------------------------------------------------------------ compose

    def compose(self) -> ComposeResult:
        yield StatusHeader(Content("sitmon · loading the store…"), id="header")
        with Container(id="panes"):
            yield Timeline(classes="pane")
            yield MapView(classes="pane")
            yield Quotes(classes="pane")
            yield Stats(classes="pane")
        yield Static(Content(""), id="toosmall")
        yield FilterBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self._theme_request:
            self._apply_theme(self._theme_request)
        if self.keymap:
            unknown = sorted(k for k in self.keymap if k not in actions.ids())
            if unknown:
                self.notify_plain(
                    f"Unknown binding id(s) in [keymap]: {', '.join(unknown)}. See ? for the ids.",
                    title="Config",
                    severity="warning",
                    timeout=10,
                )
            self.set_keymap(self.keymap)
        bar = self.query_one(FilterBar)
        bar.display = False
        bar.cursor_blink = self.cursor_blink
        for pane in self.panes():
            pane.options = self.pane_options
            keys = actions.effective_keys(actions.by_id(f"app.pane_{pane.id}"), self.keymap)
            pane.key_hint = actions.display_keys(keys.split(",")[0], ascii=self.ascii)
            pane.set_message("Loading the store…")
        self.main_screen.set_class(self.ascii, "-ascii")
        self._apply_layout(self.size.width, self.size.height)
        self.set_active("timeline", focus=True)
        if self.config_error:
            self.notify_plain(self.config_error, title="Config", severity="warning", timeout=10)
        # Paint first: the store loads once the first frame is on the screen.
        self.call_after_refresh(self._load_store)
        self.set_interval(30, self.update_header)

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

    def panes(self) -> list[Pane]:
        return [self.pane(p) for p in PANE_ORDER]

    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#{pane_id}", Pane)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def map_pane(self) -> MapView:
        return self.query_one(MapView)

    @property
    def main_screen(self) -> Screen:
        return self.screen_stack[0]

    def on_main_screen(self) -> bool:
        return self.screen is self.main_screen

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
        self.notify(
            safe(message, newlines=True),
            title=safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MAIN_ONLY and not self.on_main_screen():
            return False
        return True

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_store(self) -> None:
        """Open (or create from the bundled dataset) the store, off the UI thread."""
        from sitmon.store import Store, StoreError

        try:
            store = Store.open(self.store_path, seed=True)
            store.events(as_of=store.time_bounds()[0], filter="warm")  # builds the search index
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
        self._install_store(message.store)
        self.loaded.set()
        for warning in message.store.warnings:
            self.notify_plain(warning, title="Store", severity="warning", timeout=15)
        if self._initial_day is not None:
            self.set_day(self._initial_day)
        self._init_feed_status()
        if self.disk_watch:
            self.set_interval(self.disk_interval, self._check_disk)
        if self.refresh_enabled:
            for i, feed in enumerate(self.feeds()):
                self._arm_refresh(feed, 1.0 + i * 0.5)

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.store_error = message.error
        self.loaded.set()
        for pane in self.panes():
            pane.set_message(f"Cannot open the store: {message.error}")
        self.notify_plain(message.error, title="Store", severity="error", timeout=30)
        self.update_header()

    def _install_store(self, store: Store) -> None:
        self.store = store
        self.store_error = None
        self._store_generation += 1
        if self.place is not None and self.place not in store.places:
            self.place = None
        if self.day is not None:
            lo, hi = self.day_bounds()
            if self.day >= hi:
                self.day = None
            elif self.day < lo:
                self.day = lo
        self.update_views()

    # ------------------------------------------------------------------ time

    def day_bounds(self) -> tuple[date, date]:
        """(first day, last day) time travel may show: one day before the start .. the latest."""
        first, last = self.store.time_bounds() if self.store else (None, None)
        today = day_of(self.clock())
        hi = day_of(last) if last else today
        lo = (day_of(first) if first else hi) - timedelta(days=1)
        return min(lo, hi), hi

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

    def action_step_day(self, delta: int) -> None:
        if self.store is None:
            return
        lo, hi = self.day_bounds()
        current = self.shown_day
        target = current + timedelta(days=delta)
        if target < lo or (delta > 0 and self.day is None):
            self.bell()
            return
        self.set_day(target)

    def action_now(self) -> None:
        self.stop_replay()
        self.set_day(None)

    def action_goto_date(self) -> None:
        if self.store is None:
            return
        lo, hi = self.day_bounds()

        def done(day: date | None) -> None:
            if day is not None:
                self.set_day(day)

        from .screens import GotoDateScreen

        self.push_screen(GotoDateScreen(lo, hi, self.shown_day), done)

    def action_replay(self) -> None:
        if self.store is None:
            return
        if self.replay_timer is not None:
            self.stop_replay()
            self.notify_plain("Replay stopped.", timeout=2)
            return
        if self.day is None:
            self.set_day(self.day_bounds()[0])
        self.replay_timer = self.set_interval(self.replay_interval, self.replay_tick)
        self.update_header()

    def replay_tick(self) -> None:
        """One replay step: a day forward; stop at the latest moment."""
        if self.day is None:
            self.stop_replay()
            return
        self.action_step_day(1)
        if self.day is None:
            self.stop_replay()

    def stop_replay(self) -> None:
        if self.replay_timer is not None:
            self.replay_timer.stop()
            self.replay_timer = None
            self.update_header()

    # ------------------------------------------------------------------ views

    def update_views(self, which: tuple[str, ...] = PANE_ORDER) -> None:
        """Give each pane in ``which`` the snapshot of the current state."""
        store = self.store
        if not self._panes_alive():
            return  # shutting down: a late message must not touch removed widgets
        if store is None:
            self.update_header()
            return
        as_of = self.as_of
        opts = self.pane_options
        gen = self._store_generation
        tf = parse_filter(self.filters["timeline"])
        base = store.snapshot(as_of, place=self.place, filter=tf)
        if "timeline" in which:
            self.timeline.set_data(base, options=opts, store_generation=gen, marked=self.marked)
            self._update_pane_note("timeline")
        if "quotes" in which:
            qf = parse_filter(self.filters["quotes"])
            snap = dataclasses.replace(
                base,
                quotes=store.quotes(as_of=base.as_of, place=self.place, filter=qf),
                events=store.events(as_of=base.as_of),
                filter=qf,
            )
            self.pane("quotes").set_data(snap, options=opts, store_generation=gen)
            self._update_pane_note("quotes")
        if "stats" in which:
            sf = parse_filter(self.filters["stats"])
            self.pane("stats").set_data(
                dataclasses.replace(base, filter=sf), options=opts, store_generation=gen
            )
            self._update_pane_note("stats")
        if "map" in which:
            mf = parse_filter(self.filters["map"])
            m = self.map_pane
            m.as_of_label = f"as of {fmt_day(base.as_of)}"
            m.set_data(
                dataclasses.replace(base, filter=mf, place=None),
                options=opts,
                store_generation=gen,
                place=self.place,
                highlight=self._event_place(),
            )
            self._update_pane_note("map")
        elif "timeline" in which:
            self._sync_map_highlight()
        self.update_header()

    def _event_place(self) -> str | None:
        ev = self.timeline.selected_event if self.store is not None else None
        return ev.places[0] if ev is not None and ev.places else None

    def _update_pane_note(self, pane_id: str) -> None:
        pane = self.pane(pane_id)
        notes = []
        if (
            pane_id in ("timeline", "quotes")
            and self.place
            and self.store
            and self.place in self.store.places
        ):
            notes.append(f"at {self.store.places[self.place].name}")
        if self.filters[pane_id]:
            notes.append(f"/{self.filters[pane_id]}")
        pane.title_note = " · ".join(notes)
        pane.update_title()

    def update_header(self) -> None:
        headers = self.main_screen.query(StatusHeader) if self.screen_stack else []
        if headers:
            headers.first().update(self.header_text())

    def header_text(self) -> Text:
        """The header line as literal Text."""
        a = self.ascii
        sep = " | " if a else " │ "
        parts: list[tuple[str, str]] = [("sitmon", "bold")]
        store = self.store
        if store is None:
            parts += [
                (sep, "dim"),
                (
                    safe(
                        self.store_error
                        and f"store error: {self.store_error}"
                        or "loading the store…",
                        ascii=a,
                    ),
                    "",
                ),
            ]
            return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")
        lo, hi = self.day_bounds()
        shown = self.shown_day
        if self.day is None:
            when = f"as of {shown.isoformat()} (latest)"
        else:
            start = lo + timedelta(days=1)
            if shown < start:
                when = f"as of {shown.isoformat()} (before the start)"
            else:
                when = f"as of {shown.isoformat()} (day {(shown - start).days + 1} of {(hi - start).days + 1})"
        if self.replay_timer is not None:
            when += " > replay" if a else " ▶ replay"
        parts += [(sep, "dim"), (when, "bold reverse" if self.day is not None else "bold")]
        parts += [(sep, "dim"), (safe(self.data_age_text(), ascii=a), "")]
        feeds = self.feed_text()
        if feeds:
            parts += [(sep, "dim"), (safe(feeds, ascii=a), "")]
        title = store.meta.get("situation", {}).get("title") or ""
        if title:
            parts += [(sep, "dim"), (safe(title, ascii=a), "italic")]
        return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")

    def data_age_text(self) -> str:
        store = self.store
        if store is None:
            return ""
        now = self.clock()
        times = [s.last_success for s in self.feed_status.values() if s.last_success]
        stored = _parse_iso(store.last_refresh())
        if stored:
            times.append(stored)
        if times:
            last = max(times)
            return f"data refreshed {_ago(last, now)}"
        origin = store.meta.get("origin") or "local store"
        return f"data: {origin}"

    def feed_text(self) -> str:
        feeds = self.feeds()
        if not feeds:
            return "feeds: none (offline)"
        now = self.clock()
        errors = [(n, s.last_error) for n, s in self.feed_status.items() if s.last_error]
        running = [n for n, s in self.feed_status.items() if s.running]
        bits = [f"feeds: {len(feeds)}"]
        if running:
            bits.append("refreshing…")
        okays = [s.last_success for s in self.feed_status.values() if s.last_success]
        if okays:
            bits.append(f"ok {max(okays).astimezone(SITUATION_TZ).strftime('%H:%M')}")
        nexts = [
            s.next_attempt for s in self.feed_status.values() if s.next_attempt and not s.running
        ]
        if nexts and self.refresh_enabled:
            n = min(nexts)
            bits.append(
                f"next {n.astimezone(SITUATION_TZ).strftime('%H:%M')}" if n > now else "next now"
            )
        if not self.refresh_enabled:
            bits.append("auto-refresh off")
        if errors:
            name, err = errors[0]
            bits.append(f"error ({name}): {err}")
        return " ".join(bits)

    # ------------------------------------------------------------------ layout

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        screen = self.main_screen
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        grid = width >= GRID_WIDTH and height >= GRID_HEIGHT
        self.layout_mode = "toosmall" if too_small else ("grid" if grid else "compact")
        screen.set_class(too_small, "-toosmall")
        screen.set_class(not too_small and not grid, "-compact")
        screen.set_class(self.maximised, "-max")
        if too_small:
            msg = (
                f"sitmon needs a terminal of at least {MIN_WIDTH}x{MIN_HEIGHT}; "
                f"this one is {width}x{height}. Enlarge it, or press q to quit."
            )
            self.query_one("#toosmall", Static).update(Content(msg))

    def set_active(self, pane_id: str, *, focus: bool = True) -> None:
        self.active_pane = pane_id
        for p in self.panes():
            p.active = p.id == pane_id
        if focus:
            self.pane(pane_id).focus()
        self.refresh_bindings()

    def on_descendant_focus(self, event) -> None:
        widget = event.widget if hasattr(event, "widget") else None
        if isinstance(widget, Pane) and widget.id != self.active_pane:
            self.set_active(widget.id, focus=False)
            bar = self.query_one(FilterBar)
            if bar.display:
                bar.display = False

    def action_next_pane(self, delta: int) -> None:
        i = PANE_ORDER.index(self.active_pane)
        self.set_active(PANE_ORDER[(i + delta) % len(PANE_ORDER)])

    def action_jump(self, pane_id: str) -> None:
        if pane_id in PANE_ORDER:
            self.set_active(pane_id)

    def action_maximise(self) -> None:
        self.maximised = not self.maximised
        self.main_screen.set_class(self.maximised, "-max")
        self.pane(self.active_pane).focus()

    # ------------------------------------------------------------------ filter

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.target = self.active_pane
        bar.placeholder = f"Filter {PANE_TITLES[self.active_pane]}: words, place:hama, faction:sdf, type:capture (Enter keeps, Esc clears)"
        with bar.prevent(Input.Changed):
            bar.value = self.filters[self.active_pane]
        bar.display = True
        bar.focus()

    @on(Input.Changed, "#filterbar")
    def _filter_changed(self, event: Input.Changed) -> None:
        bar = self.query_one(FilterBar)
        self.set_filter(bar.target, event.value)

    def set_filter(self, pane_id: str, text: str) -> None:
        if self.filters.get(pane_id) == text:
            return
        self.filters[pane_id] = text
        self.update_views((pane_id,))

    @on(Input.Submitted, "#filterbar")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        bar = self.query_one(FilterBar)
        bar.display = False
        self.set_active(bar.target)

    @on(FilterBar.Cancelled)
    def _filter_cancelled(self) -> None:
        bar = self.query_one(FilterBar)
        self.set_filter(bar.target, "")
        bar.display = False
        self.set_active(bar.target)

    # ------------------------------------------------------------------ pane messages

    @on(Pane.SelectionChanged)
    def _selection_changed(self, message: Pane.SelectionChanged) -> None:
        pane = message.pane
        if isinstance(pane, MapPane):
            if message.item != self.place:
                self.place = message.item
                self.update_views(("timeline", "quotes", "map"))
        elif isinstance(pane, TimelinePane):
            self._sync_map_highlight()

    def _panes_alive(self) -> bool:
        return bool(self.screen_stack) and bool(self.main_screen.query(Timeline))

    def _sync_map_highlight(self) -> None:
        """The map highlights the place of the timeline's selected event."""
        if not self._panes_alive():
            return
        highlight = self._event_place()
        m = self.map_pane
        if highlight != m.highlight:
            m.configure(highlight=highlight)
            m.rebuild()
            m.invalidate()

    @on(Pane.ClearRequested)
    def _clear_requested(self, message: Pane.ClearRequested) -> None:
        pane_id = message.pane.id
        if self.filters.get(pane_id):
            self.set_filter(pane_id, "")
        elif self.place is not None:
            self.go_to_place(None)

    @on(Pane.OpenDetail)
    def _open_detail(self, message: Pane.OpenDetail) -> None:
        self.open_detail(message.kind, message.item)

    def open_detail(self, kind: str, item: str) -> None:
        if self.store is None:
            return
        from .screens import DetailScreen

        snap = self.store.snapshot(self.as_of)
        opts = self.pane_options
        self.push_screen(
            DetailScreen(snap, kind, item, store=self.store, colour=opts.colour, ascii=opts.ascii)
        )

    def go_to_place(self, place: str | None) -> None:
        """Select ``place`` (None: no place) on the map; timeline and quotes follow."""
        if self.store is None:
            return
        if place is not None and place not in self.store.places:
            return
        self.place = place
        self.map_pane.configure(place=place)
        self.update_views()

    def action_toggle_order(self) -> None:
        self.timeline.action_toggle_order()
        self._update_pane_note("timeline")

    # ------------------------------------------------------------------ screens

    def action_help(self) -> None:
        from .screens import HelpScreen

        self.push_screen(HelpScreen(self.keymap, ascii=self.ascii))

    def action_changes(self) -> None:
        from .screens import ChangesScreen

        self.push_screen(ChangesScreen(self.changes_lines))

    def changes_lines(self, width: int) -> list[StyledLine]:
        """The refresh log, newest first, control flips first in each entry."""
        out: list[StyledLine] = []
        store = self.store
        log = list(store.meta.get("refresh_log", [])) if store else []
        names = self._names()
        if not log:
            origin = store.meta.get("origin", "the store") if store else "the store"
            msg = (
                f"No refreshes yet: the data is the {origin}."
                if store
                else "The store is not loaded yet."
            )
            return [StyledLine(row, ()) for row in wrap(msg, width, ascii=self.ascii)]
        for entry in reversed(log):
            at = _parse_iso(entry.get("at"))
            when = at.astimezone(SITUATION_TZ).strftime("%Y-%m-%d %H:%M") if at else "?"
            feed = entry.get("feed") or "local merge (no feed)"
            head = f"{when}  {feed}"
            head = fit(safe(head, ascii=self.ascii), width, ascii=self.ascii)
            out.append(StyledLine(head, (Span(0, len(head), "bold"),)))
            for flip in entry.get("flips", []):
                text = (
                    f"  control: {names.get(flip.get('place'), flip.get('place'))}: "
                    f"{names.get(flip.get('from'), flip.get('from') or 'none')} -> "
                    f"{names.get(flip.get('to'), flip.get('to'))}"
                )
                out.append(
                    StyledLine(fit(safe(text, ascii=self.ascii), width, ascii=self.ascii), ())
                )
            n = entry.get("counts") or {
                k: len(entry.get(k, [])) for k in ("added", "updated", "deleted", "rejected")
            }
            counts = (
                f"  {n.get('added', 0)} added, {n.get('updated', 0)} updated, "
                f"{n.get('deleted', 0)} deleted, {entry.get('unchanged', 0)} unchanged, "
                f"{n.get('rejected', 0)} rejected"
            )
            out.append(StyledLine(fit(counts, width), ()))
            for kind, rid in (entry.get("added", []) + entry.get("updated", []))[:12]:
                label = self._record_label(kind, rid)
                out.append(
                    StyledLine(
                        fit(
                            safe(f"    {kind}: {label}", ascii=self.ascii), width, ascii=self.ascii
                        ),
                        (),
                    )
                )
            more = len(entry.get("added", [])) + len(entry.get("updated", [])) - 12
            if more > 0:
                out.append(
                    StyledLine(
                        f"    … {more} more" if not self.ascii else f"    ... {more} more", ()
                    )
                )
            for rej in entry.get("rejected", [])[:5]:
                text = f"    rejected {rej.get('kind')} {rej.get('id')}: {rej.get('reason')}"
                out.append(
                    StyledLine(fit(safe(text, ascii=self.ascii), width, ascii=self.ascii), ())
                )
            out.append(StyledLine("", ()))
        return out

    def _record_label(self, kind: str, rid: str) -> str:
        store = self.store
        if store is None:
            return rid
        rec = store.tables.get(kind, {}).get(rid)
        if rec is None:
            return rid
        if kind == "control":
            place = store.places.get(rec.place)
            faction = store.factions.get(rec.faction)
            status = "" if rec.status == "held" else f" ({rec.status})"
            return f"{place.name if place else rec.place} -> {faction.short if faction else rec.faction}{status} from {fmt_day(rec.valid_from)}"
        for attr in ("title", "name", "speaker", "metric"):
            value = getattr(rec, attr, None)
            if value:
                return str(value)
        return rid

    def _names(self) -> dict[str, str]:
        store = self.store
        if store is None:
            return {}
        names = {pid: p.name for pid, p in store.places.items()}
        names.update({fid: f.short for fid, f in store.factions.items()})
        return names

    def action_svg_screenshot(self) -> None:
        self.set_timer(0.1, self._save_svg)

    def _save_svg(self) -> None:
        try:
            path = self.save_screenshot(path=str(_documents_dir()))
        except OSError as exc:
            self.notify_plain(f"Could not save the screenshot: {exc}", severity="error")
            return
        self.notify_plain(f"Saved a screenshot to {path}", title="Screenshot")

    # ------------------------------------------------------------------ export

    def action_export(self, what: str) -> None:
        if self.store is None:
            return
        try:
            from .export_dialog import ExportDialog, ExportRequest
        except ImportError as exc:  # pragma: no cover
            self.notify_plain(f"Export is not available: {exc}", severity="error")
            return
        pane = self.pane(self.active_pane)
        view = "all" if what == "report" else EXPORT_VIEWS[self.active_pane]
        request = ExportRequest(
            view=view,
            as_of=self.as_of,
            as_of_day=self.shown_day,
            place=self.place if view in ("timeline", "quotes", "all") else None,
            filter=self.filters.get(self.active_pane) if view != "all" else None,
            width=max(40, pane.line_width) if view != "all" else 100,
            height=pane.page_height if view == "map" else None,
            newest_first=self.timeline.newest_first,
            selected=pane.selected_id if view != "all" else None,
            ascii=self.ascii,
            map_options=self.map_pane.map_options() if view in ("map", "all") else None,
        )
        self.push_screen(ExportDialog(self.store, request, directory=self.export_dir))

    # ------------------------------------------------------------------ store on disk

    def _check_disk(self) -> None:
        if (
            self.store is None
            or self._disk_busy
            or any(s.running for s in self.feed_status.values())
        ):
            return
        self._disk_busy = True
        self._disk_worker(self.store)

    @work(thread=True, exclusive=True, group="disk", exit_on_error=False)
    def _disk_worker(self, store: Store) -> None:
        """Has another process (``sitmon refresh`` from cron, ...) rewritten the store?"""
        from sitmon.store import Store

        try:
            if store.changed_on_disk() and store.path.exists():
                self.post_message(StoreReloaded(Store.open(store.path, seed=False)))
                return
        except Exception:  # unreadable right now: keep showing what we have, try again later
            pass
        self._disk_busy = False  # a plain flag; the next timer tick reads it

    @on(StoreReloaded)
    def _store_reloaded(self, message: StoreReloaded) -> None:
        self._disk_busy = False
        self._install_store(message.store)
        self.notify_plain("The store changed on disk; reloaded.", title="Store", timeout=4)

    # ------------------------------------------------------------------ feeds

    def feeds(self) -> list[Any]:
        """The enabled feeds of the config."""
        return [
            f for f in (getattr(self.config, "feeds", None) or []) if getattr(f, "enabled", True)
        ]

    def _init_feed_status(self) -> None:
        store = self.store
        for feed in self.feeds():
            st = self.feed_status.setdefault(feed.name, FeedStatus())
            saved = store.feed_state(feed.name) if store is not None else {}
            st.last_success = st.last_success or _parse_iso(saved.get("last_success"))
            err = saved.get("last_error")
            if isinstance(err, str) and err:
                st.last_error = err

    def _feed_interval(self, feed: Any) -> float:
        interval = getattr(feed, "interval", None) or 900
        try:
            return max(10.0, float(interval))
        except (TypeError, ValueError):
            return 900.0

    def _arm_refresh(self, feed: Any, delay: float) -> None:
        old = self._refresh_timers.pop(feed.name, None)
        if old is not None:
            old.stop()
        st = self.feed_status.setdefault(feed.name, FeedStatus())
        st.next_attempt = self.clock() + timedelta(seconds=delay)
        self._refresh_timers[feed.name] = self.set_timer(delay, partial(self.start_refresh, feed))

    def action_refresh_feeds(self) -> None:
        feeds = self.feeds()
        if not feeds:
            self.notify_plain(
                "No feeds configured: add [[feeds]] to the config file.",
                title="Refresh",
                severity="warning",
            )
            return
        if self.store is None:
            return
        started = [f.name for f in feeds if self.start_refresh(f)]
        if started:
            self.notify_plain(f"Refreshing {', '.join(started)}…", title="Refresh", timeout=3)
        else:
            self.notify_plain("A refresh is already running.", title="Refresh", timeout=3)

    def start_refresh(self, feed: Any) -> bool:
        """Start the refresh worker of ``feed`` unless it is already running."""
        if self.store is None:
            return False
        st = self.feed_status.setdefault(feed.name, FeedStatus())
        if st.running:
            return False
        timer = self._refresh_timers.pop(feed.name, None)
        if timer is not None:
            timer.stop()
        st.running = True
        st.last_attempt = self.clock()
        st.next_attempt = None
        self.update_header()
        self.run_worker(
            partial(self._refresh_thread, feed, self.store.path),
            thread=True,
            exclusive=True,
            group=f"refresh-{feed.name}",
            exit_on_error=False,
            name=f"refresh {feed.name}",
        )
        return True

    def _refresh_thread(self, feed: Any, path: Path) -> None:
        """Fetch and merge one feed into a private Store instance (never the UI's)."""
        try:
            from sitmon.store import Store
            from sitmon.store.refresh import refresh_feed

            writer = Store.open(path, seed=False)
            result = refresh_feed(
                writer, feed, factions=getattr(self.config, "factions", None) or None
            )
        except Exception as exc:
            self.post_message(
                RefreshFinished(feed.name, None, None, f"{type(exc).__name__}: {exc}")
            )
            return
        error = getattr(result, "error", None)
        self.post_message(RefreshFinished(feed.name, result, writer, error))

    @on(RefreshFinished)
    def _refresh_finished(self, message: RefreshFinished) -> None:
        st = self.feed_status.setdefault(message.feed, FeedStatus())
        st.running = False
        feed = next((f for f in self.feeds() if f.name == message.feed), None)
        changes = _changeset_of(message.result)
        if message.error:
            st.last_error = safe(
                str(message.error).splitlines()[0] if str(message.error) else "failed"
            )
            self.notify_plain(
                f"{message.feed}: {st.last_error}. Showing stored data.",
                title="Refresh failed",
                severity="warning",
            )
        else:
            st.last_error = None
            st.last_success = self.clock()
        if message.store is not None and changes is not None and changes.changed:
            self.marked = frozenset(rid for kind, rid in changes.touched_ids() if kind == "event")
            self.last_changes.append(changes)
            del self.last_changes[:-20]  # this session's last 20 refreshes are enough
            self._install_store(message.store)
            self.notify_plain(
                self._change_summary(message.result, changes),
                title=f"Refreshed {message.feed}",
                timeout=10,
            )
        elif message.store is not None:
            if not message.error:
                self.marked = frozenset()  # marks last until the next refresh
            self._install_store(message.store)  # the feed state (validators, times) changed
        if feed is not None and self.refresh_enabled:
            self._arm_refresh(feed, self._feed_interval(feed))
        self.update_header()

    def _change_summary(self, result: Any, changes: Any) -> str:
        """Control flips first (``Homs: Government -> HTS-led``), then the counts."""
        names = self._names()
        lines = [str(x) for x in (getattr(result, "flips", None) or [])]
        for f in [] if lines else getattr(changes, "flips", []):
            lines.append(
                f"{names.get(f.place, f.place)}: {names.get(f.from_faction or '', f.from_faction or 'none')}"
                f" -> {names.get(f.to_faction, f.to_faction)}"
            )
        lines.append(
            f"{len(changes.added)} added, {len(changes.updated)} updated, {len(changes.deleted)} deleted"
            + (f", {len(changes.rejected)} rejected" if changes.rejected else "")
        )
        return "\n".join(lines)

    # ------------------------------------------------------------------ quit

    async def action_quit(self) -> None:
        self.stop_replay()
        self.exit(0)

    async def action_quit_main(self) -> None:
        """``q``: quit from the main screen (in dialogs ``q`` is just a letter; Ctrl+Q always quits)."""
        await self.action_quit()


def _changeset_of(result: Any):
    """The ChangeSet inside a refresh result (whatever the attribute is called)."""
    if result is None:
        return None
    for attr in ("changes", "changeset", "change_set", "cs"):
        value = getattr(result, attr, None)
        if value is not None and hasattr(value, "touched_ids"):
            return value
    return result if hasattr(result, "touched_ids") else None


def _documents_dir() -> Path:
    try:
        import platformdirs

        return Path(platformdirs.user_documents_dir())
    except Exception:  # pragma: no cover
        return Path.home()


# --------------------------------------------------------------------------- entry point


def _load_config(args: argparse.Namespace):
    """(config, error message) from the config module, when it is available."""
    try:
        from . import config as config_mod
    except ImportError:
        return None, None
    try:
        path = config_mod.config_path(args)
        return config_mod.load_config(path), None
    except getattr(config_mod, "ConfigError", ValueError) as exc:
        return None, f"Config not loaded: {exc}. Using defaults."


def run_app(args: argparse.Namespace) -> int:
    """``sitmon`` / ``sitmon run``: open the monitor."""
    from .cli.common import store_path

    as_of = None
    if getattr(args, "as_of", None):
        try:
            as_of = day_of(parse_as_of(args.as_of))
        except TimeError as exc:
            print(f"sitmon: --as-of: {exc}", file=sys.stderr)
            return 2
    config, config_error = _load_config(args)
    app = SitmonApp(
        store_path(args),
        config=config,
        config_error=config_error,
        as_of=as_of,
        theme=getattr(args, "theme", None),
        refresh=not getattr(args, "no_refresh", False),
    )
    app.run()
    return app.return_code or 0
