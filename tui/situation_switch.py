"""Switching situations inside the running app (command palette: "Situation: NAME").

Each situation keeps its own view while another is shown: the day (time
travel), the selected place, every pane's filter, the focused pane and the
map's zoom. Switching stops the old situation's feed timers, uses the new
one's time zone, feeds and map area, and loads its store in a worker (the
store of a situation other than the bundled one is never seeded).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from sitmon.store.situations import Situation, SituationError, get_situation, list_situations
from sitmon.store.timeutil import set_situation_zone
from sitmon.widgets.area_geo import MapArea, situation_area

__all__ = ["SavedView", "SituationSwitching"]


class SavedView(msgspec.Struct):
    """What a situation showed when the user left it."""

    day: date | None = None
    place: str | None = None
    filters: dict[str, str] = msgspec.field(default_factory=dict)
    active_pane: str = "timeline"
    zoom_index: int = 0
    center: tuple[float, float] | None = None


class SituationSwitching:
    """Mixin for :class:`sitmon.tui.app.SitmonApp` (which provides the state it
    reads: ``situation``, ``main_config``, ``day``, ``place``, ``filters``, ...)."""

    situation: Situation | None

    @property
    def situation_name(self) -> str:
        return self.situation.name if self.situation is not None else "syria"

    def situations(self) -> list[Situation]:
        """Every situation, the bundled one first (for the palette)."""
        return list_situations()

    def map_area(self) -> MapArea | None:
        """The shown situation's map area (None: the bundled Syria geography)."""
        return situation_area(self.situation)

    def switch_situation(self, name: str) -> bool:
        """Show situation ``name`` instead of the current one; False when it is
        the current one or cannot be opened (the user is told why)."""
        app: Any = self
        try:
            sit = get_situation(name)
        except SituationError as exc:
            app.notify_plain(str(exc), title="Situation", severity="error")
            return False
        if sit.name == self.situation_name:
            return False
        screen = app.main_screen
        mp = screen.map_pane
        app._saved_views[self.situation_name] = SavedView(
            app.day, app.place, dict(app.filters), screen.active_pane, mp.zoom_index, mp.center
        )
        screen.stop_replay()
        app.scheduler.stop_all()
        app.last_changes = []
        app.marked = frozenset()
        config = app.main_config
        if config is not None and not sit.bundled:
            from .cli.common import situation_config

            try:
                config = situation_config(config, sit)
            except Exception as exc:  # a broken feeds.toml: open the situation without feeds
                app.notify_plain(str(exc), title="Config", severity="warning", timeout=10)
                config = None
        app.config = config
        self.situation = sit
        set_situation_zone(sit.tz)
        saved = app._saved_views.get(sit.name, SavedView())
        app.day = None
        app._initial_day = saved.day
        app.place = saved.place
        app.filters = {**dict.fromkeys(app.filters, ""), **saved.filters}
        mp.area = self.map_area()
        mp.zoom_index, mp.center = saved.zoom_index, saved.center
        app.store = None
        app.store_error = None
        app.store_path = sit.store_path
        app.seed_store = sit.bundled
        app.loaded.clear()
        app.history.forget()
        app.indexer.forget()
        for pane in screen.panes():
            pane.set_message("Loading the store…")
        screen.set_active(saved.active_pane, focus=True)
        app.update_header()
        app._load_store()
        app.notify_plain(f"Situation: {sit.title} ({sit.name})", title="Situation", timeout=4)
        return True
