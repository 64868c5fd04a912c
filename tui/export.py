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

Headless: this module imports neither Textual nor httpx (``sitmon export``
runs without them).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote as _url_quote
from urllib.parse import urlsplit

from sitmon.store.query import MetricSummary, Snapshot
from sitmon.store.records import ControlChange, Event, Figure, Quote, SourceRef, record_to_dict
from sitmon.store.storage import StoreWriteError, atomic_write_bytes
from sitmon.store.timeutil import SITUATION_TZ, day_of, end_of_day, fmt_day, fmt_when
from sitmon.widgets.lines import StyledLine, plain
from sitmon.widgets.map_render import MIN_HEIGHT as MAP_MIN_HEIGHT
from sitmon.widgets.map_render import MapOptions, render_map
from sitmon.widgets.quotes_render import quote_rows, render_quotes
from sitmon.widgets.render_util import cells, fmt_value, glyphs, metric_label, safe, wrap
from sitmon.widgets.stats_render import metric_rows, render_stats
from sitmon.widgets.timeline_render import empty_message, render_timeline, timeline_rows

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
    "export_feed",
    "export_view",
    "is_web_url",
    "resolve_place",
    "sanitize_output",
    "view_lines",
    "write_export",
]

View = Literal["timeline", "map", "quotes", "stats", "all"]
Format = Literal["text", "markdown", "json", "feed"]

VIEWS: tuple[str, ...] = ("timeline", "map", "quotes", "stats", "all")
FORMATS: tuple[str, ...] = ("text", "markdown", "json", "feed")
#: the version of the JSON export document (``sitmon_export``)
EXPORT_VERSION = 1
MIN_WIDTH = 40
MAX_WIDTH = 1000
#: the smallest map height an export accepts (the map renderer's minimum)
MIN_HEIGHT = MAP_MIN_HEIGHT
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
_EXTENSION = {"text": "txt", "markdown": "md", "json": "json", "feed": "json"}
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


# --------------------------------------------------------------------------- safety

#: C0 (tab and newline handled apart), DEL, C1, bidi embeddings/overrides/isolates,
#: directional and zero-width marks, line/paragraph separators, BOM, lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)


def sanitize_output(text: str, *, ascii: bool = False) -> str:
    """The last pass over a whole export: no control or bidi character survives.

    Tabs become spaces; every other unsafe character becomes U+FFFD (``?`` in
    ASCII). With ``ascii`` anything outside 7-bit is transliterated or ``?``.
    """
    if "\t" in text:
        text = text.replace("\t", " ")
    text = _UNSAFE.sub("?" if ascii else "\ufffd", text)
    if ascii and not text.isascii():
        text = safe(text, ascii=True, newlines=True)
        text = "".join(ch if ch.isascii() else "?" for ch in text)
    return text


def _clean_value(text: str) -> str:
    """A string for JSON: unsafe characters removed (as ingest would), newlines kept."""
    if _UNSAFE.search(text) or "\t" in text or "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        text = _UNSAFE.sub("", text)
    return text


def is_web_url(url: str) -> bool:
    """Is ``url`` an absolute http(s) URL with a host (the only kind made a link)?"""
    if not url or url != url.strip() or _UNSAFE.search(url) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _clean_tree(obj: Any) -> Any:
    """Decoded JSON data made safe: strings cleaned, ``url`` values that are not http(s) dropped."""
    if isinstance(obj, str):
        return _clean_value(obj)
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "url" and isinstance(v, str) and not is_web_url(v):
                continue
            out[_clean_value(k) if isinstance(k, str) else k] = _clean_tree(v)
        return out
    if isinstance(obj, list | tuple):
        return [_clean_tree(v) for v in obj]
    return obj


def _record(rec: Any) -> dict[str, Any]:
    return _clean_tree(record_to_dict(rec))


# --------------------------------------------------------------------------- Markdown text

_MD_ESCAPE = re.compile(r"([\\`*_\[\]<>|~$])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Characters kept as they are in a link destination; everything else is %-encoded
# (spaces, parentheses, angle brackets, `|`, backslashes, quotes, non-ASCII).
_URL_SAFE = "-._~:/?#[]@!$&'*+,;=%"


def _md(text: str, ascii: bool) -> str:
    """Data text as literal Markdown, on one line (no markup, no HTML, no links)."""
    text = _MD_ESCAPE.sub(r"\\\1", safe(text, ascii=ascii).strip())
    return _MD_ENTITY.sub(r"\\&", text)  # after: its backslash must not be escaped


def _md_url(url: str) -> str:
    return _url_quote(url, safe=_URL_SAFE)


def _md_link(label: str, url: str, ascii: bool) -> str:
    """``[label](url)`` for an http(s) URL; other URLs are not links (label only)."""
    text = _md(label, ascii)
    if is_web_url(url):
        return f"[{text}]({_md_url(url)})"
    return text


def _md_cell(text: str) -> str:
    """Already-escaped Markdown for a table cell: one line, never empty-looking broken."""
    return " ".join(text.split()) or " "


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        assert len(row) == len(header)
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return out


def _fence(lines: list[str], info: str = "text") -> list[str]:
    longest = 0
    for line in lines:
        for run in re.findall(r"`+", line):
            longest = max(longest, len(run))
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]


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
        return f"As of {_day_long(moment)}, end of day (UTC+03)"
    local = moment.astimezone(SITUATION_TZ)
    return f"As of {_day_long(moment)} {local:%H:%M} (UTC+03)"


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


