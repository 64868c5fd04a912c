"""The detail view of one event, quote, place or figure: everything we know, with sources.

Pure (no Textual, no Rich). :func:`render_detail` gives the lines;
:func:`render_detail_links` also says which lines link to another record
(the detail screen lets the user follow them with Enter).

``store`` (a :class:`store.Store`), when given, adds what the snapshot alone
does not hold: a place's full control history, events and quotes linked from
other records regardless of the panes' filters.
"""

from __future__ import annotations

from sitmon.store.query import Snapshot
from sitmon.store.records import ControlChange, Event, Figure, Quote, SourceRef
from sitmon.store.timeutil import fmt_day, fmt_since, fmt_when

from .lines import Span, StyledLine
from .render_util import (
    cells,
    faction_style,
    fit,
    fmt_value,
    glyphs,
    line_of,
    metric_label,
    provenance_label,
    safe,
    source_with_role,
    style,
    wrap,
)

__all__ = [
    "DETAIL_KINDS",
    "Link",
    "display_url",
    "render_detail",
    "render_detail_links",
    "wrap_styled",
]

DETAIL_KINDS = ("event", "quote", "place", "figure")
Link = tuple[str, str]  # (kind, id); kind "url": the id is the URL as cited

_MAX_LIST = 50


class _Doc:
    """Accumulates lines and the links they carry."""

    def __init__(self, snapshot: Snapshot, width: int, colour: bool, ascii: bool, store) -> None:
        self.s = snapshot
        self.w = max(10, width)
        self.colour = colour
        self.ascii = ascii
        self.store = store
        self.g = glyphs(ascii)
        self.lines: list[StyledLine] = []
        self.links: dict[int, Link] = {}

    # -- primitives
    def add(self, parts: list[tuple[str, str]], link: Link | None = None) -> None:
        """One entry; wrapped at words under its own indent when wider than the view (never cut)."""
        safe_parts = [(safe(t, ascii=self.ascii), st) for t, st in parts]
        if link is not None:
            self.links[len(self.lines)] = link
        line = StyledLine.build(safe_parts)
        if cells(line.text) <= self.w:
            self.lines.append(line)
            return
        self.lines += wrap_styled(safe_parts, self.w, ascii=self.ascii)

    def blank(self) -> None:
        if self.lines and self.lines[-1].text:
            self.lines.append(StyledLine("", ()))

    def title(self, text: str) -> None:
        for row in wrap(text, self.w, ascii=self.ascii):
            self.lines.append(StyledLine(row, (Span(0, len(row), "bold"),)))

    def heading(self, text: str) -> None:
        self.blank()
        self.add([(text, style(self.colour, "bold underline cyan", "bold underline"))])

    def para(self, text: str, indent: int = 0, st: str = "") -> None:
        pad = " " * indent
        for row in wrap(text, self.w - indent, ascii=self.ascii):
            self.lines.append(line_of([(pad, ""), (row, st)], self.w))

    def field(self, name: str, value: str) -> None:
        if not value:
            return
        label = f"{name}: "
        rows = wrap(value, max(10, self.w - len(label)), ascii=self.ascii)
        for i, row in enumerate(rows):
            lead = label if i == 0 else " " * len(label)
            self.lines.append(line_of([(lead, style(self.colour, "dim", "")), (row, "")], self.w))

    def url(self, url: str, indent: int) -> None:
        """A URL shown whole and readable (percent-decoded), over as many rows as it needs."""
        shown = safe(display_url(url), ascii=self.ascii)
        room = max(1, self.w - indent)
        st = style(self.colour, "underline blue", "underline")
        self.links[len(self.lines)] = ("url", url)  # Tab selects it; Enter or o opens, y copies
        for i in range(0, len(shown), room):
            self.lines.append(StyledLine.build([(" " * indent, ""), (shown[i : i + room], st)]))

    def dim(self, st: str = "dim") -> str:
        return style(self.colour, st)

    # -- shared sections
    def sources(self, refs: list[SourceRef], extra_url: str = "") -> None:
        self.heading(f"Sources ({len(refs)})" if refs else "Sources")
        if not refs and not extra_url:
            self.add([("  (none cited)", self.dim())])
        for ref in refs:
            src = self.s.sources.get(ref.source)
            name, kind = source_with_role(src, ref.source)
            self.add([(f"  {self.g.bullet} ", ""), (name, "bold"), (kind, self.dim())])
            url = ref.url or (src.url if src else "")
            if url:
                self.url(url, 4)
            if ref.note:
                self.para(ref.note, indent=4, st=self.dim())
        if extra_url:
            self.add([(f"  {self.g.bullet} ", ""), ("Link: ", "bold")])
            self.url(extra_url, 4)

    def faction_name(self, fid: str) -> tuple[str, str, str]:
        f = self.s.factions.get(fid)
        return (f.symbol if f else "?", f.name if f else fid, faction_style(f, self.colour))

    def control_line(self, c: ControlChange, prefix: str = "") -> None:
        sym, name, st = self.faction_name(c.faction)
        status = "" if c.status == "held" else f" ({c.status})"
        self.add(
            [
                (prefix, ""),
                (sym, st),
                (" ", ""),
                (name, "bold"),
                (status, ""),
                (f"  since {fmt_since(c.valid_from, c.precision)}", self.dim()),
            ]
        )

    def event_line(self, e: Event) -> None:
        sym = self.faction_name(e.factions[0]) if e.factions else (self.g.none, "", self.dim())
        self.add(
            [
                (f"  {fmt_when(e.time, e.precision):<16} ", self.dim()),
                (sym[0], sym[2]),
                (" ", ""),
                (e.title, ""),
            ],
            link=("event", e.id),
        )

    def quote_line(self, q: Quote) -> None:
        self.add(
            [
                (f"  {fmt_when(q.said_at, q.precision):<16} ", self.dim()),
                (q.speaker, "bold"),
                (": ", ""),
                (f"{self.g.open_q}{q.text}{self.g.close_q}", "italic"),
            ],
            link=("quote", q.id),
        )

    def place_line(self, pid: str) -> None:
        p = self.s.places.get(pid)
        c = self.s.control.get(pid)
        parts: list[tuple[str, str]] = [(f"  {self.g.bullet} ", ""), (p.name if p else pid, "bold")]
        if c is not None:
            sym, name, st = self.faction_name(c.faction)
            status = "" if c.status == "held" else f" {c.status}"
            parts += [("  ", ""), (sym, st), (f" {name}{status}", self.dim())]
        self.add(parts, link=("place", pid))


