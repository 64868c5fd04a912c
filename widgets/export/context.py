"""One export's context (store, snapshot, moment, sizes), time labels and the view body."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec.structs
from sitmon.store.query import Snapshot
from sitmon.store.records import SourceRef
from sitmon.store.timeutil import (
    day_of,
    end_of_day,
    fmt_day,
    fmt_when,
    situation_zone,
    zone_label,
)
from sitmon.widgets.lines import StyledLine, plain
from sitmon.widgets.quotes_render import render_quotes
from sitmon.widgets.render_util import glyphs, safe
from sitmon.widgets.stats_render import render_stats
from sitmon.widgets.timeline_render import render_timeline

from .citations import _Citations
from .mdtext import _md
from .request import _MONTHS, ExportArgumentError, ExportRequest, default_map_height

if TYPE_CHECKING:  # imported where a map is drawn: a timeline export never needs it
    from sitmon.widgets.map_render import MapOptions, MapRender

# --------------------------------------------------------------------------- time labels


def _day_long(dt: datetime) -> str:
    d = day_of(dt)
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _day_short(dt: datetime) -> str:
    d = day_of(dt)
    return f"{d.day} {_MONTHS[d.month - 1][:3]}"


def _is_end_of_day(dt: datetime) -> bool:
    return dt == end_of_day(day_of(dt))


def _as_of_text(moment: datetime | None) -> str:
    """``As of 5 December 2024, end of day (UTC+03)``."""
    if moment is None:
        return "No data in the store"
    if _is_end_of_day(moment):
        return f"As of {_day_long(moment)}, end of day ({zone_label(moment)})"
    local = moment.astimezone(situation_zone())
    return f"As of {_day_long(moment)} {local:%H:%M} ({zone_label(moment)})"


def _as_of_label(moment: datetime | None) -> str:
    """The map legend's label: ``as of 2024-12-05``."""
    if moment is None:
        return ""
    if _is_end_of_day(moment):
        return f"as of {fmt_day(moment)}"
    return f"as of {fmt_when(moment)}"


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("sitmon")
    except Exception:  # running from a checkout
        return "0.1.0"


# --------------------------------------------------------------------------- context


@dataclass
class _Ctx:
    """One export being written: the request, the store, what the view shows, its moment."""

    req: ExportRequest
    store: Any
    snap: Snapshot
    moment: datetime | None
    cites: _Citations = field(default_factory=_Citations)

    @property
    def view(self) -> str:
        return self.req.view

    @property
    def width(self) -> int:
        return self.req.width

    @property
    def height(self) -> int | None:
        return self.req.height

    @property
    def ascii(self) -> bool:
        return self.req.ascii

    @property
    def g(self):
        return glyphs(self.ascii)

    @property
    def msep(self) -> str:
        """A separator for Markdown (never a pipe: it would split a table cell)."""
        return " - " if self.ascii else " · "

    def s(self, text: str) -> str:
        return safe(text, ascii=self.ascii)

    def md(self, text: str) -> str:
        return _md(text, self.ascii)

    @property
    def title(self) -> str:
        situation = self.store.meta.get("situation") or {}
        title = situation.get("title") if isinstance(situation, dict) else None
        return title if isinstance(title, str) and title.strip() else "sitmon"

    def place_name(self, pid: str) -> str:
        p = self.snap.places.get(pid)
        return p.name if p is not None else pid

    def faction_name(self, fid: str | None) -> str:
        if fid is None:
            return "unknown"
        f = self.snap.factions.get(fid)
        return f.short if f is not None else fid

    def source_name(self, ref: SourceRef) -> str:
        src = self.snap.sources.get(ref.source)
        return src.name if src is not None else ref.source

    def ref_url(self, ref: SourceRef) -> str:
        src = self.snap.sources.get(ref.source)
        return ref.url or (src.url if src is not None else "")

    def map_height(self) -> int:
        return self.height if self.height is not None else default_map_height(self.width)

    def map_opts(self) -> MapOptions:
        from sitmon.widgets.map_render import MapOptions

        charset = "ascii" if self.ascii else "braille"
        selected = self.snap.place
        if self.view == "map" and self.req.selected is not None:
            selected = self.req.selected
        if self.req.map_options is None:
            return MapOptions(
                charset=charset,
                colour=False,
                selected=selected,
                as_of_label=_as_of_label(self.moment),
                area=self.req.area,
            )
        opts = msgspec.structs.replace(self.req.map_options, colour=False)
        if opts.area is None and self.req.area is not None:
            opts = msgspec.structs.replace(opts, area=self.req.area)
        if self.ascii:
            opts = msgspec.structs.replace(opts, charset="ascii")
        if not opts.as_of_label:
            opts = msgspec.structs.replace(opts, as_of_label=_as_of_label(self.moment))
        return opts