def _check(view: str, fmt: str, width: int, height: int | None) -> None:
    if view not in VIEWS:
        raise ExportArgumentError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
    if fmt not in FORMATS:
        raise ExportArgumentError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "feed" and view != "all":
        raise ExportArgumentError("the feed format exports the whole store: use it with --view all")
    if not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ExportArgumentError(f"width must be {MIN_WIDTH} to {MAX_WIDTH} (got {width})")
    if height is not None:
        low = MIN_HEIGHT if view in ("map", "all") else 1
        if not isinstance(height, int) or not low <= height <= MAX_HEIGHT:
            what = "the map" if low > 1 else "a view"
            raise ExportArgumentError(f"height must be at least {low} for {what} (got {height})")


# --------------------------------------------------------------------------- context


@dataclass
class _Cite:
    label: str
    url: str


@dataclass
class _Citations:
    """Every source cited by a report, numbered in order of first citation, deduplicated by URL."""

    entries: list[_Cite] = field(default_factory=list)
    _index: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, ref: SourceRef, snap: Snapshot) -> int:
        src = snap.sources.get(ref.source)
        url = ref.url or (src.url if src is not None else "")
        key = ("url", url) if url else ("source", ref.source)
        n = self._index.get(key)
        if n is None:
            # notes describe one citation, not the address: they stay with the citation
            self.entries.append(_Cite(src.name if src is not None else ref.source, url))
            n = self._index[key] = len(self.entries)
        return n

    def add_all(self, refs: Iterable[SourceRef], snap: Snapshot) -> list[int]:
        out: list[int] = []
        for ref in refs:
            n = self.add(ref, snap)
            if n not in out:
                out.append(n)
        return out


@dataclass
class _Ctx:
    store: Any
    snap: Snapshot
    moment: datetime | None
    view: str
    width: int
    height: int | None
    ascii: bool
    newest_first: bool
    selected: str | None
    map_options: MapOptions | None
    timestamp: datetime | None
    cites: _Citations = field(default_factory=_Citations)

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
        charset = "ascii" if self.ascii else "braille"
        selected = self.snap.place
        if self.view == "map" and self.selected is not None:
            selected = self.selected
        if self.map_options is None:
            return MapOptions(
                charset=charset,
                colour=False,
                selected=selected,
                as_of_label=_as_of_label(self.moment),
            )
        opts = dataclasses.replace(self.map_options, colour=False)
        if self.ascii:
            opts = dataclasses.replace(opts, charset="ascii")
        if not opts.as_of_label:
            opts = dataclasses.replace(opts, as_of_label=_as_of_label(self.moment))
        return opts


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
        opts = map_options or MapOptions(charset="ascii" if ascii else "braille", colour=False)
        h = height if height is not None else default_map_height(width)
        return render_map(
            snapshot.places.values(), snapshot.control, snapshot.factions, width, h, opts
        ).lines
    raise ExportArgumentError(f"no single renderer for view {view!r}")


def _body(ctx: _Ctx, view: str) -> str:
    if view == "map":
        lines = view_lines(
            ctx.snap,
            "map",
            ctx.width,
            ctx.map_height(),
            ascii=ctx.ascii,
            map_options=ctx.map_opts(),
        )
    else:
        lines = view_lines(
            ctx.snap,
            view,
            ctx.width,
            ctx.height,
            ascii=ctx.ascii,
            newest_first=ctx.newest_first,
            selected=ctx.selected,
        )
    return plain(lines)


# --------------------------------------------------------------------------- what a view shows


def _period_events(ctx: _Ctx) -> list[Event]:
    """The sitrep's events: those since the start of the period, in display order."""
    first = ctx.snap.first
    events = [e for e in ctx.snap.events if first is None or e.time >= first]
    return events[::-1] if ctx.newest_first else events


def _control_rows(ctx: _Ctx) -> list[ControlChange]:
    """Current control of every place, most important places first."""
    snap = ctx.snap

    def key(c: ControlChange):
        p = snap.places.get(c.place)
        return (p.importance if p else 9, p.name if p else c.place, c.place)

    return sorted(snap.control.values(), key=key)


@dataclass(frozen=True)
class _Change:
    place: str
    before: ControlChange | None
    after: ControlChange
    steps: tuple[ControlChange, ...]


def _changes(ctx: _Ctx) -> list[_Change]:
    """Places whose control differs from the start of the period, in order of the change."""
    snap = ctx.snap
    if snap.first is None or ctx.moment is None or ctx.moment < snap.first:
        return []
    out = []
    for pid, now in snap.control.items():
        before = snap.control_at_start.get(pid)
        steps = tuple(
            c for c in ctx.store.control_history(pid) if snap.first <= c.valid_from <= ctx.moment
        )
        if not steps:
            continue
        if before is not None and (before.faction, before.status) == (now.faction, now.status):
            if all((c.faction, c.status) == (now.faction, now.status) for c in steps):
                continue
        out.append(_Change(pid, before, now, steps))
    out.sort(key=lambda c: (c.after.valid_from, ctx.place_name(c.place), c.place))
    return out


