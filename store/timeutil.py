"""Time helpers. The situation's local time is Damascus time (UTC+03:00).

A bare date given as an as-of moment means the end of that day in situation
time, so "as of 2024-12-05" includes everything reported on 5 December.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

SITUATION_TZ = timezone(timedelta(hours=3), "+03")

__all__ = [
    "SITUATION_TZ",
    "TimeError",
    "day_of",
    "end_of_day",
    "fmt_day",
    "fmt_since",
    "fmt_when",
    "parse_as_of",
    "parse_when",
    "start_of_day",
]


class TimeError(ValueError):
    """A date or time that could not be read."""


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
        dt = dt.replace(tzinfo=SITUATION_TZ)
    return dt


def parse_as_of(text: str) -> datetime:
    """An as-of moment from user input: a bare date means the end of that day."""
    return parse_when(text, end_of_day_for_dates=True)


def start_of_day(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), SITUATION_TZ)


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), SITUATION_TZ)


def day_of(dt: datetime) -> date:
    """The calendar day of ``dt`` in situation time."""
    return dt.astimezone(SITUATION_TZ).date()


def fmt_day(dt: datetime) -> str:
    """``2024-12-05`` in situation time."""
    return day_of(dt).isoformat()


def fmt_when(dt: datetime, precision: str = "exact") -> str:
    """A compact display time: ``2024-12-05`` for day precision, ``2024-12`` for month,
    ``2024`` for year, else ``2024-12-05 14:30``."""
    local = dt.astimezone(SITUATION_TZ)
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
