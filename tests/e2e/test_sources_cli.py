"""The new sources end to end: validate, import and refresh over 127.0.0.1 with a real store
file; paging, rate limits, one-line errors that leave the store byte-identical; secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.refresh import refresh_feed
from sitmon.tui.config import FeedConfig

from tests.support.cli import cli
from tests.support.feedserver import FeedServer, Reply, Request

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "examples" / "feeds"
APPNAME = "desk-appname-5ecret-91c2"
LITERAL = "literal-appname-77aa"  # written into the url itself, not through ${VAR}
HAPI_ID = "ZGVzazpkZXNrQGV4YW1wbGUub3Jn"


def ids(store_path: Path) -> set[str]:
    store = Store.open(store_path)
    return {rid for table in store.tables.values() for rid in table}


EXAMPLES = [
    (
        "sample.rss.xml",
        "rss",
        "event: 3, source: 1",
        {"rss-news_example_org_syria-wire-2024-12-07-0001"},  # the channel's link
    ),
    (
        "sample.atom.xml",
        "rss",
        "event: 2, source: 1",
        {"feed-tag_briefings_example_org_2024_syria"},  # the Atom feed's <id>
    ),
    (
        "sample.gdelt.json",
        "gdelt",
        "event: 3, source: 3",
        {
            "gdelt-sample_gdelt_json-https://haber.example.com.tr/2024/12/07/humus",
            "outlet-haber_example_com_tr",
        },
    ),
    (
        "sample.reliefweb.json",
        "reliefweb",
        "event: 2, source: 3",
        {"rw-sample_reliefweb_json-9000101", "org-ocha"},
    ),
    (
        "sample.hapi.json",
        "hapi",
        "figure: 7, source: 1",
        {"hapi-sample_hapi_json-SYR-SY02-x-political_violence-2024-11-01-fatalities"},
    ),
    (
        "sample.events.geojson",
        "geojson",
        "event: 3, source: 1",
        {"geo-example_desk_event_points_synthetic-evt-001"},  # the document's name
    ),
]


@pytest.mark.parametrize(("name", "fmt", "counts", "expect_ids"), EXAMPLES)
def test_validate_and_import_each_example(name, fmt, counts, expect_ids, store_path, capsys):
    rc, out, err = cli(capsys, store_path, "validate", str(FEEDS / name))
    assert rc == 0, err
    summary = ", ".join(f"{n} {k}" for k, n in (p.split(": ") for p in counts.split(", ")))
    assert out.strip() == f"{name}: ok ({fmt}): {summary}"
    rc, out, err = cli(capsys, store_path, "import", str(FEEDS / name))
    assert rc == 0, err
    assert f"{name}: {fmt}: " in out and "0 rejected" in out
    assert expect_ids <= ids(store_path)
    # importing the same document again changes nothing (a version that only moved
    # with the arrival time is no change)
    rc, out, err = cli(capsys, store_path, "import", str(FEEDS / name))
    assert rc == 0 and "0 added, 0 updated" in out
    store = Store.open(store_path)
    if fmt == "hapi":
        homs = store.tables["figure"][
            "hapi-sample_hapi_json-SYR-SY04-x-civilian_targeting-2024-11-01-events"
        ]
        assert homs.value == 6.0 and homs.note.endswith("fatalities: not reported")


def serve_examples(srv: FeedServer) -> None:
    srv.serve_file("/news.rss", FEEDS / "sample.rss.xml", content_type="application/rss+xml")
    srv.serve_file("/brief.atom", FEEDS / "sample.atom.xml", content_type="application/atom+xml")
    srv.serve_file("/events.geojson", FEEDS / "sample.events.geojson")
    srv.serve_file("/hapi", FEEDS / "sample.hapi.json")


def test_refresh_rss_atom_geojson_and_hapi_over_loopback(
    srv, store_path, tmp_path, capsys, monkeypatch
):
    serve_examples(srv)
    hapi_url = srv.url("/hapi?location_code=SYR&start_date=2024-11-01&app_identifier=${HAPI_APP}")
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[[feeds]]\nname = "wire"\nurl = "{srv.url("/news.rss")}"\n'
        f'[[feeds]]\nname = "briefs"\nurl = "{srv.url("/brief.atom")}"\n'
        f'[[feeds]]\nname = "points"\nurl = "{srv.url("/events.geojson")}"\n'
        f'[[feeds]]\nname = "hapi"\nformat = "hapi"\nurl = "{hapi_url}"\n'
    )
    monkeypatch.setenv("HAPI_APP", HAPI_ID)
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 0, err
    assert out.splitlines() == [
        "wire: 4 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",  # 3 events, 1 source
        "briefs: 3 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
        "points: 4 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
        "hapi: 8 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",  # 7 figures, 1 source
    ]
    got = ids(store_path)
    assert {
        "rss-wire-wire-2024-12-07-0001",
        "geo-points-evt-001",
        "hapi-hapi-SYR-SY05-SY0500-political_violence-2024-12-01-fatalities",
    } <= got
    hapi_req = next(r for r in srv.log if r.path.startswith("/hapi"))
    assert f"app_identifier={HAPI_ID}" in hapi_req.path  # expanded for the request only
    for r in srv.log:
        assert r.headers["user-agent"].startswith("sitmon/")


def test_hapi_without_start_date_warns_on_refresh(srv, store_path, tmp_path, capsys):
    serve_examples(srv)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[[feeds]]\nname = "hapi"\nurl = "{srv.url("/hapi?location_code=SYR")}"\n')
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 0
    assert err.splitlines() == [
        "sitmon: hapi: warning: the request has no start_date: HDX HAPI returns at most 10,000 rows "
        "and silently drops the rest; add start_date (and end_date) to the url"
    ]


def _reliefweb_pages(srv: FeedServer) -> None:
    doc = json.loads((FEEDS / "sample.reliefweb.json").read_text())

    def handler(req: Request) -> Reply:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query)
        if query.get("appname") == [LITERAL]:
            query["appname"] = [APPNAME]  # a second approved name, for the secrets test
        if query.get("appname") != [APPNAME]:
            return Reply(403, b'{"status": 403, "error": {"message": "appname not approved"}}')
        offset = int(query.get("offset", ["0"])[0])
        page = dict(doc, data=doc["data"][offset : offset + 1], count=1)
        if offset == 0:  # the API's next link repeats the whole query, appname included
            page["links"] = {"next": {"href": srv.url(f"/rw?appname={APPNAME}&offset=1")}}
        return Reply(200, json.dumps(page).encode())

    srv.route("/rw", handler)


def test_reliefweb_pages_are_followed_and_403_explains_the_appname(srv, store_path):
    _reliefweb_pages(srv)
    store = Store.open(store_path)
    feed = FeedConfig(name="rw", url=srv.url("/rw?appname=${RW_APPNAME}&limit=1"))
    result = refresh_feed(store, feed, env={"RW_APPNAME": APPNAME})
    assert result.ok, result.message
    assert (result.pages, result.format) == (2, "reliefweb")
    assert {"rw-rw-9000101", "rw-rw-9000102", "org-ocha", "org-ern"} <= ids(store_path)
    assert result.url == srv.url("/rw?appname=***&limit=1")

    before = store_path.read_bytes()
    denied = refresh_feed(
        store, FeedConfig(name="rw2", url=srv.url("/rw?limit=1"), format="reliefweb")
    )
    assert not denied.ok
    assert denied.message == (
        "feed 'rw2': ReliefWeb API v2 answers 403 unless the url carries an approved appname "
        "(appname=${RELIEFWEB_APPNAME}; request one at "
        "https://apidoc.reliefweb.int/parameters#appname)"
    )
    assert store_path.read_bytes() == before


def test_reliefweb_paging_stops_at_the_page_limit(srv, store_path):
    doc = json.loads((FEEDS / "sample.reliefweb.json").read_text())
    doc["links"] = {"next": {"href": "/rw-loop?page=again"}}
    n = iter(range(100))

    def handler(req: Request) -> Reply:
        page = dict(doc, links={"next": {"href": f"/rw-loop?page={next(n)}"}})
        return Reply(200, json.dumps(page).encode())

    srv.route("/rw-loop", handler)
    store = Store.open(store_path)
    result = refresh_feed(store, FeedConfig(name="rwl", url=srv.url("/rw-loop"), max_pages=3))
    assert result.ok and result.pages == 3
    assert "stopped after 3 pages; raise max_pages to read more" in result.message


def _gdelt_doc(*indexes: int) -> bytes:
    arts = json.loads((FEEDS / "sample.gdelt.json").read_text())["articles"]
    return json.dumps({"articles": [arts[i] for i in indexes]}).encode()


def test_gdelt_pages_back_in_time_waiting_its_interval(srv, store_path):
    def handler(req: Request) -> Reply:
        if "ENDDATETIME=20241207191459" in req.path:
            return Reply(200, _gdelt_doc(2))  # the oldest article: a short last page
        return Reply(200, _gdelt_doc(0, 1))

    srv.route("/gdelt", handler)
    slept: list[float] = []
    store = Store.open(store_path)
    url = srv.url("/gdelt?query=syria&mode=artlist&format=json&maxrecords=2")
    result = refresh_feed(store, FeedConfig(name="g", url=url, format="gdelt"), sleep=slept.append)
    assert result.ok, result.message
    assert result.pages == 2 and slept == [5.0]  # one request every 5 seconds
    assert [r.path.split("?")[0] for r in srv.log] == ["/gdelt", "/gdelt"]
    assert sum(1 for i in ids(store_path) if i.startswith("gdelt-g-")) == 3
    for r in srv.log:
        assert r.headers["user-agent"].startswith("sitmon/")


def test_gdelt_429_is_retried_no_sooner_than_its_stated_interval(srv, store_path):
    limited = Reply(
        429,
        b"<html><body>Please limit requests to one every 5 seconds or contact "
        b"kalev.leetaru5@gmail.com for larger queries.</body></html>",
        headers={"Content-Type": "text/html"},
    )
    srv.route("/gdelt", [limited, Reply(200, _gdelt_doc(0, 1, 2))])
    slept: list[float] = []
    store = Store.open(store_path)
    result = refresh_feed(
        store,
        FeedConfig(
            name="g", url=srv.url("/gdelt?query=syria&mode=artlist&format=json"), format="gdelt"
        ),
        sleep=slept.append,
    )
    assert result.ok, result.message
    assert slept == [5.0] and [r.path.split("?")[0] for r in srv.log] == ["/gdelt", "/gdelt"]


def test_gdelt_429_asking_longer_than_the_deadline_fails_at_once(srv, store_path):
    srv.route("/gdelt", Reply(429, b"Please limit requests to one every 60 seconds."))
    slept: list[float] = []
    before = store_path.read_bytes()
    feed = FeedConfig(name="g", url=srv.url("/gdelt?query=syria"), format="gdelt", timeout=5)
    result = refresh_feed(Store.open(store_path), feed, sleep=slept.append)
    assert not result.ok and slept == [] and srv.hits("/gdelt?query=syria") == 1
    assert result.message.startswith(
        f"feed 'g': HTTP 429 Too Many Requests from {srv.url('/gdelt?query=syria')} asks to "
        "wait 60 s (Retry-After: none; body: one every 60 s), longer than the "
    )
    assert result.message.endswith(
        " of the 5 s deadline; not retried now, will try again at the next refresh"
    )
    assert store_path.read_bytes() == before


def test_gdelt_no_results_is_success(srv, store_path, tmp_path, capsys):
    srv.route("/gdelt", Reply(200, b"{}"))
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[[feeds]]\nname = "g"\nformat = "gdelt"\nurl = "{srv.url("/gdelt?q=x")}"\n')
    before = set(Store.open(store_path).tables["event"])
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 0, err
    assert err == ""
    assert out.splitlines() == [
        "g: GDELT found no articles for this query (no `articles` key)",
        "g: 0 added, 0 updated, 0 deleted, 0 unchanged, 0 rejected",
    ]
    assert set(Store.open(store_path).tables["event"]) == before


BAD = {
    "html-page": (
        None,
        Reply(
            200,
            b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Login</body></html>",
            headers={"Content-Type": "text/html"},
        ),
        "the body is an HTML page, not JSON (a login, error or captive-portal page?); "
        "it starts with '<!DOCTYPE html>\\n<html><h'",
    ),
    "gdelt-error": (
        "gdelt",
        Reply(
            200,
            b"Your search contained a keyword that is too short.\n",
            headers={"Content-Type": "text/html"},
        ),
        "GDELT answered with an error instead of articles: Your search contained a keyword "
        "that is too short.",
    ),
    "bad-rss": (
        None,
        Reply(
            200,
            b'<?xml version="1.0"?>\n<rss version="2.0"><channel><item><title>x</ti',
            headers={"Content-Type": "application/rss+xml"},
        ),
        "not a readable RSS or Atom feed: line 2, column 42: unclosed token",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sources_fail_with_one_line_and_leave_the_store_byte_identical(
    case, srv, store_path, tmp_path, capsys
):
    fmt, reply, expected = BAD[case]
    srv.route("/bad", reply)
    cfg = tmp_path / "config.toml"
    fmt_line = f'format = "{fmt}"\n' if fmt else ""
    cfg.write_text(f'[[feeds]]\nname = "{case}"\n{fmt_line}url = "{srv.url("/bad")}"\n')
    before = store_path.read_bytes()
    stamp = os.stat(store_path).st_mtime_ns
    rc, out, err = cli(capsys, store_path, "refresh", config=cfg)
    assert rc == 1 and out == ""
    assert err.splitlines() == [f"sitmon: feed {case!r}: {expected}"]
    assert store_path.read_bytes() == before and os.stat(store_path).st_mtime_ns == stamp


# ------------------------------------------------------------------ secrets


def test_a_secret_in_the_url_appears_in_no_output_store_or_export(srv, tmp_path):
    _reliefweb_pages(srv)
    serve_examples(srv)
    srv.route("/deny", Reply(403, b"{}"))
    store_path = tmp_path / "s.json"
    Store.open(store_path)
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[[feeds]]\nname = "rw"\nurl = "{srv.url("/rw?appname=${RW_APPNAME}&limit=1")}"\n'
        f'[[feeds]]\nname = "hapi"\nurl = "{srv.url("/hapi?app_identifier=${HAPI_APP}&start_date=2024-11-01")}"\n'
        f'[[feeds]]\nname = "denied"\nformat = "reliefweb"\nurl = "{srv.url("/deny?appname=${RW_APPNAME}")}"\n'
        f'[[feeds]]\nname = "odd"\nurl = "{srv.url("/deny?search=${RW_APPNAME}")}"\n'
        f'[[feeds]]\nname = "literal"\nurl = "{srv.url("/rw?appname=" + LITERAL)}"\n'
        f'[[feeds]]\nname = "userinfo"\nurl = "http://desk:${{RW_APPNAME}}@127.0.0.1:{srv.port}/deny?x=1"\n'
    )
    env = dict(os.environ, RW_APPNAME=APPNAME, HAPI_APP=HAPI_ID, SITMON_CONFIG=str(cfg))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "sitmon.tui.cli", "--store", str(store_path), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )

    runs = [run("refresh")]
    assert runs[0].returncode == 1  # the denied feeds fail, the others go in
    assert "rw: " in runs[0].stdout and "hapi: 8 added" in runs[0].stdout
    runs += [run("validate", "rw"), run("validate", "denied"), run("info")]
    runs += [run("validate", "literal"), run("validate", srv.url("/deny?appname=" + LITERAL))]
    for view in ("all",):
        for fmt in ("text", "markdown", "json", "feed"):
            out = tmp_path / f"export-{fmt}.out"
            r = run("export", "--view", view, "--format", fmt)
            out.write_text(r.stdout)
            runs.append(r)
    # the server did get the secrets: they were used, only never shown or kept
    assert any(f"appname={APPNAME}" in r.path for r in srv.log)
    assert any(f"app_identifier={HAPI_ID}" in r.path for r in srv.log)
    # what refresh_feed hands the monitor (header, notifications) is masked too
    store = Store.open(store_path)
    results = [
        refresh_feed(store, f, env={"RW_APPNAME": APPNAME, "HAPI_APP": HAPI_ID})
        for f in (
            FeedConfig(
                name="denied", url=srv.url("/deny?appname=${RW_APPNAME}"), format="reliefweb"
            ),
            FeedConfig(name="u", url=f"http://desk:${{RW_APPNAME}}@127.0.0.1:{srv.port}/deny"),
            FeedConfig(name="rw", url=srv.url("/rw?appname=${RW_APPNAME}&limit=1")),
        )
    ]
    texts = [r.stdout + r.stderr for r in runs]
    texts += [f"{x.url} {x.message} {x.error} {x.warnings}" for x in results]
    for secret in (APPNAME, HAPI_ID, LITERAL):
        for text in texts:
            assert secret not in text
        for path in tmp_path.rglob("*"):
            if path.is_file() and path != cfg:
                assert secret.encode() not in path.read_bytes(), f"{secret} written to {path.name}"
    feeds_state = json.loads(store_path.read_text())
    assert "/rw?appname=***&limit=1" in json.dumps(feeds_state)  # the masked url is kept
    assert "/rw?appname=***" in json.dumps(feeds_state["meta"])
