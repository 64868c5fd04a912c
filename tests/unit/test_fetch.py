"""The fetcher against a real HTTP server on 127.0.0.1: bounds, redirects, retries, validators."""

from __future__ import annotations

import email.utils
import gzip
import random
import time
import zlib

import pytest
from sitmon.store.fetch import (
    FetchError,
    display_url,
    fetch,
    parse_retry_after,
    resolve_next,
    user_agent,
)

from tests.support.feedserver import FeedServer, Reply

SECRET = "s3cr3t-token-value-123"


@pytest.fixture
def srv():
    with FeedServer() as server:
        yield server


class Sleeps(list):
    """An injected sleep that records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def one_line_naming_feed(exc: FetchError, name: str = "demo") -> str:
    msg = str(exc)
    assert "\n" not in msg
    assert msg.startswith(f"feed {name!r}: ")
    return msg


def test_plain_get_sends_user_agent_and_accept(srv):
    srv.route("/a", Reply(200, b'{"ok": 1}', {"ETag": '"v1"'}))
    r = fetch(srv.url("/a"), name="demo")
    assert r.status == 200 and r.body == b'{"ok": 1}' and r.etag == '"v1"'
    req = srv.log[-1]
    assert req.headers["user-agent"] == user_agent()
    assert user_agent().startswith("sitmon/")
    assert "gzip" in req.headers["accept-encoding"]


def test_conditional_get_etag_and_last_modified(srv):
    srv.serve_bytes("/feed.json", b'{"x": 1}')
    first = fetch(srv.url("/feed.json"), name="demo")
    assert first.etag and first.last_modified
    again = fetch(srv.url("/feed.json"), name="demo", etag=first.etag)
    assert again.not_modified and again.status == 304 and again.body == b""
    by_date = fetch(srv.url("/feed.json"), name="demo", last_modified=first.last_modified)
    assert by_date.not_modified
    assert srv.log[-1].headers["if-modified-since"] == first.last_modified


def test_gzip_body_is_decompressed(srv):
    srv.serve_bytes("/gz", b'{"big": "' + b"a" * 100_000 + b'"}', gzip_body=True)
    r = fetch(srv.url("/gz"), name="demo")
    assert r.body.startswith(b'{"big": "aaa') and len(r.body) == 100_011


def test_deflate_body_is_decompressed(srv):
    body = b'{"z": 1}'
    srv.route("/zlib", Reply(200, zlib.compress(body), {"Content-Encoding": "deflate"}))
    comp = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = comp.compress(body) + comp.flush()
    srv.route("/raw", Reply(200, raw_deflate, {"Content-Encoding": "deflate"}))
    assert fetch(srv.url("/zlib"), name="demo").body == body
    assert fetch(srv.url("/raw"), name="demo").body == body


def test_gzip_bomb_is_stopped_by_the_cap(srv):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    srv.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/bomb"), name="demo", max_bytes=1024 * 1024)
    msg = one_line_naming_feed(info.value)
    assert "over the 1048576-byte limit (decompressed)" in msg


def test_plain_body_over_the_cap(srv):
    srv.route("/big", Reply(200, b"x" * 50_000))
    with pytest.raises(FetchError, match="over the 10000-byte limit"):
        fetch(srv.url("/big"), name="demo", max_bytes=10_000)


def test_slow_drip_is_stopped_by_the_total_deadline(srv):
    srv.route("/drip", Reply(200, b"[" + b" " * 400 + b"]", drip=1, drip_delay=0.02))
    t0 = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/drip"), name="demo", timeout=1.0)
    elapsed = time.monotonic() - t0
    # Without the deadline the drip takes 402 x 0.02 s = 8 s or more; with it, 1 s plus
    # scheduling. 6 s tells the two apart with room for a loaded 2-core machine (the
    # deadline's precision is measured in tests/unit/test_fetch_deadline.py).
    assert elapsed < 6.0
    msg = one_line_naming_feed(info.value)
    assert "deadline" in msg


def test_truncated_body_is_an_error(srv):
    srv.route("/short", Reply(200, b'{"a": 1', content_length=5000))
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/short"), name="demo")
    assert "truncated" in one_line_naming_feed(info.value)


def test_redirect_chain_is_followed(srv):
    for i in range(3):
        srv.route(f"/r{i}", Reply(302, headers={"Location": f"/r{i + 1}"}))
    srv.route("/r3", Reply(200, b"[]"))
    r = fetch(srv.url("/r0"), name="demo")
    assert r.body == b"[]" and r.final_url == srv.url("/r3")


def test_too_many_redirects(srv):
    for i in range(7):
        srv.route(f"/r{i}", Reply(301, headers={"Location": srv.url(f"/r{i + 1}")}))
    srv.route("/r7", Reply(200, b"[]"))
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/r0"), name="demo")
    assert "too many redirects (more than 5)" in one_line_naming_feed(info.value)
    # exactly five hops is fine
    assert fetch(srv.url("/r2"), name="demo").body == b"[]"


def test_redirect_loop(srv):
    srv.route("/a", Reply(302, headers={"Location": "/b"}))
    srv.route("/b", Reply(302, headers={"Location": "/a"}))
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/a"), name="demo")
    assert "redirect loop" in one_line_naming_feed(info.value)


def test_redirect_to_file_url_is_refused(srv, tmp_path):
    secret_file = tmp_path / "passwd.json"
    secret_file.write_text('{"secret": 1}')
    srv.route("/evil", Reply(302, headers={"Location": secret_file.as_uri()}))
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/evil"), name="demo")
    assert "file: URL refused" in one_line_naming_feed(info.value)


def test_https_to_http_downgrade_is_refused():
    with pytest.raises(FetchError, match="https to http refused"):
        resolve_next("https://example.org/feed", "http://example.org/feed")
    with pytest.raises(FetchError, match="only http and https"):
        resolve_next("https://example.org/feed", "ftp://example.org/feed")
    with pytest.raises(FetchError, match="file: URL refused"):
        resolve_next("http://example.org/feed", "file:///etc/passwd")
    assert resolve_next("http://example.org/a/b", "c?x=1") == "http://example.org/a/c?x=1"
    assert resolve_next("http://example.org/a", "https://example.org/b") == "https://example.org/b"


def test_secret_headers_never_follow_a_redirect_to_another_origin():
    with FeedServer() as a, FeedServer() as b:
        a.route("/feed", Reply(302, headers={"Location": b.url("/feed")}))
        b.route("/feed", Reply(200, b"[]"))
        fetch(a.url("/feed"), name="demo", headers={"Authorization": f"Bearer {SECRET}"})
        assert a.log[0].headers["authorization"] == f"Bearer {SECRET}"
        assert "authorization" not in b.log[0].headers


def test_429_with_retry_after_seconds_then_success(srv):
    srv.route(
        "/limited",
        [
            Reply(429, headers={"Retry-After": "7"}),
            Reply(429, headers={"Retry-After": "3"}),
            Reply(200, b"[]"),
        ],
    )
    sleeps = Sleeps()
    r = fetch(srv.url("/limited"), name="demo", sleep=sleeps)
    assert r.body == b"[]" and r.attempts == 3
    assert sleeps == [7.0, 3.0] == r.delays


def test_retry_after_http_date_and_clamp(srv):
    now = time.time()
    date = email.utils.formatdate(now + 20, usegmt=True)
    srv.route(
        "/busy",
        [
            Reply(503, headers={"Retry-After": date}),
            Reply(503, headers={"Retry-After": "90"}),
            Reply(200, b"{}"),
        ],
    )
    sleeps = Sleeps()
    fetch(srv.url("/busy"), name="demo", sleep=sleeps, wall_clock=lambda: now, timeout=600)
    assert 18 <= sleeps[0] <= 20
    assert sleeps[1] == 60.0  # clamped (the 600 s deadline has room for the 90 s asked)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("soon") is None


def test_500s_back_off_exponentially_with_full_jitter_then_give_up(srv):
    srv.route("/down", Reply(500))
    sleeps = Sleeps()
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/down"), name="demo", sleep=sleeps, attempts=4, rng=random.Random(7))
    msg = one_line_naming_feed(info.value)
    assert "HTTP 500" in msg and "after 4 attempt(s)" in msg and "next refresh" in msg
    assert len(sleeps) == 3 and srv.hits("/down") == 4
    for i, delay in enumerate(sleeps):
        assert 0 <= delay <= 2**i  # full jitter: uniform(0, base * 2**i)
    expected = random.Random(7)
    assert sleeps == [expected.uniform(0, 2**i) for i in range(3)]


def test_other_4xx_are_not_retried(srv):
    srv.route("/missing", Reply(404))
    sleeps = Sleeps()
    with pytest.raises(FetchError) as info:
        fetch(srv.url("/missing"), name="demo", sleep=sleeps)
    assert "HTTP 404" in one_line_naming_feed(info.value)
    assert sleeps == [] and srv.hits("/missing") == 1


def test_errors_never_contain_secret_header_values(srv):
    srv.route("/deny", Reply(401))
    srv.route("/down", Reply(503))
    for path in ("/deny", "/down"):
        with pytest.raises(FetchError) as info:
            fetch(
                srv.url(path) + "?api_key=" + SECRET,
                name="demo",
                headers={"Authorization": f"Bearer {SECRET}", "X-Key": SECRET},
                sleep=lambda s: None,
                attempts=2,
            )
        assert SECRET not in str(info.value)
    assert display_url("https://user:pw@example.org/x?key=1&q=syria#frag") == (
        "https://***@example.org/x?key=***&q=syria"
    )


def test_connection_refused_is_one_line():
    with FeedServer() as s:
        url = s.url("/gone")
    with pytest.raises(FetchError) as info:
        fetch(url, name="demo", timeout=2)
    assert "could not connect" in one_line_naming_feed(info.value)


def test_local_file_and_file_url_with_cap(tmp_path):
    p = tmp_path / "feed.json"
    p.write_bytes(b'{"a": 1}')
    r = fetch(str(p), name="demo")
    assert r.body == b'{"a": 1}' and r.etag
    assert fetch(p.as_uri(), name="demo").body == b'{"a": 1}'
    assert fetch(str(p), name="demo", etag=r.etag).not_modified
    p.write_bytes(b"x" * 5000)
    with pytest.raises(FetchError, match="over the 1024-byte limit"):
        fetch(str(p), name="demo", max_bytes=1024)
    with pytest.raises(FetchError, match="no such file"):
        fetch(str(tmp_path / "nope.json"), name="demo")
