"""The map pane: who controls which place, drawn by :mod:`sitmon.widgets.map_render`."""

from __future__ import annotations

from collections.abc import Hashable

from textual.events import Click, Resize
from textual.geometry import Size

from ..lines import StyledLine
from ..map_render import MapOptions, nearest_in_direction, render_map
from ..render_util import fit
from .blocks import BlockPane


class MapPane(BlockPane):
    """Who controls which place as of the shown moment.

    Draws the ASCII/braille map of :mod:`sitmon.widgets.map_render` (the places
    the snapshot's filter selects). Arrow keys move the selection to the
    nearest place in that direction.
    """

    PANE_ID = "map"
    TITLE = "Map"
    KIND = "place"

    ZOOM_STEPS = (1.0, 1.5, 2.25, 3.4, 5.0, 7.5)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.place: str | None = None  # the selected place (the app's place filter)
        self.highlight: str | None = None  # a place to highlight (the timeline's event)
        self.zoom_index = 0
        self.center: tuple[float, float] | None = None  # (lat, lon)
        self.charset = "braille"
        self.labels = True
        self.places_shown: list[str] = []
        self._positions: dict[str, tuple[int, int]] = {}
        self._map_lines: list[StyledLine] | None = None
        self._map_key: object = None
        self.as_of_label = ""
        #: the situation's map area (widgets.area_geo.MapArea); None: the bundled Syria
        self.area = None

    @property
    def zoom(self) -> float:
        return self.ZOOM_STEPS[self.zoom_index]

    def configure(
        self, *, place: str | None | type = ..., highlight: str | None | type = ..., **_
    ) -> None:
        if place is not ...:
            self.place = place
        if highlight is not ...:
            self.highlight = highlight

    @property
    def selected_id(self) -> str | None:
        return self.place

    def map_options(self):
        return MapOptions(
            charset="ascii" if (self.charset == "ascii" or self.options.ascii) else "braille",
            colour=self.options.colour,
            labels=self.labels,
            selected=self.place or self.highlight,
            zoom=self.zoom,
            center=self.center,
            legend=True,
            as_of_label=self.as_of_label,
            area=self.area,
        )

    # ------------------------------------------------------------ rendering
    def _visible_places(self):
        """The places the snapshot's filter selects (:mod:`sitmon.store.filtering`)."""
        return self.snapshot.shown_places

    def _ensure(self, width: int | None = None) -> None:
        width = width or self.line_width
        height = self.page_height
        if self.snapshot is None or self.message is not None:
            self._map_lines, self._positions, self.places_shown = [], {}, []
            self._ids = []
            return
        if not self.laid_out():
            return  # not sized yet: the first layout draws it
        key = (
            width,
            height,
            self._version,
            self.place,
            self.highlight,
            self.zoom,
            self.center,
            self.charset,
            self.labels,
            self.options,
            self.area,
        )
        if key == self._map_key and self._map_lines is not None:
            return
        places = self._visible_places()
        try:
            result = render_map(
                places.values(),
                self.snapshot.control,
                self.snapshot.factions,
                width,
                height,
                self.map_options(),
            )
            self._map_lines = list(result.lines)
            self._positions = dict(result.positions)
        except Exception as exc:  # a drawing bug must not take the app down
            self._map_lines = [StyledLine(fit(f"map unavailable: {exc}", width), ())]
            self._positions = {}
        self._map_key = key
        self.places_shown = sorted(
            self._positions, key=lambda p: (self._positions[p][1], self._positions[p][0])
        )
        self._ids = self.places_shown

    def _item_ids(self) -> list[str]:
        self._ensure()  # the places are those the drawing at this size shows
        return self._ids

    def item_lines(self, index: int) -> tuple[int, int]:
        return 0, 1  # places are positions on one picture, not rows

    def item_at_line(self, line: int) -> int | None:
        return None

    def _content_line_count(self) -> int:
        self._ensure()
        return len(self._map_lines or [])

    def line_key(self, index: int, width: int) -> Hashable:
        self._ensure(width)
        return (self._map_key, index)

    def build_item_line(self, index: int, width: int) -> StyledLine:
        self._ensure(width)
        lines = self._map_lines or []
        return lines[index] if index < len(lines) else StyledLine("", ())

    def update_virtual_size(self) -> None:
        self.virtual_size = Size(self.line_width, self.page_height)

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)  # drawn again if the size changed (it is in the key)
        if self.snapshot is not None:  # "8 places": the places drawn at this size
            self.update_title()

    def rebuild(self) -> None:
        super().rebuild()
        self._map_key = None

    def title_extras(self) -> list[str]:
        notes = []
        if self.place and self.snapshot and self.place in self.snapshot.places:
            notes.append(self.snapshot.places[self.place].name)
        if self.zoom_index:
            notes.append(f"zoom {self.zoom:g}x")
        return notes

    def subtitle(self, count: int) -> str:
        return f"{count} places" if count else ""

    # ------------------------------------------------------------ selection
    def set_place(self, place: str | None, *, notify: bool = True) -> None:
        if place == self.place:
            return
        self.place = place
        self.rebuild()
        self.invalidate()
        self.update_title()
        if notify:
            self.post_message(self.SelectionChanged(self, place))

    def _move_to(self, index: int, *, notify: bool = True, scroll: bool = True) -> None:
        self._ensure()
        if not self._ids:
            return
        index = max(0, min(index, len(self._ids) - 1))
        self.cursor = index
        self.set_place(self._ids[index], notify=notify)

    def select(self, item: str, *, notify: bool = True, scroll: bool = True) -> bool:
        if self.snapshot is None or item not in self.snapshot.places:
            return False
        self.set_place(item, notify=notify)
        return True

    def _default_place(self) -> str | None:
        self._ensure()
        if not self._ids or self.snapshot is None:
            return None
        places = self.snapshot.places
        return min(
            self._ids,
            key=lambda p: (
                places[p].importance if p in places else 9,
                places[p].name if p in places else p,
            ),
        )

    def _step(self, direction: str) -> None:
        self._ensure()
        if not self._ids:
            return
        if self.place is None or self.place not in self._ids:
            start = nearest_in_direction(self._positions, None, direction)
            self.set_place(start or self._default_place())
            return
        target = nearest_in_direction(self._positions, self.place, direction)
        if target is not None:
            self.set_place(target)

    def action_cursor_up(self) -> None:
        self._step("up")

    def action_cursor_down(self) -> None:
        self._step("down")

    def action_cursor_left(self) -> None:
        self._step("left")

    def action_cursor_right(self) -> None:
        self._step("right")

    def action_page_up(self) -> None:
        """The map is one page: nothing to page through."""

    def action_page_down(self) -> None:
        """The map is one page: nothing to page through."""

    def action_first(self) -> None:
        self._ensure()
        if self._ids:
            self._move_to(0)

    def action_last(self) -> None:
        self._ensure()
        if self._ids:
            self._move_to(len(self._ids) - 1)

    # ---------------------------------------------------------- view changes
    def _view_changed(self) -> None:
        self._map_key = None
        self.invalidate()
        self.update_title()

    def action_zoom(self, delta: int) -> None:
        new = max(0, min(len(self.ZOOM_STEPS) - 1, self.zoom_index + delta))
        if new == self.zoom_index:
            return
        self.zoom_index = new
        if self.place and self.snapshot and self.place in self.snapshot.places and new > 0:
            p = self.snapshot.places[self.place]
            self.center = (p.lat, p.lon)
        if new == 0:
            self.center = None
        self._view_changed()

    def action_pan(self, dx: int, dy: int) -> None:
        """Move the view by a fifth of its span (``dx``/``dy`` in -1, 0, 1)."""
        from ..geo import SYRIA_BBOX

        min_lon, min_lat, max_lon, max_lat = SYRIA_BBOX if self.area is None else self.area.bbox
        lat, lon = self.center or ((min_lat + max_lat) / 2, (min_lon + max_lon) / 2)
        step_lon = (max_lon - min_lon) / self.zoom / 5
        step_lat = (max_lat - min_lat) / self.zoom / 5
        self.center = (lat - dy * step_lat, lon + dx * step_lon)
        self._view_changed()

    def action_reset_view(self) -> None:
        self.zoom_index = 0
        self.center = None
        self._view_changed()

    def action_toggle_charset(self) -> None:
        self.charset = "ascii" if self.charset == "braille" else "braille"
        self._view_changed()

    def action_toggle_labels(self) -> None:
        self.labels = not self.labels
        self._view_changed()

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.message is not None:
            return
        self._ensure()
        if not self._positions:
            return
        x, y = offset.x, offset.y
        best = min(
            self._positions,
            key=lambda p: (self._positions[p][0] - x) ** 2 + (2 * (self._positions[p][1] - y)) ** 2,
        )
        px, py = self._positions[best]
        if abs(px - x) <= 6 and abs(py - y) <= 3:
            self.set_place(best)
            if event.chain >= 2:
                self.action_open()