def _holder(ctx: _Ctx, c: ControlChange | None) -> str:
    if c is None:
        return "unknown"
    name = ctx.faction_name(c.faction)
    return name if c.status == "held" else f"{c.status} by {name}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _change_phrases(ctx: _Ctx, changes: list[_Change]) -> list[str]:
    """``Aleppo (29 Nov) and Hama (5 Dec) passed from Government to HTS-led MOC``, ..."""
    start = _day_short(ctx.snap.first) if ctx.snap.first else "the start"
    groups: dict[tuple[str, str, str], list[str]] = {}
    for ch in changes:
        a, b = ch.before, ch.after
        to = ctx.faction_name(b.faction)
        if a is None:
            key = ("new", "", f"held by {to}" if b.status == "held" else _holder(ctx, b))
        elif (a.faction, a.status) == (b.faction, b.status):
            key = ("back", "", to)
        elif b.status == "held" and a.faction != b.faction:
            key = ("passed", ctx.faction_name(a.faction), to)
        elif b.status == "held":
            key = ("firm", _holder(ctx, a), to)
        else:
            key = (b.status, _holder(ctx, a), to)
        groups.setdefault(key, []).append(
            f"{ctx.place_name(ch.place)} ({_day_short(b.valid_from)})"
        )
    out = []
    for (kind, frm, to), places in groups.items():
        names = _join(places)
        if kind == "passed":
            out.append(f"{names} passed from {frm} to {to}")
        elif kind == "new":
            out.append(f"{names} now {to}")
        elif kind == "back":
            out.append(f"{names} changed hands and returned to {to}")
        elif kind == "firm":
            out.append(f"{names} now held by {to} (was {frm} on {start})")
        else:
            out.append(f"{names} {kind} by {to} (was {frm} on {start})")
    return out


def _summary_control(ctx: _Ctx) -> str:
    snap = ctx.snap
    if snap.first is None:
        return "No start date for the period is known, so no change of control is measured."
    start = _day_short(snap.first)
    if ctx.moment is None or ctx.moment < snap.first:
        return f"No change of control yet: the period begins on {_day_long(snap.first)}."
    phrases = _change_phrases(ctx, _changes(ctx))
    if not phrases:
        return f"Since {start}: no place changed hands."
    return f"Since {start}: " + "; ".join(phrases) + "."


_HEADLINE_TYPES = {"capture": 5, "withdrawal": 4, "offensive": 3, "battle": 2, "strike": 1}


def _latest_event(ctx: _Ctx) -> Event | None:
    first = ctx.snap.first
    events = [e for e in ctx.snap.events if first is None or e.time >= first]
    strong = [e for e in events if e.type in _HEADLINE_TYPES]
    pool = strong or events
    if not pool:
        return None
    return max(pool, key=lambda e: (day_of(e.time), _HEADLINE_TYPES.get(e.type, 0), e.time, e.id))


def _summary_latest(ctx: _Ctx, *, markdown: bool) -> str:
    snap = ctx.snap
    first = snap.first
    n = len([e for e in snap.events if first is None or e.time >= first])
    since = f" since {_day_short(first)}" if first is not None else ""
    ev = _latest_event(ctx)
    if ev is None:
        return f"No events reported{since}."
    title = ctx.md(ev.title) if markdown else ctx.s(ev.title)
    plural = "event" if n == 1 else "events"
    return f"{title} ({_day_short(ev.time)}); {n} {plural} reported{since}."


def _summary_figures(ctx: _Ctx, *, markdown: bool) -> str:
    rows = metric_rows(ctx.snap)[:3]
    if not rows:
        day = _day_long(ctx.moment) if ctx.moment else "now"
        return f"No figures reported as of {day}."
    parts = []
    for m in rows:
        f = m.latest
        if markdown:
            names = ", ".join(
                _md_link(ctx.source_name(r), ctx.ref_url(r), ctx.ascii) for r in _uniq_refs(f)
            )
            value = ctx.md(fmt_value(f))
            label = ctx.md(metric_label(m.metric))
        else:
            names = ", ".join(ctx.s(ctx.source_name(r)) for r in _uniq_refs(f))
            value = ctx.s(fmt_value(f))
            label = ctx.s(metric_label(m.metric))
        src = f"{names or 'unsourced'}; {_day_short(f.as_of)}"
        parts.append(f"{label}: {value} ({src})")
    return "; ".join(parts) + "."


def _uniq_refs(rec: Any) -> list[SourceRef]:
    """A record's sources, one per source id (the first citation of each)."""
    seen: set[str] = set()
    out = []
    for r in rec.sources:
        if r.source not in seen:
            seen.add(r.source)
            out.append(r)
    return out


