"""The main screen's widgets with their keys: the four panes, the filter line, the header.

The panes themselves (:mod:`sitmon.widgets.panes`) hold no key bindings; these
subclasses add them from the action registry (:mod:`.actions`).
"""

from __future__ import annotations

from sitmon.widgets.panes import MapPane, QuotesPane, StatsPane, TimelinePane
from textual.message import Message
from textual.widgets import Input, Static

from . import actions

__all__ = ["FilterBar", "MapView", "Quotes", "Stats", "StatusHeader", "Timeline"]


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
