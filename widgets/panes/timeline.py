"""The timeline pane: events, newest or oldest first."""

from __future__ import annotations

from collections.abc import Hashable

from ..lines import StyledLine
from ..render_util import fit, safe
from ..timeline_render import empty_message, render_timeline_row, timeline_rows
from .base import Pane


class TimelinePane(Pane):
    """Every event up to the shown moment, one line each; 100k rows scroll at once."""

    PANE_ID = "timeline"
    TITLE = "Timeline"
    KIND = "event"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list = []
        self.newest_first = True
        self.marked: frozenset[str] = frozenset()

    def configure(
        self, *, newest_first: bool | None = None, marked: frozenset[str] | None = None, **_
    ) -> None:
        if newest_first is not None:
            self.newest_first = newest_first
        if marked is not None:
            self.marked = marked

    def rebuild(self) -> None:
        self.rows = (
            timeline_rows(self.snapshot, newest_first=self.newest_first) if self.snapshot else []
        )

    def item_count(self) -> int:
        return len(self.rows)

    def item_id(self, index: int) -> str | None:
        return self.rows[index].id if 0 <= index < len(self.rows) else None

    def find(self, item: str) -> int | None:
        """The row of event ``item``: a binary search on (time, id) when the rows can
        rank an event (the store's views), else a scan."""
        table = getattr(self.snapshot, "event_table", None)
        rank = getattr(self.rows, "rank", None)
        if table and rank is not None:
            ev = table.get(item)
            return None if ev is None else rank(ev)
        for i, ev in enumerate(self.rows):
            if ev.id == item:
                return i
        return None

    @property
    def selected_event(self):
        if self.message is not None or not self.rows:
            return None
        return self.rows[min(self.cursor, len(self.rows) - 1)]

    def _content_line_count(self) -> int:
        return max(1, len(self.rows))

    def line_key(self, index: int, width: int) -> Hashable:
        if self.message is not None or not self.rows:
            return (self._generation, "msg", width)
        ev = self.rows[index]
        group = self.snapshot.groups.get(ev.id) if self.snapshot is not None else None
        return (
            self.store_generation,
            ev.id,
            width,
            index == self.cursor,
            ev.id in self.marked,
            self.options,
            len(group) if group else 0,  # the row's "· 3 sources" follows the filter
        )

    def invalidate(self) -> None:
        """New rows: repaint, keeping the cached lines. A row's key holds all that its
        look depends on (the store's generation, the event, the width, the cursor, the
        mark, the options, its group's size), so after a filter keystroke or a day
        step the rows still shown are not rendered again."""
        self._generation += 1
        self.update_virtual_size()
        self.refresh()

    def build_item_line(self, index: int, width: int) -> StyledLine:
        if not self.rows:
            return StyledLine(
                fit(safe(empty_message(self.snapshot), ascii=self.options.ascii), width), ()
            )
        ev = self.rows[index]
        return render_timeline_row(
            ev,
            self.snapshot,
            width,
            selected=index == self.cursor,
            marked=ev.id in self.marked,
            colour=self.options.colour,
            ascii=self.options.ascii,
        )

    def _move_to(self, index: int, *, notify: bool = True, scroll: bool = True) -> None:
        old = self.cursor
        super()._move_to(index, notify=notify, scroll=scroll)
        if old != self.cursor:
            self.refresh_line(old)
            self.refresh_line(self.cursor)

    def title_extras(self) -> list[str]:
        return [] if self.newest_first else ["oldest first"]

    def action_toggle_order(self) -> None:
        keep = self.selected_id
        self.newest_first = not self.newest_first
        self.rebuild()
        if keep is not None:
            self.select(keep, notify=False)
        self.invalidate()
        self.update_title()
