"""Query vocabulary: text filters with prefixes, metric summaries, snapshots."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from .records import ControlChange, Event, Faction, Figure, Place, Quote, Source

__all__ = ["METRIC_LABELS", "Filter", "MetricSummary", "Snapshot", "metric_label", "parse_filter"]


class Filter(msgspec.Struct, frozen=True):
    """A parsed filter: free text plus ``place:``, ``faction:``, ``type:`` terms.

    Each field holds lower-cased terms; all terms must match (AND).
    """

    text: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    faction: tuple[str, ...] = ()
    type: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.text or self.place or self.faction or self.type)

    def __str__(self) -> str:
        out = [t if " " not in t else f'"{t}"' for t in self.text]
        for key in ("place", "faction", "type"):
            out += [f"{key}:{v}" if " " not in v else f'{key}:"{v}"' for v in getattr(self, key)]
        return " ".join(out)


def parse_filter(text: str | None) -> Filter:
    """``hama type:capture "street fighting"`` -> Filter(text=("hama","street fighting"), type=("capture",))."""
    if not text or not text.strip():
        return Filter()
    try:
        tokens = shlex.split(text)
    except ValueError:  # unbalanced quote: take words as they are
        tokens = text.split()
    parts: dict[str, list[str]] = {"text": [], "place": [], "faction": [], "type": []}
    for tok in tokens:
        key, sep, value = tok.partition(":")
        if sep and key.lower() in ("place", "faction", "type") and value:
            parts[key.lower()].append(value.lower())
        elif tok:
            parts["text"].append(tok.lower())
    return Filter(**{k: tuple(v) for k, v in parts.items()})


#: metric id -> its label; other metrics read as their id (``air_strikes`` -> "Air strikes")
METRIC_LABELS = {
    "deaths_total": "Deaths (total)",
    "civilian_deaths": "Civilian deaths",
    "displaced": "Displaced",
    "prisoners_freed": "Prisoners freed",
    "deaths_since_2011": "Deaths since 2011",
    "bounty_usd": "Bounty (USD)",
}


def metric_label(metric: str) -> str:
    """The label of a metric id: ``civilian_deaths`` -> ``Civilian deaths``."""
    return METRIC_LABELS.get(metric) or metric.replace("_", " ").capitalize()


class MetricSummary(msgspec.Struct, frozen=True):
    """One metric as of a moment: the headline figure and every publisher's latest.

    Grouped by publisher (:func:`store.provenance.publisher_of`), not by the first
    cited source: SOHR's count relayed by an article is SOHR's.
    """

    metric: str
    #: the headline figure (:func:`store.provenance.headline`)
    latest: Figure
    #: the latest observation of each *other* publisher, newest first
    others: tuple[Figure, ...]
    #: every observation known as of the moment, oldest first
    history: tuple[Figure, ...]
    #: the headline figure's publisher (a Source id)
    publisher: str = ""
    #: (publisher, its observations oldest first) for every publisher of the metric
    series: tuple[tuple[str, tuple[Figure, ...]], ...] = ()

    def publisher_series(self, publisher: str | None = None) -> tuple[Figure, ...]:
        """One publisher's observations, oldest first (default: the headline's publisher)."""
        want = self.publisher if publisher is None else publisher
        for pub, obs in self.series:
            if pub == want:
                return obs
        return self.history if not self.series else ()


class Snapshot(msgspec.Struct, frozen=True):
    """The situation as of a moment: what every pane and every export shows.

    ``filter`` has been applied to every record kind (:mod:`.filtering`):
    ``events``, ``quotes``, ``figures``, ``map_places`` and ``control`` (kept for
    the places in ``map_places``). ``places``, ``factions`` and ``sources`` are
    every record, for names and links.
    """

    as_of: datetime
    first: datetime | None
    last: datetime | None
    control: dict[str, ControlChange]
    #: control as of the start of the period (for "what changed" summaries)
    control_at_start: dict[str, ControlChange]
    #: chronological; from a store, an :class:`~.eventview.EventView` (no copy)
    events: Sequence[Event]
    quotes: list[Quote]
    figures: list[MetricSummary]
    places: dict[str, Place]
    factions: dict[str, Faction]
    sources: dict[str, Source]
    place: str | None = None
    filter: Filter = msgspec.field(default_factory=Filter)
    #: the places a map of this snapshot draws: every place, or those the filter selects
    map_places: dict[str, Place] | None = None
    #: every stored event by id, at any time (the store's table; empty when the snapshot
    #: was built by hand): renderers look an event up here, then confirm it is among
    #: ``events`` by binary search, instead of indexing ``events`` on every day step
    event_table: Mapping[str, Event] = msgspec.field(default_factory=dict)
    #: corroboration (:mod:`store.corroborate`): event id -> its group's ids, lead
    #: first, for every event of ``events`` that other feeds' reports corroborate
    #: (a store's snapshot holds a :class:`~.corroborate.DayGroups`, worked out per day
    #: on first use)
    groups: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)

    @property
    def shown_places(self) -> dict[str, Place]:
        """``map_places``, or every place when the snapshot was built without it."""
        return self.places if self.map_places is None else self.map_places
