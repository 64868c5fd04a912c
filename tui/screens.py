"""Screens pushed over the main view: detail, help, what changed, go to date.

Each shows its text through :class:`sitmon.widgets.panes.TextView` (literal
StyledLines, never markup) and goes back with Esc.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sitmon.store.timeutil import TimeError, day_of, parse_as_of
from sitmon.widgets.detail_render import render_detail_links
from sitmon.widgets.lines import Span, StyledLine
from sitmon.widgets.panes import TextView
from sitmon.widgets.render_util import fit, safe, wrap
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from . import actions

__all__ = [
    "ChangesScreen",
    "DetailScreen",
    "FeedsScreen",
    "GotoDateScreen",
    "HelpScreen",
    "TextScreen",
    "help_lines",
]


class ReaderView(TextView):
    """A TextView with the reader keys (scroll, links, back)."""

    BINDINGS = [b for b in actions.bindings("detail") if b.id not in ("detail.back", "help.close")]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_link", "follow_link"):
            return self.has_links
        if action in ("copy", "open_url"):
            return hasattr(self.screen, "copy_selected")
        return True

    def action_copy(self) -> None:
        self.screen.copy_selected()  # type: ignore[attr-defined]

    def action_open_url(self) -> None:
        self.screen.open_selected()  # type: ignore[attr-defined]


class FeedsView(ReaderView):
    """The Feeds screen's reader: a link is a feed, so Tab selects the next feed and
    Enter (or ``r``) refreshes it, ``R`` refreshes them all (these keys replace the
    reader's link keys; the scroll keys stay)."""

    BINDINGS = actions.bindings("feeds")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("refresh_feed", "refresh_all"):
            return self.has_links  # no feed configured: the screen says how to add one
        return super().check_action(action, parameters)

    def action_refresh_feed(self) -> None:
        self.screen.refresh_feeds(selected=True)  # type: ignore[attr-defined]

    def action_refresh_all(self) -> None:
        self.screen.refresh_feeds(selected=False)  # type: ignore[attr-defined]


class TextScreen(Screen):
    """A full screen of text with a title line, scrolling and Esc to go back."""

    #: the reader widget the screen shows its text in
    reader: type[ReaderView] = ReaderView

    BINDINGS = [b for b in actions.bindings("detail") if b.id == "detail.back"]
    DEFAULT_CSS = """
    TextScreen { layout: vertical; }
    TextScreen > .screen-title { height: 1; background: $panel; color: $text; text-style: bold; padding: 0 1; }
    TextScreen > ReaderView { height: 1fr; border: heavy $accent; padding: 0 1; }
    """

    def __init__(
        self, title: str, render: Callable[[int], object], *, name: str | None = None
    ) -> None:
        super().__init__(name=name)
        self._title = title
        self._text_fn = render

    def compose(self) -> ComposeResult:
        yield Static(Content(self._title), classes="screen-title")
        yield self.reader(self._text_fn, id="reader")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ReaderView).focus()

    @property
    def view(self) -> ReaderView:
        return self.query_one(ReaderView)

    def action_back(self) -> None:
        self.dismiss()


