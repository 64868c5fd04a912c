"""The shared line view: a ScrollView that renders one cached line at a time."""

from __future__ import annotations

from collections.abc import Hashable

from rich.cells import cell_len
from rich.console import Console
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Span as RichSpan
from rich.text import Text
from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..lines import StyledLine


def to_text(line: StyledLine, base: Style | None = None) -> Text:
    """A StyledLine as a Rich Text (literal: no markup is ever parsed)."""
    return Text(
        line.text,
        style=base or "",
        spans=[RichSpan(s.start, s.end, s.style) for s in line.spans],
        no_wrap=True,
        end="",
    )


#: (console id, style string) -> the console's Style for it (``Console.get_style``)
_STYLES: dict[tuple[int, str], Style] = {}


def line_segments(line: StyledLine, base: Style, console: Console) -> tuple[list[Segment], int]:
    """``line`` as the Segments Rich renders for :func:`to_text` ``(line, base)``, and its
    width in cells.

    The same segments, cut at the same places and styled alike (the base style under
    each span: ``base + span style``; the base alone between spans, and ``base`` where
    the line has no span), as ``Text.render`` gives. Spans that do not overlap (nearly
    every line a renderer makes) take a direct path with the parsed styles cached: a
    screenful of lines through ``Text.render`` cost the monitor's first frame tens of
    milliseconds. Lines with overlapping spans (the cursor row) go through Rich itself.
    """
    text = strip_control_codes(line.text)  # as rich.text.Text does
    spans = line.spans
    null = base or Style()
    if not spans:
        return [Segment(text, null)], cell_len(text)
    end = 0
    for span in spans:
        if span.start < end or span.end < span.start:
            break  # overlapping (or unsorted): Rich's own stack of styles
        end = span.end
    else:
        key = id(console)
        styles = _STYLES
        under = console.get_style(base or "", default=Style.null())
        segments: list[Segment] = []
        append = segments.append
        pos = 0
        size = len(text)
        for start, stop, style in spans:
            if start >= size:
                break
            if stop <= start:
                continue
            if start > pos:
                append(Segment(text[pos:start], under))
            parsed = styles.get((key, style))
            if parsed is None:
                parsed = styles[(key, style)] = console.get_style(style, default=Style.null())
            append(Segment(text[start:stop], under + parsed))
            pos = stop
        if pos < size or not segments:
            append(Segment(text[pos:], under))
        return segments, cell_len(text)
    rich_text = to_text(line, base)
    return [
        seg if seg.style is not None else Segment(seg.text, null)
        for seg in rich_text.render(console)
    ], rich_text.cell_len


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
        #: while Textual draws this view's lines (:meth:`render_lines`), what holds for all of
        #: them: the content's (width, height), then (base style, scroll offset, width in
        #: cells, line count)
        self._area: tuple[int, int] | None = None
        self._drawing: tuple | None = None

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
        if self._area is not None:
            return self._area[0]
        return max(1, self.scrollable_content_region.width)

    @property
    def page_height(self) -> int:
        if self._area is not None:
            return self._area[1]
        return max(1, self.scrollable_content_region.height)

    def render_lines(self, crop):
        # Textual asks render_line once per line of the crop; the region, the base style
        # and the line count, each a walk over styles or a pane's items, hold for all of them
        region = self.scrollable_content_region
        self._area = (max(1, region.width), max(1, region.height))
        try:  # (the line count may draw the pane: at the area's width)
            self._drawing = (
                self.rich_style,
                self.scroll_offset,
                self.size.width,
                self.line_count(),
            )
            return super().render_lines(crop)
        finally:
            self._area = self._drawing = None

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
        width = self.line_width
        if self._drawing is not None:
            base, (scroll_x, scroll_y), size_width, count = self._drawing
        else:
            scroll_x, scroll_y = self.scroll_offset
            base, size_width, count = self.rich_style, self.size.width, self.line_count()
        index = scroll_y + y
        if index >= count or index < 0:
            return Strip.blank(size_width, base)
        # the base style (theme colours) is part of the key: a theme switch repaints every line
        key = (self.line_key(index, width), base)
        strip = self._strips.get(key)
        if strip is None:
            segments, cells = line_segments(self.build_line(index, width), base, self.app.console)
            strip = Strip(segments, cells)
            self._strips[key] = strip
        return strip.crop_extend(scroll_x, scroll_x + size_width, base)

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
