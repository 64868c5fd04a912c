"""The TOML config: loading, precise errors, secrets, and `sitmon config path|init`."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest
from sitmon.tui.cli import main
from sitmon.tui.config import (
    EXAMPLE_CONFIG,
    Config,
    ConfigError,
    FeedConfig,
    config_path,
    expand_headers,
    load_config,
)

GOOD = """\
theme = "textual-dark"

[keymap]
"app.quit" = "q,ctrl+q"

[[feeds]]
name = "followup"
url = "https://example.org/feed.json"

[[feeds]]
name = "acled"
url = "https://acleddata.com/api/acled/read?country=Syria"
format = "acled"
interval = 3600
timeout = 20
max_bytes = 1048576
enabled = false
[feeds.headers]
Authorization = "Bearer ${ACLED_TOKEN}"

[factions]
"HTS: Hayat Tahrir al Sham" = "hts_led"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_good_config_loads(tmp_path):
    path = write(tmp_path, GOOD)
    cfg = load_config(path)
    assert isinstance(cfg, Config) and cfg.path == path
    assert cfg.theme == "textual-dark" and cfg.keymap == {"app.quit": "q,ctrl+q"}
    assert [f.name for f in cfg.feeds] == ["followup", "acled"]
    first, acled = cfg.feeds
    assert (first.format, first.interval, first.timeout, first.max_bytes, first.enabled) == (
        "auto",
        300,
        30.0,
        15 * 1024 * 1024,
        True,
    )
    assert (acled.format, acled.interval, acled.enabled) == ("acled", 3600, False)
    assert cfg.enabled_feeds == [first]
    assert cfg.factions == {"HTS: Hayat Tahrir al Sham": "hts_led"}


def test_missing_file_is_an_empty_config(tmp_path):
    cfg = load_config(tmp_path / "nope.toml")
    assert cfg.feeds == [] and cfg.theme is None and cfg.path == tmp_path / "nope.toml"


def test_example_config_is_valid_toml_and_loads(tmp_path):
    tomllib.loads(EXAMPLE_CONFIG)
    assert load_config(write(tmp_path, EXAMPLE_CONFIG)).feeds == []
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [")) else line
        for line in EXAMPLE_CONFIG.splitlines()
    )
    cfg = load_config(write(tmp_path, uncommented))
    assert [f.name for f in cfg.feeds] == ["followup", "acled", "reliefweb-syria"]


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, 'theme = "x"\n\n[[feeds]]\nname = "a"\nurl = "https://x\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:5: TOML syntax error")
    assert info.value.line == 5 and "\n" not in msg


@pytest.mark.parametrize(
    ("text", "line", "key", "problem"),
    [
        (
            '[[feeds]]\nname = "a"\nurl = "https://x"\nintervall = 60\n',
            4,
            "feeds[0].intervall",
            "unknown key",
        ),
        ('colour = "red"\n', 1, "colour", "unknown key"),
        (
            '[[feeds]]\nname = "a"\nurl = "u"\n\n[[feeds]]\nname = "b"\nurl = "u"\ninterval = 5\n',
            8,
            "feeds[1].interval",
            ">= 10",
        ),
        (
            '[[feeds]]\nname = "a"\nurl = "https://x"\nformat = "atom"\n',
            4,
            "feeds[0].format",
            "Invalid enum value",
        ),
        ('[[feeds]]\nurl = "https://x"\n', 1, "feeds[0].name", "required key is missing"),
        (
            '[[feeds]]\nname = "a"\nurl = "https://x"\n[[feeds]]\nname = "a"\nurl = "https://y"\n',
            5,
            "feeds[1].name",
            "duplicate feed name",
        ),
        (
            '[[feeds]]\nname = "a"\nurl = "gopher://x"\n',
            3,
            "feeds[0].url",
            "unsupported URL scheme",
        ),
        (
            '[[feeds]]\nname = "a"\nurl = "https://x"\n[feeds.headers]\nX-Key = 5\n',
            5,
            "feeds[0].headers.X-Key",
            "Expected `str`",
        ),
        (
            '[factions]\n"Some Actor" = "not a valid id"\n',
            2,
            'factions."Some Actor"',
            "is not a faction id",
        ),
        ('[keymap]\n"app.quit" = 1\n', 2, 'keymap."app.quit"', "Expected `str`"),
        (
            '[[feeds]]\nname = "a"\nurl = "https://x"\nenabled = "yes"\n',
            4,
            "feeds[0].enabled",
            "Expected `bool`",
        ),
    ],
)
def test_bad_keys_and_values_name_the_key_and_its_line(tmp_path, text, line, key, problem):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:{line}: {key}: "), msg
    assert problem in msg and "\n" not in msg
    assert info.value.line == line and info.value.key == key


