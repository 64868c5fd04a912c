"""Export: a view of the situation written out as text, Markdown or JSON.

An export is the pane's own renderer written out, not a second
implementation: the text of a view is ``plain(render_x(...))`` of the same
pure renderer the pane draws with (colour off), under a short header and
followed by the sources it cites. ``view="all"`` is a situation report: a
summary, the map, the changes of control, the key figures with every source,
the latest events, the quotes and a numbered list of every URL cited.

Formats:

- ``text``: plain text, no escape codes, no line wider than ``width``
  (``ascii=True``: 7-bit only);
- ``markdown``: GitHub-flavoured Markdown; data text is escaped, only
  http(s) URLs become links, the map sits in a fenced code block;
- ``json``: the records behind the view under a ``view``/``as_of``/
  ``generated_by`` header (JSON Schema: ``docs/export.schema.json``);
- ``feed`` (``view="all"`` only): the whole store as a sitmon feed v1
  document, which imports back into an empty store record for record.

Everything is deterministic: the same store and arguments give the same bytes
(the current time appears only when ``timestamp`` is given). Text from the data
is sanitized again on the way out (defence in depth): no C0/C1 control, DEL or
bidi control reaches an export, whatever is in the store.

Headless: this package imports neither Textual nor httpx (``sitmon export``
runs without them). Its modules, one job each: :mod:`.request` (views, formats,
sizes, argument checks, errors), :mod:`.safety` (sanitizing on the way out),
:mod:`.mdtext` (Markdown escaping), :mod:`.citations` (numbered sources),
:mod:`.context` (one export's context and the view body), :mod:`.sitrep` (what a
view shows and the report's wording), and the writers :mod:`.text`,
:mod:`.markdown`, :mod:`.jsondoc` and :mod:`.feed`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec.structs
from sitmon.store.storage import StoreWriteError, atomic_write_bytes
from sitmon.store.views import view_snapshot

from .context import _Ctx, _moment, view_lines
from .feed import export_feed
from .jsondoc import _json_view
from .markdown import _md_sitrep, _md_view
from .request import (
    _NO_DATA,
    EXPORT_VERSION,
    FORMATS,
    MAX_WIDTH,
    MIN_HEIGHT,
    MIN_WIDTH,
    SITREP_EVENTS,
    VIEWS,
    ExportArgumentError,
    ExportError,
    ExportExistsError,
    ExportRequest,
    default_export_name,
    default_map_height,
    resolve_place,
)
from .safety import is_web_url, sanitize_output
from .text import _text_sitrep, _text_view

__all__ = [
    "EXPORT_VERSION",
    "FORMATS",
    "MAX_WIDTH",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "SITREP_EVENTS",
    "VIEWS",
    "ExportArgumentError",
    "ExportError",
    "ExportExistsError",
    "default_export_name",
    "default_map_height",
    "ExportRequest",
    "export",
    "export_feed",
    "export_view",
    "is_web_url",
    "resolve_place",
    "sanitize_output",
    "view_lines",
    "write_export",
]


# --------------------------------------------------------------------------- API


def export(store: Any, request: ExportRequest) -> str:
    """One view of the store (``"all"``: a situation report) as text, Markdown, JSON or
    a feed, exactly as :func:`sitmon.store.views.view_snapshot` shows it.

    ``request`` was checked when it was made; here the place name is resolved
    against the store. Raises :class:`ExportArgumentError` for an unknown or
    ambiguous place. Deterministic: the same store and request give the same bytes.
    """
    req = request
    if req.fmt == "feed":
        return export_feed(store, as_of=req.as_of, ascii=req.ascii, timestamp=req.timestamp)
    place_id = resolve_place(store, req.place) if req.place else None
    moment = _moment(store, req.as_of)
    # an empty store has no "latest": a fixed moment keeps even that export reproducible
    snap = view_snapshot(
        store, req.view, as_of=moment or _NO_DATA, place=place_id, filter=req.filter
    )
    if req.view == "timeline":
        # every row is written: work out every day's corroboration once and look rows up
        # in a dict (a store's DayGroups answers one row by binary search over the days)
        snap = msgspec.structs.replace(snap, groups=dict(snap.groups.items()))
    ctx = _Ctx(req=req, store=store, snap=snap, moment=moment)
    if req.fmt == "json":
        text = _json_view(ctx, req.view)
    elif req.fmt == "markdown":
        text = _md_sitrep(ctx) if req.view == "all" else _md_view(ctx, req.view)
    else:
        text = _text_sitrep(ctx) if req.view == "all" else _text_view(ctx, req.view)
    return sanitize_output(text, ascii=req.ascii)


def export_view(store: Any, **request: Any) -> str:
    """``export(store, ExportRequest(**request))``: keyword arguments as :class:`ExportRequest`'s."""
    return export(store, ExportRequest(**request))


def write_export(text: str, path: Path, *, force: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (temp file, fsync, rename).

    Refuses to replace an existing file unless ``force`` (:class:`ExportExistsError`).
    On failure the previous file, if any, is unchanged (:class:`ExportError`).
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    if not force and os.path.lexists(path):
        raise ExportExistsError(f"{path} already exists; not replaced (--force replaces it)")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except StoreWriteError as exc:
        raise ExportError(str(exc)) from None
