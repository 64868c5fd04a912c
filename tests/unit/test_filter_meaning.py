"""One filter meaning: place:/faction:/type:/words apply to every record kind or are refused.

Against the bundled Syria dataset as of 5 December 2024 (its latest day), where the
SDF holds Qamishli, Hasakah, Raqqa, Kobani and Manbij.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.filtering import FilterError
from sitmon.store.timeutil import parse_as_of
from sitmon.store.views import view_snapshot
from sitmon.widgets.export import ExportArgumentError, export_view

SDF_PLACES = ["Hasakah", "Kobani", "Manbij", "Qamishli", "Raqqa"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(tmp_path_factory.mktemp("bundled") / "s.json")


def map_body(text: str) -> str:
    """The drawn map: after the two header lines, before the sources."""
    return text.split("\n\n", 1)[1].split("\nSources\n")[0]


def run_cli(store: Store, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(store.path), *args],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


def test_map_faction_filter_keeps_only_that_factions_places(store):
    snap = view_snapshot(store, "map", filter="faction:sdf")
    assert sorted(p.name for p in snap.shown_places.values()) == SDF_PLACES
    assert sorted(store.places[p].name for p in snap.control) == SDF_PLACES
    assert {c.faction for c in snap.control.values()} == {"sdf"}


def test_cli_map_export_draws_only_sdf_places_and_the_legend_counts_them(store):
    r = run_cli(store, "export", "--view", "map", "--filter", "faction:sdf", "--width", "100")
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    assert "5 places · filter: faction:sdf" in text
    body = map_body(text)
    for name in SDF_PLACES:
        assert f"K {name}" in body
    for other in ("Aleppo", "Hama", "Homs", "Damascus", "Idlib", "Deir ez-Zor"):
        assert other not in body
    assert "│K SDF 5\n" in body
    assert "HTS" not in body and "Gov" not in body  # no other faction in the legend


def test_map_filter_on_an_unknown_faction_draws_no_place(store):
    text = export_view(store, view="map", fmt="text", filter="faction:zzz", width=80)
    assert "0 places · filter: faction:zzz" in text
    body = map_body(text)
    assert "Aleppo" not in body and "Qamishli" not in body


def test_map_words_and_place_terms(store):
    # words: name, alternative names, governorate (six places lie in Aleppo governorate)
    words = view_snapshot(store, "map", filter="aleppo").shown_places.values()
    assert sorted(p.name for p in words) == [
        "Al-Bab",
        "Aleppo",
        "Azaz",
        "Kobani",
        "Manbij",
        "Tal Rifaat",
    ]
    # place: the place itself, as for events
    assert list(view_snapshot(store, "map", filter="place:aleppo").shown_places) == ["aleppo"]
    assert list(view_snapshot(store, "map", filter="place:hama").shown_places) == ["hama"]
    snap = view_snapshot(store, "map", filter="hasakah faction:sdf")
    assert [p.name for p in snap.shown_places.values()] == ["Hasakah"]


def test_map_refuses_type(store):
    with pytest.raises(FilterError, match=r"^type:capture does not apply to map places"):
        view_snapshot(store, "map", filter="type:capture")


def test_stats_words_and_place_apply(store):
    metrics = [m.metric for m in view_snapshot(store, "stats", filter="displaced").figures]
    assert metrics == ["displaced"]
    # as of 4 December the latest displacement figure is for "Idlib and northern Aleppo"
    dec4 = parse_as_of("2024-12-04")
    for term in ("place:idlib", "place:aleppo"):
        metrics = [m.metric for m in view_snapshot(store, "stats", as_of=dec4, filter=term).figures]
        assert metrics == ["displaced"]
    assert view_snapshot(store, "stats", as_of=dec4, filter="place:hama").figures == []
    assert view_snapshot(store, "stats", filter="zzz").figures == []


@pytest.mark.parametrize("term", ["faction:sdf", "faction:zzz", "type:capture"])
def test_stats_refuses_faction_and_type(store, term):
    with pytest.raises(FilterError, match="does not apply to figures"):
        view_snapshot(store, "stats", filter=term)
    with pytest.raises(ExportArgumentError, match="does not apply to figures"):
        export_view(store, view="stats", fmt="text", filter=term)


def test_cli_stats_faction_filter_is_a_one_line_error(store):
    r = run_cli(store, "export", "--view", "stats", "--filter", "faction:zzz")
    err = r.stderr.decode()
    assert r.returncode == 2 and r.stdout == b""
    assert err == (
        "sitmon: faction:zzz does not apply to figures (filter them by words or place:)\n"
    )


def test_timeline_and_quotes_take_every_term(store):
    titles = [e.title for e in view_snapshot(store, "timeline", filter="faction:zzz").events]
    assert titles == []
    quotes = view_snapshot(store, "quotes", filter="faction:zzz").quotes
    assert quotes == []
    caps = view_snapshot(store, "timeline", filter="type:capture place:hama").events
    assert [e.id for e in caps] and all(e.type == "capture" and "hama" in e.places for e in caps)


def test_the_report_refuses_a_term_one_of_its_kinds_cannot_take(store):
    with pytest.raises(FilterError, match="does not apply to figures"):
        view_snapshot(store, "all", filter="faction:sdf")
    snap = view_snapshot(store, "all", filter="hama")
    assert list(snap.shown_places) == ["hama"] and list(snap.control) == ["hama"]
    assert snap.figures == []  # no figure of 5 December mentions Hama
    assert len(snap.events) == 16 and len(snap.quotes) == 2
