"""The main screen's header line, as a pure renderer (no Textual, no Rich).

:func:`render_header` is the header: failing feeds first, whole segments at any
width::

    sitmon │ ✗ feeds 2/5 failing │ as of 2024-12-05 (latest) Damascus +03 │ oldest data 3 h │ next 07:36 UTC │ Syria 2024
    sitmon │ ✗ 2/5 failing │ 2024-12-05 +03 │ oldest 3 h

When the row is too wide, segments give way in a fixed order of steps (each
segment says at which step it takes its next shorter form and at which it
leaves whole): the title and the next refresh go first, the failing feeds
last. A word is never cut. Failing feeds lead (they are what a desk must see),
then the moment shown and the age of the oldest data. Every colour has a
symbol beside it (``✗``/``!`` for failing feeds), so the header reads the same
without colour. Data text (the store error, the situation title) goes through
:func:`sitmon.store.termsafe.terminal_safe` and :func:`~.render_util.safe`; the
screen shows the returned :class:`~.lines.StyledLine` literally.

"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from sitmon.store.termsafe import terminal_safe

from .lines import StyledLine
from .render_util import cells, safe, style
from .timefmt import fmt_age, fmt_clock

__all__ = [
    "FeedHealth",
    "HeaderState",
    "Segment",
    "ago",
    "fit_segments",
    "parse_iso",
    "render_header",
]


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
    age = fmt_age(then, now)
    return age if age == "just now" else f"{age} ago"


# ------------------------------------------------------------------ the header by segments


class FeedHealth(msgspec.Struct, frozen=True):
    """What the monitor knows about one configured feed (times are aware datetimes)."""

    name: str
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    next_attempt: datetime | None = None
    #: the last attempt's error in full (None: the last attempt worked, or none yet)
    last_error: str | None = None
    running: bool = False
    #: records added by this feed's refreshes in this session
    added: int = 0
    url: str = ""
    interval: float | None = None

    @property
    def failing(self) -> bool:
        """Did the feed's last attempt fail?"""
        return self.last_error is not None


class HeaderState(msgspec.Struct, frozen=True):
    """Everything the header shows, gathered by the app."""

    now: datetime
    #: the day shown, ``2024-12-05``; empty while the store loads
    day: str = ""
    #: ``latest``, ``day 9 of 12``, ``before the start``
    day_note: str = ""
    #: the situation's zone, named (``Damascus +03``)
    zone: str = ""
    time_travel: bool = False
    replay: bool = False
    feeds: tuple[FeedHealth, ...] = ()
    refresh_enabled: bool = True
    #: where the data came from when no feed is configured (``bundled dataset``)
    origin: str = ""
    #: the store's last refresh (any process), for the data age without feeds
    store_refreshed: datetime | None = None
    #: the store's last ``sitmon import`` (any process)
    store_imported: datetime | None = None
    title: str = ""
    #: while loading: ``loading the store…``; on failure: the error
    status: str = ""
    status_error: bool = False


class Segment(msgspec.Struct, frozen=True):
    """One header segment: its forms from long to short, and when each gives way.

    ``steps[i]`` is the step at which form ``i`` gives way: to form ``i + 1``,
    or, for the last form, to nothing. Lower steps give way first.
    """

    forms: tuple[str, ...]
    steps: tuple[int, ...]
    style: str = ""


def fit_segments(segments: list[Segment], width: int, sep: str) -> list[tuple[Segment, str]]:
    """The segments, in order, and the form each shows so the row fits ``width`` cells.

    Steps are taken lowest first (the later segment first on a tie) until the
    row fits; nothing is ever cut inside a form.
    """
    form = [0] * len(segments)
    events = sorted(
        ((step, -k) for k, seg in enumerate(segments) for step in seg.steps[: len(seg.forms)]),
    )

    def total() -> int:
        shown = [
            cells(seg.forms[form[k]]) for k, seg in enumerate(segments) if form[k] < len(seg.forms)
        ]
        return sum(shown) + cells(sep) * max(0, len(shown) - 1)

    for _step, neg_k in events:
        if total() <= width:
            break
        form[-neg_k] += 1
    return [(seg, seg.forms[form[k]]) for k, seg in enumerate(segments) if form[k] < len(seg.forms)]