def _header_bits(ctx: _Ctx, count: str, esc: Callable[[str], str]) -> list[str]:
    """The parts of an export's header line after the moment, shared by the text and
    Markdown writers: the record count, the place and filter shown, and (only when
    asked for) when and by which sitmon it was generated. ``esc`` makes outside text
    safe for the format (plain text or Markdown)."""
    bits = [count] if count else []
    if ctx.snap.place:
        bits.append(f"place: {esc(ctx.place_name(ctx.snap.place))}")
    if not ctx.snap.filter.empty:
        bits.append(f"filter: {esc(str(ctx.snap.filter))}")
    if ctx.req.timestamp is not None:
        bits.append(
            f"generated {fmt_when(ctx.req.timestamp)} ({zone_label(ctx.req.timestamp)}) "
            f"by sitmon {_version()}"
        )
    return bits


def _moment(store: Any, as_of: datetime | None) -> datetime | None:
    """The as-of moment: as given, else the end of the latest day in the data."""
    if as_of is not None:
        return as_of
    _first, last = store.time_bounds()
    return end_of_day(day_of(last)) if last is not None else None


# --------------------------------------------------------------------------- renderers


def view_lines(
    snapshot: Snapshot,
    view: str,
    width: int,
    height: int | None = None,
    *,
    ascii: bool = False,
    newest_first: bool = True,
    selected: str | None = None,
    map_options: MapOptions | None = None,
) -> list[StyledLine]:
    """The pane renderer's lines for one view, colour off: the body of a text export.

    ``map`` needs a height (default :func:`default_map_height`); the others show
    every row when ``height`` is None.
    """
    if view == "timeline":
        return render_timeline(
            snapshot,
            width,
            height,
            newest_first=newest_first,
            selected=selected,
            colour=False,
            ascii=ascii,
        )
    if view == "quotes":
        return render_quotes(snapshot, width, height, selected=selected, colour=False, ascii=ascii)
    if view == "stats":
        return render_stats(snapshot, width, height, selected=selected, colour=False, ascii=ascii)
    if view == "map":
        from sitmon.widgets.map_render import MapOptions, render_map

        opts = map_options or MapOptions(charset="ascii" if ascii else "braille", colour=False)
        h = height if height is not None else default_map_height(width)
        return render_map(
            snapshot.shown_places.values(), snapshot.control, snapshot.factions, width, h, opts
        ).lines
    raise ExportArgumentError(f"no single renderer for view {view!r}")


def _map_render(ctx: _Ctx) -> MapRender:
    """The export's map: its lines and the places it draws (a zoomed or small map draws
    fewer than the snapshot holds)."""
    from sitmon.widgets.map_render import render_map

    snap = ctx.snap
    return render_map(
        snap.shown_places.values(),
        snap.control,
        snap.factions,
        ctx.width,
        ctx.map_height(),
        ctx.map_opts(),
    )


def _body(ctx: _Ctx, view: str) -> str:
    """The whole view's lines as text: the map at the export's map height, any other
    view with every row (a text view cut by ``--height`` picks its rows itself, and
    the situation report's ``--height`` is the map's)."""
    if view == "map":
        lines = _map_render(ctx).lines
    else:
        lines = view_lines(
            ctx.snap,
            view,
            ctx.width,
            None,
            ascii=ctx.ascii,
            newest_first=ctx.req.newest_first,
            selected=ctx.req.selected,
        )
    return plain(lines)