def _figures_of(m: MetricSummary) -> list[Figure]:
    return [m.latest, *m.others]


# --------------------------------------------------------------------------- text


def _wrap(ctx: _Ctx, text: str, first: str = "", rest: str | None = None) -> list[str]:
    rest = " " * cells(first) if rest is None else rest
    rows = wrap(text, max(1, ctx.width - max(cells(first), cells(rest))), ascii=ctx.ascii)
    return [(first if i == 0 else rest) + row for i, row in enumerate(rows)]


def _text_heading(ctx: _Ctx, text: str) -> list[str]:
    text = safe(text, ascii=ctx.ascii)[: ctx.width]
    return ["", text, ctx.g.rule * len(text)]


def _text_header(ctx: _Ctx, view: str, count: str) -> list[str]:
    g = ctx.g
    bits = [_as_of_text(ctx.moment)]
    if count:
        bits.append(count)
    if ctx.snap.place:
        bits.append(f"place: {ctx.s(ctx.place_name(ctx.snap.place))}")
    if not ctx.snap.filter.empty:
        bits.append(f"filter: {ctx.s(str(ctx.snap.filter))}")
    if ctx.timestamp is not None:
        bits.append(f"generated {fmt_when(ctx.timestamp)} (UTC+03) by sitmon {_version()}")
    lines = _wrap(ctx, f"{ctx.s(ctx.title)}{g.sep}{_VIEW_LABEL[view]}")
    lines += _wrap(ctx, g.sep.join(bits))
    return lines


def _text_sources(ctx: _Ctx) -> list[str]:
    entries = ctx.cites.entries
    if not entries:
        return []
    out = _text_heading(ctx, "Sources")
    pad = len(f"[{len(entries)}] ")
    for n, c in enumerate(entries, 1):
        lead = f"[{n}]".ljust(pad)
        label = ctx.s(c.label)
        if c.url and not is_web_url(c.url):
            label += " (address not a web link: " + ctx.s(c.url) + ")"
        elif not c.url:
            label += " (no link)"
        out += _wrap(ctx, label, lead, " " * pad)
        if c.url and is_web_url(c.url):
            # a URL longer than the line is cut into pieces (wrap splits words by cells)
            for piece in wrap(ctx.s(c.url), max(1, ctx.width - pad), ascii=ctx.ascii):
                out.append(" " * pad + piece)
    return out


def _cite_view(ctx: _Ctx, view: str) -> str:
    """Cite the sources of a single view's records; return the header's count."""
    snap = ctx.snap
    if view == "timeline":
        rows = timeline_rows(snap, newest_first=ctx.newest_first)
        for e in rows:
            ctx.cites.add_all(e.sources, snap)
        return f"{len(rows)} event{'s' * (len(rows) != 1)}"
    if view == "quotes":
        rows = quote_rows(snap)
        for q in rows:
            ctx.cites.add_all(q.sources, snap)
        return f"{len(rows)} quote{'s' * (len(rows) != 1)}"
    if view == "stats":
        metrics = metric_rows(snap)
        for m in metrics:
            for f in _figures_of(m):
                ctx.cites.add_all(f.sources, snap)
        return f"{len(metrics)} figure{'s' * (len(metrics) != 1)}"
    rows = _control_rows(ctx)
    for c in rows:
        ctx.cites.add_all(c.sources, snap)
    return f"{len(rows)} place{'s' * (len(rows) != 1)}"


def _text_view(ctx: _Ctx, view: str) -> str:
    count = _cite_view(ctx, view)
    out = "\n".join(_text_header(ctx, view, count)) + "\n\n" + _body(ctx, view)
    tail = _text_sources(ctx)
    if tail:
        out += "\n".join(tail) + "\n"
    return out


