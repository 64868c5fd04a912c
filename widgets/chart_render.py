"""A metric as a line chart: each publisher's series, in braille (or ASCII) dots.

Pure (no Textual, no Rich): a :class:`~store.query.MetricSummary` in, lines
with style spans out, for the maximised statistics pane and the text export::

    Deaths (total) by publisher, as of 2024-12-05
        800 ┤                                   ●
        600 ┤                       ⢀⣀⣀⡠●⠤⠒⠒⠊⠉
        400 ┤               ⣀⣀⠤⠔●⠒⠉
        200 ┤   ⢀⣀⡠⠤●⠒⠊⠉
          0 ┼───┬──────────┬──────────┬──────────┬
            28 Nov      30 Nov     02 Dec     05 Dec
    ● SOHR 727 (5 reports)   ▲ OCHA 69 (1 report)

Each publisher (a figure's first source that is not an article relaying it)
is one series: a dotted line through its observations, and a symbol of its
own at each observation, so the series read apart without colour. The value
axis starts at 0 (counts are never negative and a cut axis exaggerates); the
date axis runs from the first observation to the moment shown. The canvas is
:class:`widgets.geo.BrailleCanvas` (2x4 dots per cell); ``ascii`` draws with
``.`` and letters on a one-dot-per-cell grid instead.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sitmon.store.query import MetricSummary, Snapshot
from sitmon.store.records import Figure, Source
from sitmon.store.timeutil import day_of, fmt_day

from .geo import BrailleCanvas
from .lines import StyledLine
from .render_util import cells, fit, fmt_number, metric_label, safe, style, wrap

__all__ = ["SERIES_SYMBOLS", "nice_ticks", "publisher_of", "render_chart", "series_of"]

#: one symbol per series (Unicode, ASCII); the colour is a second cue, never the only one
SERIES_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("●", "o"),
    ("▲", "^"),
    ("■", "#"),
    ("◆", "*"),
    ("✚", "+"),
    ("★", "x"),
    ("▼", "v"),
    ("◀", "<"),
)
SERIES_COLOURS = (
    "cyan",
    "magenta",
    "yellow",
    "green",
    "red",
    "blue",
    "bright_white",
    "bright_cyan",
)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def publisher_of(fig: Figure, sources: dict[str, Source]) -> str:
    """Who published ``fig``: its first cited source that is not an article relaying it.

    An article citing a monitor (``article`` kind) relays; the monitor
    published. Unsourced figures are ``unsourced``.
    """
    if not fig.sources:
        return "unsourced"
    for ref in fig.sources:
        src = sources.get(ref.source)
        if src is not None and src.kind != "article":
            return src.name
    first = fig.sources[0].source
    return sources[first].name if first in sources else first


def series_of(summary: MetricSummary, sources: dict[str, Source]) -> list[tuple[str, list[Figure]]]:
    """(publisher, its observations oldest first) per publisher, the most reported first.

    Ties keep the order of first appearance.
    """
    by: dict[str, list[Figure]] = {}
    for fig in summary.history:
        by.setdefault(publisher_of(fig, sources), []).append(fig)
    return sorted(by.items(), key=lambda kv: -len(kv[1]))


def nice_ticks(top: float, most: int) -> list[float]:
    """Round tick values from 0 covering ``top``, at most ``most`` of them (at least 2).

    Steps are 1, 2, 2.5 or 5 times a power of ten (e.g. 0, 200, 400, 600, 800).
    """
    most = max(2, most)
    if top <= 0:
        return [0.0, 1.0]
    raw = top / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        step = mult * power
        n = math.ceil(top / step - 1e-9)
        if n + 1 <= most:
            break
    if step < 1:
        step = 1.0
        n = math.ceil(top)
    return [i * step for i in range(n + 1)]


def fmt_tick(value: float) -> str:
    """``800``, ``12,500``, ``1.5M``, ``10M``: short enough for an axis."""
    if value >= 1_000_000:
        m = value / 1_000_000
        return f"{m:g}M" if m == round(m, 1) else f"{m:.1f}M"
    return fmt_number(value)


def _day_label(d) -> str:
    return f"{d.day:02d} {_MONTHS[d.month - 1]}"


def render_chart(
    summary: MetricSummary,
    snapshot: Snapshot,
    width: int,
    height: int,
    *,
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    """``summary``'s series as a chart of at most ``width`` x ``height`` cells.

    Lines: a title, the plot rows with the value axis, the date axis and its
    labels, then the legend (symbol, publisher, latest value, report count),
    wrapped. Too small a box (under 24 x 8) gives the title and the legend only.
    """
    width = max(1, width)
    series = series_of(summary, snapshot.sources)
    title = safe(
        f"{metric_label(summary.metric)} by publisher, as of {fmt_day(snapshot.as_of)}",
        ascii=ascii,
    )
    out = [StyledLine.build([(fit(title, width, ascii=ascii), "bold")])]
    legend = _legend(series, width, colour=colour, ascii=ascii)
    plot_h = height - 1 - 2 - len(legend)
    if width < 24 or plot_h < 3 or not series:
        return (out + legend)[: max(1, height)]
    top = max(f.value for _, figs in series for f in figs)
    ticks = nice_ticks(top, max(2, plot_h // 3 + 1))
    labels = [fmt_tick(t) for t in ticks]
    axis_w = max(cells(x) for x in labels) + 2  # "  800 ┤"
    plot_w = width - axis_w - 1
    if plot_w < 10:
        return (out + legend)[: max(1, height)]
    t0 = min(f.as_of for _, figs in series for f in figs)
    t1 = max(snapshot.as_of, max(f.as_of for _, figs in series for f in figs))
    d0, d1 = day_of(t0), day_of(t1)
    span = max(1.0, (d1 - d0).days + 1.0)  # whole days, the last day included

    def x_of(t: datetime, dots: int) -> float:
        days = (day_of(t) - d0).days + 0.5  # the middle of the day
        return min(dots - 1, days / span * dots)

    y_top = ticks[-1] or 1.0
    grid = _plot(series, plot_w, plot_h, y_top, x_of, ascii=ascii)
    # the value axis: row plot_h is the date rule (value 0); a label at the row nearest each tick
    tick_rows: dict[int, str] = {}
    for t, label in zip(ticks, labels, strict=True):
        tick_rows.setdefault(plot_h - round(t / y_top * plot_h), label)
    axis_style = style(colour, "dim")
    for r in range(plot_h):
        label = tick_rows.get(r)
        if label is not None:
            lead = label.rjust(axis_w - 2) + " " + ("+" if ascii else "┤")
        else:
            lead = " " * (axis_w - 1) + ("|" if ascii else "│")
        parts = [(lead, axis_style), (" ", "")]
        for ch, k in grid[r]:
            parts.append((ch, _series_style(k, colour) if k >= 0 else ""))
        out.append(StyledLine.build(_merge(parts)))
    out += _date_axis(d0, span, labels[0], axis_w, plot_w, axis_style, ascii=ascii)
    out += legend
    return out[: max(1, height)]


def _merge(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Adjacent parts of one style joined (fewer spans)."""
    merged: list[tuple[str, str]] = []
    for text, st in parts:
        if merged and merged[-1][1] == st:
            merged[-1] = (merged[-1][0] + text, st)
        else:
            merged.append((text, st))
    return merged


