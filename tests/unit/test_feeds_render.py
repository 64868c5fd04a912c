"""The Feeds screen's lines, the refresh-round notification and the size notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sitmon.widgets.feeds_render import feed_blocks, round_summary, size_notice
from sitmon.widgets.header_render import FeedHealth
from sitmon.widgets.render_util import cells

from tests.support.zones import helsinki  # noqa: F401 (a fixture)

#: every clock time here is read in Europe/Helsinki (EET)
pytestmark = pytest.mark.usefixtures("helsinki")

NOW = datetime(2026, 11, 30, 4, 27, tzinfo=UTC)
LONG_ERROR = (
    "ConnectError: [Errno 111] Connection refused while fetching "
    "http://127.0.0.1:8000/a-very-long/path/feed.json"
)


FEEDS = [
    FeedHealth(
        "jsonfeed",
        last_success=NOW - timedelta(hours=1),
        next_attempt=NOW + timedelta(minutes=9),
        last_error=LONG_ERROR,
        url="http://127.0.0.1:8000/a-very-long/path/feed.json?x=1&y=2",
    ),
    FeedHealth(
        "geojson",
        last_success=NOW,
        next_attempt=NOW + timedelta(minutes=5),
        url="file:///tmp/x.geojson",
        added=12,
    ),
    FeedHealth("new", url="https://example.org/x", running=True),
]


def test_every_feed_with_last_success_error_in_full_next_attempt_and_records_added():
    text = [line.text.rstrip() for _, block in feed_blocks(FEEDS, NOW, 80) for line in block]
    assert text == [
        "✗ jsonfeed  failing · last success 05:27 EET (1 h ago) · next 06:36 EET",
        "    http://127.0.0.1:8000/a-very-long/path/feed.json?x=1&y=2",
        "    error: ConnectError: [Errno 111] Connection refused while fetching",
        "    http://127.0.0.1:8000/a-very-long/path/feed.json",
        "    added this session: 0 records",
        "",
        "✓ geojson  ok · last success 06:27 EET (just now) · next 06:32 EET",
        "    file:///tmp/x.geojson",
        "    added this session: 12 records",
        "",
        "↻ new  refreshing · never succeeded",
        "    https://example.org/x",
        "    added this session: 0 records",
    ]


def test_feed_blocks_fit_narrow_widths_in_ascii():
    for width in (20, 40, 60):
        lines = [line for _, block in feed_blocks(FEEDS, NOW, width, ascii=True) for line in block]
        assert all(cells(line.text) <= width and line.text.isascii() for line in lines)
    text = "".join(
        line.text.strip() for _, b in feed_blocks(FEEDS, NOW, 40, ascii=True) for line in b
    )
    assert "Connection refused while fetching" in text  # the error is never cut


def test_one_notification_per_round_names_each_failed_feed_once():
    results = [("a", None), ("jsonfeed", "x"), ("b", None), ("geojson", "y"), ("c", None)]
    assert round_summary(results) == (
        "2 of 5 feeds failed: jsonfeed, geojson — press f for details",
        "warning",
    )
    assert round_summary([("a", "x"), ("b", "y")]) == (
        "2 of 2 feeds failed: a, b — press f for details",
        "error",
    )
    assert round_summary([("a", None), ("b", None)]) == ("2 feeds refreshed", "information")
    assert round_summary([("a", "x")], key="F", ascii=True) == (
        "1 feed failed: a - press F for details",
        "error",
    )


@pytest.mark.parametrize(
    ("width", "height", "rows"),
    [
        (
            59,
            15,
            [
                "sitmon needs a terminal of at least 60x16; this one is",
                "59x15. Enlarge it, or press q to quit.",
            ],
        ),
        (
            20,
            5,
            [
                "sitmon needs a",
                "terminal of at least",
                "60x16; this one is",
                "20x5. Enlarge it, or",
                "press q to quit.",
            ],
        ),
        (20, 3, ["sitmon needs 60x16", "(now 20x3); q quits"]),
        (10, 3, ["needs", "60x16, now", "10x3"]),
        (10, 1, ["need 60x16"]),
        (5, 1, ["60x16"]),
    ],
)
def test_the_size_notice_always_shows_the_size_needed(width, height, rows):
    assert size_notice(width, height, 60, 16) == rows
