"""What an export may be asked for: :class:`ExportRequest`, checked once; sizes, errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sitmon.store.filtering import FilterError, check_filter
from sitmon.store.query import parse_filter
from sitmon.store.timeutil import SITUATION_TZ, fmt_day
from sitmon.store.views import VIEW_KINDS, VIEWS
from sitmon.widgets.area_geo import MapArea

if TYPE_CHECKING:  # the map renderer is imported by the map's export only
    from sitmon.widgets.map_render import MapOptions

FORMATS: tuple[str, ...] = ("text", "markdown", "json", "feed")
#: the version of the JSON export document (``sitmon_export``)
EXPORT_VERSION = 1
MIN_WIDTH = 40
MAX_WIDTH = 1000
#: the smallest map height an export accepts: the map renderer's minimum,
#: ``sitmon.widgets.map_render.MIN_HEIGHT`` (kept equal here, a test checks, so that a
#: timeline export need not import the map renderer)
MIN_HEIGHT = 10
MAX_HEIGHT = 1000
#: the situation report lists at most this many of the latest events
SITREP_EVENTS = 20

_VIEW_LABEL = {
    "timeline": "Timeline",
    "map": "Map of control",
    "quotes": "Quotes",
    "stats": "Key figures",
    "all": "Situation report",
}
#: the moment used (and never shown as such) when the store holds no dated record
_NO_DATA = datetime(1970, 1, 1, tzinfo=SITUATION_TZ)
_EXTENSION = {"text": "txt", "markdown": "md", "json": "json", "feed": "json", "svg": "svg"}
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


class ExportError(Exception):
    """An export that cannot be made or written; the message is one line."""

    code = 1


class ExportArgumentError(ExportError):
    """A bad argument (view, format, size, place): a usage error (exit code 2)."""

    code = 2


class ExportExistsError(ExportError, FileExistsError):
    """The output file exists and ``force`` was not given."""


# --------------------------------------------------------------------------- arguments


def resolve_place(store: Any, term: str) -> str:
    """A place id from an id or a name (``store.resolve_places``); ExportArgumentError
    when the name is unknown or matches several places (the message lists them)."""
    if term in store.places:
        return term
    found = sorted(store.resolve_places(term))
    if not found:
        raise ExportArgumentError(f"unknown place {term!r} (try a name like Aleppo or Hama)")
    if len(found) > 1:
        names = ", ".join(f"{store.places[p].name} ({p})" for p in found[:12])
        more = f" and {len(found) - 12} more" if len(found) > 12 else ""
        raise ExportArgumentError(f"ambiguous place {term!r}: it matches {names}{more}")
    return found[0]


def default_map_height(width: int) -> int:
    """The map's height when none is given: about 3/8 of the width (30 rows at 80)."""
    return max(MIN_HEIGHT, width * 3 // 8)


def default_export_name(view: str, fmt: str, as_of: datetime | None) -> str:
    """``sitmon-timeline-2024-12-05.txt``, ``sitmon-sitrep-2024-12-05.md``, ``sitmon-feed-latest.json``."""
    name = "feed" if fmt == "feed" else "sitrep" if view == "all" else view
    day = fmt_day(as_of) if as_of is not None else "latest"
    return f"sitmon-{name}-{day}.{_EXTENSION.get(fmt, 'txt')}"


@dataclass(frozen=True)
class ExportRequest:
    """One export: which view, in which format, at which size and moment; checked once.

    Built from the command line's arguments (``sitmon export``) or from the view
    state of the app (``e``/``E``); :func:`sitmon.widgets.export.export` writes it.
    Construction validates every field and raises :class:`ExportArgumentError`
    (one line) for:

    - an unknown ``view`` (:data:`VIEWS`) or ``fmt`` (:data:`FORMATS`);
    - ``fmt="feed"`` with a view other than ``all``, or with a place or filter;
    - ``width`` outside :data:`MIN_WIDTH`..:data:`MAX_WIDTH` characters;
    - ``height`` (rows) below :data:`MIN_HEIGHT` for ``map``/``all``, below 1
      otherwise, or above :data:`MAX_HEIGHT`;
    - a ``filter`` term the view cannot take (:func:`sitmon.store.filtering.check_filter`).

    ``place`` is an id or a name (resolved against the store when exporting);
    ``as_of`` None means the end of the latest day in the data; ``selected`` (the
    item under a pane's cursor) is dropped for ``all``; ``timestamp`` adds a
    "generated at" line (without it the output is byte-for-byte reproducible);
    ``area`` is the situation's map area
    (:func:`sitmon.widgets.area_geo.situation_area`; None: the bundled Syria).
    """

    view: str = "all"
    fmt: str = "text"
    width: int = 80
    height: int | None = None
    as_of: datetime | None = None
    place: str | None = None
    filter: str | None = None
    ascii: bool = False
    newest_first: bool = True
    selected: str | None = None
    map_options: MapOptions | None = None
    timestamp: datetime | None = None
    area: MapArea | None = None

    def __post_init__(self) -> None:
        view, fmt, width, height = self.view, self.fmt, self.width, self.height
        if view not in VIEWS:
            raise ExportArgumentError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
        if fmt not in FORMATS:
            raise ExportArgumentError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        if fmt == "feed":
            if view != "all":
                raise ExportArgumentError(
                    "the feed format exports the whole store: use it with --view all"
                )
            if self.place or (self.filter and self.filter.strip()):
                raise ExportArgumentError(
                    "the feed format exports the whole store: no --place or --filter"
                )
        if not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
            raise ExportArgumentError(f"width must be {MIN_WIDTH} to {MAX_WIDTH} (got {width})")
        if height is not None:
            low = MIN_HEIGHT if view in ("map", "all") else 1
            if not isinstance(height, int) or not low <= height <= MAX_HEIGHT:
                what = "the map" if low > 1 else "a view"
                raise ExportArgumentError(
                    f"height must be at least {low} for {what} (got {height})"
                )
        try:
            check_filter(parse_filter(self.filter), VIEW_KINDS[view])
        except FilterError as exc:
            raise ExportArgumentError(str(exc)) from None
        if view == "all" and self.selected is not None:
            object.__setattr__(self, "selected", None)

    @property
    def file_name(self) -> str:
        """The default file name (:func:`default_export_name`)."""
        return default_export_name(self.view, self.fmt, self.as_of)
