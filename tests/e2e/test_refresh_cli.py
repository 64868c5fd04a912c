"""Refresh, import and validate end to end: a real HTTP server on 127.0.0.1, a real store file."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitmon.store import Store
from sitmon.store.records import kind_of
from sitmon.store.refresh import refresh_feed
from sitmon.tui.cli import main
from sitmon.tui.config import FeedConfig

from tests.support.cli import cli
from tests.support.feedserver import Reply

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "examples" / "feeds"
FOLLOWUP = FEEDS / "followup.sitmon.json"
TOKEN = "tok-9f8e7d6c5b4a-secret"


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), os.stat(path).st_mtime_ns


def write_config(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


# ------------------------------------------------------------------ headline


def test_refresh_followup_flips_homs_and_damascus(srv, store_path, capsys):
    srv.serve_file("/followup.sitmon.json", FOLLOWUP)
    url = srv.url("/followup.sitmon.json")
    before = Store.open(store_path).control_as_of(None)
    assert before["homs"].faction == before["damascus"].faction == "government"

    rc, out, err = cli(capsys, store_path, "refresh", "--feed", url)
    assert rc == 0, err
    lines = out.splitlines()
    flip_lines = [line for line in lines if "control flip" in line]
    assert any("Homs: Government -> HTS-led MOC" in line for line in flip_lines)
    assert any("Damascus: Government -> HTS-led MOC" in line for line in flip_lines)
    assert lines.index(flip_lines[-1]) < len(lines) - 1  # flips first, then the counts
    assert "added" in lines[-1]

    after = Store.open(store_path).control_as_of(None)
    assert after["homs"].faction == after["damascus"].faction == "hts_led"
    assert after["palmyra"].faction == "sfa" and after["daraa"].faction == "southern_opposition"

    # the same feed again: 304, and the store file is not touched at all
    snap = snapshot(store_path)
    rc, out, err = cli(capsys, store_path, "refresh", "--feed", url)
    assert rc == 0 and "not modified" in out
    assert snapshot(store_path) == snap
    assert srv.log[-1].headers.get("if-none-match")


def test_refresh_as_a_real_subprocess(srv, store_path):
    srv.serve_file("/followup.sitmon.json", FOLLOWUP)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SITMON_CONFIG=str(store_path.parent / "none.toml"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitmon",
            "--store",
            str(store_path),
            "refresh",
            "--feed",
            srv.url("/followup.sitmon.json"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Homs: Government -> HTS-led MOC" in proc.stdout
    assert "Damascus: Government -> HTS-led MOC" in proc.stdout


def test_configured_feeds_refresh_and_second_run_writes_nothing(srv, store_path, tmp_path, capsys):
    srv.serve_file("/followup.sitmon.json", FOLLOWUP)
    srv.serve_file("/news.json", FEEDS / "sample.jsonfeed.json")
    cfg = write_config(
        tmp_path,
        f"""
[[feeds]]
name = "followup"
url = "{srv.url("/followup.sitmon.json")}"

[[feeds]]
name = "news"
url = "{srv.url("/news.json")}"
format = "jsonfeed"

[[feeds]]
name = "off"
url = "{srv.url("/nothing")}"
enabled = false
""",
    )
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 0, err
    assert "followup: control flip: Homs" in out and "news: " in out
    store = Store.open(store_path)
    assert store.feed_state("followup")["etag"]
    # scoped by the feed's feed_url, not by its configured name (#11)
    assert "jf-example_org_newsroom_feed_json-manbij-2024-12-09" in store.tables["event"]
    snap = snapshot(store_path)
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 0 and out.count("not modified") == 2
    assert snapshot(store_path) == snap
    assert srv.hits("/nothing") == 0


# ------------------------------------------------------------------ failures


def _bomb() -> bytes:
    return gzip.compress(b" " * (32 * 1024 * 1024), compresslevel=9)


BAD_ROUTES = {
    "server-error": [Reply(500, headers={"Retry-After": "0"})],
    "rate-limited": [Reply(429, headers={"Retry-After": "0"})],
    "html-200": [
        Reply(
            200,
            b"<!DOCTYPE html><html><body>Please log in</body></html>",
            {"Content-Type": "text/html"},
        )
    ],
    "gzip-bomb": [Reply(200, _bomb(), {"Content-Encoding": "gzip"})],
    "truncated": [Reply(200, b'{"sitmon_feed": 1, "events": [', content_length=10_000)],
    "slow-drip": [Reply(200, b'{"sitmon_feed": 1}' + b" " * 300, drip=1, drip_delay=0.02)],
    "redirect-loop": [Reply(302, headers={"Location": "/redirect-loop"})],
    "not-found": [Reply(404)],
    "nan": [Reply(200, b'{"sitmon_feed": 1, "figures": [{"value": NaN}]}')],
    "wrong-shape": [Reply(200, b'{"hello": "world"}')],
    "empty": [Reply(200, b"")],
    "bad-version": [Reply(200, b'{"sitmon_feed": 99}')],
}
EXPECT = {
    "server-error": "HTTP 500",
    "rate-limited": "HTTP 429",
    "html-200": "HTML page",
    "gzip-bomb": "limit (decompressed)",
    "truncated": "truncated",
    "slow-drip": "deadline",
    "redirect-loop": "redirect loop",
    "not-found": "HTTP 404",
    "nan": "NaN/Infinity",
    "wrong-shape": "unknown feed format",
    "empty": "empty",
    "bad-version": "unsupported `sitmon_feed` version",
}


@pytest.mark.parametrize("case", sorted(BAD_ROUTES))
def test_bad_feeds_fail_with_one_line_and_leave_the_store_byte_identical(
    case, srv, store_path, tmp_path, capsys
):
    srv.route(f"/{case}", BAD_ROUTES[case])
    cfg = write_config(
        tmp_path,
        f"""