def _text_sitrep(ctx: _Ctx) -> str:
    g, snap = ctx.g, ctx.snap
    out: list[str] = []
    out += _wrap(ctx, f"SITUATION REPORT{g.sep}{ctx.s(ctx.title)}")
    bits = [_as_of_text(ctx.moment)]
    if snap.first is not None:
        bits.append(f"period from {_day_long(snap.first)}")
    if snap.place:
        bits.append(f"place: {ctx.s(ctx.place_name(snap.place))}")
    if not snap.filter.empty:
        bits.append(f"filter: {ctx.s(str(snap.filter))}")
    if ctx.timestamp is not None:
        bits.append(f"generated {fmt_when(ctx.timestamp)} (UTC+03) by sitmon {_version()}")
    out += _wrap(ctx, g.sep.join(bits))
    out.append(("=" if ctx.ascii else "═") * ctx.width)

    out += _text_heading(ctx, "Summary")
    bullet = g.bullet + " "
    out += _wrap(ctx, "Control: " + ctx.s(_summary_control(ctx)), bullet)
    out += _wrap(ctx, "Latest: " + _summary_latest(ctx, markdown=False), bullet)
    out += _wrap(ctx, "Figures: " + _summary_figures(ctx, markdown=False), bullet)

    out += _text_heading(ctx, "Map")
    out += _body(ctx, "map").rstrip("\n").split("\n")

    changes = _changes(ctx)
    if snap.first is not None:
        out += _text_heading(ctx, f"Changes of control since {_day_short(snap.first)}")
        if not changes:
            out.append("None.")
        for ch in changes:
            out += _text_change(ctx, ch)

    out += _text_heading(ctx, "Key figures")
    metrics = metric_rows(snap)
    if metrics:
        out += _wrap(
            ctx,
            "As reported: every source's latest figure stands beside the newest; "
            "none is averaged or verified here.",
        )
        out.append("")
    for m in metrics:
        for f in _figures_of(m):
            ctx.cites.add_all(f.sources, snap)
    out += _body(ctx, "stats").rstrip("\n").split("\n")

    events = _period_events(ctx)
    shown = events[:SITREP_EVENTS]
    since = f" since {_day_short(snap.first)}" if snap.first else ""
    out += _text_heading(ctx, "Latest events")
    for e in shown:
        ctx.cites.add_all(e.sources, snap)
    if shown:
        sub = dataclasses.replace(snap, events=sorted(shown, key=lambda e: (e.time, e.id)))
        out += (
            plain(
                render_timeline(
                    sub, ctx.width, newest_first=ctx.newest_first, colour=False, ascii=ctx.ascii
                )
            )
            .rstrip("\n")
            .split("\n")
        )
    else:
        out += _wrap(ctx, f"No events reported{since} as of {_day_long(snap.as_of)}.")
    if len(events) > len(shown):
        more = len(events) - len(shown)
        out += _wrap(
            ctx, f"({more} earlier event{'s' * (more != 1)}{since} not listed: see the timeline.)"
        )

    out += _text_heading(ctx, "Quotes")
    for q in quote_rows(snap):
        ctx.cites.add_all(q.sources, snap)
    out += _body(ctx, "quotes").rstrip("\n").split("\n")

    out += _text_sources(ctx)
    return "\n".join(out) + "\n"


def _text_change(ctx: _Ctx, ch: _Change) -> list[str]:
    g = ctx.g
    path = [_holder(ctx, ch.before)]
    for step in ch.steps:
        path.append(f"{_holder(ctx, step)} ({_day_short(step.valid_from)})")
    text = f"{ctx.s(ctx.place_name(ch.place))}: " + f" {g.arrow} ".join(ctx.s(p) for p in path)
    lines = _wrap(ctx, text, g.bullet + " ")
    for step in ch.steps:
        nums = sorted(ctx.cites.add_all(step.sources, ctx.snap))
        refs = "".join(f"[{n}]" for n in nums)
        note = ctx.s(step.note) if step.note else ""
        when = f"{_day_short(step.valid_from)}: " if len(ch.steps) > 1 else ""
        lines += _wrap(ctx, f"{when}{note} {refs}".strip(), "  ")
    return lines


# --------------------------------------------------------------------------- Markdown


def _md_sources(ctx: _Ctx, refs: Iterable[SourceRef]) -> str:
    """Source links for a table cell; cites them too."""
    out = []
    seen = set()
    for r in refs:
        ctx.cites.add(r, ctx.snap)
        name, url = ctx.source_name(r), ctx.ref_url(r)
        if (name, url, r.note) in seen:
            continue
        seen.add((name, url, r.note))
        link = _md_link(name, url, ctx.ascii)
        out.append(f"{link} ({ctx.md(r.note)})" if r.note else link)
    return "; ".join(out) or "unsourced"


def _md_header(ctx: _Ctx, view: str, count: str) -> list[str]:
    bits = [f"**{_as_of_text(ctx.moment)}**"]
    if ctx.snap.first is not None and view == "all":
        bits.append(f"period from {_day_long(ctx.snap.first)}")
    if count:
        bits.append(count)
    if ctx.snap.place:
        bits.append(f"place: {ctx.md(ctx.place_name(ctx.snap.place))}")
    if not ctx.snap.filter.empty:
        bits.append(f"filter: {ctx.md(str(ctx.snap.filter))}")
    if ctx.timestamp is not None:
        bits.append(f"generated {fmt_when(ctx.timestamp)} (UTC+03) by sitmon {_version()}")
    head = "Situation report" if view == "all" else _VIEW_LABEL[view]
    return [f"# {head}: {ctx.md(ctx.title)}", "", ctx.msep.join(bits).strip()]


def _md_sources_section(ctx: _Ctx) -> list[str]:
    entries = ctx.cites.entries
    if not entries:
        return []
    out = ["", "## Sources", ""]
    for n, c in enumerate(entries, 1):
        label = ctx.md(c.label)
        if is_web_url(c.url):
            out.append(f"{n}. {label}: <{_md_url(c.url)}>")
        elif c.url:
            out.append(f"{n}. {label} (address not a web link: {ctx.md(c.url)})")
        else:
            out.append(f"{n}. {label} (no link)")
    return out


