"""One deadline per fetch that nothing outlives, cancel at once, precise network errors.

Real HTTP on 127.0.0.1. The time checks are *bounds* (the fetch ends within its
deadline + 1 s), never micro-timings: a server dripping one header byte every
0.2 s would keep a per-read timeout happy for the whole head (~20 s).
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.deadline import Cancel
from sitmon.store.fetch import FetchCancelled, FetchError, fetch
from sitmon.store.refresh import refresh_feed

from tests.support.feedserver import FeedServer, Reply

DEADLINE = 2.0
SLACK = 1.0


@pytest.fixture
def srv():
    with FeedServer() as server:
        yield server


def timed_fetch(url: str, **kw) -> tuple[float, Exception | None]:
    start = time.monotonic()
    try:
        fetch(url, name="demo", timeout=DEADLINE, **kw)
    except Exception as exc:  # noqa: BLE001 - returned to the test
        return time.monotonic() - start, exc
    return time.monotonic() - start, None


def test_headers_dripping_one_byte_at_a_time_end_at_the_deadline(srv):
    srv.route("/slow-head", Reply(200, b"{}", header_drip_delay=0.2))
    took, err = timed_fetch(srv.url("/slow-head"))
    assert isinstance(err, FetchError)
    assert str(err) == (
        f"feed 'demo': {srv.url('/slow-head')} sent its response headers too slowly: not "
        "complete within the 2 s deadline; will try again at the next refresh"
    )
    assert took < DEADLINE + SLACK


def test_a_body_dripping_slowly_ends_at_the_deadline(srv):
    srv.route("/slow-body", Reply(200, b"x" * 400, drip=1, drip_delay=0.05))
    took, err = timed_fetch(srv.url("/slow-body"))
    assert isinstance(err, FetchError) and "sent the body too slowly" in str(err)
    assert took < DEADLINE + SLACK


def test_a_huge_retry_after_ends_the_fetch_at_once_naming_the_wait(srv):
    srv.route("/limited", Reply(429, headers={"Retry-After": "99999"}))
    took, err = timed_fetch(srv.url("/limited"))
    assert isinstance(err, FetchError)
    msg = str(err)
    assert msg.startswith(
        f"feed 'demo': HTTP 429 Too Many Requests from {srv.url('/limited')} asks to wait "
        "27 h 46 min (Retry-After: 99999), longer than the "
    )
    assert msg.endswith(
        " s left of the 2 s deadline; not retried now, will try again at the next refresh"
    )
    assert took < DEADLINE + SLACK and srv.hits("/limited") == 1


def test_retries_and_their_sleeps_share_the_one_deadline(srv):
    # each answer asks for 0.8 s: 4 attempts would need 2.4 s of sleep alone
    srv.route("/busy", Reply(503, headers={"Retry-After": "0.8"}))
    took, err = timed_fetch(srv.url("/busy"), attempts=4)
    assert isinstance(err, FetchError) and "asks to wait" in str(err)
    assert took < DEADLINE + SLACK and srv.hits("/busy") == 3


def wait_for_request(srv: FeedServer, path: str) -> None:
    deadline = time.monotonic() + 10
    while srv.hits(path) == 0:
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.01)  # polling the server's log for a condition, bounded


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"{}", header_drip_delay=30),  # stalled in the headers
        Reply(200, b"x" * 100, drip=1, drip_delay=30),  # stalled in the body
        Reply(503, headers={"Retry-After": "20"}),  # asleep before the retry
    ],
    ids=["headers", "body", "retry-sleep"],
)
def test_cancel_ends_a_stalled_fetch_at_once(srv, reply):
    srv.route("/stall", reply)
    cancel = Cancel()
    box: dict[str, object] = {}

    def run():
        try:
            fetch(srv.url("/stall"), name="demo", timeout=60, cancel=cancel)
        except Exception as exc:  # noqa: BLE001
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    wait_for_request(srv, "/stall")
    time.sleep(0.2)  # let the fetch block in its read or its sleep (not a correctness wait)
    start = time.monotonic()
    cancel.cancel()
    t.join(5)
    assert not t.is_alive(), "a cancelled fetch kept running"
    assert time.monotonic() - start < 1.0
    err = box["error"]
    assert isinstance(err, FetchCancelled)
    assert str(err) == (
        f"feed 'demo': {srv.url('/stall')}: cancelled (sitmon is quitting); nothing was stored"
    )


# ------------------------------------------------------------ precise errors


def test_a_bad_location_header_is_named(srv):
    srv.route("/bad", Reply(302, raw_headers=b"Location: http://exa mple.org:99999/\r\n"))
    _, err = timed_fetch(srv.url("/bad"))
    assert str(err) == (
        f"feed 'demo': HTTP 302 redirect from {srv.url('/bad')} has an invalid Location "
        "header ('http://exa mple.org:99999/'); not followed"
    )


def test_a_location_with_a_control_character_is_named(srv):
    srv.route("/ctl", Reply(302, raw_headers=b"Location: /a\x01b\r\n"))
    _, err = timed_fetch(srv.url("/ctl"))
    assert str(err).startswith(f"feed 'demo': a redirect from {srv.url('/ctl')} has an invalid")
    assert "truncated" not in str(err)


def test_oversized_headers_are_named(srv):
    srv.route("/big", Reply(200, b"{}", raw_headers=b"X-Big: " + b"a" * 200_000 + b"\r\n"))
    _, err = timed_fetch(srv.url("/big"))
    assert str(err) == (
        f"feed 'demo': {srv.url('/big')} sent oversized response headers (over the HTTP "
        "client's limit for a response head); not fetched"
    )


def test_a_304_to_a_request_without_a_validator_is_an_error(srv):
    srv.route("/304", Reply(304))
    _, err = timed_fetch(srv.url("/304"))
    assert isinstance(err, FetchError) and err.status == 304
    assert "answered 304 Not Modified to a request that sent no validator" in str(err)


def test_a_fifo_as_a_local_feed_is_refused_at_once(tmp_path):
    fifo = tmp_path / "feed.json"
    os.mkfifo(fifo)
    took, err = timed_fetch(str(fifo))
    assert str(err) == f"feed 'demo': {fifo} is not a regular file (a FIFO or a device?); not read"
    assert took < SLACK


# ------------------------------------------------- local pages stay at home


def test_a_local_document_cannot_page_outside_its_folder(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"TotalCount": 0, "Result": [], "password": "hunter2"}')
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    page1 = json.loads(
        (Path(__file__).parents[2] / "examples/feeds/sample.ucdp.page1.json").read_text()
    )
    page1["NextPageUrl"] = "../secret.json"
    (feeds / "page1.json").write_text(json.dumps(page1))

    class Feed:
        name = "ucdp"
        url = str(feeds / "page1.json")
        format = "ucdp"

    store = Store.open(tmp_path / "s.json", seed=True)
    before = store.path.read_bytes()
    result = refresh_feed(store, Feed())
    assert not result.ok
    assert result.message == (
        f"feed 'ucdp': next page '../secret.json' is outside the first document's folder "
        f"{feeds}; refused (a local document may only page to files beside it)"
    )
    assert "hunter2" not in result.message
    assert store.path.read_bytes() == before