[[feeds]]
name = "bad"
url = "{srv.url("/" + case)}"
timeout = 1
max_bytes = 1048576
[feeds.headers]
Authorization = "Bearer ${{SITMON_TEST_TOKEN}}"
""",
    )
    snap = snapshot(store_path)
    with mock.patch.dict(os.environ, {"SITMON_TEST_TOKEN": TOKEN}):
        rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 1
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("sitmon: feed 'bad': ")
    assert EXPECT[case] in err
    assert TOKEN not in err
    assert snapshot(store_path) == snap


def test_one_failing_feed_does_not_block_the_others(srv, store_path, tmp_path, capsys):
    srv.serve_file("/followup.sitmon.json", FOLLOWUP)
    srv.route("/broken", Reply(200, b"<html>"))
    cfg = write_config(
        tmp_path,
        f"""
[[feeds]]
name = "broken"
url = "{srv.url("/broken")}"
[[feeds]]
name = "followup"
url = "{srv.url("/followup.sitmon.json")}"
""",
    )
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 1
    assert "followup: control flip: Homs" in out
    assert "feed 'broken'" in err and "1 of 2 feeds failed" in err


def test_missing_env_var_names_the_variable_not_a_value(srv, store_path, tmp_path, capsys):
    cfg = write_config(
        tmp_path,
        f"""
