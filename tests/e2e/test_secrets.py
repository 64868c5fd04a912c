"""Secrets from the config's header values never reach the store, stdout, stderr or exports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sitmon.store import Store

from tests.support.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-5ecret-0f-the-desk-77"


def test_a_successful_authorized_refresh_persists_no_secret(tmp_path):
    store_path = tmp_path / "s.json"
    Store.open(store_path)
    with FeedServer() as srv:
        srv.serve_file("/f.json", ROOT / "examples" / "feeds" / "followup.sitmon.json")
        cfg = tmp_path / "config.toml"
        cfg.write_text(
            f'[[feeds]]\nname = "team"\nurl = "{srv.url("/f.json")}"\n'
            '[feeds.headers]\nAuthorization = "Bearer ${SITMON_TEST_TOKEN}"\n'
        )
        env = dict(os.environ, SITMON_TEST_TOKEN=TOKEN, SITMON_CONFIG=str(cfg))
        run = subprocess.run(
            [sys.executable, "-m", "sitmon", "--store", str(store_path), "refresh"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        export = subprocess.run(
            [
                sys.executable,
                "-m",
                "sitmon",
                "--store",
                str(store_path),
                "export",
                "--view",
                "all",
                "--format",
                "feed",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        assert srv.log and srv.log[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert run.returncode == 0, run.stderr
    assert "Homs" in run.stdout
    assert export.returncode == 0, export.stderr
    for text in (run.stdout, run.stderr, export.stdout, export.stderr):
        assert TOKEN not in text
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != cfg:
            assert TOKEN.encode() not in path.read_bytes(), f"the secret was written to {path.name}"
