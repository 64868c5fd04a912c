"""The pane base: a titled list with a cursor over items, on the line view."""

from __future__ import annotations

import msgspec
from sitmon.store.query import Snapshot
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive

from ..lines import StyledLine
from ..render_util import fit, glyphs, safe
from .lineview import LineView


class PaneOptions(msgspec.Struct, frozen=True):
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
        #: the items are the newest part of more (the older history is still loading):
        #: the count reads "n/N+"
        self.partial = False

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
        more = "+" if self.partial else ""
        return f"{min(self.cursor + 1, count)}/{count}{more}"

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

    class CopyRequested(Message):
        """``y`` on an item: copy it as text with its sources (``url``: its URL instead)."""

        def __init__(self, pane: Pane, kind: str, item: str, what: str = "record") -> None:
            super().__init__()
            self.pane = pane
            self.kind = kind
            self.item = item
            self.what = what

    def action_copy(self) -> None:
        item = self.selected_id
        if item is not None:
            self.post_message(self.CopyRequested(self, self.KIND, item))

    def action_open_url(self) -> None:
        item = self.selected_id
        if item is not None:
            self.post_message(self.CopyRequested(self, self.KIND, item, what="open"))

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
