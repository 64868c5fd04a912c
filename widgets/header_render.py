"""The main screen's header line, as a pure renderer (no Textual, no Rich).

One line: ``sitmon │ as of 2024-12-05 (latest) │ data refreshed 3 min ago │
feeds: 2 ok 14:05 next 14:20 │ <situation title>``. Data text (the store error,
the situation title, feed names and errors) goes through
:func:`sitmon.store.termsafe.terminal_safe` (control, C1 and bidi characters shown
as ``\x1b``, ``\u202e``) and :func:`~.render_util.safe`; the screen shows the
returned :class:`~.lines.StyledLine` literally.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from sitmon.store.termsafe import terminal_safe
from sitmon.store.timeutil import SITUATION_TZ

from .lines import StyledLine
from .render_util import safe

__all__ = ["FeedState", "ago", "data_age_text", "feed_text", "header_line", "parse_iso"]


class FeedState(Protocol):
    """What the header reads of one feed's refresh status (``tui.scheduler.FeedStatus``)."""

    last_success: datetime | None
    next_attempt: datetime | None
    last_error: str | None
    running: bool


def parse_iso(value: object) -> datetime | None:
    """An ISO 8601 string as an aware datetime (naive: UTC); None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def ago(then: datetime, now: datetime) -> str:
    """``just now``, ``12 min ago``, ``5 h ago`` (under two days), ``3 days ago``."""
    secs = max(0, int((now - then).total_seconds()))
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{secs // 60} min ago"
    if secs < 86400 * 2:
        return f"{secs // 3600} h ago"
    return f"{secs // 86400} days ago"


def data_age_text(
    statuses: Iterable[FeedState], last_refresh: str | None, origin: str | None, now: datetime
) -> str:
    """How old the data is: the newest success of a feed or of the stored refresh log."""
    times = [s.last_success for s in statuses if s.last_success]
    stored = parse_iso(last_refresh)
    if stored:
        times.append(stored)
    if times:
        return f"data refreshed {ago(max(times), now)}"
    return f"data: {origin or 'local store'}"


def feed_text(
    n_feeds: int, statuses: dict[str, FeedState], now: datetime, *, refresh_enabled: bool
) -> str:
    """``feeds: 2 refreshing… ok 14:05 next 14:20 error (desk): …`` (clock times UTC+03)."""
    if not n_feeds:
        return "feeds: none (offline)"
    errors = [(n, s.last_error) for n, s in statuses.items() if s.last_error]
    running = [n for n, s in statuses.items() if s.running]
    bits = [f"feeds: {n_feeds}"]
    if running:
        bits.append("refreshing…")
    okays = [s.last_success for s in statuses.values() if s.last_success]
    if okays:
        bits.append(f"ok {max(okays).astimezone(SITUATION_TZ).strftime('%H:%M')}")
    nexts = [s.next_attempt for s in statuses.values() if s.next_attempt and not s.running]
    if nexts and refresh_enabled:
        n = min(nexts)
        bits.append(
            f"next {n.astimezone(SITUATION_TZ).strftime('%H:%M')}" if n > now else "next now"
        )
    if not refresh_enabled:
        bits.append("auto-refresh off")
    if errors:
        name, err = errors[0]
        bits.append(f"error ({name}): {err}")
    return " ".join(bits)


def header_line(
    *,
    ascii: bool,
    store_error: str | None = None,
    bounds: tuple[date, date] | None = None,
    shown: date | None = None,
    travelling: bool = False,
    replaying: bool = False,
    age: str = "",
    feeds: str = "",
    title: str = "",
) -> StyledLine:
    """The header line. ``bounds`` None: the store is not loaded (yet, or ``store_error``).

    ``bounds`` is (first, last) day time travel may show; ``shown`` the day shown;
    ``travelling`` whether that is a chosen day rather than the latest moment.
    """
    sep = " | " if ascii else " │ "
    parts: list[tuple[str, str]] = [("sitmon", "bold")]
    if bounds is None or shown is None:
        msg = store_error and f"store error: {store_error}" or "loading the store…"
        parts += [(sep, "dim"), (safe(terminal_safe(msg), ascii=ascii), "")]
        return StyledLine.build(parts)
    lo, hi = bounds
    if not travelling:
        when = f"as of {shown.isoformat()} (latest)"
    else:
        start = lo + timedelta(days=1)
        if shown < start:
            when = f"as of {shown.isoformat()} (before the start)"
        else:
            day_n, days = (shown - start).days + 1, (hi - start).days + 1
            when = f"as of {shown.isoformat()} (day {day_n} of {days})"
    if replaying:
        when += " > replay" if ascii else " ▶ replay"
    parts += [(sep, "dim"), (when, "bold reverse" if travelling else "bold")]
    parts += [(sep, "dim"), (safe(age, ascii=ascii), "")]
    if feeds:
        parts += [(sep, "dim"), (safe(terminal_safe(feeds), ascii=ascii), "")]
    if title:
        parts += [(sep, "dim"), (safe(terminal_safe(title), ascii=ascii), "italic")]
    return StyledLine.build(parts)
