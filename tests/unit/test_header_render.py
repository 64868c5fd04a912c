"""The header: failures lead, whole segments at any width, clock times with their zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sitmon.widgets.header_render import FeedHealth, HeaderState, render_header
from sitmon.widgets.timefmt import fmt_clock, zone_abbrev, zone_label

from tests.support.zones import helsinki  # noqa: F401 (a fixture)

#: every clock time here is read in Europe/Helsinki (EET)
pytestmark = pytest.mark.usefixtures("helsinki")

NOW = datetime(2026, 11, 30, 4, 27, tzinfo=UTC)


def five_feeds(failing=("jsonfeed", "geojson")):
    return tuple(
        FeedHealth(
            name,
            last_success=NOW - timedelta(hours=3 if name == "b" else 1),
            next_attempt=NOW + timedelta(minutes=9),
            last_error="ConnectError: refused" if name in failing else None,
        )
        for name in ("a", "jsonfeed", "b", "geojson", "c")
    )


def state(**kw):
    base = dict(
        now=NOW,
        day="2024-12-05",
        day_note="latest",
        zone="Damascus +03",
        feeds=five_feeds(),
        title="Syria: Hama falls to insurgents",
    )
    base.update(kw)
    return HeaderState(**base)


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (
            160,
            "sitmon │ ✗ feeds 2/5 failing │ as of 2024-12-05 (latest) Damascus +03 │ "
            "oldest data 3 h │ next 06:36 EET │ Syria: Hama falls to insurgents",
        ),
        (
            120,
            "sitmon │ ✗ feeds 2/5 failing │ as of 2024-12-05 (latest) Damascus +03 │ "
            "oldest data 3 h │ next 06:36 EET",
        ),
        (80, "sitmon │ ✗ feeds 2/5 failing │ as of 2024-12-05 Damascus +03 │ oldest data 3 h"),
        (60, "sitmon │ ✗ 2/5 failing │ 2024-12-05 Damascus +03"),
        (40, "sitmon │ ✗ 2/5 failing │ 2024-12-05"),
        (20, "✗ 2/5 failing"),
        (10, "✗ 2/5"),
        (4, ""),
    ],
)
def test_failing_feeds_lead_and_segments_leave_whole(width, expected):
    line = render_header(state(), width)
    assert line.text == expected
    assert len(line.text) <= width


def test_all_failing_says_so_never_ok():
    feeds = five_feeds(failing=("a", "jsonfeed", "b", "geojson", "c"))
    assert render_header(state(feeds=feeds), 80).text.startswith("sitmon │ ✗ feeds 5/5 failing │ ")


def test_healthy_feeds_and_no_feeds():
    assert (
        render_header(state(feeds=five_feeds(failing=())), 100).text
        == "sitmon │ as of 2024-12-05 (latest) Damascus +03 │ ✓ feeds 5 ok │ oldest data 3 h │ "
        "next 06:36 EET"
    )
    assert (
        render_header(state(feeds=(), origin="bundled dataset", title=""), 100).text
        == "sitmon │ as of 2024-12-05 (latest) Damascus +03 │ no feeds: bundled dataset"
    )


def test_the_failing_segment_has_a_symbol_without_colour_and_in_ascii():
    line = render_header(state(), 80, ascii=True, colour=False)
    assert (
        line.text
        == "sitmon | ! feeds 2/5 failing | as of 2024-12-05 Damascus +03 | oldest data 3 h"
    )
    assert line.text.isascii()


def test_a_store_error_is_cut_between_words():
    line = render_header(
        HeaderState(now=NOW, status="store error: cannot read /x/y.json: permission denied"), 40
    )
    assert line.text == "sitmon │ store error: cannot read…"


def test_clock_times_name_their_zone():
    assert fmt_clock(NOW, NOW) == "06:27 EET"
    assert fmt_clock(NOW - timedelta(days=1), NOW) == "2026-11-29 06:27 EET"
    assert fmt_clock(NOW, NOW, tz=UTC) == "04:27 UTC"
    summer = datetime(2026, 7, 1, 4, 27, tzinfo=UTC)
    assert fmt_clock(summer, summer) == "07:27 EEST"


def test_zone_labels():
    damascus = ZoneInfo("Asia/Damascus")
    at = datetime(2024, 12, 5, tzinfo=UTC)
    assert zone_label(damascus, at) == "Damascus +03"
    assert zone_label(ZoneInfo("America/New_York"), at) == "New York EST"
    assert zone_label(ZoneInfo("Etc/UTC"), at) == "UTC"
    from datetime import timezone

    assert zone_label(timezone(timedelta(hours=3), "+03"), at) == "UTC+03"
    assert zone_abbrev(at.astimezone(timezone(timedelta(hours=5, minutes=30)))) == "+0530"


def test_the_change_log_says_its_clock_zone(tmp_path):
    from sitmon.store import Store
    from sitmon.widgets.changes_render import render_changes

    from tests.support.tui_fixtures import situation_store

    store = Store.open(situation_store(tmp_path / "s.json"), seed=False)
    store.meta["refresh_log"] = [{"at": "2024-12-06T09:30:00+00:00", "feed": "desk"}]
    assert render_changes(store, 60)[0].text == "2024-12-06 11:30 EET  desk"