def _md_events(ctx: _Ctx, events: list[Event], *, who: bool = True) -> list[str]:
    if not events:
        return [f"_{ctx.md(empty_message(ctx.snap))}_"]
    rows = []
    for e in events:
        row = [
            fmt_when(e.time, e.precision),
            ctx.md(", ".join(ctx.place_name(p) for p in e.places)) or ctx.g.none,
        ]
        if who:
            row.append(ctx.md(", ".join(ctx.faction_name(f) for f in e.factions)) or ctx.g.none)
        row += [ctx.md(e.title), _md_sources(ctx, e.sources)]
        rows.append(row)
    header = ["When", "Where", *(["Who"] if who else []), "Event", "Sources"]
    return _md_table(header, rows)


def _md_quotes(ctx: _Ctx) -> list[str]:
    g = ctx.g
    quotes = quote_rows(ctx.snap)
    if not quotes:
        return [f"_{ctx.md(empty_message(ctx.snap, 'quotes'))}_"]
    rows = []
    events = {e.id: e for e in ctx.snap.events}
    for q in quotes:
        who = f"**{ctx.md(q.speaker)}**"
        if q.role:
            who += f", {ctx.md(q.role)}"
        if q.outlet:
            who += f" (to {ctx.md(q.outlet)})"
        about = []
        if q.places:
            about.append(ctx.md(", ".join(ctx.place_name(p) for p in q.places)))
        if q.context:
            about.append(ctx.md(q.context))
        elif q.event and q.event in events:
            about.append(ctx.md(events[q.event].title))
        rows.append(
            [
                fmt_when(q.said_at, q.precision),
                who,
                f"{g.open_q}{ctx.md(q.text)}{g.close_q}",
                ctx.msep.join(about) if about else g.none,
                _md_sources(ctx, q.sources),
            ]
        )
    return _md_table(["When", "Who", "Quote", "Context", "Sources"], rows)


def _md_figures(ctx: _Ctx) -> list[str]:
    metrics = metric_rows(ctx.snap)
    if not metrics:
        return [f"_No figures known as of {_day_long(ctx.snap.as_of)}._"]
    rows = []
    for m in metrics:
        for i, f in enumerate(_figures_of(m)):
            scope = f.scope or ""
            rows.append(
                [
                    f"**{ctx.md(metric_label(m.metric))}**" if i == 0 else "",
                    ctx.md(fmt_value(f)),
                    _md_sources(ctx, f.sources),
                    fmt_day(f.as_of),
                    ctx.md(scope) or ctx.g.none,
                ]
            )
    return _md_table(["Figure", "Value", "Source", "As of", "Scope"], rows)


def _md_control(ctx: _Ctx) -> list[str]:
    snap = ctx.snap
    rows = []
    start = _day_short(snap.first) if snap.first else None
    for c in _control_rows(ctx):
        before = snap.control_at_start.get(c.place)
        changed = ""
        if start and before is not None and before.id != c.id:
            if (before.faction, before.status) != (c.faction, c.status):
                changed = f"was {ctx.md(_holder(ctx, before))} on {start}"
        rows.append(
            [
                f"**{ctx.md(ctx.place_name(c.place))}**",
                ctx.md(ctx.faction_name(c.faction)),
                c.status,
                fmt_day(c.valid_from),
                changed or ctx.g.none,
                ctx.md(c.note) or ctx.g.none,
                _md_sources(ctx, c.sources),
            ]
        )
    if not rows:
        return ["_No control of any place is known._"]
    return _md_table(["Place", "Held by", "Status", "Since", "Change", "Note", "Sources"], rows)


def _md_changes(ctx: _Ctx) -> list[str]:
    changes = _changes(ctx)
    if not changes:
        return ["None."]
    rows = []
    g = ctx.g
    for ch in changes:
        for i, step in enumerate(ch.steps):
            prev = ch.before if i == 0 else ch.steps[i - 1]
            rows.append(
                [
                    f"**{ctx.md(ctx.place_name(ch.place))}**" if i == 0 else "",
                    fmt_day(step.valid_from),
                    f"{ctx.md(_holder(ctx, prev))} {g.arrow} {ctx.md(_holder(ctx, step))}",
                    ctx.md(step.note) or g.none,
                    _md_sources(ctx, step.sources),
                ]
            )
    return _md_table(["Place", "Date", "Control", "Note", "Sources"], rows)


def _md_map(ctx: _Ctx) -> list[str]:
    return _fence(_body(ctx, "map").rstrip("\n").split("\n"))


def _md_view(ctx: _Ctx, view: str) -> str:
    count = {
        "timeline": lambda: len(timeline_rows(ctx.snap)),
        "quotes": lambda: len(ctx.snap.quotes),
        "stats": lambda: len(metric_rows(ctx.snap)),
        "map": lambda: len(ctx.snap.control),
    }[view]()
    noun = {"timeline": "event", "quotes": "quote", "stats": "figure", "map": "place"}[view]
    out = _md_header(ctx, view, f"{count} {noun}{'s' * (count != 1)}")
    out.append("")
    if view == "timeline":
        out += _md_events(ctx, timeline_rows(ctx.snap, newest_first=ctx.newest_first))
    elif view == "quotes":
        out += _md_quotes(ctx)
    elif view == "stats":
        out += _md_figures(ctx)
    else:
        out += _md_map(ctx)
        out += ["", "## Control", ""]
        out += _md_control(ctx)
    out += _md_sources_section(ctx)
    return "\n".join(out) + "\n"


