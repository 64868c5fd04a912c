"""The base for panes whose items are blocks of several lines."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from textual.events import Resize

from ..lines import StyledLine
from ..render_util import fit, safe
from .base import Pane


class BlockPane(Pane):
    """A pane whose items are blocks of several lines (quotes, statistics).

    A subclass names its pure renderer in :attr:`RENDER_BLOCKS`: ``(snapshot,
    width, *, selected, colour, ascii) -> [(item id, lines), ...]``.
    """

    #: the renderer of the blocks (a staticmethod), or None for no blocks
    RENDER_BLOCKS: Callable[..., list[tuple[str, list[StyledLine]]]] | None = None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._ids: list[str] = []
        self._lines: list[StyledLine] = []
        self._starts: list[int] = []
        self._built_width = 0

    def blocks(self, width: int, selected: str | None) -> list[tuple[str, list[StyledLine]]]:
        """The pane's items as blocks, drawn by :attr:`RENDER_BLOCKS` with the pane's options."""
        if self.RENDER_BLOCKS is None or self.snapshot is None:
            return []
        return self.RENDER_BLOCKS(
            self.snapshot,
            width,
            selected=selected,
            colour=self.options.colour,
            ascii=self.options.ascii,
        )

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