def _all_events(doc: _Doc) -> dict[str, Event]:
    if doc.store is not None:
        return doc.store.tables["event"]
    return {e.id: e for e in doc.s.events}


def _all_quotes(doc: _Doc) -> list[Quote]:
    if doc.store is not None:
        return list(doc.store.tables["quote"].values())
    return list(doc.s.quotes)


def _event(doc: _Doc, eid: str) -> None:
    events = _all_events(doc)
    e = events.get(eid)
    if e is None:
        doc.add([(f"Event {eid!r} is not in the store.", "bold")])
        return
    doc.title(e.title)
    meta = [fmt_when(e.time, e.precision), e.type.replace("_", " ")]
    if e.precision != "exact":
        meta.append(f"{e.precision} precision")
    doc.add([(doc.g.sep.join(meta), doc.dim())])
    if e.context:
        doc.add([("Context: background reported that day, not an event of that day.", doc.dim())])
    if e.factions:
        parts: list[tuple[str, str]] = [("Factions: ", doc.dim())]
        for i, fid in enumerate(e.factions):
            sym, name, st = doc.faction_name(fid)
            if i:
                parts.append((", ", ""))
            parts += [(sym, st), (" ", ""), (name, "")]
        doc.add(parts)
    doc.field("Actors", ", ".join(e.actors))
    if e.fatalities is not None:
        f = e.fatalities
        bits = []
        if f.best is not None:
            bits.append(f"best {f.best:,}")
        if f.low is not None:
            bits.append(f"low {f.low:,}")
        if f.high is not None:
            bits.append(f"high {f.high:,}")
        doc.field("Fatalities", ", ".join(bits) or "unknown")
    if e.summary:
        doc.blank()
        doc.para(e.summary)
    doc.sources(e.sources, e.url)
    group = doc.s.groups.get(eid)
    if group:
        # corroboration: every report of this event, each from its own feed
        doc.heading(f"Reports ({len(group)} sources)")
        for rid in group:
            r = events.get(rid)
            if r is not None:
                doc.event_line(r)
                who = provenance_label(r, doc.s.sources)
                doc.add([("      ", ""), (who, doc.dim())], link=("event", r.id))
    if e.places:
        doc.heading("Places")
        for pid in e.places:
            doc.place_line(pid)
    quotes = [q for q in _all_quotes(doc) if q.event == eid]
    if quotes:
        doc.heading("Quotes")
        for q in sorted(quotes, key=lambda q: (q.said_at, q.id)):
            doc.quote_line(q)
    if e.places and doc.store is not None:
        related = [
            x for x in doc.store.events(as_of=doc.s.as_of, place=e.places[0]) if x.id != eid
        ][-_MAX_LIST:]
        if related:
            p = doc.s.places.get(e.places[0])
            doc.heading(f"Other events at {p.name if p else e.places[0]}")
            for x in reversed(related):
                doc.event_line(x)


