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
        #: the keys shown (:meth:`_shown_keys`) when the footer was last composed
        self._composed_for: tuple | None = None
        self._recompose_due = False

    def _shown_keys(self) -> tuple:
        """What the footer would show now: each shown binding's key, label, action and state."""
        keys = [
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]
        return (tuple(keys), self.app.ENABLE_COMMAND_PALETTE and self.show_command_palette)

    def compose(self):
        if self._bindings_ready:
            self._composed_for = self._shown_keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget

    def bindings_changed(self, screen) -> None:
        """Recompose once for any number of binding changes before the next refresh, and only
        if the keys shown change: Textual's footer recomposed at each change (4 times, all
        alike, before the monitor's first frame: a sixth of it).

        The keys appear once the app's first data frame is painted (``app.start_done``):
        creating them (a widget per key) cost the first frame as much again.
        """
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_if_changed)

    def keys_wanted(self) -> None:
        """The app's first data frame is painted: show the keys."""
        if self.is_attached:  # in the footer's own context (compose binds data to it)
            self.call_next(self.bindings_changed, self.screen)

    async def _recompose_if_changed(self) -> None:
        self._recompose_due = False
        if not getattr(self.app, "start_done", True):
            return  # keys_wanted() comes once the data is on screen
        if self.is_attached and self._shown_keys() != self._composed_for:
            await self.recompose()