class DetailScreen(TextScreen):
    """Everything about one event, quote, place or figure; linked records open with Enter."""

    def __init__(
        self,
        snapshot,
        kind: str,
        item: str,
        *,
        store=None,
        colour: bool = True,
        ascii: bool = False,
    ) -> None:
        self.snapshot = snapshot
        self.kind = kind
        self.item = item
        self.store = store
        self.colour = colour
        self.ascii = ascii
        label = {"event": "Event", "quote": "Quote", "place": "Place", "figure": "Figure"}.get(
            kind, kind
        )
        name = _name_of(snapshot, kind, item, store)
        title = safe(f"{label}: {name}  (as of {day_of(snapshot.as_of).isoformat()})", ascii=ascii)
        super().__init__(title, self._render_detail)

    def _render_detail(self, width: int):
        return render_detail_links(
            self.snapshot,
            self.kind,
            self.item,
            width,
            store=self.store,
            colour=self.colour,
            ascii=self.ascii,
        )

    def _selected_url(self) -> str | None:
        link = self.view.link if self.view.link_index is not None else None
        return link[1] if isinstance(link, tuple) and link[0] == "url" else None

    def copy_selected(self) -> None:
        """``y``: the selected URL, else this record as text with its sources."""
        url = self._selected_url()
        if url:
            self.app.copy_text(url, "the URL")
        else:
            self.app.copy_record(self.snapshot, self.kind, self.item)

    def open_selected(self) -> None:
        """``o``: the selected URL, else the record's first source URL."""
        url = self._selected_url()
        if url:
            self.app.open_url(url)
        else:
            self.app.open_record_url(self.snapshot, self.kind, self.item)

    @on(TextView.LinkActivated)
    def _follow(self, event: TextView.LinkActivated) -> None:
        kind, item = event.target
        if kind == "url":
            self.app.open_url(item)
            return
        self.app.push_screen(
            DetailScreen(
                self.snapshot, kind, item, store=self.store, colour=self.colour, ascii=self.ascii
            )
        )


#: the keys the Feeds screen's hint line names (as the user's keymap binds them)
_FEEDS_HINT_KEYS = ("feeds.next", "feeds.refresh", "feeds.refresh_all", "detail.back")


class FeedsScreen(TextScreen):
    """Every configured feed: last success, last error in full, next attempt, records added.

    Tab selects a feed; Enter (or ``r``) refreshes the selected one, ``R`` every
    feed (:class:`FeedsView`'s keys). The screen follows the refreshes live.
    """

    reader = FeedsView

    def __init__(self) -> None:
        super().__init__("Feeds", self._render_feeds)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self.view.rerender)
        if self.view.has_links and self.view.link_index is None:
            self.view.action_next_link(1)

    def _render_feeds(self, width: int):
        from sitmon.widgets.feeds_render import feed_blocks

        app = self.app
        health = app.scheduler.health()
        if not health:
            msg = (
                "No feeds configured. Add [[feeds]] to the config file "
                "(`sitmon config init` writes a commented example; `sitmon config path` "
                "says where it is)."
            )
            return [StyledLine(row) for row in wrap(msg, width, ascii=app.ascii)], {}
        lines: list[StyledLine] = []
        links: dict[int, object] = {}
        for name, block in feed_blocks(
            health,
            app.clock(),
            width,
            selected=None,
            colour=not app.no_color,
            ascii=app.ascii,
        ):
            links[len(lines)] = ("feed", name)
            lines += block
        keys = {a: actions.key_hint(a, app.keymap, ascii=app.ascii) for a in _FEEDS_HINT_KEYS}
        hint = (
            f"{keys['feeds.next']} selects a feed · {keys['feeds.refresh']} refreshes it · "
            f"{keys['feeds.refresh_all']} refreshes every feed · {keys['detail.back']} goes back"
        )
        lines.append(StyledLine(""))
        for row in wrap(hint, width, ascii=app.ascii):
            lines.append(StyledLine(row, (Span(0, len(row), "dim"),)))
        return lines, links

    @on(TextView.LinkActivated)
    def _refresh_one(self, event: TextView.LinkActivated) -> None:
        _kind, name = event.target
        self.app.scheduler.refresh_now([name])
        self.view.rerender()

    def refresh_feeds(self, *, selected: bool) -> None:
        """Refresh the selected feed (``selected``; every feed when none is selected), or
        every feed."""
        link = self.view.link if selected and self.view.link_index is not None else None
        self.app.scheduler.refresh_now([link[1]] if link else None)
        self.view.rerender()


def _name_of(snapshot, kind: str, item: str, store) -> str:
    if kind == "place":
        p = snapshot.places.get(item)
        return p.name if p else item
    if kind == "event":
        table = store.tables["event"] if store is not None else {e.id: e for e in snapshot.events}
        e = table.get(item)
        return e.title if e else item
    if kind == "quote":
        quotes = store.tables["quote"] if store is not None else {q.id: q for q in snapshot.quotes}
        q = quotes.get(item)
        return q.speaker if q else item
    from sitmon.widgets.render_util import metric_label

    return metric_label(item)


