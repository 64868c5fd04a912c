"""The main screen's widgets with their keys: the four panes, the filter line, the header.

The panes themselves (:mod:`sitmon.widgets.panes`) hold no key bindings; these
subclasses add them from the action registry (:mod:`.actions`).
"""

from __future__ import annotations

from sitmon.widgets.panes import MapPane, QuotesPane, StatsPane, TimelinePane
from textual.message import Message
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey

from . import actions

__all__ = [
    "CompactFooter",
    "FilterBar",
    "MapView",
    "Quotes",
    "Stats",
    "StatusHeader",
    "Timeline",
]


class Timeline(TimelinePane):
    BINDINGS = actions.bindings("pane", "timeline")


class MapView(MapPane):
    BINDINGS = actions.bindings("pane", "map")


class Quotes(QuotesPane):
    BINDINGS = actions.bindings("pane")


class Stats(StatsPane):
    BINDINGS = actions.bindings("pane")


class FilterBar(Input):
    """The ``/`` filter line of the focused pane."""

    BINDINGS = actions.bindings("filter")

    class Cancelled(Message):
        pass

    def __init__(self) -> None:
        super().__init__(id="filterbar")
        self.target = "timeline"

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class StatusHeader(Static):
    """One line: failing feeds, the moment shown, the data's age, ... (literal Text).

    Rendered at its own width on every refresh (a resize re-renders it), so
    segments drop whole instead of being cut (widgets.header_render).
    """

    def render(self):
        screen = self.screen
        if hasattr(screen, "header_text"):
            return screen.header_text(self.size.width)
        return super().render()


class CompactFooter(Footer):
    """Textual's compact footer, each key created compact.

    ``Footer(compact=True)`` binds ``compact`` into every key, whose watcher then
    adds the ``-compact`` class to one key at a time, each time restyling that key
    (Textual 8.2, ``widgets/_footer.py``): with our ~30 keys that was a tenth of
    the first frame, and again at every recompose (focus moves). Here each key
    has the class when it is created, so the watcher has nothing left to do.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self):
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget
