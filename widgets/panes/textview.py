"""A scrollable text view with links (help, details, change log)."""

from __future__ import annotations

from collections.abc import Hashable

from textual.events import Click
from textual.message import Message
from textual.reactive import reactive

from ..lines import StyledLine
from .lineview import LineView


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
            from ..render_util import highlight_line

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
