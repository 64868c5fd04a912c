"""Feed health in full: the Feeds screen and the one notification per refresh round.

Pure (no Textual, no Rich). One block per configured feed::

    ✗ jsonfeed  failing · last success 06:12 EET (1 h ago) · next 07:36 EET
        https://example.org/feed.json
        error: ConnectError: [Errno 111] Connection refused
        added this session: 0 records

The error is shown in full (wrapped, never cut), the URL whole on its own
row(s), clock times in the user's zone with its abbreviation
(:mod:`widgets.timefmt`). The state has a symbol as well as a colour
(``✗``/``!`` failing, ``✓``/``+`` ok, ``↻``/``~`` refreshing, ``·``/``-``
never tried).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sitmon.store.termsafe import terminal_safe

from .header_render import FeedHealth
from .lines import StyledLine
from .render_util import cells, highlight_line, line_of, safe, style, wrap
from .timefmt import fmt_age, fmt_clock

__all__ = ["feed_blocks", "feed_state", "round_summary", "size_notice"]

_CURSOR_STYLE = "reverse"


def feed_state(feed: FeedHealth, *, ascii: bool = False) -> tuple[str, str, str]:
    """(symbol, word, colour) of ``feed``'s state: failing, refreshing, ok or not yet tried."""
    if feed.running:
        return ("~" if ascii else "↻"), "refreshing", "cyan"
    if feed.failing:
        return ("!" if ascii else "✗"), "failing", "bold red"
    if feed.last_success is not None:
        return ("+" if ascii else "✓"), "ok", "green"
    return ("-" if ascii else "·"), "not refreshed yet", "yellow"


def _hard_wrap(text: str, width: int) -> list[str]:
    """``text`` (one word, such as a URL) in rows of ``width`` characters, nothing dropped."""
    width = max(1, width)
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def feed_blocks(
    feeds: Sequence[FeedHealth],
    now: datetime,
    width: int,
    *,
    selected: str | None = None,
    colour: bool = True,
    ascii: bool = False,
) -> list[tuple[str, list[StyledLine]]]:
    """(feed name, its lines) per feed, a blank line between blocks."""
    out: list[tuple[str, list[StyledLine]]] = []
    dot = " | " if ascii else " · "
    for i, feed in enumerate(feeds):
        symbol, word, tint = feed_state(feed, ascii=ascii)
        name = safe(terminal_safe(feed.name), ascii=ascii)
        facts = [word]
        if feed.last_success is not None:
            facts.append(
                f"last success {fmt_clock(feed.last_success, now)} "
                f"({fmt_age(feed.last_success, now)}{'' if fmt_age(feed.last_success, now) == 'just now' else ' ago'})"
            )
        else:
            facts.append("never succeeded")
        if feed.running:
            pass  # the state word says it
        elif feed.next_attempt is not None:
            facts.append(
                "next now"
                if feed.next_attempt <= now
                else f"next {fmt_clock(feed.next_attempt, now)}"
            )
        else:
            facts.append("no automatic refresh")
        lines: list[StyledLine] = []
        head = [(symbol, style(colour, tint, "bold")), (" ", ""), (name, "bold")]
        rows = _pack(facts, dot, width - cells(name) - 4)
        head += [("  ", ""), (rows[0], style(colour, tint if word == "failing" else "", ""))]
        if cells(name) + 4 + cells(rows[0]) > width:  # a long name: the facts go below it
            head = head[:3]
            rows.insert(1, rows[0])
        lines.append(line_of(head, width, ascii=ascii))
        indent = "    "
        body_w = max(1, width - len(indent))
        for extra in rows[1:]:
            for part in wrap(extra, body_w, ascii=ascii):
                lines.append(line_of([(indent, ""), (part, "")], width, ascii=ascii))
        for part in (
            _hard_wrap(safe(terminal_safe(feed.url), ascii=ascii), body_w) if feed.url else []
        ):
            lines.append(
                line_of([(indent, ""), (part, style(colour, "underline", ""))], width, ascii=ascii)
            )
        if feed.last_error:
            text = "error: " + safe(terminal_safe(feed.last_error), ascii=ascii, newlines=True)
            for part in wrap(text, body_w, ascii=ascii):
                lines.append(
                    line_of([(indent, ""), (part, style(colour, "red", ""))], width, ascii=ascii)
                )
        n = feed.added
        for part in wrap(f"added this session: {n} record{'s' if n != 1 else ''}", body_w):
            lines.append(line_of([(indent, ""), (part, "dim")], width, ascii=ascii))
        if feed.name == selected:
            lines[0] = highlight_line(lines[0], width, _CURSOR_STYLE)
        if i < len(feeds) - 1:
            lines.append(StyledLine(""))
        out.append((feed.name, lines))
    return out


def _pack(items: list[str], sep: str, width: int) -> list[str]:
    """``items`` joined by ``sep`` into rows of ``width`` (breaking between items)."""
    rows: list[str] = []
    line = ""
    for item in items:
        candidate = f"{line}{sep}{item}" if line else item
        if line and cells(candidate) > width:
            rows.append(line)
            line = item
        else:
            line = candidate
    rows.append(line)
    return rows


def round_summary(
    results: Sequence[tuple[str, str | None]], *, key: str = "f", ascii: bool = False
) -> tuple[str, str]:
    """(message, severity) for one refresh round of ``(feed name, error or None)``.

    ``2 of 5 feeds failed: jsonfeed, geojson — press f`` (severity ``warning``;
    ``error`` when all failed), or ``3 feeds refreshed`` (``information``).
    Each feed is named once; the errors themselves are on the Feeds screen.
    """
    failed = [name for name, error in results if error]
    n = len(results)
    dash = "-" if ascii else "—"
    if not failed:
        return (f"{n} feed{'s' if n != 1 else ''} refreshed", "information")
    names = ", ".join(safe(terminal_safe(x), ascii=ascii) for x in failed)
    what = f"{len(failed)} of {n} feeds failed" if n > 1 else "1 feed failed"
    severity = "error" if len(failed) == n else "warning"
    return (f"{what}: {names} {dash} press {key} for details", severity)


def size_notice(width: int, height: int, need_w: int, need_h: int) -> list[str]:
    """The too-small notice in at most ``width`` x ``height`` cells, the needed size kept.

    The longest of a few wordings that fits, word-wrapped; at the smallest,
    just the size needed (``60x16``).
    """
    forms = (
        f"sitmon needs a terminal of at least {need_w}x{need_h}; this one is "
        f"{width}x{height}. Enlarge it, or press q to quit.",
        f"sitmon needs {need_w}x{need_h}; this is {width}x{height}. Enlarge it, or press q to quit.",
        f"sitmon needs {need_w}x{need_h} (now {width}x{height}); q quits",
        f"needs {need_w}x{need_h}, now {width}x{height}",
        f"need {need_w}x{need_h}",
        f"{need_w}x{need_h}",
    )
    for form in forms:
        rows = wrap(form, max(1, width))
        if len(rows) <= max(1, height) and all(cells(r) <= width for r in rows):
            return rows
    return [forms[-1][: max(0, width)]]