def _feed_segments(state: HeaderState, *, ascii: bool, colour: bool) -> list[Segment]:
    feeds = state.feeds
    now = state.now
    out: list[Segment] = []
    if not feeds:
        origin = state.origin or "local store"
        out.append(Segment((f"no feeds: {origin}", "no feeds"), (5, 7), style(colour, "dim")))
        if state.store_refreshed is not None:
            age = fmt_age(state.store_refreshed, now)
            out.append(Segment((f"data refreshed {age} ago", f"data {age}"), (4, 6)))
        out += _import_segment(state)
        return out
    n = len(feeds)
    failing = [f for f in feeds if f.failing]
    if failing:
        mark = "!" if ascii else "✗"
        out.append(
            Segment(
                (
                    f"{mark} feeds {len(failing)}/{n} failing",
                    f"{mark} {len(failing)}/{n} failing",
                    f"{mark} {len(failing)}/{n}",
                ),
                (4, 12, 14),
                style(colour, "bold white on dark_red", "bold reverse"),
            )
        )
    else:
        ok = sum(1 for f in feeds if f.last_success is not None)
        if ok == n:
            mark = "+" if ascii else "✓"
            out.append(
                Segment((f"{mark} feeds {n} ok", f"{mark} {n} ok"), (4, 6), style(colour, "green"))
            )
        else:  # some not loaded yet: not "ok", not failing either
            out.append(Segment((f"feeds {ok}/{n} ok", f"{ok}/{n} ok"), (4, 6)))
    running = sum(1 for f in feeds if f.running)
    if running:
        ell = "..." if ascii else "…"
        out.append(Segment((f"refreshing {running}{ell}",), (6,)))
    # the age of the oldest data: the feed whose last success is longest ago
    never = [f for f in feeds if f.last_success is None]
    if never:
        out.append(
            Segment(
                (f"{len(never)} never loaded",),
                (8,),
                style(colour, "yellow"),
            )
        )
    else:
        oldest = min(f.last_success for f in feeds if f.last_success is not None)
        age = fmt_age(oldest, now)
        out.append(Segment((f"oldest data {age}", f"oldest {age}"), (5, 8)))
    if not state.refresh_enabled:
        out.append(Segment(("auto-refresh off",), (2,)))
    else:
        nexts = [f.next_attempt for f in feeds if f.next_attempt is not None and not f.running]
        if nexts:
            nxt = min(nexts)
            text = "next now" if nxt <= now else f"next {fmt_clock(nxt, now)}"
            out.append(Segment((text,), (2,)))
    return out + _import_segment(state)


def _import_segment(state: HeaderState) -> list[Segment]:
    """``imported 2 h ago``: the last ``sitmon import``, beside the refreshes."""
    if state.store_imported is None:
        return []
    age = fmt_age(state.store_imported, state.now)
    age = age if age == "just now" else f"{age} ago"
    return [Segment((f"imported {age}", "imported"), (3, 5))]


def render_header(
    state: HeaderState, width: int, *, ascii: bool = False, colour: bool = True
) -> StyledLine:
    """The header row for ``state``, at most ``width`` cells, whole segments only."""
    sep = " | " if ascii else " │ "
    segments: list[Segment] = [Segment(("sitmon",), (10,), "bold")]
    if state.status:
        text = safe(terminal_safe(state.status), ascii=ascii)
        words = text.split()
        forms = tuple(
            " ".join(words[:k]) + ("..." if ascii else "…") for k in range(len(words) - 1, 0, -1)
        )
        segments.append(
            Segment(
                (text, *forms),
                (*range(3, 3 + len(forms)), 12),
                style(colour, "bold red", "bold") if state.status_error else "",
            )
        )
    else:
        segments += _feed_segments(state, ascii=ascii, colour=colour)
        zone = f" {state.zone}" if state.zone else ""
        note = f" ({state.day_note})" if state.day_note else ""
        play = (" > replay" if ascii else " ▶ replay") if state.replay else ""
        forms = [
            f"as of {state.day}{note}{zone}{play}",
            f"as of {state.day}{zone}{play}",
            f"{state.day}{zone}",
            state.day,
        ]
        failing = any(f.failing for f in state.feeds)
        segments.insert(
            2 if failing else 1,
            Segment(
                tuple(forms),
                (3, 7, 9, 11),
                "bold reverse" if state.time_travel else "bold",
            ),
        )
        if state.title:
            segments.append(
                Segment((safe(terminal_safe(state.title), ascii=ascii),), (1,), "italic")
            )
    # keep the original order; fit_segments only removes or shortens
    parts: list[tuple[str, str]] = []
    for i, (seg, form) in enumerate(fit_segments(segments, width, sep)):
        if i:
            parts.append((sep, "dim"))
        parts.append((form, seg.style))
    return StyledLine.build(parts)
