"""The main screen: four panes, the header, the filter line; it owns the main keys.

The situation state (the store, the shown day, the selected place, a filter per
pane) lives on the app (:class:`~.app.SitmonApp`); this screen turns it into one
:class:`~sitmon.store.query.Snapshot` per pane (:meth:`MainScreen.update_views`)
and answers the main screen's keys (the ``app.*`` ids of :mod:`.actions`). Being
the screen's bindings, they are inactive while a dialog or a detail screen is on
top, with no guard.

Over 500 lines on purpose: each of the ~30 main-screen keys is a short method that
reads and sets the same view state this screen turns into snapshots, so they change
together; what is not about that state lives beside it (dialogs in
:mod:`.screens`, the older history's labels and gating in :mod:`.history`, the
header's rendering in :mod:`sitmon.widgets.header_render`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from sitmon.store.filtering import FilterError
from sitmon.store.query import Snapshot, parse_filter
from sitmon.store.search import SearchPending
from sitmon.store.termsafe import terminal_safe
from sitmon.store.timeutil import end_of_day, fmt_day
from sitmon.store.views import view_snapshot
from sitmon.widgets.changes_render import render_changes
from sitmon.widgets.feeds_render import size_notice
from sitmon.widgets.header_render import HeaderState, parse_iso, render_header
from sitmon.widgets.lines import StyledLine
from sitmon.widgets.panes import MapPane, Pane, TimelinePane
from textual import on
from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from . import actions, main_widgets
from .history import after_history
from .main_widgets import FilterBar, MapView, Quotes, Stats, StatusHeader, Timeline

if TYPE_CHECKING:
    from .app import SitmonApp

__all__ = ["GRID_HEIGHT", "GRID_WIDTH", "MIN_HEIGHT", "MIN_WIDTH", "PANE_ORDER", "MainScreen"]

#: below this the screen shows a message instead of panes
MIN_WIDTH = 60
MIN_HEIGHT = 16
#: at or above this the panes sit in a 2x2 grid; below, the focused pane takes the room
GRID_WIDTH = 110
GRID_HEIGHT = 30

PANE_ORDER = ("timeline", "map", "quotes", "stats")
#: the panes that list events (or name them): labelled while the older months load
HISTORY_PANES = ("timeline", "quotes")
PANE_TITLES = {"timeline": "Timeline", "map": "Map", "quotes": "Quotes", "stats": "Statistics"}


class MainScreen(Screen):
    """The monitor's main screen (the app's default screen)."""

    BINDINGS: ClassVar = actions.bindings("app")

    app: SitmonApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.active_pane = "timeline"
        self.maximised = False
        self.layout_mode = "grid"
        self.replay_timer: Timer | None = None
        #: set at the end of on_mount, which shows whatever state the app is in then
        self._mounted = False

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
        yield main_widgets.CompactFooter()

    def on_mount(self) -> None:
        app = self.app
        bar = self.query_one(FilterBar)
        bar.display = False
        bar.cursor_blink = app.cursor_blink
        for pane in self.panes():
            pane.options = app.pane_options
            pane.set_message("Loading the store…")
        self.show_key_hints()
        self.set_class(app.ascii, "-ascii")
        self.map_pane.area = app.map_area()
        self.apply_layout(app.size.width, app.size.height)
        self.set_active("timeline", focus=True)
        self._mounted = True
        # the store loads while this screen mounts: it may be there (or have failed) already
        if app.store is not None:
            self.update_views()
        elif app.store_error:
            self.show_store_error(app.store_error)

    def start_finished(self) -> None:
        """The app's first data frame is painted: the footer shows its keys now."""
        for footer in self.query(main_widgets.CompactFooter):
            footer.keys_wanted()

    def show_store_error(self, error: str) -> None:
        """Every pane says the store could not be opened (``error``: one line, escaped here)."""
        if not self._panes_alive():
            return
        for pane in self.panes():
            pane.set_message(f"Cannot open the store: {terminal_safe(error)}")

    def show_key_hints(self) -> None:
        """Each pane's title names the key that jumps to it, as bound now."""
        app = self.app
        for pane in self.query(Pane):
            pane.key_hint = actions.key_hint(f"app.pane_{pane.id}", app.keymap, ascii=app.ascii)
            pane.update_title()

    # ------------------------------------------------------------------ panes

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

    def _panes_alive(self) -> bool:
        stack = self.app.screen_stack
        return self._mounted and bool(stack) and stack[0] is self and bool(self.query(Timeline))

    # ------------------------------------------------------------------ views

    def update_views(self, which: tuple[str, ...] = PANE_ORDER) -> None:
        """Give each pane in ``which`` the snapshot of the app's current state.

        Each pane shows :func:`sitmon.store.views.view_snapshot` of its view, the
        function the export writes too; a filter that does not apply to a pane's
        records is refused there, with the reason in the pane.
        """
        app = self.app
        store = app.store
        if not self._panes_alive():
            return  # shutting down: a late message must not touch removed widgets
        if store is None:
            self.update_header()
            return
        opts = app.pane_options
        gen = app.store_generation
        for pane_id in PANE_ORDER:
            if pane_id not in which:
                continue
            pane = self.pane(pane_id)
            if app.history.label(pane, pane_id, store, app.as_of):  # a day not read yet
                self._update_pane_note(pane_id)
                continue
            try:
                snap = self._pane_snapshot(pane_id)
            except FilterError as exc:
                pane.set_message(f"Filter not applied: {exc}.")
                self._update_pane_note(pane_id)
                continue
            if pane_id == "timeline":
                pane.set_data(snap, options=opts, store_generation=gen, marked=app.marked)
            elif pane_id == "map":
                pane.as_of_label = f"as of {fmt_day(snap.as_of)}"
                pane.set_data(
                    snap,
                    options=opts,
                    store_generation=gen,
                    place=app.place,
                    highlight=self._event_place(),
                )
            else:
                pane.set_data(snap, options=opts, store_generation=gen)
            self._update_pane_note(pane_id)
        if "timeline" in which and "map" not in which:
            self._sync_map_highlight()
        self.update_header()

    def view_snapshot(self, pane_id: str, index: str = "build") -> Snapshot:
        """The snapshot ``pane_id`` shows (and ``e`` exports) in the app's state.

        ``index``: what the filter's words do to the events while the search index is
        not built (``Store.events``). Raises :class:`~sitmon.store.filtering.FilterError`
        for a filter that does not apply to the pane's records.
        """
        app = self.app
        return view_snapshot(
            app.store,
            pane_id,
            as_of=app.as_of,
            place=None if pane_id == "map" else app.place,  # on the map: the selection
            filter=app.filters[pane_id],
            index=index,
        )

    def _pane_snapshot(self, pane_id: str) -> Snapshot:
        """:meth:`view_snapshot` without ever building the search index on this thread.

        Only the timeline lists events: the other panes skip the words' cut of them.
        A timeline whose filter's words wait for the index shows its rows not narrowed
        by them, and its title says so until the index worker is done (tui/indexing.py).
        """
        indexer = self.app.indexer
        if pane_id != "timeline":
            indexer.pending.discard(pane_id)
            return self.view_snapshot(pane_id, index="skip")
        try:
            snap = self.view_snapshot(pane_id, index="ready")
        except SearchPending:
            indexer.wait(pane_id, self.app.store)
            return self.view_snapshot(pane_id, index="skip")
        indexer.pending.discard(pane_id)
        return snap

    def _event_place(self) -> str | None:
        ev = self.timeline.selected_event if self.app.store is not None else None
        return ev.places[0] if ev is not None and ev.places else None

    def _update_pane_note(self, pane_id: str) -> None:
        app = self.app
        pane = self.pane(pane_id)
        notes = []
        if (
            pane_id in ("timeline", "quotes")
            and app.place
            and app.store
            and app.place in app.store.places
        ):
            notes.append(f"at {app.store.places[app.place].name}")
        if app.filters[pane_id]:
            notes.append(f"/{app.filters[pane_id]}")
        pending = app.indexer.note(pane_id)
        if pending:  # the filter's words wait for the search index
            notes.append(pending)
        history = app.history.note(app.store) if pane_id in HISTORY_PANES else None
        if history:  # its events are the newest months only: say so
            notes.append(history)
        pane.title_note = " · ".join(notes)
        pane.update_title()

    # ------------------------------------------------------------------ header

    def update_header(self) -> None:
        headers = self.query(StatusHeader)
        if headers:
            headers.first().refresh()

    def header_state(self) -> HeaderState:
        """What the header shows, gathered from the app (pure data for render_header)."""
        app = self.app
        store = app.store
        now = app.clock()
        if store is None:
            error = app.store_error
            return HeaderState(
                now=now,
                status=f"store error: {error}" if error else "loading the store…",
                status_error=bool(error),
            )
        lo, hi = app.day_bounds()
        shown = app.shown_day
        if app.day is None:
            note = "latest"
        elif shown < lo + timedelta(days=1):
            note = "before the start"
        else:
            start = lo + timedelta(days=1)
            note = f"day {(shown - start).days + 1} of {(hi - start).days + 1}"
        return HeaderState(
            now=now,
            day=shown.isoformat(),
            day_note=note,
            zone=app.situation_zone_label(),
            time_travel=app.day is not None,
            replay=self.replay_timer is not None,
            feeds=app.scheduler.health(),
            refresh_enabled=app.refresh_enabled,
            origin=str(store.meta.get("origin") or "local store"),
            store_refreshed=parse_iso(store.last_refresh()),
            store_imported=parse_iso(store.last_import()),
            title=store.meta.get("situation", {}).get("title") or "",
        )

    def header_line(self, width: int | None = None) -> StyledLine:
        """The header at ``width`` cells (default: the header's width): whole segments only."""
        if width is None:
            headers = self.query(StatusHeader)
            width = headers.first().size.width if headers else self.app.size.width
        app = self.app
        return render_header(
            self.header_state(), max(1, width), ascii=app.ascii, colour=not app.no_color
        )

    def header_text(self, width: int | None = None) -> Text:
        """The header line as literal Text (one line; it already fits)."""
        line = self.header_line(width)
        text = Text(line.text, no_wrap=True, overflow="crop")
        for span in line.spans:
            text.stylize(span.style, span.start, span.end)
        return text

    # ------------------------------------------------------------------ layout

    def on_resize(self, event: Resize) -> None:
        self.apply_layout(event.size.width, event.size.height)

    def apply_layout(self, width: int, height: int) -> None:
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        grid = width >= GRID_WIDTH and height >= GRID_HEIGHT
        self.layout_mode = "toosmall" if too_small else ("grid" if grid else "compact")
        self.set_class(too_small, "-toosmall")
        self.set_class(not too_small and not grid, "-compact")
        self.set_class(self.maximised, "-max")
        if too_small:
            rows = size_notice(width, height, MIN_WIDTH, MIN_HEIGHT)
            self.query_one("#toosmall", Static).update(Content("\n".join(rows)))

    def set_active(self, pane_id: str, *, focus: bool = True) -> None:
        self.active_pane = pane_id
        if self.is_mounted and self.query("#stats"):
            self.pane("stats").show_chart(self.maximised and pane_id == "stats")
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
        self.set_class(self.maximised, "-max")
        self.pane(self.active_pane).focus()
        # the maximised statistics pane has the room to chart the selected metric
        self.pane("stats").show_chart(self.maximised and self.active_pane == "stats")

    # ------------------------------------------------------------------ time

    def action_step_day(self, delta: int) -> None:
        app = self.app
        if app.store is None:
            return
        lo, _hi = app.day_bounds()
        target = app.shown_day + timedelta(days=delta)
        if target < lo or (delta > 0 and app.day is None):
            app.bell()
            return
        app.set_day(target)

    def action_now(self) -> None:
        self.stop_replay()
        self.app.set_day(None)

    def action_goto_date(self) -> None:
        app = self.app
        if app.store is None:
            return
        lo, hi = app.day_bounds()

        def done(day: date | None) -> None:
            if day is not None:
                app.set_day(day)

        from .screens import GotoDateScreen

        app.push_screen(GotoDateScreen(lo, hi, app.shown_day), done)

    def action_replay(self) -> None:
        app = self.app
        if app.store is None:
            return
        if self.replay_timer is not None:
            self.stop_replay()
            app.notify_plain("Replay stopped.", timeout=2)
            return
        if app.day is None:
            app.set_day(app.day_bounds()[0])
        self.replay_timer = app.set_interval(app.replay_interval, self.replay_tick)
        self.update_header()

    def replay_tick(self) -> None:
        """One replay step: a day forward; stop at the latest moment."""
        if self.app.day is None:
            self.stop_replay()
            return
        self.action_step_day(1)
        if self.app.day is None:
            self.stop_replay()

    def stop_replay(self) -> None:
        if self.replay_timer is not None:
            self.replay_timer.stop()
            self.replay_timer = None
            self.update_header()

    # ------------------------------------------------------------------ filter and place

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.target = self.active_pane
        bar.placeholder = f"Filter {PANE_TITLES[self.active_pane]}: words, place:hama, faction:sdf, type:capture (Enter keeps, Esc clears)"
        with bar.prevent(Input.Changed):
            bar.value = self.app.filters[self.active_pane]
        bar.display = True
        bar.focus()

    @on(Input.Changed, "#filterbar")
    def _filter_changed(self, event: Input.Changed) -> None:
        bar = self.query_one(FilterBar)
        self.set_filter(bar.target, event.value)

    def set_filter(self, pane_id: str, text: str) -> None:
        filters = self.app.filters
        if filters.get(pane_id) == text:
            return
        filters[pane_id] = text
        self.update_views((pane_id,))

    @on(Input.Submitted, "#filterbar")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        bar = self.query_one(FilterBar)
        bar.display = False
        self.set_active(bar.target)
        app = self.app
        if app.store is not None:  # the command line's rule: unknown type:/faction:/place: values
            from sitmon.store.argcheck import filter_problems

            problems = filter_problems(parse_filter(event.value), app.store)
            if problems:
                app.notify_plain("\n".join(problems), title="Filter", severity="warning")

    @on(FilterBar.Cancelled)
    def _filter_cancelled(self) -> None:
        bar = self.query_one(FilterBar)
        self.set_filter(bar.target, "")
        bar.display = False
        self.set_active(bar.target)

    def go_to_place(self, place: str | None) -> None:
        """Select ``place`` (None: no place) on the map; timeline and quotes follow."""
        app = self.app
        if app.store is None:
            return
        if place is not None and place not in app.store.places:
            return
        app.place = place
        self.map_pane.configure(place=place)
        self.update_views()

    # ------------------------------------------------------------------ pane messages

    @on(Pane.SelectionChanged)
    def _selection_changed(self, message: Pane.SelectionChanged) -> None:
        pane = message.pane
        if isinstance(pane, MapPane):
            if message.item != self.app.place:
                self.app.place = message.item
                self.update_views(("timeline", "quotes", "map"))
        elif isinstance(pane, TimelinePane):
            self._sync_map_highlight()

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
        if self.app.filters.get(pane_id):
            self.set_filter(pane_id, "")
        elif self.app.place is not None:
            self.go_to_place(None)

    @on(Pane.OpenDetail)
    def _open_detail(self, message: Pane.OpenDetail) -> None:
        self.open_detail(message.kind, message.item)

    @after_history("the details open")  # its related events need the whole history
    def open_detail(self, kind: str, item: str) -> None:
        app = self.app
        if app.store is None:
            return
        from .screens import DetailScreen

        snap = app.store.snapshot(app.as_of)
        opts = app.pane_options
        app.push_screen(
            DetailScreen(snap, kind, item, store=app.store, colour=opts.colour, ascii=opts.ascii)
        )

    def action_toggle_order(self) -> None:
        self.timeline.action_toggle_order()
        self._update_pane_note("timeline")

    # ------------------------------------------------------------------ other screens

    def action_help(self) -> None:
        from .screens import HelpScreen

        self.app.push_screen(HelpScreen(self.app.keymap, ascii=self.app.ascii))

    @after_history("the change log opens")
    def action_changes(self) -> None:
        from .screens import ChangesScreen

        self.app.push_screen(ChangesScreen(self.changes_lines))

    def changes_lines(self, width: int) -> list[StyledLine]:
        """The refresh log, newest first (:func:`sitmon.widgets.changes_render.render_changes`)."""
        return render_changes(self.app.store, width, ascii=self.app.ascii)

    def action_export(self, what: str) -> None:
        """``e``: the focused pane exactly as shown; ``E`` (``what="report"``): the report."""
        app = self.app
        if app.store is None:
            return
        from sitmon.widgets.export import MIN_HEIGHT, MIN_WIDTH, ExportError, ExportRequest

        from .export_dialog import ExportDialog

        pane = self.pane(self.active_pane)
        report = what == "report"
        view = "all" if report else self.active_pane
        try:
            request = ExportRequest(
                view=view,
                as_of=end_of_day(app.shown_day),
                place=app.place if view in ("timeline", "quotes", "all") else None,
                filter=None if report else app.filters.get(view),
                width=100 if report else max(MIN_WIDTH, pane.line_width),
                height=max(MIN_HEIGHT, pane.page_height) if view == "map" else None,
                newest_first=self.timeline.newest_first,
                selected=None if report else pane.selected_id,
                ascii=app.ascii,
                map_options=self.map_pane.map_options() if view in ("map", "all") else None,
            )
        except ExportError as exc:  # the pane's filter does not apply: the pane says so too
            app.notify_plain(f"Not exported: {exc}.", title="Export", severity="warning")
            return
        app.push_screen(ExportDialog(app.store, request, directory=app.export_dir))

    @on(Pane.CopyRequested)
    @after_history("it is copied (or opened)")
    def _copy_requested(self, message: Pane.CopyRequested) -> None:
        app = self.app
        if app.store is None:
            return
        snap = app.store.snapshot(app.as_of)
        if message.what == "open":
            app.open_record_url(snap, message.kind, message.item)
        else:
            app.copy_record(snap, message.kind, message.item)

    def action_feeds(self) -> None:
        from .screens import FeedsScreen

        self.app.push_screen(FeedsScreen())

    def action_refresh_feeds(self) -> None:
        self.app.scheduler.refresh_now()

    async def action_quit_main(self) -> None:
        """``q``: quit from the main screen (in dialogs ``q`` is just a letter; Ctrl+Q always quits)."""
        await self.app.action_quit()
