"""The command line at the desk: run options without `run`, one rule for dates and filters,
`info` with the configured feeds and zoned times."""

from __future__ import annotations

import argparse

import pytest
from sitmon.tui import cli
from sitmon.tui.cli import main


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.json"
    assert main(["--store", str(path), "info"]) == 0
    return path


def test_run_options_work_without_run(monkeypatch):
    seen: list[argparse.Namespace] = []
    monkeypatch.setattr(cli, "cmd_run", lambda args: seen.append(args) or 0)
    assert main(["--theme", "nord", "--as-of", "2024-12-01", "--no-refresh"]) == 0
    assert main(["--theme", "nord", "run"]) == 0
    assert main(["run", "--as-of", "2024-12-02"]) == 0
    assert main([]) == 0
    got = [(a.theme, a.as_of, a.no_refresh) for a in seen]
    assert got == [
        ("nord", "2024-12-01", True),
        ("nord", None, False),
        (None, "2024-12-02", False),
        (None, None, False),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--as-of", "2030-01-01"],
            "sitmon: --as-of: 2030-01-01 is after the data: choose a day from 2024-11-26 to 2024-12-05\n",
        ),
        (
            ["--as-of", "1900-01-01"],
            "sitmon: --as-of: 1900-01-01 is before the data: choose a day from 2024-11-26 to 2024-12-05\n",
        ),
        (
            ["--filter", "type:bogus"],
            "sitmon: --filter: unknown type 'bogus': use one of offensive, capture, withdrawal, "
            "battle, strike, statement, humanitarian, diplomatic, violence_against_civilians, "
            "protest, other\n",
        ),
    ],
)
def test_export_refuses_what_the_monitor_refuses(store, capsys, args, message):
    assert main(["--store", str(store), "export", "--view", "timeline", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err == message and captured.out == ""


def test_export_unknown_faction_lists_the_factions(store, capsys):
    rc = main(["--store", str(store), "export", "--view", "timeline", "--filter", "faction:nobody"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1
    assert err.startswith(
        "sitmon: --filter: unknown faction 'nobody': use one of government (Government),"
    )


def test_info_shows_the_configured_feeds_their_state_and_zoned_times(
    tmp_path, store, capsys, monkeypatch
):
    import time
    from pathlib import Path

    monkeypatch.setenv("TZ", "Europe/Helsinki")
    time.tzset()
    sample = Path(__file__).resolve().parents[2] / "examples" / "feeds" / "sample.jsonfeed.json"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[feeds]]\nname = "desk"\nurl = "{sample.as_uri()}"\ninterval = 600\n\n'
        '[[feeds]]\nname = "later"\nurl = "https://example.org/f.json"\nenabled = false\n'
    )
    base = ["--store", str(store), "--config", str(config)]
    assert main([*base, "refresh", "--feed", "desk"]) == 0
    capsys.readouterr()
    assert main([*base, "info"]) == 0
    out = capsys.readouterr().out
    time.tzset()
    assert f"config:         {config}\n" in out
    assert "  desk: ok, every 600 s\n" in out
    assert f"    url:          {sample.as_uri()}\n" in out
    line = next(x for x in out.splitlines() if x.startswith("    last success: "))
    assert line.endswith((" EET", " EEST")), line
    assert "  later (disabled): never refreshed, every 300 s\n" in out
    assert "last refresh:" in out and ("EET" in out.split("last refresh:")[1].splitlines()[0])
