"""The JSON writer: the records behind a view (``docs/export.schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from sitmon.store.query import MetricSummary
from sitmon.store.records import ControlChange, Event, Quote
from sitmon.widgets.quotes_render import quote_rows
from sitmon.widgets.render_util import metric_label
from sitmon.widgets.timeline_render import timeline_rows

from .context import _Ctx, _iso, _version
from .request import EXPORT_VERSION
from .safety import _clean_tree, _clean_value, _record
from .sitrep import (
    _changes,
    _control_rows,
    _period_events,
    _summary_control,
    _summary_figures,
    _summary_latest,
)

# --------------------------------------------------------------------------- JSON


def _json_header(ctx: _Ctx, view: str) -> dict[str, Any]:
    situation = ctx.store.meta.get("situation")
    doc: dict[str, Any] = {
        "sitmon_export": EXPORT_VERSION,
        "view": view,
        "as_of": _iso(ctx.moment),
        "generated_by": f"sitmon {_version()}",
    }
    if ctx.req.timestamp is not None:
        doc["generated_at"] = ctx.req.timestamp.isoformat()
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
        "publisher": m.publisher,
        "others": [f.id for f in m.others],
        "series": [{"publisher": p, "observations": [f.id for f in obs]} for p, obs in m.series],
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
        doc["order"] = "newest_first" if ctx.req.newest_first else "oldest_first"
    if view == "all":
        doc["summary"] = {
            "control": _summary_control(ctx),
            "latest": _summary_latest(ctx, markdown=False),
            "figures": _summary_figures(ctx, markdown=False),
        }
    if view in ("map", "all"):
        control = _control_rows(ctx)
        places |= set(snap.shown_places)
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
        metrics = snap.figures
        doc["figures"] = [_json_metric(m) for m in metrics]
    if view == "timeline":
        events = timeline_rows(snap, newest_first=ctx.req.newest_first)
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
