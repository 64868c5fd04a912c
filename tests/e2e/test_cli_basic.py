"""The command line's first pieces: --version, --help, info, bad flags."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sitmon.tui.cli import main

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys, io, contextlib
sys.path.insert(0, {root!r})
from sitmon.tui.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        rc = main({argv!r})
    except SystemExit as e:
        rc = e.code
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'textual', 'httpx', 'rich'}})
print(__import__('json').dumps({{'rc': rc, 'heavy': heavy, 'out': out.getvalue()}}))
"""


def run_probe(argv, env_store):
    code = PROBE.format(root=str(ROOT), argv=argv)
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            "SITMON_STORE": str(env_store),
            "PATH": "/usr/bin:/bin",
            "HOME": str(env_store.parent),
        },
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["info"]])
def test_light_commands_import_neither_textual_nor_httpx(tmp_path, argv):
    res = run_probe(argv, tmp_path / "s.json")
    assert res["rc"] == 0
    assert res["heavy"] == [], f"{argv} imported {res['heavy']}"
    if argv == ["--version"]:
        assert res["out"].startswith("sitmon ")


def test_info_prints_the_bundled_store_counts(tmp_path, capsys):
    path = tmp_path / "s.json"
    assert main(["--store", str(path), "info"]) == 0
    out = capsys.readouterr().out
    assert str(path) in out and "schema version: 2" in out
    counts = {
        line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line.startswith("  ")
    }
    assert counts["places"] >= 20 and counts["events"] >= 10 and counts["quotes"] >= 3
    assert counts["figures"] >= 5 and counts["factions"] >= 4
    assert "bundled dataset" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["frobnicate"], "invalid choice"),
        (["--nope"], "unrecognized arguments"),
        (["info", "--zzz"], "unrecognized"),
    ],
)
def test_bad_commands_and_flags_one_line_exit_2(tmp_path, argv, words):
    r = subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(tmp_path / "s.json"), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and lines[0].startswith("sitmon: error:")
    assert not (tmp_path / "s.json").exists()


def test_future_store_is_a_one_line_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"meta": {"1": {"schema_version": 7}}}))
    r = subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(path), "info"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "newer sitmon" in r.stderr
