"""Plain text that pastes: wrapped at words, URLs whole, ``[n]`` references, a legend.

Pure (no Textual, no Rich). The panes keep one line per event and quote
(cut with ``…`` to the pane's width); a text export is read in an email or a
ticket, so it shows everything:

- titles, places and quotes wrap at word boundaries under a hanging indent,
  never cut;
- a URL is never broken: one longer than the room left goes on a line of its
  own, whole, even past the width (a mail client then still links it);
- each event and quote ends with ``[n]`` references to the Sources list;
- a legend explains the one-letter faction symbols.

The numbering is the caller's: ``cite(refs)`` returns the reference numbers
of a record's sources (adding them to the Sources list when new).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from sitmon.store.query import Snapshot
from sitmon.store.records import Event, Faction, Quote, SourceRef
from sitmon.store.timeutil import when_formatter

from .render_util import CONTEXT_LABEL, cells, glyphs, safe, wrap

__all__ = [
    "PASTE_NOTE",
    "faction_legend",
    "is_url_word",
    "refs_text",
    "text_events",
    "text_quotes",
    "text_source",
    "wrap_keep_urls",
]

#: said once under a text export's header: how it differs from the pane
PASTE_NOTE = (
    "Rows are wrapped here and carry [n] references to the Sources list; "
    "the monitor shows one line per row."
)

Cite = Callable[[Iterable[SourceRef]], list[int]]
_URL_WORD = re.compile(r"^[(<\[\"']?[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def is_url_word(word: str) -> bool:
    """Is ``word`` a URL (``https://…``, maybe in brackets or quotes)?"""
    return bool(_URL_WORD.match(word))


def wrap_keep_urls(
    text: str, width: int, first: str = "", rest: str | None = None, *, ascii: bool = False
) -> list[str]:
    """``text`` word-wrapped under ``first`` / ``rest`` prefixes, URLs never split.

    ``text`` goes through :func:`~widgets.render_util.safe` (no control character
    survives) and runs of white space become one space. A URL that does not fit the
    room left on its row starts a row of its own; one longer than a whole row stands
    there alone and whole (past ``width``, without the prefix when even that does
    not fit). Other words longer than a row are split as
    :func:`~widgets.render_util.wrap` splits them. Widths are terminal cells
    (:func:`~widgets.render_util.cells`).
    """
    first_w = cells(first)
    if rest is None:
        rest = " " * first_w
    room = max(1, width - max(first_w, cells(rest)))
    words = safe(text, ascii=ascii).split()
    if not words:
        return [first.rstrip()]
    joined = " ".join(words)
    if cells(joined) <= room:  # the usual row: it all fits on the first line
        return [first + joined]
    out: list[str] = []
    line: list[str] = []
    used = 0  # cells of " ".join(line)

    def flush() -> None:
        if line:
            out.append((rest if out else first) + " ".join(line))
            line.clear()

    for word in words:
        word_w = cells(word)
        need = word_w + (1 if line else 0)
        if used + need <= room:
            line.append(word)
            used += need
            continue
        if is_url_word(word):
            flush()
            used = 0
            prefix = rest if out else first
            if word_w <= room:
                line.append(word)
                used = word_w
            else:  # alone and whole, from the first column so it copies as one piece
                out.append(word if prefix.strip() == "" else prefix + word)
            continue
        flush()
        pieces = wrap(word, room, ascii=ascii)
        for piece in pieces[:-1]:
            out.append((rest if out else first) + piece)
        line.append(pieces[-1])
        used = cells(pieces[-1])
    flush()
    return out or [first.rstrip()]


def refs_text(numbers: Sequence[int]) -> str:
    """``[1][4]`` (sorted, each once)."""
    if len(numbers) == 1:
        return f"[{numbers[0]}]"
    return "".join([f"[{n}]" for n in sorted(set(numbers))])


def text_events(
    snapshot: Snapshot,
    events: Sequence[Event],
    cite: Cite,
    width: int,
    *,
    ascii: bool = False,
) -> list[str]:
    """One entry per event (in the order given), wrapped, with its references::

    2024-12-05        H  Hama: Hama falls to the HTS-led coalition [4][5]
    2024-12-01        T  Aleppo, Tal Rifaat: SOHR: Aleppo out of regime
                         control; SNA advances on Tal Rifaat [1][2]
    """
    g = glyphs(ascii)
    none = g.none
    narrow = width < 60
    when_w = 11 if narrow else 16
    when_of = when_formatter()  # one formatter for every row (the zone read once)
    symbols = {fid: f.symbol for fid, f in snapshot.factions.items()}
    names = {pid: p.name for pid, p in snapshot.places.items()}
    groups = snapshot.groups
    one_ref: dict[SourceRef, str] = {}  # a one-source row's "[n]", by that source
    out: list[str] = []
    for e in events:
        when = when_of(e.time, e.precision)
        if narrow and len(when) >= 10:
            when = when[5:]
        fids = e.factions
        lead = f"{when.ljust(when_w)}  {symbols.get(fids[0], none) if fids else none}  "
        ids = e.places
        if len(ids) == 1:
            places = names.get(ids[0], ids[0])
        else:
            places = ", ".join([names.get(p, p) for p in ids])
        title = (CONTEXT_LABEL + e.title) if e.context else e.title
        refs_of = e.sources
        group = groups.get(e.id) if groups else None
        if group:  # corroborated: one entry, every report's sources cited
            title += f" · {len(group)} sources"
            refs = refs_text(
                cite([r for rid in group for r in _event_sources(snapshot, rid)] or refs_of)
            )
        elif len(refs_of) == 1:  # once numbered, a source keeps its number
            refs = one_ref.get(refs_of[0])
            if refs is None:
                refs = one_ref[refs_of[0]] = refs_text(cite(refs_of))
        else:
            refs = refs_text(cite(refs_of))
        text = (f"{places}: {title} {refs}" if places else f"{title} {refs}").strip()
        # the usual row: plain ASCII (no control character, single spaces) that fits on
        # one line is the row as it is; anything else is measured and wrapped
        if (
            len(text) <= width - (len(lead) if lead.isascii() else cells(lead))
            and text.isascii()
            and text.isprintable()
            and "  " not in text
            and text
        ):
            out.append(lead + text)
        else:
            out += wrap_keep_urls(text, width, lead, " " * cells(lead), ascii=ascii)
    return out


def _event_sources(snapshot: Snapshot, event_id: str) -> list:
    e = snapshot.event_table.get(event_id) if snapshot.event_table else None
    if e is None:
        e = next((x for x in snapshot.events if x.id == event_id), None)
    return list(e.sources) if e is not None else []


def text_quotes(
    snapshot: Snapshot,
    quotes: Sequence[Quote],
    cite: Cite,
    width: int,
    *,
    ascii: bool = False,
) -> list[str]:
    """One block per quote, as the pane shows it but wrapped, with its references::

    Abu Mohammed al-Joulani · leader of Hayat Tahrir al-Sham (HTS) · 2024-12-05
      “I ask God Almighty that this be a conquest without revenge” [3]
      → Hama · Hama falls to the HTS-led coalition
    """
    g = glyphs(ascii)
    events = {e.id: e for e in snapshot.events}
    when_of = when_formatter()
    out: list[str] = []
    for i, q in enumerate(quotes):
        if i:
            out.append("")
        head = [q.speaker, q.role, when_of(q.said_at, q.precision), q.outlet]
        out += wrap_keep_urls(g.sep.join(b for b in head if b), width, "", "  ", ascii=ascii)
        refs = refs_text(cite(q.sources))
        text = f"{g.open_q}{q.text.strip()}{g.close_q} {refs}".strip()
        out += wrap_keep_urls(text, width, "  ", "   ", ascii=ascii)
        links = [snapshot.places[p].name if p in snapshot.places else p for p in q.places]
        if q.event:
            links.append(events[q.event].title if q.event in events else q.event)
        if links:
            out += wrap_keep_urls(g.sep.join(links), width, f"  {g.arrow} ", "    ", ascii=ascii)
    return out


def faction_legend(factions: Iterable[Faction], width: int, *, ascii: bool = False) -> list[str]:
    """``Faction symbols: G Government, H HTS-led MOC, …, · no faction`` wrapped (pairs whole)."""
    g = glyphs(ascii)
    items = [f"{f.symbol} {safe(f.short, ascii=ascii)}" for f in factions]
    items.append(f"{g.none} no faction")
    out: list[str] = []
    line = "Faction symbols:"
    for i, item in enumerate(items):
        item += "," if i < len(items) - 1 else ""
        sep = " "
        if cells(line + sep + item) <= width:
            line += sep + item
        else:
            out.append(line)
            line = "  " + item
    out.append(line)
    return out


def text_source(n: int, pad: int, label: str, url: str, width: int, *, ascii: bool) -> list[str]:
    """One entry of a Sources list: ``[n]`` and the name, the URL whole on its own line."""
    lead = f"[{n}]".ljust(pad)
    out = wrap_keep_urls(label, width, lead, " " * pad, ascii=ascii)
    if url:
        url = safe(url, ascii=ascii)
        out.append((" " * pad + url) if pad + cells(url) <= width else url)
    return out
