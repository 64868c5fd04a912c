"""The statistics pane (key figures)."""

from __future__ import annotations

from sitmon.store.timeutil import fmt_day

from ..chart_render import render_chart
from ..lines import StyledLine
from ..stats_render import stats_blocks, stats_ids
from .blocks import BlockPane


class StatsPane(BlockPane):
    """Each metric as known at the shown moment, every source side by side."""

    PANE_ID = "stats"
    TITLE = "Statistics"
    KIND = "figure"
    RENDER_BLOCKS = staticmethod(stats_blocks)
    BLOCK_IDS = staticmethod(stats_ids)

    #: draw the selected metric's chart under its block (the maximised pane sets it)
    chart = False

    def show_chart(self, on: bool) -> None:
        """Chart the selected metric (each publisher's series) under its block, or not."""
        if on != self.chart:
            self.chart = on
            self.invalidate()

    def build_key(self, width: int):
        # the chart's height follows the pane's
        return (width, self.page_height) if self.chart else width

    def blocks(self, width: int, selected: str | None):
        blocks = super().blocks(width, selected)
        if not self.chart or self.snapshot is None:
            return blocks
        chosen = selected if selected is not None else (blocks[0][0] if blocks else None)
        summary = next((m for m in self.snapshot.figures if m.metric == chosen), None)
        if summary is None:
            return blocks
        height = max(8, min(self.page_height - 4, 22))
        chart = render_chart(
            summary,
            self.snapshot,
            max(1, width - 2),
            height,
            colour=self.options.colour,
            ascii=self.options.ascii,
        )
        indented = [StyledLine("  " + line.text, tuple(_shift(line, 2))) for line in chart]
        out = []
        for metric, lines in blocks:
            if metric == chosen:
                blank = lines[-1:] if lines and not lines[-1].text else []
                body = lines[: len(lines) - len(blank)]
                lines = [*body, StyledLine(""), *indented, *blank]
            out.append((metric, lines))
        return out

    def empty_text(self) -> str:
        if self.snapshot is None:
            return "No figures."
        if self.snapshot.filter.text:
            return f"No figures match '{' '.join(self.snapshot.filter.text)}' as of {fmt_day(self.snapshot.as_of)}."
        return f"No figures known as of {fmt_day(self.snapshot.as_of)}."


def _shift(line: StyledLine, n: int):
    from ..lines import Span

    return [Span(sp.start + n, sp.end + n, sp.style) for sp in line.spans]
