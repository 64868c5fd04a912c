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
    #: the blocks' item ids in order, without drawing them (a staticmethod:
    #: ``(snapshot) -> [item id, ...]``), so a rebuild draws the blocks once, with the
    #: cursor's block already selected
    BLOCK_IDS: Callable[..., list[str]] | None = None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._ids: list[str] = []
        self._lines: list[StyledLine] = []
        self._starts: list[int] = []
        #: bumped whenever the data or its look changes (not on a resize or a cursor move)
        self._version = 0
        #: the version :attr:`_ids` were listed for
        self._ids_version = -1
        #: what :attr:`_lines` were drawn for (:meth:`_ensure`): drawn again only when it changes
        self._built: Hashable = None

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
        self._version += 1  # drawn again lazily, at the current width

    def laid_out(self) -> bool:
        """True once the pane has a size: before that, nothing is drawn (a pane is
        composed at width 0 and sized by the first layout)."""
        return self.scrollable_content_region.width > 0

    def build_key(self, width: int) -> Hashable:
        """What the drawn blocks depend on besides the data and the selection: the width
        (a subclass adds what else it draws with)."""
        return width

    def _item_ids(self) -> list[str]:
        """The items' ids for the data shown (without drawing them), the cursor kept on the
        item it was on, else within the list."""
        if self._ids_version == self._version:
            return self._ids
        prev = self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None
        if self.snapshot is None or self.message is not None:
            ids: list[str] = []
        elif self.BLOCK_IDS is not None:
            ids = list(self.BLOCK_IDS(self.snapshot))
        else:
            ids = [item for item, _ in self.blocks(self.line_width, None)]
        if prev is not None and prev in ids:
            self.cursor = ids.index(prev)
        elif ids:
            self.cursor = max(0, min(self.cursor, len(ids) - 1))
        self._ids, self._ids_version = ids, self._version
        return ids

    def _ensure(self, width: int | None = None) -> None:
        """Draw the blocks, once per data version, selection and :meth:`build_key`."""
        ids = self._item_ids()
        if not self.laid_out():
            return  # not sized yet: the first layout draws them
        width = width or self.line_width
        selected = ids[max(0, min(self.cursor, len(ids) - 1))] if ids else None
        key = (self._version, selected, self.build_key(width))
        if key == self._built:
            return
        self._built = key
        self._lines, self._starts = [], []
        for _, lines in self.blocks(width, selected) if ids else ():
            self._starts.append(len(self._lines))
            self._lines.extend(lines)

    def item_count(self) -> int:
        return len(self._item_ids())

    def item_id(self, index: int) -> str | None:
        ids = self._item_ids()
        return ids[index] if 0 <= index < len(ids) else None

    def find(self, item: str) -> int | None:
        ids = self._item_ids()
        return ids.index(item) if item in ids else None

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
        self._generation += 1  # the selection is part of what _ensure draws for

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

    def on_resize(self, event: Resize) -> None:
        self._generation += 1
        super().on_resize(event)
        self._ensure_cursor_visible()