def help_lines(keymap, width: int, *, ascii: bool = False) -> list[StyledLine]:
    """Every key, grouped by where it works, with the user's remapping applied."""
    out: list[StyledLine] = []
    key_w = 22

    def add_row(keys: str, what: str, aid: str = "") -> None:
        k = fit(keys, key_w - 1, ascii=ascii, pad=True)
        rows = wrap(what, max(10, width - key_w - 2), ascii=ascii) or [""]
        for i, row in enumerate(rows):
            lead = (k + " ") if i == 0 else " " * key_w
            text = fit(safe(lead + row, ascii=ascii), width, ascii=ascii)
            spans = (Span(0, min(len(k), len(text)), "bold"),) if i == 0 else ()
            out.append(StyledLine(text, spans))

    def heading(title: str) -> None:
        if out:
            out.append(StyledLine("", ()))
        t = fit(title, width, ascii=ascii)
        out.append(StyledLine(t, (Span(0, len(t), "bold underline"),)))

    heading("Anywhere")
    for _, keys, what in actions.EXTRA_KEYS:
        add_row(keys, what)
    current = None
    for scope, keys, what, aid in actions.rows(keymap):
        if scope != current:
            heading(scope)
            current = scope
        add_row(
            keys if not ascii else actions.display_keys(",".join(keys.split(" ")), ascii=True),
            what,
            aid,
        )
    out.append(StyledLine("", ()))
    for row in wrap(
        "Remap any key in the config file's [keymap] table by binding id, for example "
        '"app.day_back" = "comma". Mouse: click a pane to focus it, click a row to select it, '
        "double-click to open it, the wheel scrolls.",
        width,
        ascii=ascii,
    ):
        out.append(StyledLine(row, ()))
    return out


class HelpScreen(TextScreen):
    """Every key (``?``)."""

    BINDINGS = [
        *TextScreen.BINDINGS,
        *(b for b in actions.bindings("detail") if b.id == "help.close"),
    ]

    def __init__(self, keymap=None, *, ascii: bool = False) -> None:
        super().__init__("sitmon keys", lambda w: help_lines(keymap, w, ascii=ascii))


class ChangesScreen(TextScreen):
    """What changed: the store's refresh log, newest first (``c``)."""

    def __init__(self, render: Callable[[int], list[StyledLine]]) -> None:
        super().__init__("What changed: the last refreshes", render)


class GotoDateScreen(ModalScreen[date | None]):
    """Ask for a date within the time-travel bounds."""

    DEFAULT_CSS = """
    GotoDateScreen { align: center middle; }
    GotoDateScreen > Vertical {
        width: 56; height: auto; border: heavy $accent; background: $surface; padding: 0 1;
    }
    GotoDateScreen Input { margin: 1 0 0 0; }
    GotoDateScreen .hint { color: $text-muted; }
    GotoDateScreen .error { color: $error; text-style: bold; }
    """
    BINDINGS = actions.bindings("dialog")

    def __init__(self, lo: date, hi: date, current: date) -> None:
        super().__init__()
        self.lo, self.hi, self.current = lo, hi, current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content("Go to date"), classes="title")
            yield Input(value=self.current.isoformat(), placeholder="YYYY-MM-DD", id="date")
            yield Static(
                Content(
                    f"From {self.lo.isoformat()} to {self.hi.isoformat()}. Enter to go, Esc to cancel."
                ),
                classes="hint",
            )
            yield Static(Content(""), classes="error", id="error")

    def on_mount(self) -> None:
        inp = self.query_one(Input)
        inp.cursor_blink = getattr(self.app, "cursor_blink", True)
        inp.focus()
        inp.select_all()  # typing replaces the shown date

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            day = day_of(parse_as_of(text))
        except TimeError as exc:
            self.query_one("#error", Static).update(Content(str(exc)))
            return
        from sitmon.store.argcheck import day_problem

        problem = day_problem(day, self.lo, self.hi)  # the command line's rule and words
        if problem:
            self.query_one("#error", Static).update(Content(problem))
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
