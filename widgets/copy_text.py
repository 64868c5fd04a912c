"""A record as text to paste (``y``), and the source URLs it cites (``o``).

Pure (no Textual, no Rich). The text is what a desk pastes into a message:
the record in full, then its sources numbered, each URL whole and as cited
(never percent-decoded or cut, so it still opens)::

    2024-12-05 · Hama: Hama falls to the HTS-led coalition
    HTS-led forces took Hama after days of fighting ...

    Sources:
    [1] CNN https://www.cnn.com/...
"""

from __future__ import annotations

from typing import Any

from sitmon.store.query import Snapshot
from sitmon.store.records import SourceRef
from sitmon.store.timeutil import fmt_when

from .render_util import fmt_value, metric_label

__all__ = ["record_text", "record_urls"]


def _record(snapshot: Snapshot, kind: str, item: str, store: Any) -> Any:
    if kind == "event":
        table = store.tables["event"] if store is not None else {e.id: e for e in snapshot.events}
        return table.get(item)
    if kind == "quote":
        table = store.tables["quote"] if store is not None else {q.id: q for q in snapshot.quotes}
        return table.get(item)
    if kind == "place":
        return snapshot.places.get(item)
    if kind == "figure":
        return next((m for m in snapshot.figures if m.metric == item), None)
    return None


def _refs(snapshot: Snapshot, kind: str, item: str, rec: Any) -> list[SourceRef]:
    if kind == "place":
        c = snapshot.control.get(item)
        return list(c.sources) if c is not None else []
    if kind == "figure":
        return [r for f in (rec.latest, *rec.others) for r in f.sources]
    return list(rec.sources)


def _url(ref: SourceRef, snapshot: Snapshot) -> str:
    src = snapshot.sources.get(ref.source)
    return ref.url or (src.url if src is not None else "")


def record_urls(snapshot: Snapshot, kind: str, item: str, store: Any = None) -> list[str]:
    """The record's URLs in citation order, each once: its own link first (an event's ``url``)."""
    rec = _record(snapshot, kind, item, store)
    if rec is None:
        return []
    urls = [getattr(rec, "url", "") or ""] if kind == "event" else []
    urls += [_url(r, snapshot) for r in _refs(snapshot, kind, item, rec)]
    return [u for u in dict.fromkeys(urls) if u]


def record_text(snapshot: Snapshot, kind: str, item: str, store: Any = None) -> str:
    """The record in full with its numbered sources ("" when it is unknown)."""
    rec = _record(snapshot, kind, item, store)
    if rec is None:
        return ""
    lines: list[str] = []
    if kind == "event":
        places = ", ".join(
            snapshot.places[p].name if p in snapshot.places else p for p in rec.places
        )
        lines.append(
            f"{fmt_when(rec.time, rec.precision)} · "
            + (f"{places}: " if places else "")
            + rec.title
        )
        if rec.summary:
            lines.append(rec.summary)
    elif kind == "quote":
        who = ", ".join(
            b for b in (rec.speaker, rec.role, fmt_when(rec.said_at, rec.precision)) if b
        )
        lines.append(f"“{rec.text.strip()}”")
        lines.append(f"— {who}" + (f" ({rec.outlet})" if rec.outlet else ""))
    elif kind == "place":
        c = snapshot.control.get(item)
        if c is not None:
            f = snapshot.factions.get(c.faction)
            holder = f.name if f is not None else c.faction
            status = "held" if c.status == "held" else c.status
            lines.append(
                f"{rec.name}: {status} by {holder} since {fmt_when(c.valid_from, 'day')}"
                f" (as of {fmt_when(snapshot.as_of, 'day')})"
            )
        else:
            lines.append(f"{rec.name}: control unknown as of {fmt_when(snapshot.as_of, 'day')}")
    else:  # a metric
        lines.append(f"{metric_label(rec.metric)} as of {fmt_when(snapshot.as_of, 'day')}:")
        for fig in (rec.latest, *rec.others):
            names = ", ".join(
                dict.fromkeys(
                    snapshot.sources[r.source].name if r.source in snapshot.sources else r.source
                    for r in fig.sources
                )
            )
            lines.append(
                f"- {fmt_value(fig)} ({names or 'unsourced'}, {fmt_when(fig.as_of, 'day')})"
            )
    refs = _refs(snapshot, kind, item, rec)
    cited: dict[tuple[str, str], int] = {}
    for ref in refs:
        cited.setdefault((ref.source, _url(ref, snapshot)), len(cited) + 1)
    if cited:
        lines += ["", "Sources:"]
        for (sid, url), n in cited.items():
            src = snapshot.sources.get(sid)
            name = src.name if src is not None else sid
            lines.append(f"[{n}] {name}" + (f" {url}" if url else ""))
    return "\n".join(lines) + "\n"
