"""The statistics chart: a series per publisher, axes with dates and values, a symbol each."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec.structs
import pytest
from sitmon.store import Store
from sitmon.store.query import MetricSummary
from sitmon.store.records import Figure, Source, SourceRef
from sitmon.store.timeutil import SITUATION_TZ
from sitmon.widgets.chart_render import nice_ticks, publisher_of, render_chart, series_of
from sitmon.widgets.render_util import cells

T0 = datetime(2024, 11, 28, 12, tzinfo=SITUATION_TZ)
STAMP = datetime(2024, 12, 5, 23, tzinfo=SITUATION_TZ)
SOURCES = {
    "sohr": Source(id="sohr", name="SOHR", kind="monitor", updated_at=STAMP),
    "ocha": Source(id="ocha", name="OCHA", kind="un", updated_at=STAMP),
    "afp": Source(id="afp", name="AFP story", kind="article", updated_at=STAMP),
}


def fig(i: int, day: int, value: float, *sources: str) -> Figure:
    return Figure(
        id=f"f{i}",
        metric="deaths_total",
        value=value,
        as_of=T0 + timedelta(days=day),
        updated_at=STAMP,
        sources=[SourceRef(source=s) for s in sources],
    )


HISTORY = (
    fig(1, 0, 100, "sohr"),
    fig(2, 2, 300, "afp", "sohr"),  # an article relaying SOHR: SOHR published it
    fig(3, 1, 50, "ocha"),
    fig(4, 4, 700, "sohr"),
    fig(5, 4, 200, "ocha"),
)
SUMMARY = MetricSummary("deaths_total", HISTORY[3], (HISTORY[4],), HISTORY)


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("c") / "s.json", seed=True)
    return msgspec.structs.replace(store.snapshot(), sources=SOURCES, as_of=T0 + timedelta(days=4))


def test_publishers_are_the_monitors_not_the_relaying_article():
    assert publisher_of(HISTORY[1], SOURCES) == "SOHR"
    assert [(name, [f.value for f in figs]) for name, figs in series_of(SUMMARY, SOURCES)] == [
        ("SOHR", [100, 300, 700]),
        ("OCHA", [50, 200]),
    ]


@pytest.mark.parametrize(
    ("top", "most", "ticks"),
    [
        (727, 5, [0, 200, 400, 600, 800]),
        (280000, 4, [0, 100000, 200000, 300000]),
        (149, 7, [0, 25, 50, 75, 100, 125, 150]),
        (3, 6, [0, 1, 2, 3]),
        (0, 4, [0, 1]),
    ],
)
def test_nice_ticks(top, most, ticks):
    assert nice_ticks(top, most) == ticks


def test_ascii_chart_has_axes_dates_values_and_a_symbol_per_publisher(snap):
    lines = [line.text.rstrip() for line in render_chart(SUMMARY, snap, 48, 12, ascii=True)]
    assert lines == [
        "Deaths (total) by publisher, as of 2024-12-02",
        "1,000 +",
        "      |",
        "      |                                     o",
        "      |                                .....",
        "  500 +                           .....",
        "      |                     o.....",
        "      |           ...........           ....^",
        "      |     o.....  ^...................",
        "    0 +----+-------+-------+-------+-------+---",
        "        28 Nov  29 Nov  30 Nov  01 Dec  02 Dec",
        "o SOHR 700 (3 reports)   ^ OCHA 200 (2 reports)",
    ]


def test_braille_chart_marks_each_observation_with_its_publisher_symbol(snap):
    lines = render_chart(SUMMARY, snap, 48, 12, colour=False)
    text = [line.text.rstrip() for line in lines]
    assert text[3] == "      │                                  ⣀⡠⠔●"
    assert text[8] == "      │     ●⠁      ▲⠤⠔⠒⠒⠒⠒⠊⠉⠉⠉⠉"
    assert text[9] == "    0 ┼────┬───────┬───────┬───────┬───────┬───"
    assert text[11] == "● SOHR 700 (3 reports)   ▲ OCHA 200 (2 reports)"
    assert sum(t.count("●") for t in text[1:9]) == 3 and sum(t.count("▲") for t in text[1:9]) == 2


@pytest.mark.parametrize(("width", "height"), [(10, 3), (24, 8), (40, 10), (80, 24), (160, 48)])
def test_chart_fits_its_box(snap, width, height):
    for ascii in (False, True):
        lines = render_chart(SUMMARY, snap, width, height, ascii=ascii)
        assert 1 <= len(lines) <= height
        assert all(cells(line.text) <= width for line in lines), [line.text for line in lines]