def _md_sitrep(ctx: _Ctx) -> str:
    snap = ctx.snap
    out = _md_header(ctx, "all", "")
    out += ["", "## Summary", ""]
    out.append(f"- **Control:** {ctx.md(_summary_control(ctx))}")
    out.append(f"- **Latest:** {_summary_latest(ctx, markdown=True)}")
    out.append(f"- **Figures:** {_summary_figures(ctx, markdown=True)}")
    out += ["", "## Map", ""]
    out += _md_map(ctx)
    if snap.first is not None:
        out += ["", f"## Changes of control since {_day_short(snap.first)}", ""]
        out += _md_changes(ctx)
    out += ["", "## Key figures", ""]
    if metric_rows(snap):
        out += [
            "As reported: every source's latest figure stands beside the newest; "
            "none is averaged or verified here.",
            "",
        ]
    out += _md_figures(ctx)
    out += ["", "## Latest events", ""]
    events = _period_events(ctx)
    shown = events[:SITREP_EVENTS]
    since = f" since {_day_short(snap.first)}" if snap.first else ""
    if shown:
        out += _md_events(ctx, shown, who=False)
    else:
        out.append(f"_No events reported{since} as of {_day_long(snap.as_of)}._")
    if len(events) > len(shown):
        more = len(events) - len(shown)
        out += ["", f"_{more} earlier event{'s' * (more != 1)}{since} not listed._"]
    out += ["", "## Quotes", ""]
    out += _md_quotes(ctx)
    out += _md_sources_section(ctx)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON


