"""Time helpers in the situation's IANA time zone.

Bare dates and day boundaries are in the zone of the situation being shown
(:func:`situation_zone`). A zone is an IANA name (``Africa/Khartoum``) or a
fixed offset (``UTC+03:00``). The bundled Syria 2024 situation keeps the
fixed ``UTC+03:00`` its data is written in: Damascus has been UTC+03:00 all
year only since October 2022, and the dataset dates older facts in +03:00
too ("from 2018" is ``2018-01-01T00:00:00+03:00``), which ``Asia/Damascus``
(UTC+02:00 in the winters before) would list a day early. Whoever opens a situation
(the command line, the app when switching) sets its zone with
:func:`set_situation_zone`; one situation is shown at a time per process.

A bare date given as an as-of moment means the end of that day in situation
time, so "as of 2024-12-05" includes everything reported on 5 December.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The bundled Syria 2024 situation's zone (the default): a fixed offset.
DEFAULT_ZONE = "UTC+03:00"
#: The bundled situation's zone (for callers that mean Syria specifically).
SITUATION_TZ = timezone(timedelta(hours=3), "+03")
_zone: tzinfo = SITUATION_TZ
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")

__all__ = [
    "DEFAULT_ZONE",
    "SITUATION_TZ",
    "TimeError",
    "get_zone",
    "offset_label",
    "set_situation_zone",
    "situation_zone",
    "zone_label",
    "zone_name",
    "day_of",
    "end_of_day",
    "fmt_day",
    "fmt_since",
    "fmt_when",
    "parse_as_of",
    "when_formatter",
    "parse_when",
    "start_of_day",
]


class TimeError(ValueError):
    """A date or time that could not be read."""


def get_zone(name: str) -> tzinfo:
    """The IANA zone called ``name`` (e.g. ``Africa/Khartoum``), or a fixed
    offset written ``UTC+03:00`` / ``+03:00`` / ``UTC-5`` (up to 14 hours).

    Raises :class:`TimeError` naming it when there is no such zone (zone data
    from the system, else the ``tzdata`` package).
    """
    key = name.strip()
    m = _OFFSET.match(key)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours <= 14 and minutes < 60 and hours * 60 + minutes <= 14 * 60:
            sign = 1 if m.group(1) == "+" else -1
            label = f"{m.group(1)}{hours:02d}" + (f":{minutes:02d}" if minutes else "")
            return timezone(sign * timedelta(hours=hours, minutes=minutes), label)
    bad = not key or key.startswith(("/", ".")) or ".." in key or "\\" in key
    try:
        if bad:
            raise ValueError
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        shown = "".join(ch for ch in name if ch.isprintable())[:40]
        raise TimeError(
            f"unknown time zone {shown!r} (an IANA name such as Africa/Khartoum)"
        ) from None


def situation_zone() -> tzinfo:
    """The zone of the situation being shown (default the fixed UTC+03:00 of Syria 2024)."""
    return _zone


def set_situation_zone(zone: str | tzinfo | None) -> tzinfo:
    """Make ``zone`` (a name, a tzinfo, or None for the default) the situation's
    zone; returns the previous one. Raises :class:`TimeError` for an unknown name."""
    global _zone
    previous = _zone
    if zone is None:
        _zone = SITUATION_TZ
    elif isinstance(zone, str):
        _zone = get_zone(zone)
    else:
        _zone = zone
    return previous


def zone_name(zone: tzinfo | None = None) -> str:
    """The name of ``zone`` (default: the situation's): an IANA name such as
    ``Africa/Khartoum``, or ``UTC+03:00`` for a fixed offset."""
    z = _zone if zone is None else zone
    key = getattr(z, "key", None)
    if key:
        return key
    off = z.utcoffset(None)
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def zone_label(dt: datetime) -> str:
    """How exports name the zone at ``dt``: ``UTC+03`` for a fixed offset,
    ``Africa/Khartoum, UTC+02`` for an IANA zone."""
    key = getattr(_zone, "key", None)
    return f"{key}, {offset_label(dt)}" if key else offset_label(dt)


def offset_label(dt: datetime) -> str:
    """``UTC+03`` (or ``UTC+05:30``, ``UTC``): the situation zone's offset at ``dt``."""
    off = dt.astimezone(_zone).utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}" + (f":{m:02d}" if m else "")