def _series_style(k: int, colour: bool) -> str:
    return style(colour, f"bold {SERIES_COLOURS[k % len(SERIES_COLOURS)]}", "bold")


def _symbol(k: int, ascii: bool) -> str:
    pair = SERIES_SYMBOLS[k % len(SERIES_SYMBOLS)]
    return pair[1] if ascii else pair[0]


def _plot(series, plot_w: int, plot_h: int, y_top: float, x_of, *, ascii: bool):
    """Rows of (character, series index or -1) cells: lines first, symbols on top."""
    dots_x, dots_y = (plot_w, plot_h) if ascii else (plot_w * 2, plot_h * 4)

    def y_of(v: float) -> float:  # value 0 is the date rule just below the last row
        return min(dots_y - 1, dots_y - v / y_top * dots_y)

    points: list[list[tuple[float, float]]] = []
    for _name, figs in series:
        # one point per observation; several on one day stack vertically at that day
        points.append([(x_of(f.as_of, dots_x), y_of(f.value)) for f in figs])
    grid: list[list[tuple[str, int]]] = [[(" ", -1)] * plot_w for _ in range(plot_h)]
    if ascii:
        for k, pts in enumerate(points):
            for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
                steps = max(1, int(max(abs(xb - xa), abs(yb - ya))))
                for i in range(steps + 1):
                    x = round(xa + (xb - xa) * i / steps)
                    y = round(ya + (yb - ya) * i / steps)
                    if 0 <= x < plot_w and 0 <= y < plot_h and grid[y][x][1] == -1:
                        grid[y][x] = (".", k)
    else:
        canvas = BrailleCanvas(plot_w, plot_h, len(points))
        for k, pts in enumerate(points):
            flat = [c for p in pts for c in p]
            if len(pts) >= 2:
                canvas.polyline(k, flat)
        chars, tops = canvas.render()
        for r in range(plot_h):
            for c in range(plot_w):
                if tops[r][c]:
                    grid[r][c] = (chars[r][c], tops[r][c] - 1)
    scale_x, scale_y = (1, 1) if ascii else (2, 4)
    for k, pts in enumerate(points):
        for x, y in pts:
            c, r = int(x // scale_x), int(y // scale_y)
            if 0 <= r < plot_h and 0 <= c < plot_w:
                grid[r][c] = (_symbol(k, ascii), k)
    return grid


def _date_axis(
    d0, span: float, zero: str, axis_w: int, plot_w: int, axis_style: str, *, ascii: bool
):
    """The date axis (a rule with a tick under each labelled day) and the labels."""
    days = int(span)
    # as many labels as fit 8 cells apart ("05 Dec" is 6), first and last always
    room = max(1, plot_w // 8)
    stride = max(1, math.ceil((days - 1) / max(1, room - 1))) if days > 1 else 1
    chosen = list(range(0, days, stride))
    if days - 1 not in chosen:
        if chosen and (days - 1 - chosen[-1]) * plot_w / span < 8:
            chosen.pop()
        chosen.append(days - 1)
    rule = ["-" if ascii else "─"] * plot_w
    label_row = [" "] * (plot_w + 6)
    for i in chosen:
        col = min(plot_w - 1, int((i + 0.5) / span * plot_w))
        rule[col] = "+" if ascii else "┬"
        label = _day_label(d0 + timedelta(days=i))
        start = max(0, min(col - len(label) // 2, plot_w - len(label)))
        if all(ch == " " for ch in label_row[max(0, start - 1) : start + len(label) + 1]):
            label_row[start : start + len(label)] = label
    corner = zero.rjust(axis_w - 2) + " " + ("+" if ascii else "┼")
    return [
        StyledLine.build([(corner + "".join(rule), axis_style)]),
        StyledLine.build([(" " * axis_w + "".join(label_row[:plot_w]).rstrip(), axis_style)]),
    ]


def _legend(series, width: int, *, colour: bool, ascii: bool) -> list[StyledLine]:
    """Symbol, publisher, latest value and report count per series, wrapped at items."""
    items: list[list[tuple[str, str]]] = []
    for k, (name, figs) in enumerate(series):
        latest = figs[-1]
        n = len(figs)
        text = safe(
            f" {name} {fmt_tick(latest.value)} ({n} report{'s' if n != 1 else ''})", ascii=ascii
        )
        items.append([(_symbol(k, ascii), _series_style(k, colour)), (text, "")])
    lines: list[StyledLine] = []
    row: list[tuple[str, str]] = []
    used = 0
    for item in items:
        w = sum(cells(t) for t, _ in item)
        if row and used + 3 + w > width:
            lines.append(StyledLine.build(row))
            row, used = [], 0
        if row:
            row.append(("   ", ""))
            used += 3
        if w > width:  # one long name: wrapped under its symbol
            for j, part in enumerate(wrap(item[1][0].strip(), max(1, width - 2), ascii=ascii)):
                first = [item[0], (" ", "")] if j == 0 else [("  ", "")]
                lines.append(StyledLine.build([*first, (part, "")]))
            continue
        row += item
        used += w
    if row:
        lines.append(StyledLine.build(row))
    return lines
