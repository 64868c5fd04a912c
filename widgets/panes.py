"""The four panes as Textual widgets, on the line API (toolong's pattern).

Every pane is a :class:`LineView`: a :class:`~textual.scroll_view.ScrollView`
whose :meth:`render_line` asks for one :class:`~widgets.lines.StyledLine`
at a time and keeps the converted :class:`~textual.strip.Strip` in an LRU
cache, so a 100k-event timeline paints in the time of its visible rows.

The panes hold no key bindings: they offer ``action_*`` methods and the
application (``tui``) binds keys to them from its action registry. They never
read the store themselves; the app gives each pane a
:class:`~store.query.Snapshot` with :meth:`Pane.set_data`.

All data text reaches the screen as ``rich.text.Text`` built from plain
strings (never markup), and titles as :class:`~textual.content.Content`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Span as RichSpan
from rich.text import Text
from sitmon.store.query import Snapshot
from sitmon.store.timeutil import fmt_day
from textual.cache import LRUCache
from textual.content import Content
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .lines import StyledLine
from .quotes_render import quote_blocks
from .render_util import fit, glyphs, safe
from .stats_render import stats_blocks
from .timeline_render import empty_message, render_timeline_row, timeline_rows

__all__ = [
    "LineView",
    "MapPane",
    "Pane",
    "PaneOptions",
    "QuotesPane",
    "StatsPane",
    "TextView",
    "TimelinePane",
    "to_text",
]


def to_text(line: StyledLine, base: Style | None = None) -> Text:
    """A StyledLine as a Rich Text (literal: no markup is ever parsed)."""
    return Text(
        line.text,
        style=base or "",
        spans=[RichSpan(s.start, s.end, s.style) for s in line.spans],
        no_wrap=True,
        end="",
    )


class LineView(ScrollView, can_focus=True):
    """A vertical list of StyledLines, rendered lazily one line at a time."""

    DEFAULT_CSS = """
    LineView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._strips: LRUCache[Hashable, Strip] = LRUCache(4096)
        self._generation = 0

    # -- the protocol subclasses implement
    def line_count(self) -> int:
        return 0

    def line_key(self, index: int, width: int) -> Hashable:
        """A cache key that changes whenever the line's look changes."""
        return (self._generation, index, width)

    def build_line(self, index: int, width: int) -> StyledLine:
        return StyledLine("", ())

    # -- plumbing
    @property
    def line_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def invalidate(self) -> None:
        """Forget every cached line (the data changed) and repaint."""
        self._generation += 1
        self._strips.clear()
        self.update_virtual_size()
        self.refresh()

    def update_virtual_size(self) -> None:
        self.virtual_size = Size(self.line_width, self.line_count())

    def on_resize(self, event: Resize) -> None:
        self.update_virtual_size()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.line_width
        base = self.rich_style
        if index >= self.line_count() or index < 0:
            return Strip.blank(self.size.width, base)
        key = self.line_key(index, width)
        strip = self._strips.get(key)
        if strip is None:
            line = self.build_line(index, width)
            text = to_text(line, base)
            null = base or Style()
            strip = Strip(
                [
                    seg if seg.style is not None else Segment(seg.text, null)
                    for seg in text.render(self.app.console)
                ],
                text.cell_len,
            )
            self._strips[key] = strip
        return strip.crop_extend(scroll_x, scroll_x + self.size.width, base)

    def scroll_line_into_view(self, start: int, end: int | None = None) -> None:
        """Scroll so lines ``start .. end`` (exclusive) are visible, ``start`` first."""
        end = start + 1 if end is None else max(end, start + 1)
        h = self.page_height
        top = round(self.scroll_y)
        if start < top:
            top = start
        elif end > top + h:
            top = max(start if end - start > h else end - h, 0)
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def lines_as_text(self) -> list[str]:
        """The visible lines as plain text (for tests and debugging)."""
        top = round(self.scroll_y)
        n = min(self.page_height, max(0, self.line_count() - top))
        return [self.build_line(top + i, self.line_width).text for i in range(n)]


