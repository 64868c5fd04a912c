"""The change log ("What changed", ``c``) as a pure renderer (no Textual, no Rich).

Reads the store's ``meta["refresh_log"]`` (written by :meth:`Store.merge`), newest
entry first: a bold head line (``2024-12-06 13:05  desk``), control flips, counts,
up to 12 added/updated records by label and up to 5 rejections. Every data string
goes through :func:`~.render_util.safe`.
"""

from __future__ import annotations

from typing import Any

from sitmon.store.timeutil import fmt_day

from .header_render import parse_iso
from .lines import Span, StyledLine
from .render_util import fit, safe, wrap
from .timefmt import fmt_clock

__all__ = ["display_names", "record_label", "render_changes"]


def display_names(store: Any) -> dict[str, str]:
    """Place id -> name and faction id -> short name (None store: empty)."""
    if store is None:
        return {}
    names = {pid: p.name for pid, p in store.places.items()}
    names.update({fid: f.short for fid, f in store.factions.items()})
    return names


def record_label(store: Any, kind: str, rid: str) -> str:
    """A short label of one record: ``Homs -> HTS-led from 2024-12-07``, a title, a name."""
    if store is None:
        return rid
    rec = store.tables.get(kind, {}).get(rid)
    if rec is None:
        return rid
    if kind == "control":
        place = store.places.get(rec.place)
        faction = store.factions.get(rec.faction)
        status = "" if rec.status == "held" else f" ({rec.status})"
        return f"{place.name if place else rec.place} -> {faction.short if faction else rec.faction}{status} from {fmt_day(rec.valid_from)}"
    for attr in ("title", "name", "speaker", "metric"):
        value = getattr(rec, attr, None)
        if value:
            return str(value)
    return rid


def render_changes(store: Any, width: int, *, ascii: bool = False) -> list[StyledLine]:
    """The refresh log, newest first, control flips first in each entry."""
    out: list[StyledLine] = []
    log = list(store.meta.get("refresh_log", [])) if store else []
    names = display_names(store)
    if not log:
        origin = store.meta.get("origin", "the store") if store else "the store"
        msg = (
            f"No refreshes yet: the data is the {origin}."
            if store
            else "The store is not loaded yet."
        )
        return [StyledLine(row, ()) for row in wrap(msg, width, ascii=ascii)]
    for entry in reversed(log):
        at = parse_iso(entry.get("at"))
        when = fmt_clock(at, dated=True) if at else "?"  # the user's zone, named
        feed = entry.get("feed") or "local merge (no feed)"
        head = f"{when}  {feed}"
        head = fit(safe(head, ascii=ascii), width, ascii=ascii)
        out.append(StyledLine(head, (Span(0, len(head), "bold"),)))
        for flip in entry.get("flips", []):
            text = (
                f"  control: {names.get(flip.get('place'), flip.get('place'))}: "
                f"{names.get(flip.get('from'), flip.get('from') or 'none')} -> "
                f"{names.get(flip.get('to'), flip.get('to'))}"
            )
            out.append(StyledLine(fit(safe(text, ascii=ascii), width, ascii=ascii), ()))
        n = entry.get("counts") or {
            k: len(entry.get(k, [])) for k in ("added", "updated", "deleted", "rejected")
        }
        counts = (
            f"  {n.get('added', 0)} added, {n.get('updated', 0)} updated, "
            f"{n.get('deleted', 0)} deleted, {entry.get('unchanged', 0)} unchanged, "
            f"{n.get('rejected', 0)} rejected"
        )
        out.append(StyledLine(fit(counts, width), ()))
        for kind, rid in (entry.get("added", []) + entry.get("updated", []))[:12]:
            label = record_label(store, kind, rid)
            text = safe(f"    {kind}: {label}", ascii=ascii)
            out.append(StyledLine(fit(text, width, ascii=ascii), ()))
        more = len(entry.get("added", [])) + len(entry.get("updated", [])) - 12
        if more > 0:
            out.append(
                StyledLine(f"    … {more} more" if not ascii else f"    ... {more} more", ())
            )
        for rej in entry.get("rejected", [])[:5]:
            text = f"    rejected {rej.get('kind')} {rej.get('id')}: {rej.get('reason')}"
            out.append(StyledLine(fit(safe(text, ascii=ascii), width, ascii=ascii), ()))
        out.append(StyledLine("", ()))
    return out
