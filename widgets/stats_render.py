"""The statistics pane: each metric as known at the shown moment, with provenance.

Pure (no Textual, no Rich). One block per metric::

    ▶ Deaths (total)       more than 727            ▁▂▄▅█
        SOHR · as of 2024-12-05 · since 27 Nov
        also: 602 (SOHR via AFP, 2024-12-02) · 514 (SOHR, 2024-12-01)

The latest observation leads, with every source it cites, its date and its
scope (wrapped onto indented rows when long, never cut); every other source's
latest value stands beside it (never averaged). A sparkline shows the metric
over time once it has two or more observations on different dates.
"""

from __future__ import annotations

from sitmon.store.query import MetricSummary, Snapshot
from sitmon.store.records import Figure
from sitmon.store.timeutil import fmt_day

from .lines import StyledLine
from .render_util import (
    cells,
    fit,
    fmt_value,
    glyphs,
    highlight_line,
    line_of,
    metric_label,
    provenance_label,
    safe,
    stacked_blocks,
    style,
    wrap,
)
from .timeline_render import CURSOR_STYLE

__all__ = ["render_stats", "sparkline", "stats_blocks"]

_BLOCKS = "▁▂▃▄▅▆▇█"
_ASCII_BLOCKS = "_.-~=+*#"
_SPARK_MAX = 16


def sparkline(values, ascii: bool = False) -> str:
    """One character per value, scaled between the smallest and largest value."""
    vals = [float(v) for v in values]
    if not vals:
        return ""
    ramp = _ASCII_BLOCKS if ascii else _BLOCKS
    lo, hi = min(vals), max(vals)
    if hi == lo:
        return ramp[len(ramp) // 2] * len(vals)
    top = len(ramp) - 1
    return "".join(ramp[round((v - lo) / (hi - lo) * top)] for v in vals)


def _spark_values(summary: MetricSummary) -> list[float]:
    """The headline publisher's series: one value per date (its latest that day), oldest
    first. Other publishers' counts are never mixed into the line."""
    by_day: dict[str, float] = {}
    for f in summary.publisher_series():
        by_day[fmt_day(f.as_of)] = f.value
    return list(by_day.values())[-_SPARK_MAX:]


def _source_of(fig: Figure, snapshot: Snapshot) -> str:
    """The publisher and who relayed it (``SOHR via Seed article``), as in the export."""
    return provenance_label(fig, snapshot.sources)


def _fits(text: str, width: int) -> bool:
    return len(text) <= width and cells(text) <= width


def _wrap_items(items: list[str], sep: str, width: int, *, ascii: bool) -> list[str]:
    """``items`` joined by ``sep`` and filled into rows of ``width``, never cut.

    A row breaks between items where it can (the separator is then dropped), so
    a short item such as ``as of 2024-12-05`` always stays whole on one row; an
    item longer than a row is word-wrapped.
    """
    rows: list[str] = []
    line = ""
    for item in items:
        if line:
            candidate = line + sep + item
            if _fits(candidate, width):
                line = candidate
                continue
            rows.append(line)
            line = ""
        if _fits(item, width):
            line = item
            continue
        parts = wrap(item, width, ascii=ascii)
        rows.extend(parts[:-1])
        line = parts[-1] if parts else ""
    if line:
        rows.append(line)
    return rows


def render_metric_block(
    summary: MetricSummary,
    snapshot: Snapshot,
    width: int,
    *,
    selected: bool = False,
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    g = glyphs(ascii)
    width = max(1, width)
    fig = summary.latest
    label = metric_label(summary.metric)
    value = safe(fmt_value(fig), ascii=ascii)
    spark_vals = _spark_values(summary)
    spark = sparkline(spark_vals, ascii=ascii) if len(spark_vals) >= 2 else ""
    label_w = 20 if width >= 60 else 16
    head: list[tuple[str, str]] = [
        (g.cursor if selected else " ", "bold" if selected else ""),
        (" ", ""),
        (fit(label, label_w, ascii=ascii, pad=True), "bold"),
        (" ", ""),
        (value, style(colour, "bold cyan", "bold")),
    ]
    used = 2 + label_w + 1 + len(value)
    if spark and used + 3 + len(spark) <= width:
        gap = max(2, min(width - used - len(spark), 40 - len(value)))
        head += [(" " * gap, ""), (spark, style(colour, "green"))]
        spark = ""
    lines = [line_of(head, width, ascii=ascii)]
    if selected:
        lines[0] = highlight_line(lines[0], width, CURSOR_STYLE)
    left = (g.bar if selected else " ") + "   "
    ls = "bold" if selected else ""
    body_w = max(1, width - len(left))
    # the source line: wrapped, never cut, so the sources, the date and the scope all show
    meta = [_source_of(fig, snapshot), f"as of {fmt_day(fig.as_of)}"]
    if fig.scope:
        meta.append(fig.scope)
    meta = [" ".join(safe(m, ascii=ascii).split()) for m in meta]
    for row in _wrap_items(meta, g.sep, body_w, ascii=ascii):
        lines.append(line_of([(left, ls), (row, style(colour, "dim"))], width, ascii=ascii))
    if spark:
        lines.append(
            line_of(
                [(left, ls), ("trend ", style(colour, "dim")), (spark, style(colour, "green"))],
                width,
                ascii=ascii,
            )
        )
    if summary.others:
        others = [
            f"{fmt_value(o)} ({_source_of(o, snapshot)}, {fmt_day(o.as_of)})"
            for o in summary.others
        ]
        text = safe("also: " + (" " + g.dot + " ").join(others), ascii=ascii)
        for row in wrap(text, body_w, ascii=ascii):
            lines.append(line_of([(left, ls), (row, "")], width, ascii=ascii))
    return lines


def stats_ids(snapshot: Snapshot) -> list[str]:
    """The metrics :func:`stats_blocks` draws, in its order (without drawing them)."""
    return [m.metric for m in snapshot.figures]


def stats_blocks(
    snapshot: Snapshot,
    width: int,
    *,
    selected: str | None = None,
    colour: bool = True,
    ascii: bool = False,
) -> list[tuple[str, list[StyledLine]]]:
    """(metric, its lines) per metric, a blank line between blocks."""
    return stacked_blocks(
        snapshot.figures,
        lambda m: m.metric,
        lambda m: render_metric_block(
            m, snapshot, width, selected=m.metric == selected, colour=colour, ascii=ascii
        ),
    )


def render_stats(
    snapshot: Snapshot,
    width: int,
    height: int | None = None,
    *,
    selected: str | None = None,
    colour: bool = True,
    ascii: bool = False,
) -> list[StyledLine]:
    """The statistics view (the first ``height`` lines, or all of them)."""
    blocks = stats_blocks(snapshot, width, selected=selected, colour=colour, ascii=ascii)
    if blocks:
        lines = [line for _, block in blocks for line in block]
    else:
        msg = f"No figures known as of {fmt_day(snapshot.as_of)}."
        if snapshot.filter.text:
            msg = f"No figures match '{' '.join(snapshot.filter.text)}' as of {fmt_day(snapshot.as_of)}."
        lines = [StyledLine(fit(safe(msg, ascii=ascii), width, ascii=ascii))]
    return lines if height is None else lines[: max(0, height)]
