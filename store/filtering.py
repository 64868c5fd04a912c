"""What a filter means for each kind of record: the one place filters mean something.

A :class:`~.query.Filter` holds words and ``place:``, ``faction:`` and ``type:``
terms; every term must match (AND). For each record kind a view shows:

=========  ===========================================  ==========================================
kind       words match                                  ``place:`` / ``faction:`` / ``type:``
=========  ===========================================  ==========================================
event      title, summary, type, actors, place,         a place it names / a faction it names /
           faction and source names                     its type (prefix)
quote      speaker, role, text, context, outlet         a place it (or its event) names / a
                                                        faction its event names / its event's type
place      id, name, alternative names, governorate     the place itself / the faction that holds
                                                        it as of the moment / (refused)
figure     metric, its label, scope                     a place named in its scope / (refused) /
                                                        (refused)
=========  ===========================================  ==========================================

``place:`` and ``faction:`` terms resolve as :meth:`Store.resolve_places` and
:meth:`Store.resolve_factions` do (an id or a name, else a part of a name). Events
and quotes are filtered by :meth:`Store.events` and :meth:`Store.quotes` (with
their indexes); places and figures here. A view refuses a term that does not apply
to a kind it shows (:func:`check_filter`, :class:`FilterError`): ``--view stats
--filter faction:sdf`` is an error, not a list of every figure. Below the views,
:meth:`Store.snapshot` lets such a term match nothing of that kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .query import Filter, MetricSummary, metric_label
from .records import ControlChange, Place

__all__ = [
    "FILTER_FIELDS",
    "FilterError",
    "check_filter",
    "filter_figures",
    "filter_places",
]


class FilterError(ValueError):
    """A filter term that does not apply to a kind of record the view shows (one line)."""


#: record kind -> the filter fields that mean something for it (the table above)
FILTER_FIELDS: dict[str, frozenset[str]] = {
    "event": frozenset({"text", "place", "faction", "type"}),
    "quote": frozenset({"text", "place", "faction", "type"}),
    "place": frozenset({"text", "place", "faction"}),
    "figure": frozenset({"text", "place"}),
}
_PLURAL = {"event": "events", "quote": "quotes", "place": "map places", "figure": "figures"}
_TERM = {"text": "words", "place": "place:", "faction": "faction:", "type": "type:"}


def check_filter(flt: Filter, kinds: Iterable[str]) -> None:
    """Raise :class:`FilterError` if a term of ``flt`` does not apply to one of ``kinds``.

    The message names the term and what the kind can be filtered by, e.g.
    ``faction:sdf does not apply to figures (filter them by words or place:)``.
    """
    for kind in kinds:
        allowed = FILTER_FIELDS[kind]
        for field in ("place", "faction", "type"):
            values = getattr(flt, field)
            if values and field not in allowed:
                by = " or ".join(
                    _TERM[f] for f in ("text", "place", "faction", "type") if f in allowed
                )
                raise FilterError(
                    f"{field}:{values[0]} does not apply to {_PLURAL[kind]} (filter them by {by})"
                )


def filter_places(
    store: Any, flt: Filter, control: Mapping[str, ControlChange]
) -> dict[str, Place]:
    """The places ``flt`` selects, given who holds each (``control``, as of the moment).

    With no term that concerns places, every place (the store's own dict). A
    ``type:`` term matches no place.
    """
    places: dict[str, Place] = store.places
    if not (flt.text or flt.place or flt.faction or flt.type):
        return places
    if flt.type:
        return {}
    chosen: Iterable[str] = places
    for term in flt.place:
        chosen = [pid for pid in chosen if pid in store.resolve_places(term)]
    for term in flt.faction:
        fs = store.resolve_factions(term)
        chosen = [pid for pid in chosen if pid in control and control[pid].faction in fs]
    out = {}
    for pid in chosen:
        p = places[pid]
        if flt.text:
            hay = f"{pid} {p.name} {' '.join(p.alt_names)} {p.governorate}".lower()
            if not all(t in hay for t in flt.text):
                continue
        out[pid] = p
    return out


def filter_figures(store: Any, figures: list[MetricSummary], flt: Filter) -> list[MetricSummary]:
    """The metrics ``flt`` selects, by their latest observation.

    Words match the metric id, its label and the scope; a ``place:`` term matches
    a figure whose scope names the place (its name or an alternative name). A
    ``faction:`` or ``type:`` term matches no figure.
    """
    if not (flt.text or flt.place or flt.faction or flt.type):
        return figures
    if flt.faction or flt.type:
        return []
    out = figures
    if flt.text:
        out = [
            m
            for m in out
            if all(
                t in f"{m.metric} {metric_label(m.metric)} {m.latest.scope}".lower()
                for t in flt.text
            )
        ]
    for term in flt.place:
        names = [
            n.lower()
            for pid in store.resolve_places(term)
            for n in (store.places[pid].name, *store.places[pid].alt_names)
        ]
        out = [m for m in out if any(n in m.latest.scope.lower() for n in names)]
    return out
