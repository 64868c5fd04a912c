"""Typed records: the vocabulary of the store.

Every record is an immutable :class:`msgspec.Struct` with a stable string id,
a timezone-aware ``updated_at`` and a tuple of :class:`SourceRef`. Records are
validated when they are built from untrusted data (:func:`convert_record`):
an invalid record raises :class:`RecordError` naming the record and the field.

Sequences in records are tuples (``places``, ``factions``, ``actors``, ``sources``,
``alt_names``): a record is never changed in place, and the store shares one tuple
among the many records that hold the same one (:mod:`.compact`). They encode as JSON
arrays, exactly as lists did. Code that builds a record with a list gets it coerced
to a tuple when the record enters the store (:func:`.compact.compact_records`).

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

__all__ = [
    "AwareDatetime",
    "Casualties",
    "ControlChange",
    "Event",
    "EventType",
    "Faction",
    "Figure",
    "KINDS",
    "Place",
    "Quote",
    "Record",
    "RecordError",
    "SOURCE_ROLES",
    "Source",
    "SourceRef",
    "Tombstone",
    "convert_record",
    "kind_of",
    "record_to_dict",
]

#: A datetime that must carry a timezone (naive datetimes are rejected).
AwareDatetime = Annotated[datetime, Meta(tz=True)]
#: The id pattern, the one copy (records, adapters, config and the JSON Schemas in
#: docs/ use it; tests/unit/test_registries.py checks the schemas): 1-160
#: characters, a letter or digit first, no spaces or control characters.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@/+#-]{0,159}$"
ID_RE = re.compile(ID_PATTERN)
#: A stable record id (:data:`ID_PATTERN`).
RecordId = Annotated[str, Meta(pattern=ID_PATTERN)]
#: An id that names another record (an event's places and factions, a source
#: reference's source). It follows :data:`ID_PATTERN` like every id, but the pattern
#: is checked once per distinct value instead of once per use: by
#: :func:`convert_record` for data from outside, and by the store's decode for its
#: shards (:mod:`.compact`). In the type, it was a regex call per reference: half the
#: time of decoding a shard.
RefId = Annotated[str, Meta(max_length=160)]
#: An event's own id. It follows :data:`ID_PATTERN` like every id, but the pattern is
#: checked outside the type, as :data:`RefId`'s: by :func:`convert_record` for data
#: from outside, and for all of a stored file's events at once by :func:`first_non_id`
#: when the store decodes it. A history holds 10^5 to 10^6 events, and a regex call per
#: id was a third of decoding them.
EventId = Annotated[str, Meta(max_length=160)]
#: what a value that is not an id is told (msgspec's own wording for the pattern)
ID_PROBLEM = f"Expected `str` matching regex {ID_PATTERN!r}"


def is_id(value: object) -> bool:
    """Does ``value`` follow :data:`ID_PATTERN` (as msgspec checks a pattern: ``search``)?"""
    return type(value) is str and ID_RE.search(value) is not None


#: many ids, each followed by a newline: one regex pass checks them all (an id holds no
#: newline, so the newlines count the ids and each piece is one whole id)
_IDS_RE = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9._:@/+#-]{0,159}\n)*")
assert _IDS_RE.pattern.startswith("(?:" + ID_PATTERN[1:-1]), "_IDS_RE repeats ID_PATTERN"


def first_non_id(values: Sequence[str]) -> int | None:
    """The index of the first of ``values`` that does not follow :data:`ID_PATTERN`
    (as :func:`is_id` reads it), or None when all do.

    All of a shard's event ids at once: one regex pass over them joined (about 15 ms
    for 100k ids, where a regex call per id took about 90 ms); the ids are looked at
    one by one only when that pass finds something wrong.
    """
    text = "\n".join(values) + "\n" if values else ""
    if text.count("\n") == len(values) and _IDS_RE.fullmatch(text):
        return None
    return next((i for i, v in enumerate(values) if not is_id(v)), None)


ShortText = Annotated[str, Meta(max_length=500)]
LongText = Annotated[str, Meta(max_length=20_000)]
Url = Annotated[str, Meta(max_length=2_000)]
Latitude = Annotated[float, Meta(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Meta(ge=-180.0, le=180.0)]
Count = Annotated[int, Meta(ge=0, le=10**12)]


class RecordError(ValueError):
    """An invalid record: the message names the record kind, its id and the field."""

    def __init__(self, kind: str, record_id: str | None, field_path: str, problem: str) -> None:
        self.kind = kind
        self.record_id = record_id
        self.field = field_path
        self.problem = problem
        where = f"{kind} {record_id!r}" if record_id else f"{kind} (no id)"
        super().__init__(f"{where}: field `{field_path}`: {problem}")


class SourceRef(Struct, frozen=True, gc=False, forbid_unknown_fields=True, omit_defaults=True):
    """A citation: which source (a :class:`Source` id) and, where known, the exact URL."""

    source: RefId
    url: Url = ""
    note: ShortText = ""


#: What a source is to the facts it is cited for (shown in the detail view), in the words
#: a fact-checker uses: the publisher of its own count or statement, an outlet reporting
#: (and possibly relaying) others, a site that copies outlets, or a compiled reference.
SOURCE_ROLES: dict[str, str] = {
    "primary_publisher": "primary publisher",
    "news_outlet": "news outlet",
    "aggregator": "aggregator",
    "reference_work": "reference work",
}


class Source(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """A publisher or observer: SOHR, CNN, Human Rights Watch, OCHA, ...

    ``kind`` is what the organisation is (a monitor, the media, a UN agency, ...);
    ``role`` is how it stands to what it is cited for (see :data:`SOURCE_ROLES`;
    empty when the feed does not say).
    """

    id: RecordId
    name: ShortText
    kind: Literal[
        "monitor", "media", "un", "ngo", "government", "armed_group", "research", "article", "other"
    ] = "other"
    role: Literal["", "primary_publisher", "news_outlet", "aggregator", "reference_work"] = ""
    url: Url = ""
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class Faction(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """A party that can hold a place. ``symbol`` is the one-character map marker."""

    id: RecordId
    name: ShortText
    short: Annotated[str, Meta(min_length=1, max_length=24)]
    symbol: Annotated[str, Meta(min_length=1, max_length=1, pattern=r"^[!-~]$")]
    colour: Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
    group: ShortText = ""
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class Place(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """A city, town, crossing or base with real coordinates."""

    id: RecordId
    name: ShortText
    alt_names: tuple[ShortText, ...] = ()
    lat: Latitude
    lon: Longitude
    governorate: ShortText = ""
    kind: Literal["city", "town", "village", "crossing", "base", "area", "other"] = "city"
    #: 1 (capital, largest cities) .. 5 (villages): label priority on the map.
    importance: Annotated[int, Meta(ge=1, le=5)] = 3
    population: Count | None = None
    note: LongText = ""
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class ControlChange(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """From ``valid_from`` on, ``faction`` holds (or contests, or besieges) ``place``.

    Control of a place at time T is the latest change at or before T.
    ``precision`` says how much of ``valid_from`` the sources give: ``exact`` (a
    clock time), ``day``, ``month`` or ``year``; ``undated`` means the control was
    held before the situation's period and no source gives the date it began
    (``valid_from`` then only orders the change and is never shown as a date).
    """

    id: RecordId
    place: RecordId
    faction: RecordId
    status: Literal["held", "contested", "besieged"] = "held"
    valid_from: AwareDatetime
    precision: Literal["exact", "day", "month", "year", "undated"] = "day"
    note: LongText = ""
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class Casualties(Struct, frozen=True, gc=False, forbid_unknown_fields=True, omit_defaults=True):
    """Fatalities as UCDP reports them: low / best / high (any may be unknown)."""

    best: Count | None = None
    low: Count | None = None
    high: Count | None = None


#: an event's type (the record schema's list)
EventType = Literal[
    "offensive",
    "capture",
    "withdrawal",
    "battle",
    "strike",
    "statement",
    "humanitarian",
    "diplomatic",
    "violence_against_civilians",
    "protest",
    "other",
]


class Event(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """Something that happened at a time, at places, involving factions.

    ``context`` marks background a report gives on that day (an ongoing state of
    affairs, an opinion, an undated development) rather than something that
    happened on that day: the timeline and the report list it as context.
    """

    id: EventId
    time: AwareDatetime
    precision: Literal["exact", "day", "month"] = "day"
    title: ShortText
    summary: LongText = ""
    type: EventType = "other"
    places: tuple[RefId, ...] = ()
    factions: tuple[RefId, ...] = ()
    actors: tuple[ShortText, ...] = ()
    fatalities: Casualties | None = None
    url: Url = ""
    context: bool = False
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class Quote(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """Words someone said, where and to whom."""

    id: RecordId
    speaker: ShortText
    role: ShortText = ""
    text: LongText
    said_at: AwareDatetime
    precision: Literal["exact", "day", "month"] = "day"
    outlet: ShortText = ""
    context: LongText = ""
    places: tuple[RecordId, ...] = ()
    event: RecordId | None = None
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class Figure(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """One observation of a statistic by one source. Observations are never collapsed."""

    id: RecordId
    metric: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    value: Annotated[float, Meta(ge=0, le=1e15)]
    qualifier: Literal["exact", "at least", "more than", "about", "up to", "between"] = "exact"
    low: Annotated[float, Meta(ge=0, le=1e15)] | None = None
    high: Annotated[float, Meta(ge=0, le=1e15)] | None = None
    unit: ShortText = ""
    as_of: AwareDatetime
    period_start: AwareDatetime | None = None
    period_end: AwareDatetime | None = None
    scope: ShortText = ""
    note: LongText = ""
    updated_at: AwareDatetime
    sources: tuple[SourceRef, ...] = ()


class Tombstone(
    Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True, omit_defaults=True
):
    """An explicit deletion of record ``id`` of ``kind``; wins over older versions of it."""

    id: RecordId
    kind: Literal["source", "faction", "place", "control", "event", "quote", "figure"]
    updated_at: AwareDatetime
    reason: ShortText = ""
    sources: tuple[SourceRef, ...] = ()


Record = Source | Faction | Place | ControlChange | Event | Quote | Figure | Tombstone

#: kind name -> record class. The kind names are also the store's table names.
KINDS: dict[str, type[Struct]] = {
    "source": Source,
    "faction": Faction,
    "place": Place,
    "control": ControlChange,
    "event": Event,
    "quote": Quote,
    "figure": Figure,
    "tombstone": Tombstone,
}
_KIND_OF: dict[type, str] = {cls: kind for kind, cls in KINDS.items()}
#: kind -> its plural: the store's table name and the feed document's section key
#: (the one copy; merge, the store and the sitmon adapter read it). Order: the
#: order records are merged in (what they refer to first).
TABLES: dict[str, str] = {
    "source": "sources",
    "faction": "factions",
    "place": "places",
    "control": "control",
    "event": "events",
    "quote": "quotes",
    "figure": "figures",
    "tombstone": "tombstones",
}
assert tuple(TABLES) == tuple(KINDS), "TABLES and KINDS list the same kinds in the same order"


def kind_of(record: Struct) -> str:
    """The kind name of a record (``"event"``, ``"place"``, ...)."""
    try:
        return _KIND_OF[type(record)]
    except KeyError:
        raise TypeError(f"not a sitmon record: {type(record).__name__}") from None


def _post_check(kind: str, rec: Any) -> None:
    """The id pattern of references (:data:`RefId`), and cross-field rules msgspec
    constraints cannot express."""
    rid = rec.id
    if kind == "event" and not is_id(rid):
        raise RecordError(kind, None, "id", ID_PROBLEM)
    for i, ref in enumerate(rec.sources):
        if not is_id(ref.source):
            raise RecordError(kind, rid, f"sources[{i}].source", ID_PROBLEM)
    if kind == "event":
        for name in ("places", "factions"):
            for i, value in enumerate(getattr(rec, name)):
                if not is_id(value):
                    raise RecordError(kind, rid, f"{name}[{i}]", ID_PROBLEM)
    if kind == "figure":
        if rec.low is not None and rec.high is not None and rec.low > rec.high:
            raise RecordError(kind, rid, "low", f"low ({rec.low:g}) is above high ({rec.high:g})")
        if rec.period_start and rec.period_end and rec.period_start > rec.period_end:
            raise RecordError(kind, rid, "period_start", "period starts after it ends")
    elif kind == "event" and rec.fatalities is not None:
        f = rec.fatalities
        if f.low is not None and f.high is not None and f.low > f.high:
            raise RecordError(kind, rid, "fatalities.low", "low is above high")
        if f.best is not None:
            if f.low is not None and f.best < f.low:
                raise RecordError(kind, rid, "fatalities.best", "best is below low")
            if f.high is not None and f.best > f.high:
                raise RecordError(kind, rid, "fatalities.best", "best is above high")


def convert_record(kind: str, data: Any) -> Record:
    """Build and validate a record of ``kind`` from plain data (a dict from JSON).

    Raises :class:`RecordError` naming the kind, the id (when readable) and the
    offending field.
    """
    cls = KINDS.get(kind)
    if cls is None:
        raise RecordError(kind, None, "kind", f"unknown record kind {kind!r}")
    rid = None
    if isinstance(data, dict):
        raw_id = data.get("id")
        if isinstance(raw_id, str) and ID_RE.match(raw_id):
            rid = raw_id
    else:
        raise RecordError(kind, None, "$", f"expected an object, got {type(data).__name__}")
    try:
        rec = msgspec.convert(data, cls, strict=True)
    except msgspec.ValidationError as exc:
        msg = str(exc)
        path = "$"
        if " - at `" in msg:
            msg, _, rest = msg.partition(" - at `")
            path = rest.rstrip("`")
        path = path.removeprefix("$.").removeprefix("$")
        if not path:
            # msgspec reports missing fields as "Object missing required field `x`"
            m = re.search(r"field `([^`]+)`", msg)
            path = m.group(1) if m else "$"
        raise RecordError(kind, rid, path or "$", msg) from None
    _post_check(kind, rec)
    return rec


_plain_encoder = msgspec.json.Encoder()


def record_to_dict(record: Struct) -> dict[str, Any]:
    """A record as plain JSON data, exactly as the store writes it: datetimes as
    ISO-8601 strings, sequences as lists (a record's tuples too), defaults omitted."""
    return msgspec.json.decode(_plain_encoder.encode(record))
