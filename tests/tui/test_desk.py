"""Desk use: the export dialog's keys, feed health, theme repaint, copy/open, the chart."""

from __future__ import annotations

import pytest
from sitmon.tui.app import SitmonApp
from textual.widgets import OptionList

from tests.support.tui_fixtures import make_app, settle, situation_store


@pytest.fixture
def store_path(tmp_path):
    return situation_store(tmp_path / "s.json")


ready = settle


def option_texts(app: SitmonApp) -> list[str]:
    options = app.screen.query_one("#format", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_export_dialog_works_from_the_keyboard(store_path, tmp_path):
    app = make_app(store_path)
    app.export_dir = tmp_path / "docs"
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("E")
        await pilot.pause()
        # focus starts on the formats; the chosen one has a symbol; no screenshot of a report
        assert isinstance(app.focused, OptionList)
        assert option_texts(app) == ["● Text", "○ Markdown", "○ JSON"]
        await pilot.press("down")
        await pilot.pause()
        assert option_texts(app) == ["○ Text", "● Markdown", "○ JSON"]
        assert app.screen.path_input.value.endswith("sitmon-sitrep-2024-12-05.md")
        await pilot.press("enter")  # Enter on the list exports
        await ready(pilot)
        out = tmp_path / "docs" / "sitmon-sitrep-2024-12-05.md"
        assert out.exists() and out.read_text().startswith("# ")
        assert app.screen is app.main_screen
        # a pane export offers the screenshot; Enter from the path field exports too
        await pilot.press("e")
        await pilot.pause()
        assert option_texts(app)[-1] == "○ SVG screenshot of the screen"
        await pilot.press("up", "tab")
        await pilot.pause()
        assert app.focused is app.screen.path_input
        assert option_texts(app)[-1] == "● SVG screenshot of the screen"
        await pilot.press("down", "down", "down", "down")  # arrows in the path field do nothing
        await pilot.press("shift+tab", "home", "enter")
        await ready(pilot)
        assert (tmp_path / "docs" / "sitmon-timeline-2024-12-05.txt").exists()


def _backgrounds(pane) -> set:
    strip = pane.render_line(0)
    return {seg.style.bgcolor for seg in strip if seg.style is not None and seg.style.bgcolor}


async def test_a_theme_switch_repaints_the_panes(store_path):
    app = make_app(store_path, theme="textual-dark")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        timeline = app.main_screen.timeline
        stats = app.main_screen.pane("stats")
        await pilot.press("j", "k")  # lines are cached now
        before = (_backgrounds(timeline), _backgrounds(stats))
        app.theme = "textual-light"
        await pilot.pause()
        after = (_backgrounds(timeline), _backgrounds(stats))
        assert after[0] and after[1]
        assert after[0].isdisjoint(before[0]) and after[1].isdisjoint(before[1])
        # the light theme's own background, as a fresh app draws it
    fresh = make_app(store_path, theme="textual-light")
    async with fresh.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert _backgrounds(fresh.main_screen.timeline) == after[0]
        assert _backgrounds(fresh.main_screen.pane("stats")) == after[1]


async def _palette_hits(app, pilot, query: str) -> list[str]:
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.pause()
    await app.workers.wait_for_complete()  # the palette's search for the whole query is done
    await pilot.pause()
    options = app.screen.query_one(CommandList)
    hits = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return [h.splitlines()[0] for h in hits]


async def test_the_palette_lists_each_command_once(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for query, ours in (
            ("theme", ["Change theme"]),
            ("maxim", ["Maximise pane"]),
            ("keys", ["Keys"]),
            ("quit", ["Quit"]),
            ("screenshot", ["Save SVG screenshot"]),
            ("feeds", ["Feeds", "Refresh feeds"]),
        ):
            hits = await _palette_hits(app, pilot, query)
            assert [h for h in hits if query in h.lower()] == ours, (query, hits)


async def test_the_maximised_statistics_pane_charts_the_selected_metric(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        stats = app.main_screen.pane("stats")
        assert not any("by publisher" in t for t in stats.lines_as_text())
        await pilot.press("z")
        await pilot.pause()
        text = stats.lines_as_text()
        assert any(" by publisher, as of 2024-12-05" in t for t in text), text
        assert any("┼" in t and "┬" in t for t in text)  # the date axis
        await pilot.press("z")
        await pilot.pause()
        assert not any("by publisher" in t for t in stats.lines_as_text())


def five_feeds(srv, examples):
    """Five feeds over loopback: three serve documents, jsonfeed and geojson answer 503."""
    from sitmon.tui.config import FeedConfig

    from tests.support.feedserver import Reply

    srv.serve_file("/a.json", examples / "sample.jsonfeed.json")
    srv.serve_file("/b.json", examples / "sample.jsonfeed.json")
    srv.serve_file("/c.json", examples / "sample.jsonfeed.json")
    srv.route("/jsonfeed.json", Reply(503, body=b"down for maintenance"))
    srv.route("/geo.json", Reply(503, body=b"down"))
    names = [("a", "/a.json"), ("jsonfeed", "/jsonfeed.json"), ("b", "/b.json")]
    names += [("geojson", "/geo.json"), ("c", "/c.json")]
    return [FeedConfig(name=n, url=srv.url(path), format="auto", timeout=5) for n, path in names]


async def test_failing_feeds_lead_the_header_with_one_notification_and_the_feeds_screen(
    store_path, monkeypatch
):
    from pathlib import Path

    from sitmon.tui.config import Config
    from sitmon.tui.screens import FeedsScreen

    from tests.support.feedserver import FeedServer

    monkeypatch.setenv("TZ", "UTC")
    examples = Path(__file__).resolve().parents[2] / "examples" / "feeds"
    with FeedServer() as srv:
        config = Config(feeds=five_feeds(srv, examples))
        app = make_app(store_path, config=config)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            before = len(app.notices)
            await pilot.press("r")
            await ready(pilot)
            while any(s.running for s in app.scheduler.status.values()):
                await pilot.pause(0.1)
                await app.workers.wait_for_complete()
            await pilot.pause()
            new = app.notices[before:]
            assert new[0] == "Refreshing 5 feeds…"
            assert len(new) == 2  # one notification for the round, whatever finished when
            lines = new[1].splitlines()
            assert lines[0] == "2 of 5 feeds failed: jsonfeed, geojson — press f for details"
            # then what the working feeds changed (the same document thrice: added once)
            assert lines[1] in [f"{n}: 4 added, 0 updated, 0 deleted" for n in "abc"], lines
            header = app.main_screen.header_text(80).plain
            assert header.startswith("sitmon │ ✗ feeds 2/5 failing │ ")
            assert len(header) <= 80
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FeedsScreen)
            text = "\n".join(app.screen.view.plain_lines)
            assert "✗ jsonfeed  failing" in text and "✓ a  ok" in text
            assert "503" in text and srv.url("/jsonfeed.json") in text.replace("\n    ", "")
            # Tab selects the first feed; Enter refreshes just that one
            hits = srv.hits("/a.json")
            await pilot.press("enter")
            await ready(pilot)
            while any(s.running for s in app.scheduler.status.values()):
                await pilot.pause(0.1)
            assert srv.hits("/a.json") == hits + 1 and srv.hits("/c.json") == 1
            await pilot.press("escape")
            assert app.screen is app.main_screen


async def test_y_copies_the_record_and_o_opens_its_url_with_the_chosen_opener(
    store_path, tmp_path, monkeypatch
):
    import sys

    opened = tmp_path / "opened.txt"
    script = tmp_path / "fake_browser.py"
    script.write_text(f"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\n")
    monkeypatch.setenv("SITMON_BROWSER", f"{sys.executable} {script}")
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        event = app.main_screen.timeline.selected_event
        await pilot.press("y")
        await pilot.pause()
        copied = app.last_copied
        assert event.title in copied.splitlines()[0]
        assert "\nSources:\n[1] " in copied
        await pilot.press("o")
        for _ in range(100):  # the opener runs detached; wait for its file
            if opened.exists() and opened.read_text():
                break
            await pilot.pause(0.05)
        assert opened.read_text() == app.last_opened
        assert opened.read_text() in copied  # the first source URL, whole
        # in the detail view: Tab to the first URL, y copies just it
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("tab", "y")
        await pilot.pause()
        assert app.last_copied == app.screen.view.link[1]
        assert app.last_copied.startswith("http")


async def test_ctrl_c_quits(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_keymap_problems_are_reported_and_the_help_shows_the_effective_keys(store_path):
    from types import SimpleNamespace

    config = SimpleNamespace(
        theme=None,
        feeds=[],
        keymap={"app.quit": "not_a_key_name!!", "app.now": "q", "app.replay": "P"},
    )
    app = make_app(store_path, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        warning = next(n for n in app.notices if "[keymap]" in n)
        assert "'app.quit': unknown key name 'not_a_key_name!!'" in warning
        assert "'app.now': 'q' is already Quit (app.quit); not applied" in warning
        await pilot.press("question_mark")
        await pilot.pause()
        text = "\n".join(app.screen.view.plain_lines)
        assert "not_a_key_name" not in text
        assert any(line.startswith("P ") and "Replay" in line for line in text.splitlines())
        await pilot.press("escape", "q")
        await pilot.pause()
    assert not app.is_running  # q still quits


@pytest.mark.parametrize(("size", "rows"), [((20, 5), 5), ((10, 3), 3)])
async def test_the_size_notice_fits_small_terminals(store_path, size, rows):
    app = make_app(store_path)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        notice = app.main_screen.query_one("#toosmall")
        shown = str(notice.render()).splitlines()
        assert len(shown) <= rows and "60x16" in " ".join(shown)
        assert all(len(r) <= size[0] for r in shown)
