"""The follow-up feed (examples/feeds/followup.sitmon.json), fact-checked (issue 17, item 11),
and a feed updating the situation's title through the real import and refresh paths."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.adapters.sitmon import adapt
from sitmon.store.db import situation_update
from sitmon.store.refresh import refresh_feed
from sitmon.store.timeutil import parse_as_of
from sitmon.tui.cli import main
from sitmon.tui.config import FeedConfig

from tests.support.feedserver import FeedServer, Reply

FOLLOWUP = Path(__file__).resolve().parents[2] / "examples" / "feeds" / "followup.sitmon.json"
BUNDLED_TITLE = "Rebel offensive in Syria: Aleppo and Hama"
FOLLOWUP_TITLE = "Rebel offensive in Syria: from Aleppo to the fall of Assad"


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(FOLLOWUP.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_id(doc):
    result = adapt(doc)
    assert result.rejected == []
    return {r.id: r for r in result.records}


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "s.json")  # the bundled dataset
    s.merge(adapt(json.loads(FOLLOWUP.read_text(encoding="utf-8"))).records)
    return s


def test_wfp_280000_is_dated_6_december(by_id):
    """WFP gave '280,000 since 27 November' at the Geneva briefing on Friday 6 Dec."""
    fig = by_id["fig-wfp-displaced-280000"]
    assert (fig.value, fig.qualifier, fig.as_of.isoformat()) == (
        280000,
        "more than",
        "2024-12-06T00:00:00+03:00",
    )
    assert fig.sources[0].source == "wfp"
    assert "Geneva press briefing on Friday 6 Dec 2024" in fig.note
    wfp = by_id["wfp"]
    assert (wfp.name, wfp.role) == ("World Food Programme (WFP)", "primary_publisher")


def test_each_event_summary_is_its_own_clause(doc):
    """Each 6-7 Dec event's summary repeated the whole day's chronology."""
    summaries = {e["id"]: e["summary"] for e in doc["events"]}
    assert summaries["ev-2024-12-06-rastan-talbiseh-taken"] == (
        "Rastan and Talbiseh taken, rebels at Homs outskirts. (Reference chronology, 2024-12-06.)"
    )
    assert summaries["ev-2024-12-07-daraa-taken"] == (
        "Daraa city taken after negotiated army withdrawal. (Reference chronology, 2024-12-07.)"
    )
    for eid, text in summaries.items():
        assert "; " not in text, eid


@pytest.mark.parametrize("place", ["latakia", "tartus"])
def test_the_coast_is_not_government_held_after_the_end_of_assad_rule(store, place):
    """Latakia and Tartus stayed 'Government' after 'End of Assad rule' on 8 Dec."""
    before = store.control_as_of(parse_as_of("2024-12-07"))[place]
    after = store.control_as_of(parse_as_of("2024-12-08"))[place]
    assert (before.faction, before.status) == ("government", "held")
    assert (after.faction, after.status) == ("hts_led", "contested")


def test_manbij_contested_on_8_december(store):
    """The feed's own note: SNA took ~80% of Manbij by 8 Dec, full control on 9 Dec."""
    c = store.control_as_of(parse_as_of("2024-12-08"))["manbij"]
    assert (c.faction, c.status) == ("sna", "contested")
    c7 = store.control_as_of(parse_as_of("2024-12-07"))["manbij"]
    assert (c7.faction, c7.status) == ("sdf", "held")


def _km(a, b) -> float:
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon) * math.cos(math.radians(a.lat))
    return 6371 * math.hypot(dlat, dlon)


def test_rastan_and_talbiseh_at_their_own_coordinates(store, by_id):
    """They were placed at Homs city."""
    rastan, talbiseh, homs = store.places["rastan"], store.places["talbiseh"], store.places["homs"]
    assert (rastan.lat, rastan.lon, rastan.governorate) == (34.9167, 36.7333, "Homs")
    assert (talbiseh.lat, talbiseh.lon, talbiseh.governorate) == (34.8333, 36.7333, "Homs")
    assert 20 < _km(homs, rastan) < 25 and 10 < _km(homs, talbiseh) < 15
    assert by_id["ev-2024-12-06-rastan-talbiseh-taken"].places == ("rastan", "talbiseh")
    held = store.control_as_of(parse_as_of("2024-12-06"))
    assert (held["rastan"].faction, held["talbiseh"].faction) == ("hts_led", "hts_led")


# --------------------------------------------------------------------------- situation title


def test_situation_update_rule():
    old = {"title": "A", "start": "2024-11-27", "updated_at": "2024-12-05T23:00:00+03:00"}
    newer = {"title": "B", "start": "2024-11-27", "updated_at": "2024-12-08T23:00:00+03:00"}
    assert situation_update(None, newer) == newer
    assert situation_update(old, newer) == newer
    assert situation_update(newer, old) is None  # an older document never wins
    assert situation_update(old, {"title": "C"}) is None  # nor an undated one
    assert situation_update({"title": "A"}, newer) == newer  # undated stored: older than any
    assert situation_update(old, dict(newer, start="")) == dict(newer, start="2024-11-27")


def test_import_of_a_later_feed_updates_the_title_and_an_earlier_one_does_not(tmp_path, capsys):
    path = tmp_path / "store.json"
    assert Store.open(path).meta["situation"]["title"] == BUNDLED_TITLE
    argv = ["--store", str(path), "--config", str(tmp_path / "none.toml"), "import"]
    assert main([*argv, str(FOLLOWUP)]) == 0
    assert Store.open(path).meta["situation"] == {
        "title": FOLLOWUP_TITLE,
        "start": "2024-11-27",
        "updated_at": "2024-12-08T23:00:00+03:00",
    }
    bundled = Path(__file__).resolve().parents[2] / "store" / "data" / "bundled.json"
    assert main([*argv, str(bundled)]) == 0  # re-importing the older dataset
    assert Store.open(path).meta["situation"]["title"] == FOLLOWUP_TITLE
    capsys.readouterr()


def test_refresh_of_a_later_feed_updates_the_title(tmp_path):
    path = tmp_path / "store.json"
    store = Store.open(path)
    with FeedServer() as srv:
        srv.route("/f.json", Reply(body=FOLLOWUP.read_bytes()))
        result = refresh_feed(store, FeedConfig(name="followup", url=srv.url("/f.json")))
    assert result.ok, result
    assert Store.open(path).meta["situation"]["title"] == FOLLOWUP_TITLE
