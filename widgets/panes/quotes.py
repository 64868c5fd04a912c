"""The quotes pane."""

from __future__ import annotations

from ..quotes_render import quote_blocks, quote_ids
from ..timeline_render import empty_message
from .blocks import BlockPane


class QuotesPane(BlockPane):
    """Quotes said by the shown moment: speaker, role, date, outlet, the words, the links."""

    PANE_ID = "quotes"
    TITLE = "Quotes"
    KIND = "quote"
    RENDER_BLOCKS = staticmethod(quote_blocks)
    BLOCK_IDS = staticmethod(quote_ids)

    def empty_text(self) -> str:
        return empty_message(self.snapshot, "quotes") if self.snapshot else "No quotes."