class TextView(LineView):
    """A read-only view of lines produced by ``render(width)`` (help, detail, changes).

    ``links`` (line index -> target) makes those lines selectable with Tab /
    Shift+Tab; :attr:`link` is the target under the cursor.
    """

    DEFAULT_CSS = """
    TextView { height: 1fr; }
    """

    link_index: reactive[int | None] = reactive(None, init=False)

    class LinkActivated(Message):
        def __init__(self, view: TextView, target: object) -> None:
            super().__init__()
            self.view = view
            self.target = target

    def __init__(self, render, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text_fn = render
        self._lines: list[StyledLine] = []
        self._links: dict[int, object] = {}
        self._width = 0

    def _ensure(self, width: int) -> None:
        if width != self._width:
            result = self._text_fn(width)
            if isinstance(result, tuple):
                self._lines, self._links = result
            else:
                self._lines, self._links = result, {}
            self._width = width
            self._generation += 1

    def rerender(self) -> None:
        self._width = 0
        self._ensure(self.line_width)
        self.update_virtual_size()
        self.refresh()

    def line_count(self) -> int:
        self._ensure(self.line_width)
        return len(self._lines)

    def line_key(self, index: int, width: int) -> Hashable:
        return (self._generation, index, width, index == self.link_index)

    def build_line(self, index: int, width: int) -> StyledLine:
        self._ensure(width)
        line = self._lines[index]
        if index == self.link_index:
            from .render_util import highlight_line

            line = highlight_line(line, width, "reverse")
        return line

    @property
    def has_links(self) -> bool:
        self._ensure(self.line_width)
        return bool(self._links)

    @property
    def link(self) -> object | None:
        return self._links.get(self.link_index) if self.link_index is not None else None

    @property
    def plain_lines(self) -> list[str]:
        self._ensure(self.line_width)
        return [ln.text for ln in self._lines]

    def watch_link_index(self) -> None:
        self.refresh()

    def action_scroll_line(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_page(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta * self.page_height, animate=False, immediate=True)

    def action_home(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_next_link(self, delta: int = 1) -> None:
        self._ensure(self.line_width)
        if not self._links:
            return
        keys = sorted(self._links)
        if self.link_index is None:
            top = round(self.scroll_y)
            candidates = (
                [k for k in keys if k >= top]
                if delta > 0
                else [k for k in keys if k < top + self.page_height]
            )
            idx = (
                (candidates[0] if delta > 0 else candidates[-1])
                if candidates
                else keys[0 if delta > 0 else -1]
            )
        else:
            pos = keys.index(self.link_index) if self.link_index in keys else 0
            idx = keys[(pos + delta) % len(keys)]
        self.link_index = idx
        self.scroll_line_into_view(idx)

    def action_follow_link(self) -> None:
        target = self.link
        if target is not None:
            self.post_message(self.LinkActivated(self, target))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = round(self.scroll_y) + offset.y
        if index in self._links:
            self.link_index = index
            if event.chain >= 2:
                self.action_follow_link()


@dataclass(frozen=True)
class PaneOptions:
    """How panes draw: colour on/off, 7-bit ASCII."""

    colour: bool = True
    ascii: bool = False


class Pane(LineView):
    """A focusable pane: a titled list with a cursor over items."""

    PANE_ID = "pane"
    TITLE = "Pane"
    #: the detail kind of this pane's items
    KIND = "event"
    #: the keys that matter here, shown in the title line when collapsed is not enough
    HINT = ""

    active: reactive[bool] = reactive(False, init=False)

    class SelectionChanged(Message):
        """The user moved the cursor of ``pane`` to ``item`` (an id, or None)."""

        def __init__(self, pane: Pane, item: str | None) -> None:
            super().__init__()
            self.pane = pane
            self.item = item

    class OpenDetail(Message):
        """Enter on an item: show everything about it."""

        def __init__(self, pane: Pane, kind: str, item: str) -> None:
            super().__init__()
            self.pane = pane
            self.kind = kind
            self.item = item

    class ClearRequested(Message):
        """Esc in a pane: clear its filter (or the place selection)."""

        def __init__(self, pane: Pane) -> None:
            super().__init__()
            self.pane = pane

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.PANE_ID, classes=classes)
        self.snapshot: Snapshot | None = None
        self.options = PaneOptions()
        self.cursor = 0
        self.message: str | None = "Loading…"
        self.title_note = ""
        #: the key that jumps here, shown in the title ("[1] Timeline")
        self.key_hint = ""
        self.store_generation: object = None

    # -- items (subclasses)
    def item_count(self) -> int:
        return 0

    def item_id(self, index: int) -> str | None:
        return None

    def item_lines(self, index: int) -> tuple[int, int]:
        """First line and end line (exclusive) of item ``index``."""
        return index, index + 1

    def item_at_line(self, line: int) -> int | None:
        return line if 0 <= line < self.item_count() else None

    def rebuild(self) -> None:
        """Recompute the pane's rows from :attr:`snapshot` (after data or option changes)."""

    # -- state
    @property
    def selected_id(self) -> str | None:
        if self.message is not None or not self.item_count():
            return None
        return self.item_id(min(self.cursor, self.item_count() - 1))

    def set_message(self, message: str | None) -> None:
        """Show ``message`` instead of data (loading, errors)."""
        self.message = message
        self.rebuild()
        self.invalidate()

    def set_data(
        self,
        snapshot: Snapshot,
        *,
        options: PaneOptions | None = None,
        store_generation: object = None,
        **extra,
    ) -> None:
        """New data: keep the cursor on the same item if it is still listed."""
        keep = self.selected_id
        self.snapshot = snapshot
        if options is not None:
            self.options = options
        self.store_generation = store_generation
        self.message = None
        self.configure(**extra)
        self.rebuild()
        if keep is not None:
            self.select(keep, notify=False, scroll=False)
        self.cursor = max(0, min(self.cursor, self.item_count() - 1))
        self.invalidate()
        self.update_title()
        self._ensure_cursor_visible()

    def configure(self, **extra) -> None:
        """Pane-specific options given to :meth:`set_data`."""

    def find(self, item: str) -> int | None:
        for i in range(self.item_count()):
            if self.item_id(i) == item:
                return i
        return None

    def select(self, item: str, *, notify: bool = True, scroll: bool = True) -> bool:
        index = self.find(item)
        if index is None:
            return False
        self._move_to(index, notify=notify, scroll=scroll)
        return True

    def _move_to(self, index: int, *, notify: bool = True, scroll: bool = True) -> None:
        count = self.item_count()
        if not count:
            return
        index = max(0, min(index, count - 1))
        changed = index != self.cursor
        self.cursor = index
        self.on_cursor_moved()
        self.refresh()
        if changed:
            self.update_title()  # the "n/total" position
        if scroll:
            self._ensure_cursor_visible()
        if notify and changed:
            self.post_message(self.SelectionChanged(self, self.selected_id))

    def on_cursor_moved(self) -> None:
        """Hook: the cursor moved (block panes re-render the affected blocks)."""

    def _ensure_cursor_visible(self) -> None:
        if self.item_count():
            start, end = self.item_lines(self.cursor)
            self.scroll_line_into_view(start, end)

    def watch_active(self) -> None:
        self.set_class(self.active, "-active")
        self.update_title()

    def update_title(self) -> None:
        g = glyphs(self.options.ascii)
        mark = g.cursor if self.active else " "
        key = f"[{self.key_hint}] " if self.key_hint else ""
        parts = [f"{mark} {key}{self.TITLE}"]
        if self.title_note:
            parts.append(self.title_note)
        parts.extend(self.title_extras())
        self.border_title = Content(safe(g.sep.join(parts), ascii=self.options.ascii))
        count = self.item_count() if self.message is None else 0
        self.border_subtitle = Content(self.subtitle(count)) if self.message is None else None

    def title_extras(self) -> list[str]:
        """Notes the pane adds to its title itself (the app sets :attr:`title_note`)."""
        return []

    def subtitle(self, count: int) -> str:
        if not count:
            return ""
        return f"{min(self.cursor + 1, count)}/{count}"

    # -- lines
    def line_count(self) -> int:
        if self.message is not None:
            return 1
        return self._content_line_count()

    def _content_line_count(self) -> int:
        return self.item_count()

    def build_line(self, index: int, width: int) -> StyledLine:
        if self.message is not None:
            return StyledLine(fit(safe(self.message, ascii=self.options.ascii), width), ())
        return self.build_item_line(index, width)

    def build_item_line(self, index: int, width: int) -> StyledLine:
        return StyledLine("", ())

    # -- actions (bound to keys by the app)
    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_left(self) -> None:
        """Lists have no left: nothing."""

    def action_cursor_right(self) -> None:
        """Lists have no right: nothing."""

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def _page(self, direction: int) -> None:
        if not self.item_count():
            return
        start, _ = self.item_lines(self.cursor)
        target_line = max(0, start + direction * self.page_height)
        target = self.item_at_line(min(target_line, self._content_line_count() - 1))
        if target is None:
            target = 0 if direction < 0 else self.item_count() - 1
        if target == self.cursor:
            target += direction
        self._move_to(target)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(self.item_count() - 1)

    def action_open(self) -> None:
        item = self.selected_id
        if item is not None:
            self.post_message(self.OpenDetail(self, self.KIND, item))

    def action_clear(self) -> None:
        self.post_message(self.ClearRequested(self))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.message is not None:
            return
        index = self.item_at_line(round(self.scroll_y) + offset.y)
        if index is None:
            return
        self._move_to(index, scroll=False)
        if event.chain >= 2:
            self.action_open()


class TimelinePane(Pane):
    """Every event up to the shown moment, one line each; 100k rows scroll at once."""

    PANE_ID = "timeline"
    TITLE = "Timeline"
    KIND = "event"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list = []
        self.newest_first = True
        self.marked: frozenset[str] = frozenset()

    def configure(
        self, *, newest_first: bool | None = None, marked: frozenset[str] | None = None, **_
    ) -> None:
        if newest_first is not None:
            self.newest_first = newest_first
        if marked is not None:
            self.marked = marked

    def rebuild(self) -> None:
        self.rows = (
            timeline_rows(self.snapshot, newest_first=self.newest_first) if self.snapshot else []
        )

    def item_count(self) -> int:
        return len(self.rows)

    def item_id(self, index: int) -> str | None:
        return self.rows[index].id if 0 <= index < len(self.rows) else None

    def find(self, item: str) -> int | None:
        for i, ev in enumerate(self.rows):
            if ev.id == item:
                return i
        return None

    @property
    def selected_event(self):
        if self.message is not None or not self.rows:
            return None
        return self.rows[min(self.cursor, len(self.rows) - 1)]

    def _content_line_count(self) -> int:
        return max(1, len(self.rows))

    def line_key(self, index: int, width: int) -> Hashable:
        if self.message is not None or not self.rows:
            return (self._generation, "msg", width)
        ev = self.rows[index]
        return (
            self.store_generation,
            ev.id,
            width,
            index == self.cursor,
            ev.id in self.marked,
            self.options,
        )

    def build_item_line(self, index: int, width: int) -> StyledLine:
        if not self.rows:
            return StyledLine(
                fit(safe(empty_message(self.snapshot), ascii=self.options.ascii), width), ()
            )
        ev = self.rows[index]
        return render_timeline_row(
            ev,
            self.snapshot,
            width,
            selected=index == self.cursor,
            marked=ev.id in self.marked,
            colour=self.options.colour,
            ascii=self.options.ascii,
        )

    def _move_to(self, index: int, *, notify: bool = True, scroll: bool = True) -> None:
        old = self.cursor
        super()._move_to(index, notify=notify, scroll=scroll)
        if old != self.cursor:
            self.refresh_line(old)
            self.refresh_line(self.cursor)

    def title_extras(self) -> list[str]:
        return [] if self.newest_first else ["oldest first"]

    def action_toggle_order(self) -> None:
        keep = self.selected_id
        self.newest_first = not self.newest_first
        self.rebuild()
        if keep is not None:
            self.select(keep, notify=False)
        self.invalidate()
        self.update_title()


class BlockPane(Pane):
    """A pane whose items are blocks of several lines (quotes, statistics)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._ids: list[str] = []
        self._lines: list[StyledLine] = []
        self._starts: list[int] = []
        self._built_width = 0

    def blocks(self, width: int, selected: str | None) -> list[tuple[str, list[StyledLine]]]:
        return []

    def empty_text(self) -> str:
        return "Nothing to show."

    def rebuild(self) -> None:
        self._built_width = 0  # rebuilt lazily at the current width

    def _ensure(self, width: int | None = None) -> None:
        width = width or self.line_width
        if self._built_width == width:
            return
        self._built_width = width
        if self.snapshot is None or self.message is not None:
            self._ids, self._lines, self._starts = [], [], []
            return
        prev = self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None
        blocks = self.blocks(width, prev)
        self._ids = [item for item, _ in blocks]
        if prev is not None and prev in self._ids:
            self.cursor = self._ids.index(prev)
        elif self._ids:
            self.cursor = max(0, min(self.cursor, len(self._ids) - 1))
            blocks = self.blocks(width, self._ids[self.cursor])
        self._lines, self._starts = [], []
        for _, lines in blocks:
            self._starts.append(len(self._lines))
            self._lines.extend(lines)

    def item_count(self) -> int:
        self._ensure()
        return len(self._ids)

    def item_id(self, index: int) -> str | None:
        self._ensure()
        return self._ids[index] if 0 <= index < len(self._ids) else None

    def find(self, item: str) -> int | None:
        self._ensure()
        return self._ids.index(item) if item in self._ids else None

    def item_lines(self, index: int) -> tuple[int, int]:
        self._ensure()
        if not self._starts:
            return 0, 1
        index = max(0, min(index, len(self._starts) - 1))
        start = self._starts[index]
        end = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._lines)
        return start, end

    def item_at_line(self, line: int) -> int | None:
        self._ensure()
        if not self._starts or line < 0 or line >= len(self._lines):
            return None
        import bisect

        return bisect.bisect_right(self._starts, line) - 1

    def on_cursor_moved(self) -> None:
        self._built_width = 0
        self._generation += 1

    def _content_line_count(self) -> int:
        self._ensure()
        return max(1, len(self._lines))

    def line_key(self, index: int, width: int) -> Hashable:
        return (self._generation, index, width)

    def build_item_line(self, index: int, width: int) -> StyledLine:
        self._ensure(width)
        if not self._lines:
            return StyledLine(fit(safe(self.empty_text(), ascii=self.options.ascii), width), ())
        return self._lines[index] if index < len(self._lines) else StyledLine("", ())

    def invalidate(self) -> None:
        self._built_width = 0
        super().invalidate()

    def on_resize(self, event: Resize) -> None:
        self._built_width = 0
        self._generation += 1
        super().on_resize(event)
        self._ensure_cursor_visible()


class QuotesPane(BlockPane):
    """Quotes said by the shown moment: speaker, role, date, outlet, the words, the links."""

    PANE_ID = "quotes"
    TITLE = "Quotes"
    KIND = "quote"

    def blocks(self, width: int, selected: str | None):
        return quote_blocks(
            self.snapshot,
            width,
            selected=selected,
            colour=self.options.colour,
            ascii=self.options.ascii,
        )

    def empty_text(self) -> str:
        return empty_message(self.snapshot, "quotes") if self.snapshot else "No quotes."


class StatsPane(BlockPane):
    """Each metric as known at the shown moment, every source side by side."""

    PANE_ID = "stats"
    TITLE = "Statistics"
    KIND = "figure"

    def blocks(self, width: int, selected: str | None):
        return stats_blocks(
            self.snapshot,
            width,
            selected=selected,
            colour=self.options.colour,
            ascii=self.options.ascii,
        )

    def empty_text(self) -> str:
        if self.snapshot is None:
            return "No figures."
        if self.snapshot.filter.text:
            return f"No figures match '{' '.join(self.snapshot.filter.text)}' as of {fmt_day(self.snapshot.as_of)}."
        return f"No figures known as of {fmt_day(self.snapshot.as_of)}."


_MAP_MODULE: list = []


def _map_module():
    """``widgets.map_render`` when it is available (the pane falls back to a list without it)."""
    if not _MAP_MODULE:
        try:
            from . import map_render
        except ImportError:
            map_render = None
        _MAP_MODULE.append(map_render if hasattr(map_render, "render_map") else None)
    return _MAP_MODULE[0]


class MapPane(BlockPane):
    """Who controls which place as of the shown moment.

    Draws the ASCII/braille map from :mod:`widgets.map_render` when it is
    installed; otherwise lists places grouped by controlling faction. Arrow
    keys move the selection to the nearest place in that direction.
    """

    PANE_ID = "map"
    TITLE = "Map"
    KIND = "place"

    ZOOM_STEPS = (1.0, 1.5, 2.25, 3.4, 5.0, 7.5)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.place: str | None = None  # the selected place (the app's place filter)
        self.highlight: str | None = None  # a place to highlight (the timeline's event)
        self.zoom_index = 0
        self.center: tuple[float, float] | None = None  # (lat, lon)
        self.charset = "braille"
        self.labels = True
        self.places_shown: list[str] = []
        self._positions: dict[str, tuple[int, int]] = {}
        self._map_lines: list[StyledLine] | None = None
        self._map_key: object = None
        self.as_of_label = ""

    @property
    def zoom(self) -> float:
        return self.ZOOM_STEPS[self.zoom_index]

    @property
    def has_map(self) -> bool:
        return _map_module() is not None

    def configure(
        self, *, place: str | None | type = ..., highlight: str | None | type = ..., **_
    ) -> None:
        if place is not ...:
            self.place = place
        if highlight is not ...:
            self.highlight = highlight

    @property
    def selected_id(self) -> str | None:
        return self.place

    def map_options(self):
        mr = _map_module()
        if mr is None:
            return None
        return mr.MapOptions(
            charset="ascii" if (self.charset == "ascii" or self.options.ascii) else "braille",
            colour=self.options.colour,
            labels=self.labels,
            selected=self.place or self.highlight,
            zoom=self.zoom,
            center=self.center,
            legend=True,
            as_of_label=self.as_of_label,
        )

    # ------------------------------------------------------------ rendering
    def _visible_places(self):
        snap = self.snapshot
        flt = snap.filter
        places = snap.places
        if flt.empty:
            return places
        out = {}
        for pid, p in places.items():
            hay = f"{pid} {p.name} {' '.join(p.alt_names)} {p.governorate}".lower()
            if flt.text and not all(t in hay for t in flt.text):
                continue
            if flt.place and not any(t in hay for t in flt.place):
                continue
            if flt.faction:
                c = snap.control.get(pid)
                fac = snap.factions.get(c.faction) if c else None
                fhay = f"{fac.id} {fac.name} {fac.short}".lower() if fac else ""
                if not all(t in fhay for t in flt.faction):
                    continue
            out[pid] = p
        return out

    def _ensure(self, width: int | None = None) -> None:
        mr = _map_module()
        if mr is None:
            return self._ensure_list(width)
        width = width or self.line_width
        height = self.page_height
        if self.snapshot is None or self.message is not None:
            self._map_lines, self._positions, self.places_shown = [], {}, []
            self._ids = []
            return
        key = (
            width,
            height,
            self._generation,
            self.place,
            self.highlight,
            self.zoom,
            self.center,
            self.charset,
            self.labels,
            self.options,
        )
        if key == self._map_key and self._map_lines is not None:
            return
        places = self._visible_places()
        try:
            result = mr.render_map(
                places.values(),
                self.snapshot.control,
                self.snapshot.factions,
                width,
                height,
                self.map_options(),
            )
            self._map_lines = list(result.lines)
            self._positions = dict(result.positions)
        except Exception as exc:  # a drawing bug must not take the app down
            self._map_lines = [StyledLine(fit(f"map unavailable: {exc}", width), ())]
            self._positions = {}
        self._map_key = key
        self.places_shown = sorted(
            self._positions, key=lambda p: (self._positions[p][1], self._positions[p][0])
        )
        self._ids = self.places_shown

    def _ensure_list(self, width: int | None) -> None:
        """Fallback without the map renderer: places grouped by controlling faction."""
        width = width or self.line_width
        if self._built_width == width:
            return
        self._built_width = width
        self._ids, self._lines, self._starts = [], [], []
        if self.snapshot is None or self.message is not None:
            return
        snap = self.snapshot
        g = glyphs(self.options.ascii)
        groups: dict[str, list] = {}
        for pid, p in self._visible_places().items():
            c = snap.control.get(pid)
            groups.setdefault(c.faction if c else "", []).append((p, c))
        order = sorted(groups, key=lambda f: (-len(groups[f]), f))
        from .render_util import faction_style, line_of, style

        for fid in order:
            fac = snap.factions.get(fid)
            name = fac.name if fac else "Unknown control"
            sym = fac.symbol if fac else "?"
            self._lines.append(
                line_of(
                    [
                        (sym, faction_style(fac, self.options.colour)),
                        (" ", ""),
                        (safe(f"{name} ({len(groups[fid])})", ascii=self.options.ascii), "bold"),
                    ],
                    width,
                    ascii=self.options.ascii,
                )
            )
            for p, c in sorted(groups[fid], key=lambda pc: (pc[0].importance, pc[0].name)):
                sel = p.id == self.place
                hi = p.id == self.highlight
                status = f" {c.status}" if c and c.status != "held" else ""
                since = f"  since {fmt_day(c.valid_from)}" if c else ""
                parts = [
                    ((g.cursor if sel else ("*" if hi else " ")) + "  ", "bold"),
                    (sym, faction_style(fac, self.options.colour)),
                    (" ", ""),
                    (safe(p.name, ascii=self.options.ascii), "bold" if sel or hi else ""),
                    (status, ""),
                    (since, style(self.options.colour, "dim")),
                ]
                line = line_of(parts, width, ascii=self.options.ascii)
                if sel:
                    from .render_util import highlight_line

                    line = highlight_line(line, width, "reverse")
                self._ids.append(p.id)
                self._starts.append(len(self._lines))
                self._lines.append(line)
        if not self._ids:
            self._lines = [StyledLine(fit("No places to show.", width), ())]

    def item_count(self) -> int:
        self._ensure()
        return len(self._ids)

    def item_id(self, index: int) -> str | None:
        self._ensure()
        return self._ids[index] if 0 <= index < len(self._ids) else None

    def item_lines(self, index: int) -> tuple[int, int]:
        if self.has_map:
            return 0, 1
        self._ensure()
        if not self._starts:
            return 0, 1
        s = self._starts[max(0, min(index, len(self._starts) - 1))]
        return s, s + 1

    def item_at_line(self, line: int) -> int | None:
        if self.has_map:
            return None
        self._ensure()
        return self._starts.index(line) if line in self._starts else None

    def _content_line_count(self) -> int:
        self._ensure()
        if self.has_map:
            return len(self._map_lines or [])
        return max(1, len(self._lines))

    def line_key(self, index: int, width: int) -> Hashable:
        self._ensure(width)
        if self.has_map:
            return (self._map_key, index)
        return (self._generation, self.place, self.highlight, index, width)

    def build_item_line(self, index: int, width: int) -> StyledLine:
        self._ensure(width)
        if self.has_map:
            lines = self._map_lines or []
            return lines[index] if index < len(lines) else StyledLine("", ())
        return self._lines[index] if index < len(self._lines) else StyledLine("", ())

    def update_virtual_size(self) -> None:
        if self.has_map:
            self.virtual_size = Size(self.line_width, self.page_height)
        else:
            super().update_virtual_size()

    def on_resize(self, event: Resize) -> None:
        self._map_key = None
        super().on_resize(event)

    def rebuild(self) -> None:
        self._built_width = 0
        self._map_key = None

    def title_extras(self) -> list[str]:
        notes = []
        if self.place and self.snapshot and self.place in self.snapshot.places:
            notes.append(self.snapshot.places[self.place].name)
        if self.zoom_index:
            notes.append(f"zoom {self.zoom:g}x")
        return notes

    def subtitle(self, count: int) -> str:
        return f"{count} places" if count else ""

    # ------------------------------------------------------------ selection
    def set_place(self, place: str | None, *, notify: bool = True) -> None:
        if place == self.place:
            return
        self.place = place
        self.rebuild()
        if place is not None and not self.has_map and place in self._ids:
            self.cursor = self._ids.index(place)
        self.invalidate()
        self.update_title()
        if place is not None and not self.has_map:
            self._ensure_cursor_visible()
        if notify:
            self.post_message(self.SelectionChanged(self, place))

    def _move_to(self, index: int, *, notify: bool = True, scroll: bool = True) -> None:
        self._ensure()
        if not self._ids:
            return
        index = max(0, min(index, len(self._ids) - 1))
        self.cursor = index
        self.set_place(self._ids[index], notify=notify)
        if scroll and not self.has_map:
            self._ensure_cursor_visible()

    def select(self, item: str, *, notify: bool = True, scroll: bool = True) -> bool:
        if self.snapshot is None or item not in self.snapshot.places:
            return False
        self.set_place(item, notify=notify)
        return True

    def _default_place(self) -> str | None:
        self._ensure()
        if not self._ids or self.snapshot is None:
            return None
        places = self.snapshot.places
        return min(
            self._ids,
            key=lambda p: (
                places[p].importance if p in places else 9,
                places[p].name if p in places else p,
            ),
        )

    def _step(self, direction: str) -> None:
        self._ensure()
        if not self._ids:
            return
        mr = _map_module()
        if self.place is None or self.place not in self._ids:
            start = mr.nearest_in_direction(self._positions, None, direction) if mr else None
            self.set_place(start or self._default_place())
            return
        if mr is None:
            delta = {"up": -1, "down": 1, "left": -1, "right": 1}[direction]
            self._move_to(self._ids.index(self.place) + delta)
            return
        target = mr.nearest_in_direction(self._positions, self.place, direction)
        if target is not None:
            self.set_place(target)

    def action_cursor_up(self) -> None:
        self._step("up")

    def action_cursor_down(self) -> None:
        self._step("down")

    def action_cursor_left(self) -> None:
        self._step("left")

    def action_cursor_right(self) -> None:
        self._step("right")

    def action_page_up(self) -> None:
        if not self.has_map:
            super().action_page_up()

    def action_page_down(self) -> None:
        if not self.has_map:
            super().action_page_down()

    def action_first(self) -> None:
        self._ensure()
        if self._ids:
            self._move_to(0)

    def action_last(self) -> None:
        self._ensure()
        if self._ids:
            self._move_to(len(self._ids) - 1)

    # ---------------------------------------------------------- view changes
    def _view_changed(self) -> None:
        self._map_key = None
        self.invalidate()
        self.update_title()

    def action_zoom(self, delta: int) -> None:
        new = max(0, min(len(self.ZOOM_STEPS) - 1, self.zoom_index + delta))
        if new == self.zoom_index:
            return
        self.zoom_index = new
        if self.place and self.snapshot and self.place in self.snapshot.places and new > 0:
            p = self.snapshot.places[self.place]
            self.center = (p.lat, p.lon)
        if new == 0:
            self.center = None
        self._view_changed()

    def action_pan(self, dx: int, dy: int) -> None:
        """Move the view by a fifth of its span (``dx``/``dy`` in -1, 0, 1)."""
        from .geo import SYRIA_BBOX

        min_lon, min_lat, max_lon, max_lat = SYRIA_BBOX
        lat, lon = self.center or ((min_lat + max_lat) / 2, (min_lon + max_lon) / 2)
        step_lon = (max_lon - min_lon) / self.zoom / 5
        step_lat = (max_lat - min_lat) / self.zoom / 5
        self.center = (lat - dy * step_lat, lon + dx * step_lon)
        self._view_changed()

    def action_reset_view(self) -> None:
        self.zoom_index = 0
        self.center = None
        self._view_changed()

    def action_toggle_charset(self) -> None:
        self.charset = "ascii" if self.charset == "braille" else "braille"
        self._view_changed()

    def action_toggle_labels(self) -> None:
        self.labels = not self.labels
        self._view_changed()

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.message is not None:
            return
        if not self.has_map:
            super().on_click(event)
            return
        self._ensure()
        if not self._positions:
            return
        x, y = offset.x, offset.y
        best = min(
            self._positions,
            key=lambda p: (self._positions[p][0] - x) ** 2 + (2 * (self._positions[p][1] - y)) ** 2,
        )
        px, py = self._positions[best]
        if abs(px - x) <= 6 and abs(py - y) <= 3:
            self.set_place(best)
            if event.chain >= 2:
                self.action_open()