def _json_header(ctx: _Ctx, view: str) -> dict[str, Any]:
    situation = ctx.store.meta.get("situation")
    doc: dict[str, Any] = {
        "sitmon_export": EXPORT_VERSION,
        "view": view,
        "as_of": _iso(ctx.moment),
        "generated_by": f"sitmon {_version()}",
    }
    if ctx.timestamp is not None:
        doc["generated_at"] = ctx.timestamp.isoformat()
    doc["situation"] = _clean_tree(
        {k: v for k, v in situation.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(situation, dict)
        else {}
    )
    doc["period"] = {"first": _iso(ctx.snap.first), "last": _iso(ctx.snap.last)}
    doc["place"] = ctx.snap.place
    doc["filter"] = _clean_value(str(ctx.snap.filter))
    return doc


def _json_metric(m: MetricSummary) -> dict[str, Any]:
    return {
        "metric": m.metric,
        "label": metric_label(m.metric),
        "latest": m.latest.id,
        "others": [f.id for f in m.others],
        "observations": [_record(f) for f in m.history],
    }


def _json_view(ctx: _Ctx, view: str) -> str:
    snap = ctx.snap
    doc = _json_header(ctx, view)
    events: list[Event] = []
    quotes: list[Quote] = []
    metrics: list[MetricSummary] = []
    control: list[ControlChange] = []
    places: set[str] = set()
    if view in ("timeline", "all"):
        doc["order"] = "newest_first" if ctx.newest_first else "oldest_first"
    if view == "all":
        doc["summary"] = {
            "control": _summary_control(ctx),
            "latest": _summary_latest(ctx, markdown=False),
            "figures": _summary_figures(ctx, markdown=False),
        }
    if view in ("map", "all"):
        control = _control_rows(ctx)
        places |= set(snap.places)
        doc["control"] = [_record(c) for c in control]
        doc["changes"] = [
            {
                "place": ch.place,
                "before": _record(ch.before) if ch.before is not None else None,
                "after": ch.after.id,
                "steps": [_record(s) for s in ch.steps],
            }
            for ch in _changes(ctx)
        ]
    if view in ("stats", "all"):
        metrics = metric_rows(snap)
        doc["figures"] = [_json_metric(m) for m in metrics]
    if view == "timeline":
        events = timeline_rows(snap, newest_first=ctx.newest_first)
    elif view == "all":
        events = _period_events(ctx)
    if view in ("quotes", "all"):
        quotes = quote_rows(snap)
        if view == "quotes":
            ids = {q.event for q in quotes if q.event}
            events = [e for e in timeline_rows(snap) if e.id in ids]
    if view in ("timeline", "quotes", "all"):
        doc["events"] = [_record(e) for e in events]
    if view in ("quotes", "all"):
        doc["quotes"] = [_record(q) for q in quotes]

    # the records they name
    for e in events:
        places.update(e.places)
    for q in quotes:
        places.update(q.places)
    factions: set[str] = {c.faction for c in control}
    for e in events:
        factions.update(e.factions)
    cited: list[Any] = [*events, *quotes, *control]
    for m in metrics:
        cited += m.history
    place_recs = [snap.places[p] for p in sorted(places) if p in snap.places]
    faction_recs = [snap.factions[f] for f in sorted(factions) if f in snap.factions]
    sources: set[str] = set()
    for rec in [*cited, *place_recs, *faction_recs]:
        sources.update(r.source for r in rec.sources)
    if view != "stats":
        doc["places"] = [_record(p) for p in place_recs]
        doc["factions"] = [_record(f) for f in faction_recs]
    doc["sources"] = [_record(snap.sources[s]) for s in sorted(sources) if s in snap.sources]
    return json.dumps(_clean_tree(doc), indent=2, ensure_ascii=ctx.ascii) + "\n"


def export_feed(
    store: Any,
    *,
    as_of: datetime | None = None,
    ascii: bool = False,
    timestamp: datetime | None = None,
) -> str:
    """The whole store (or what was known as of ``as_of``) as a sitmon feed v1 document.

    Records dated after ``as_of`` (control by ``valid_from``, events by ``time``,
    quotes by ``said_at``, figures by ``as_of``) are left out; sources, factions,
    places and tombstones are all kept. Importing the output into an empty store
    reproduces the records (text cleaned as ingest would; ``url`` values that are
    not http(s) are dropped).
    """
    t = store.tables

    def keep(dt: datetime) -> bool:
        return as_of is None or dt <= as_of

    situation = store.meta.get("situation")
    situation = (
        {k: v for k, v in situation.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(situation, dict)
        else {}
    )
    title = situation.get("title") or "sitmon"
    label = f"as of {fmt_when(as_of)}" if as_of is not None else "latest"
    if as_of is not None and _is_end_of_day(as_of):
        label = f"as of {fmt_day(as_of)}"
    doc: dict[str, Any] = {
        "sitmon_feed": 1,
        "title": f"sitmon export: {title} ({label})",
        "situation": situation,
    }
    if timestamp is not None:
        doc["generated_at"] = timestamp.isoformat()
    doc["generated_by"] = f"sitmon {_version()}"
    doc["sources"] = sorted(t["source"].values(), key=lambda r: r.id)
    doc["factions"] = sorted(t["faction"].values(), key=lambda r: r.id)
    doc["places"] = sorted(t["place"].values(), key=lambda r: r.id)
    doc["control"] = sorted(
        (c for c in t["control"].values() if keep(c.valid_from)),
        key=lambda c: (c.place, c.valid_from, c.id),
    )
    doc["events"] = sorted(
        (e for e in t["event"].values() if keep(e.time)), key=lambda e: (e.time, e.id)
    )
    doc["quotes"] = sorted(
        (q for q in t["quote"].values() if keep(q.said_at)), key=lambda q: (q.said_at, q.id)
    )
    doc["figures"] = sorted(
        (f for f in t["figure"].values() if keep(f.as_of)), key=lambda f: (f.metric, f.as_of, f.id)
    )
    doc["tombstones"] = sorted(t["tombstone"].values(), key=lambda r: (r.kind, r.id))
    for key, value in doc.items():
        if isinstance(value, list):
            doc[key] = [_record(r) for r in value]
    doc = _clean_tree(doc)
    return sanitize_output(json.dumps(doc, indent=2, ensure_ascii=ascii) + "\n", ascii=ascii)


# --------------------------------------------------------------------------- API


def export_view(
    store: Any,
    *,
    view: View,
    fmt: Format,
    width: int = 80,
    height: int | None = None,
    as_of: datetime | None = None,
    place: str | None = None,
    filter: str | None = None,
    ascii: bool = False,
    newest_first: bool = True,
    selected: str | None = None,
    map_options: MapOptions | None = None,
    timestamp: datetime | None = None,
) -> str:
    """One view of the store (``"all"``: a situation report) as text, Markdown or JSON.

    ``as_of`` None means the end of the latest day in the data. ``place`` is a
    place id or name (resolved with ``store.resolve_places``). ``height`` is the
    map's height for ``map``/``all`` and limits the rows of a text export of the
    other views (as the pane would show them). ``timestamp`` (default: none)
    adds a "generated at" line; without it the output is byte-for-byte
    reproducible. Raises :class:`ExportArgumentError` for bad arguments.
    """
    _check(view, fmt, width, height)
    if fmt == "feed":
        if place is not None or (filter and filter.strip()):
            raise ExportArgumentError("the feed format exports the whole store: no place or filter")
        return export_feed(store, as_of=as_of, ascii=ascii, timestamp=timestamp)
    place_id = resolve_place(store, place) if place else None
    moment = _moment(store, as_of)
    # an empty store has no "latest": a fixed moment keeps even that export reproducible
    snap = store.snapshot(moment or _NO_DATA, place=place_id, filter=filter)
    ctx = _Ctx(
        store=store,
        snap=snap,
        moment=moment,
        view=view,
        width=width,
        height=height,
        ascii=ascii,
        newest_first=newest_first,
        selected=selected if view != "all" else None,
        map_options=map_options,
        timestamp=timestamp,
    )
    if fmt == "json":
        text = _json_view(ctx, view)
    elif fmt == "markdown":
        text = _md_sitrep(ctx) if view == "all" else _md_view(ctx, view)
    else:
        text = _text_sitrep(ctx) if view == "all" else _text_view(ctx, view)
    return sanitize_output(text, ascii=ascii)


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