def test_headers_expand_from_the_environment_and_errors_hide_values():
    feed = FeedConfig(name="acled", url="https://x", headers={"Authorization": "Bearer ${TOKEN}"})
    assert expand_headers(feed, {"TOKEN": "abc123secret"}) == {
        "Authorization": "Bearer abc123secret"
    }
    with pytest.raises(ConfigError) as info:
        expand_headers(feed, {})
    assert "${TOKEN}" in str(info.value) and "Authorization" in str(info.value)


def test_config_path_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SITMON_CONFIG", str(tmp_path / "env.toml"))
    assert (
        config_path(argparse.Namespace(config=str(tmp_path / "arg.toml"))) == tmp_path / "arg.toml"
    )
    assert config_path(argparse.Namespace(config=None)) == tmp_path / "env.toml"
    monkeypatch.delenv("SITMON_CONFIG")
    assert config_path(None).name == "config.toml"


def test_cli_config_path_and_init_never_overwrites(tmp_path, capsys):
    path = tmp_path / "sub" / "config.toml"
    assert main(["--config", str(path), "config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(path)
    assert main(["--config", str(path), "config", "init"]) == 0
    assert path.read_text() == EXAMPLE_CONFIG
    path.write_text("# mine\n")
    assert main(["--config", str(path), "config", "init"]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and err.count("\n") == 1
    assert path.read_text() == "# mine\n"
    assert main(["--config", str(path), "config", "init", "--force"]) == 0
    assert path.read_text() == EXAMPLE_CONFIG
    assert main(["--config", str(path), "config"]) == 2


def test_cli_reports_a_bad_config_in_one_line(tmp_path, capsys):
    path = write(tmp_path, '[[feeds]]\nname = 1\nurl = "https://example.org/f.json"\n')
    rc = main(["--store", str(tmp_path / "s.json"), "--config", str(path), "refresh"])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith(f"sitmon: {path}:2: feeds[0].name: ") and err.count("\n") == 1


def test_config_module_imports_no_textual():
    import ast

    tree = ast.parse((Path(__file__).resolve().parents[2] / "tui" / "config.py").read_text())
    names = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    names |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert "textual" not in names and "httpx" not in names


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    path = write(
        tmp_path,
        'colour = "red"\n'
        "[[feeds]]\n"
        'name = "a"\n'
        'url = "htp:/example"\n'
        "intervall = 60\n"
        "[[feeds]]\n"
        'name = "b"\n'
        'url = "https://example.org/a b.json"\n'
        "interval = 5\n"
        "[[feeds]]\n"
        'url = "https:///nohost.json"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert [(p.line, p.key) for p in err.problems] == [
        (1, "colour"),
        (4, "feeds[0].url"),
        (5, "feeds[0].intervall"),
        (8, "feeds[1].url"),
        (9, "feeds[1].interval"),
        (10, "feeds[2].name"),
        (11, "feeds[2].url"),
    ]
    lines = str(err).splitlines()
    assert lines[0] == f"{path}: 7 problems:"
    assert (
        lines[1]
        == f"  {path}:1: colour: unknown key (check the spelling; see `sitmon config init` for every key)"
    )
    assert (
        lines[2]
        == f"  {path}:4: feeds[0].url: unsupported URL scheme 'htp': use https://, http://, file: or a path"
    )
    assert lines[4] == f"  {path}:8: feeds[1].url: a URL has no spaces (write a space as %20)"
    assert (
        lines[7]
        == f"  {path}:11: feeds[2].url: https: URL has no host (e.g. https://example.org/feed.json)"
    )
    assert (err.line, err.key) == (1, "colour")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/feed.json", None),
        ("http://127.0.0.1:8080/f?a=1&b=2", None),
        ("https://${HOST}/feed.json", None),
        ("https://example.org/f.json?key=${KEY}", None),
        ("file:///var/feeds/f.json", None),
        ("feeds/local file.json", None),
        ("C:/feeds/f.json", None),
        ("ftp://example.org/f.json", "unsupported URL scheme 'ftp'"),
        ("htp:/example", "unsupported URL scheme 'htp'"),
        ("https:/example.org/f.json", "https: URL needs '//' and a host"),
        ("https://", "https: URL has no host"),
        ("https://example.org/a\tb", "a URL has no spaces"),
        ("https://example.org/a b", "a URL has no spaces"),
    ],
)
def test_feed_urls_are_checked_at_load(tmp_path, url, problem):
    path = write(tmp_path, f'[[feeds]]\nname = "a"\nurl = "{url}"\n')
    if problem is None:
        assert load_config(path).feeds[0].url == url.replace("\\t", "\t")
        return
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:3: feeds[0].url: {problem}"), str(info.value)
