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

from .base import Pane, PaneOptions
from .lineview import LineView, to_text
from .map import MapPane
from .quotes import QuotesPane
from .stats import StatsPane
from .timeline import TimelinePane

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


def __getattr__(name: str):
    # the detail screen's view, imported when first asked for (not at the monitor's start)
    if name == "TextView":
        from .textview import TextView

        return TextView
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