def parse_when(text: str, *, end_of_day_for_dates: bool = False) -> datetime:
    """Read an ISO-8601 date or datetime. Naive values are taken as situation time.

    ``2024-12-05`` is midnight at the start of that day (or, with
    ``end_of_day_for_dates``, the last microsecond of it).
    """
    s = text.strip()
    if not s:
        raise TimeError("empty date")
    try:
        if len(s) == 10 and s[4] == "-" and s[7] == "-":
            d = date.fromisoformat(s)
            return end_of_day(d) if end_of_day_for_dates else start_of_day(d)
        if len(s) == 7 and s[4] == "-":  # 2024-12: a month
            d = date.fromisoformat(s + "-01")
            return start_of_day(d)
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise TimeError(
            f"not an ISO-8601 date or time: {text!r} (expected e.g. 2024-12-05)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_zone)
    return dt


def parse_as_of(text: str) -> datetime:
    """An as-of moment from user input: a bare date means the end of that day."""
    return parse_when(text, end_of_day_for_dates=True)


def start_of_day(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), _zone)


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), _zone)


def day_of(dt: datetime) -> date:
    """The calendar day of ``dt`` in situation time."""
    return dt.astimezone(_zone).date()


def fmt_day(dt: datetime) -> str:
    """``2024-12-05`` in situation time."""
    return day_of(dt).isoformat()


def fmt_when(dt: datetime, precision: str = "exact") -> str:
    """A compact display time: ``2024-12-05`` for day precision, ``2024-12`` for month,
    ``2024`` for year, else ``2024-12-05 14:30``."""
    return _fmt_when_in(dt.astimezone(_zone), precision)


#: "00:00" .. "23:59", by minute of the day
_CLOCK = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))
_CUTS = {"year": 4, "month": 7, "day": 10}


def when_formatter(zone: tzinfo | None = None) -> Callable[[datetime, str], str]:
    """:func:`fmt_when` for many rows: a function ``(dt, precision) -> str`` giving the
    same text, with the zone read once and no ``strftime`` per row.

    ``zone`` defaults to the situation's zone at the time of the call (an export or a
    view made with one formatter shows one zone throughout). The formatter keeps the
    text of each day it has shown (one entry per distinct day: make one per export or
    render, not one for the life of the process) and takes the clock from a table.
    Days are ``date.isoformat``, which pads years to four digits as ``strftime`` does
    not on every platform: a year before 1000 goes through :func:`fmt_when`'s own
    formatting, so both always agree.
    """
    tz = _zone if zone is None else zone
    days: dict[int, str] = {}  # proleptic ordinal -> "YYYY-MM-DD"
    clock, cuts = _CLOCK, _CUTS
    # a fixed-offset zone: times already written in its offset need no conversion (the
    # decoder gives all times of one offset one tzinfo object: one identity test a row)
    offset = tz.utcoffset(None) if isinstance(tz, timezone) else None
    same: list[tzinfo | None] = [tz]

    def fmt(dt: datetime, precision: str = "exact") -> str:
        if dt.tzinfo is same[0]:
            local = dt
        else:
            local = dt.astimezone(tz)
            if offset is not None and isinstance(dt.tzinfo, timezone):
                if dt.utcoffset() == offset:
                    same[0] = dt.tzinfo
        ordinal = local.toordinal()
        day = days.get(ordinal)
        if day is None:
            if local.year < 1000:
                return _fmt_when_in(local, precision)
            day = days[ordinal] = local.date().isoformat()
        cut = cuts.get(precision)
        if cut is None:
            return f"{day} {clock[local.hour * 60 + local.minute]}"
        return day[:cut]

    return fmt


def _fmt_when_in(local: datetime, precision: str) -> str:
    if precision == "year":
        return local.strftime("%Y")
    if precision == "month":
        return local.strftime("%Y-%m")
    if precision == "day":
        return local.date().isoformat()
    return local.strftime("%Y-%m-%d %H:%M")


#: how an undated baseline's start is shown (ControlChange.precision "undated")
UNDATED_SINCE = "before the period (date not given)"


def fmt_since(dt: datetime, precision: str = "day") -> str:
    """When a control change began, as precisely as its sources give it.

    ``precision`` is a :class:`~store.records.ControlChange` precision; ``undated``
    gives :data:`UNDATED_SINCE` instead of a date.
    """
    if precision == "undated":
        return UNDATED_SINCE
    return fmt_when(dt, precision)