def _quote(doc: _Doc, qid: str) -> None:
    q = next((x for x in _all_quotes(doc) if x.id == qid), None)
    if q is None:
        doc.add([(f"Quote {qid!r} is not in the store.", "bold")])
        return
    doc.title(q.speaker)
    meta = [b for b in (q.role, fmt_when(q.said_at, q.precision), q.outlet) if b]
    doc.add([(doc.g.sep.join(meta), doc.dim())])
    doc.blank()
    doc.para(f"{doc.g.open_q}{q.text}{doc.g.close_q}", indent=2, st="italic" if doc.colour else "")
    if q.context:
        doc.blank()
        doc.field("Context", q.context)
    doc.sources(q.sources)
    if q.places:
        doc.heading("Places")
        for pid in q.places:
            doc.place_line(pid)
    if q.event:
        doc.heading("Event")
        e = _all_events(doc).get(q.event)
        if e is not None:
            doc.event_line(e)
        else:
            doc.add([(f"  {q.event}", doc.dim())])


def _place(doc: _Doc, pid: str) -> None:
    p = doc.s.places.get(pid)
    if p is None:
        doc.add([(f"Place {pid!r} is not in the store.", "bold")])
        return
    doc.title(p.name)
    meta = [p.kind]
    if p.governorate:
        meta.append(f"{p.governorate} governorate")
    meta.append(f"{p.lat:.3f}, {p.lon:.3f}")
    if p.population:
        meta.append(f"population {p.population:,}")
    doc.add([(doc.g.sep.join(meta), doc.dim())])
    doc.field("Also", ", ".join(p.alt_names))
    if p.note:
        doc.blank()
        doc.para(p.note)
    doc.heading(f"Control as of {fmt_day(doc.s.as_of)}")
    c = doc.s.control.get(pid)
    if c is None:
        doc.add([("  unknown", doc.dim())])
    else:
        doc.control_line(c, prefix="  ")
    history = doc.store.control_history(pid) if doc.store is not None else ([c] if c else [])
    if history:
        doc.heading("Control history")
        for ch in history:
            future = ch.valid_from > doc.s.as_of
            doc.control_line(ch, prefix="  " + ("(later) " if future else ""))
            if ch.note:
                doc.para(ch.note, indent=6, st=doc.dim())
            for ref in ch.sources:
                src = doc.s.sources.get(ref.source)
                name, kind = source_with_role(src, ref.source)
                url = ref.url or (src.url if src else "")
                doc.add([("      ", ""), (name, ""), (kind, doc.dim())])
                if url:
                    doc.para(url, indent=8, st=style(doc.colour, "underline blue", "underline"))
    if doc.store is not None:
        events = doc.store.events(as_of=doc.s.as_of, place=pid)
        quotes = doc.store.quotes(as_of=doc.s.as_of, place=pid)
    else:
        events = [e for e in doc.s.events if pid in e.places]
        quotes = [q for q in doc.s.quotes if pid in q.places]
    doc.heading(f"Events ({len(events)})")
    if not events:
        doc.add([("  none as of " + fmt_day(doc.s.as_of), doc.dim())])
    for e in list(reversed(events))[:_MAX_LIST]:
        doc.event_line(e)
    if len(events) > _MAX_LIST:
        doc.add([(f"  {doc.g.ell} {len(events) - _MAX_LIST} older", doc.dim())])
    doc.heading(f"Quotes ({len(quotes)})")
    if not quotes:
        doc.add([("  none as of " + fmt_day(doc.s.as_of), doc.dim())])
    for q in list(reversed(quotes))[:_MAX_LIST]:
        doc.quote_line(q)
    doc.sources(p.sources)


def _figure(doc: _Doc, fid: str) -> None:
    summary = next((m for m in doc.s.figures if m.metric == fid), None)
    if summary is None:
        summary = next((m for m in doc.s.figures if any(f.id == fid for f in m.history)), None)
    if summary is None:
        doc.add([(f"No figures for {fid!r} as of {fmt_day(doc.s.as_of)}.", "bold")])
        return
    doc.title(metric_label(summary.metric))
    doc.add(
        [
            (f"{fmt_value(summary.latest)}", style(doc.colour, "bold cyan", "bold")),
            (f"  latest, as of {fmt_day(summary.latest.as_of)}", doc.dim()),
        ]
    )
    # one series per publisher (who relayed a figure does not split it), headline's first
    series = sorted(summary.series, key=lambda ps: ps[0] != summary.publisher)
    for pub, obs in series or [("", summary.history)]:
        who = doc.s.sources[pub].name if pub in doc.s.sources else (pub or "unsourced")
        doc.heading(f"{who}: {len(obs)} observation{'s' if len(obs) != 1 else ''}, newest first")
        for f in reversed(obs):
            _figure_obs(doc, f)


