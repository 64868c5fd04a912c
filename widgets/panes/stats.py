"""The statistics pane (key figures)."""

from __future__ import annotations

from sitmon.store.timeutil import fmt_day

from ..stats_render import stats_blocks
from .blocks import BlockPane


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
