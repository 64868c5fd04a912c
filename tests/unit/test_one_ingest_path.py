"""`sitmon import` and a feed refresh take the same bytes to the same records, by one function."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sitmon.store import Store, ingest
from sitmon.store.adapters import detect
from sitmon.store.records import record_to_dict
from sitmon.store.refresh import refresh_feed
from sitmon.tui.cli import main
from sitmon.tui.config import FeedConfig

from tests.support.benches import bench_module

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "examples" / "feeds"


def tables(path: Path) -> dict[str, dict[str, dict]]:
    store = Store.open(path, seed=False)
    return {
        kind: {rid: record_to_dict(rec) for rid, rec in table.items()}
        for kind, table in store.tables.items()
    }


@pytest.fixture(autouse=True)
def one_arrival_time(monkeypatch):
    """Import and refresh run seconds apart; records versioned by their arrival
    (ACLED's places, UCDP, JSON Feed items without dates) compare alike only when
    both arrive at one pinned moment."""
    monkeypatch.setattr(detect, "arrival_now", lambda: datetime(2024, 12, 8, 6, 0, tzinfo=UTC))


def imported_and_refreshed(tmp_path: Path, doc: Path) -> tuple[dict, dict]:
    imported, refreshed = tmp_path / "imported.json", tmp_path / "refreshed.json"
    config = str(tmp_path / "no-config.toml")
    rc = main(["--store", str(imported), "--config", config, "import", str(doc), "--name", "desk"])
    assert rc == 0
    store = Store.open(refreshed, seed=True)
    result = refresh_feed(store, FeedConfig(name="desk", url=str(doc)))
    assert result.ok, result.message
    return tables(imported), tables(refreshed)


# GeoJSON is left out: its adapter stamps records it cannot date with the time of reading.
@pytest.mark.parametrize(
    "name",
    ["sample.acled.json", "sample.jsonfeed.json", "sample.ucdp.json", "followup.sitmon.json"],
)
def test_import_and_refresh_store_identical_records(tmp_path, name):
    imported, refreshed = imported_and_refreshed(tmp_path, FEEDS / name)
    for kind in imported:
        assert imported[kind] == refreshed[kind], kind


def test_a_large_acled_document_takes_the_fast_path_either_way(tmp_path, monkeypatch):
    doc = tmp_path / "acled.json"
    doc.write_bytes(bench_module("bench_feeds").acled_document(2000))
    fast_calls = []
    real_fast = ingest._acled_fast
    monkeypatch.setattr(
        ingest, "_acled_fast", lambda *a, **k: fast_calls.append(1) or real_fast(*a, **k)
    )
    imported, refreshed = imported_and_refreshed(tmp_path, doc)
    assert len(fast_calls) == 2  # once for the import, once for the refresh
    assert len(imported["event"]) == len(refreshed["event"]) > 2000  # + the bundled events
    assert imported == {k: v for k, v in refreshed.items()}


def test_every_page_of_a_refresh_goes_through_ingest_bytes(tmp_path, monkeypatch):
    from sitmon.store import refresh

    seen = []
    real = refresh.ingest_bytes
    monkeypatch.setattr(
        refresh, "ingest_bytes", lambda data, *a, **k: seen.append(k["what"]) or real(data, *a, **k)
    )
    store = Store.open(tmp_path / "s.json", seed=True)
    result = refresh_feed(store, FeedConfig(name="ucdp", url=str(FEEDS / "sample.ucdp.page1.json")))
    assert result.ok and result.pages == 2, result.message
    assert seen == ["feed 'ucdp'", "feed 'ucdp' page 2"]
