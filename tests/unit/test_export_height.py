"""A text export of a single view lists the sources of exactly what it shows: with
``sitmon export --height N`` the first N rows (events, quotes, figures), each whole; for
the map (``e`` on a zoomed map pane), the places it draws.

A reader of a cut export checks its sources from the list at its end; a source only
the hidden rows cite would be a reference to nothing on the page. The header says how
many of how many rows are shown. In the situation report (``--view all``) ``--height``
is the map's height and cuts nothing else. Every expected text is written out by hand
from the small fixed world of ``tests.support.tui_fixtures``.
"""

from __future__ import annotations

import pytest
from sitmon.store import Store
from sitmon.store.timeutil import parse_as_of
from sitmon.widgets.export import export_view
from sitmon.widgets.map_render import MapOptions

from tests.support.cli import cli
from tests.support.tui_fixtures import situation_store

AS_OF = ("--as-of", "2024-12-05")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return situation_store(tmp_path_factory.mktemp("height") / "s.json")


def _export(capsys, store, *args: str) -> str:
    rc, out, err = cli(capsys, store, "export", *AS_OF, *args)
    assert rc == 0, err
    return out


def _sources(out: str) -> str:
    """The Sources list at the end of a single-view export (heading included)."""
    return out[out.index("\nSources\n") + 1 :]


def test_a_cut_timeline_lists_the_sources_of_the_rows_shown_and_numbers_them_alike(capsys, store):
    whole = _export(capsys, store, "--view", "timeline")
    top = _export(capsys, store, "--view", "timeline", "--height", "4")
    rows = [
        "2024-12-05 17:00  G  Hama: Army says it has redeployed outside Hama [1]",
        "2024-12-05 16:00  H  Hama: Hama falls to the HTS-led coalition [2]",
        "2024-12-05 11:00  H  Hama: Rebels enter several districts of Hama [3]",
        "2024-12-05        H  Hama: Hundreds of prisoners freed from Hama central prison",
        "                     [4]",
    ]
    assert "\n".join(rows) in whole  # a row reads the same cut or whole
    assert "\n".join([*rows, "", "Sources"]) in top
    assert "As of 5 December 2024, end of day (UTC+03) · 4 of 13 events\n" in top
    assert "As of 5 December 2024, end of day (UTC+03) · 13 events\n" in whole
    assert _sources(top) == (
        "Sources\n"
        "───────\n"
        "[1] Syrian Observatory for Human Rights\n"
        "    https://example.org/ev-army-redeploys\n"
        "[2] CNN\n"
        "    https://example.org/ev-hama-falls\n"
        "[3] Syrian Observatory for Human Rights\n"
        "    https://example.org/ev-hama-enter\n"
        "[4] Syrian Observatory for Human Rights\n"
        "    https://example.org/ev-prison\n"
    )
    assert "[13] Syrian Observatory for Human Rights" in whole


def test_a_cut_quotes_view_shows_that_many_quotes_and_only_their_sources(capsys, store):
    out = _export(capsys, store, "--view", "quotes", "--height", "2")
    assert out.split("\n", 1)[1] == (
        "As of 5 December 2024, end of day (UTC+03) · 2 of 3 quotes\n"
        "Rows are wrapped here and carry [n] references to the Sources list; the monitor\n"
        "shows one line per row.\n"
        "\n"
        "Abu Mohammed al-Joulani · HTS leader · 2024-12-05 · CNN\n"
        "  “We close the wound that opened 40 years ago.” [1]\n"
        "  → Hama · Hama falls to the HTS-led coalition\n"
        "\n"
        "Abu Mohammed al-Joulani · HTS leader · 2024-12-05 · CNN\n"
        "  “I ask God Almighty that this be a conquest without revenge.” [1]\n"
        "  → Hama · Hama falls to the HTS-led coalition\n"
        "\n"
        "Sources\n"
        "───────\n"
        "[1] CNN\n"
        "    https://edition.cnn.com/\n"
    )
    assert "[2] Reuters\n" in _export(capsys, store, "--view", "quotes")


def test_a_cut_stats_view_shows_whole_figures_their_charts_and_only_their_sources(capsys, store):
    out = _export(capsys, store, "--view", "stats", "--height", "1", "--ascii")
    head, rest = out.split("\n\nDeaths (total) by publisher, as of 2024-12-05\n", 1)
    assert head == (
        "sitmon | Key figures\n"
        "As of 5 December 2024, end of day (UTC+03) | 1 of 3 figures\n"
        "\n"
        "  Deaths (total)       more than 727                           _~#\n"
        "    Syrian Observatory for Human Rights | as of 2024-12-05 | since 27 Nov\n"
        "    also: about 600 (Reuters, 2024-12-04)"
    )
    assert "by publisher" not in rest  # no chart of a figure not shown
    assert _sources(rest) == (
        "Sources\n"
        "-------\n"
        "[1] Syrian Observatory for Human Rights\n"
        "    https://example.org/f-deaths-3\n"
        "[2] Reuters\n"
        "    https://example.org/f-deaths-r\n"
    )


def test_the_situation_reports_height_is_the_maps_and_cuts_no_figure(tmp_path, capsys):
    """The bundled dataset's five figures take 23 lines: the smallest map (10 rows) cut
    them after the tenth."""
    bundled = tmp_path / "bundled.json"

    def figures(*args: str) -> str:
        report = _export(capsys, bundled, "--view", "all", *args)
        return report[report.index("\nKey figures\n") : report.index("\nLatest events\n")]

    cut = figures("--height", "10")
    assert cut == figures()
    assert cut.endswith(
        "\n"
        "  Bounty (USD)         up to 10,000,000 USD\n"
        '    Rewards for Justice (US Department of State) via Seed article: "Rebel\n'
        '    Offensive in Syria: Hama Falls to Insurgents" · as of 2024-12-05\n'
        "    reward for information on Abu Mohammed al-Joulani, leader of HTS\n"
    )


def test_a_zoomed_map_lists_the_sources_of_the_places_it_draws(store):
    """Zoomed in on Hama (as the map pane's ``+`` does), the map draws Hama and Homs of
    the world's eight places."""
    out = export_view(
        Store.open(store),
        view="map",
        fmt="text",
        as_of=parse_as_of("2024-12-05"),
        ascii=True,
        map_options=MapOptions(zoom=4.0, center=(35.13, 36.76)),
    )
    assert out.startswith(
        "sitmon | Map of control\nAs of 5 December 2024, end of day (UTC+03) | 2 of 8 places\n"
    )
    assert "H Hama" in out and "G Homs" in out and "Aleppo" not in out
    assert _sources(out) == (
        "Sources\n"
        "-------\n"
        "[1] Syrian Observatory for Human Rights\n"
        "    https://example.org/control/hama\n"
        "[2] Syrian Observatory for Human Rights\n"
        "    https://example.org/control/homs\n"
    )