[[feeds]]
name = "acled"
url = "{srv.url("/acled")}"
[feeds.headers]
Authorization = "Bearer ${{SITMON_UNSET_VAR_XYZ}}"
""",
    )
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 1 and "SITMON_UNSET_VAR_XYZ" in err and "not set" in err
    assert srv.hits("/acled") == 0


def test_refresh_without_feeds_and_usage_errors(store_path, capsys):
    rc, out, err = cli(capsys, store_path, "refresh")
    assert rc == 1 and "no feeds configured" in err and err.count("\n") == 1
    rc, out, err = cli(capsys, store_path, "refresh", "--feed", "nosuchname")
    assert rc == 1 and "no feed named 'nosuchname'" in err
    with pytest.raises(SystemExit) as info:
        main(["--store", str(store_path), "refresh", "--format", "atom"])
    assert info.value.code == 2


def test_ucdp_pages_are_followed_up_to_the_limit(srv, store_path, capsys):
    srv.serve_file("/ucdp/sample.ucdp.page1.json", FEEDS / "sample.ucdp.page1.json")
    srv.serve_file("/ucdp/sample.ucdp.page2.json", FEEDS / "sample.ucdp.page2.json")
    store = Store.open(store_path)
    feed = FeedConfig(name="ucdp", url=srv.url("/ucdp/sample.ucdp.page1.json"))
    result = refresh_feed(store, feed)
    assert result.ok and result.pages == 2 and result.format == "ucdp"
    assert {"ucdp-9000001", "ucdp-9000004"} <= set(store.tables["event"])
    # a page that points at itself forever stops at max_pages
    page = json.loads((FEEDS / "sample.ucdp.page1.json").read_text())
    page["NextPageUrl"] = "loop?page=2"
    srv.route(
        "/ucdp/loop",
        lambda req: Reply(
            200,
            json.dumps(
                dict(
                    page,
                    NextPageUrl=f"loop?page={int(req.path.rsplit('=', 1)[-1]) + 1 if '=' in req.path else 2}",
                )
            ).encode(),
        ),
    )
    looped = refresh_feed(store, FeedConfig(name="loop", url=srv.url("/ucdp/loop"), max_pages=3))
    assert looped.ok and looped.pages == 3 and "stopped after 3 pages" in looped.message


# ------------------------------------------------------------------ import


@pytest.mark.parametrize(
    ("name", "fmt", "expect_ids"),
    [
        ("followup.sitmon.json", "sitmon", {"cc-homs-2024-12-08-hts_led"}),
        (
            "sample.jsonfeed.json",
            "jsonfeed",
            {"jf-example_org_newsroom_feed_json-manbij-2024-12-09"},
        ),
        ("sample.geojson", "geojson", {"geo-manbij-2024-12-09-sna", "example_crossing"}),
        (
            "sample.acled.json",
            "acled",
            {"acled-SYNTH0002", "acled-SYNTH0002-control", "acled-synthville"},
        ),
        ("sample.ucdp.json", "ucdp", {"ucdp-9000001", "ucdp-synthville"}),
    ],
)
def test_import_every_format_from_the_examples(name, fmt, expect_ids, store_path, capsys):
    rc, out, err = cli(capsys, store_path, "import", str(FEEDS / name))
    assert rc == 0, err
    assert f": {fmt}: " in out and "0 rejected" in out
    store = Store.open(store_path)
    ids = {rid for table in store.tables.values() for rid in table}
    assert expect_ids <= ids
    # importing the same document again changes nothing and writes nothing
    snap = snapshot(store_path)
    rc, out, err = cli(capsys, store_path, "import", str(FEEDS / name))
    assert rc == 0 and "0 added, 0 updated" in out
    assert snapshot(store_path) == snap


def test_import_from_stdin_and_bad_input(store_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FOLLOWUP.read_bytes())))
    rc, out, err = cli(capsys, store_path, "import", "-")
    assert rc == 0 and "control flip: Homs" in out
    snap = snapshot(store_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"<html>login</html>")))
    rc, out, err = cli(capsys, store_path, "import", "-")
    assert rc == 1 and "HTML page" in err and err.count("\n") == 1
    assert snapshot(store_path) == snap


# ------------------------------------------------------------------ validate


def test_validate_reports_each_bad_record_precisely(store_path, tmp_path, capsys):
    doc = json.loads(FOLLOWUP.read_text())
    doc["events"][0]["type"] = "massacre"
    doc["control"][0]["place"] = "atlantis"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    snap = snapshot(store_path)
    rc, out, err = cli(capsys, store_path, "validate", str(bad))
    assert rc == 1
    lines = out.splitlines()
    assert len(lines) == 2, out
    ev, cc = doc["events"][0]["id"], doc["control"][0]["id"]
    assert any(line.startswith(f"event '{ev}': field `type`:") for line in lines)
    assert any(
        line.startswith(f"control '{cc}': field `place`: unknown place 'atlantis'")
        for line in lines
    )
    assert "2 invalid record(s)" in err
    assert snapshot(store_path) == snap

    rc, out, err = cli(capsys, store_path, "validate", str(FOLLOWUP))
    assert rc == 0 and "ok (sitmon)" in out


def test_validate_a_url_never_writes(srv, tmp_path, capsys):
    srv.serve_file("/a.json", FEEDS / "sample.acled.json")
    missing_store = tmp_path / "never-created.json"
    rc, out, err = cli(capsys, missing_store, "validate", srv.url("/a.json"))
    assert rc == 0 and "ok (acled)" in out
    assert not missing_store.exists()
    srv.route("/h", Reply(200, b"<html></html>"))
    rc, out, err = cli(capsys, missing_store, "validate", srv.url("/h"))
    assert rc == 1 and "HTML page" in err


# ------------------------------------------------------------------ property


def _doc(seed: int) -> dict:
    """A good sitmon feed: part of the follow-up plus one new event of its own."""
    base = json.loads(FOLLOWUP.read_text())
    keep = [e for i, e in enumerate(base["events"]) if (seed >> (i % 12)) & 1]
    keep.append(
        {
            "id": f"ev-prop-{seed}",
            "time": "2024-12-08T12:00:00+03:00",
            "title": f"Property event {seed}",
            "updated_at": "2024-12-08T12:00:00+03:00",
            "sources": [{"source": "sohr"}],
        }
    )
    return {"sitmon_feed": 1, "sources": base["sources"], "events": keep}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(["good", "corrupt", "crash", "html"]), st.integers(0, 2**16)),
        min_size=1,
        max_size=6,
    )
)
def test_refresh_sequences_never_lose_a_committed_record(steps):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "store.json"
        store = Store.open(path)
        committed = {(kind_of(r), r.id) for t in store.tables.values() for r in t.values()}
        feed_file = Path(d) / "feed.json"
        feed = FeedConfig(name="prop", url=str(feed_file))
        for n, (action, seed) in enumerate(steps):
            body = json.dumps(_doc(seed)).encode()
            if action == "corrupt":
                body = body[: seed % max(1, len(body) - 1)]
            elif action == "html":
                body = b"<html><body>maintenance</body></html>"
            feed_file.write_bytes(body + b" " * n)  # a new size: never "not modified"
            before = path.read_bytes()
            if action == "crash":  # the process dies before the new file replaces the old
                with mock.patch(
                    "sitmon.store.storage.os.replace", side_effect=OSError(5, "I/O error")
                ):
                    result = refresh_feed(store, feed)
            else:
                result = refresh_feed(store, feed)
            if action == "good":
                assert result.ok, result.message
                committed |= {k for k in result.changes.touched_ids()}
            else:
                assert not result.ok and "\n" not in result.message
                assert path.read_bytes() == before
            on_disk = Store.open(path, seed=False)
            have = {(kind_of(r), r.id) for t in on_disk.tables.values() for r in t.values()}
            assert committed <= have
            assert not [p for p in os.listdir(d) if ".sitmon-tmp-" in p]