def _figure_obs(doc: _Doc, f: Figure) -> None:
    name = provenance_label(f, doc.s.sources)
    doc.add(
        [(f"  {fmt_day(f.as_of)}  ", doc.dim()), (fmt_value(f), "bold"), ("  ", ""), (name, "")]
    )
    period = ""
    if f.period_start or f.period_end:
        period = f"{fmt_day(f.period_start) if f.period_start else '?'} .. {fmt_day(f.period_end) if f.period_end else '?'}"
    for label, value in (("scope", f.scope), ("period", period), ("note", f.note)):
        if value:
            doc.para(f"{label}: {value}", indent=14, st=doc.dim())
    for ref in f.sources:
        so = doc.s.sources.get(ref.source)
        url = ref.url or (so.url if so else "")
        if url:
            doc.url(url, 14)


_BUILDERS = {"event": _event, "quote": _quote, "place": _place, "figure": _figure}


def render_detail_links(
    snapshot: Snapshot,
    kind: str,
    id: str,
    width: int,
    *,
    store=None,
    colour: bool = True,
    ascii: bool = False,
) -> tuple[list[StyledLine], dict[int, Link]]:
    """The detail lines and ``{line index: (kind, id)}`` of the lines that link elsewhere."""
    if kind not in _BUILDERS:
        raise ValueError(
            f"unknown detail kind {kind!r} (expected one of {', '.join(DETAIL_KINDS)})"
        )
    doc = _Doc(snapshot, width, colour, ascii, store)
    _BUILDERS[kind](doc, id)
    lines = [
        ln if len(ln.text) <= width else StyledLine(fit(ln.text, width, ascii=ascii))
        for ln in doc.lines
    ]
    return lines, doc.links


def render_detail(
    snapshot: Snapshot,
    kind: str,
    id: str,
    width: int,
    *,
    store=None,
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    """Everything about one record: full text, all sources with URLs, linked places and events."""
    return render_detail_links(snapshot, kind, id, width, store=store, colour=colour, ascii=ascii)[
        0
    ]


def display_url(url: str) -> str:
    """``url`` with its percent-escapes decoded for reading (``%D8%AD`` -> ``ح``).

    Escapes that stand for white space, control characters, ``%`` itself or
    bytes that are not UTF-8 stay escaped, so the text shown still names one
    address. The address copied or opened is always the original.
    """
    from urllib.parse import unquote

    try:
        decoded = unquote(url, errors="strict")
    except UnicodeDecodeError:
        return url
    if "%25" in url.upper() or any(ch.isspace() or not ch.isprintable() for ch in decoded):
        return url
    return decoded


def wrap_styled(
    parts: list[tuple[str, str]], width: int, *, ascii: bool = False
) -> list[StyledLine]:
    """Styled parts word-wrapped into rows of ``width`` under the first part's indent.

    Styles stay with their words; a word longer than a row is split.
    """
    text = "".join(t for t, _ in parts)
    first_indent = text[: len(text) - len(text.lstrip(" "))]
    lead = parts[0][0] if parts else ""
    # continuation rows start under the text after a bullet ("  • "), else a little in
    bullet = lead.endswith(" ") and 0 < len(lead.strip()) <= 2
    hang = cells(lead) if bullet else len(first_indent) + 2
    indent = " " * min(hang, max(0, width // 2))
    words: list[tuple[str, str]] = []  # (word, style), with "" words standing for a space
    for chunk, st in parts:
        pieces = chunk.split(" ")
        for i, piece in enumerate(pieces):
            if i:
                words.append(("", ""))
            if piece:
                words.append((piece, st))
    rows: list[list[tuple[str, str]]] = [[(first_indent, "")]]
    used = len(first_indent)
    pending_space = False
    started = False
    for word, st in words:
        if word == "":
            pending_space = started
            continue
        started = True
        w = cells(word)
        need = w + (1 if pending_space and used else 0)
        if used and used + need > width:
            rows.append([(indent, "")])
            used = len(indent)
            pending_space = False
        while w > width - used and w > 0:  # a word longer than a row
            room = max(1, width - used)
            rows[-1].append((word[:room], st))
            rows.append([(indent, "")])
            used = len(indent)
            word = word[room:]
            w = cells(word)
        if pending_space and used:
            rows[-1].append((" ", ""))
            used += 1
        rows[-1].append((word, st))
        used += w
        pending_space = False
    return [StyledLine.build(r) for r in rows if r]
