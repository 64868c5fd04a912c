"""Quit means exit: the real app in a pty, a refresh stalled on a real 127.0.0.1 server.

`q`, Ctrl+Q and Ctrl+C with a refresh in flight (slow headers, a 429 asking to wait,
a slow body) end the process within 1 s; SIGTERM and SIGHUP restore the terminal
(alternate screen left, mouse reporting off: checked in the raw pty bytes) and exit
within 1 s; the interrupted refresh writes nothing. The 1 s is a bound on the
process's exit after the key or signal, not a micro-timing.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sitmon.store import Store

from tests.support.feedserver import FeedServer, Reply
from tests.support.pty_harness import PtyApp, sitmon_argv

pytestmark = pytest.mark.slow

QUIT_WITHIN = 1.0
BODY = b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}'

STALLS = {
    # status line and headers one byte every 0.5 s: ~40 s of headers
    "slow-headers": Reply(200, BODY, header_drip_delay=0.5),
    # 429 asking for 30 s, inside the 60 s deadline: the refresh sleeps before retrying
    "retry-after": Reply(429, headers={"Retry-After": "30"}),
    # the body one byte every 0.5 s
    "slow-body": Reply(200, BODY, drip=1, drip_delay=0.5),
}
KEYS = {"q": "q", "ctrl+q": "\x11", "ctrl+c": "\x03"}


def start(tmp_path: Path, srv: FeedServer, stall: str) -> tuple[PtyApp, Path]:
    srv.route("/feed", STALLS[stall])
    store = tmp_path / "s.json"
    Store.open(store)  # the bundled dataset
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[[feeds]]\nname = "stalled"\nurl = "{srv.url("/feed")}"\ntimeout = 60\ninterval = 3600\n'
    )
    env = {"SITMON_CONFIG": str(cfg), "HOME": str(tmp_path)}
    app = PtyApp(sitmon_argv("--store", str(store)), cols=120, rows=40, env=env)
    try:
        app.wait_text("as of 2024-12-05", 60)
        app.wait_for(lambda _: srv.hits("/feed") > 0, 60, "the refresh to reach the server")
        app.wait_text("refreshing", 30)
    except BaseException:
        app.close()
        raise
    return app, store


def quit_time(app: PtyApp, action, expect: int = 0) -> float:
    start = time.monotonic()
    action()
    code = app.wait_exit(30)
    took = time.monotonic() - start
    assert code == expect, f"exit code {code}"
    return took


@pytest.mark.parametrize("key", sorted(KEYS))
@pytest.mark.parametrize("stall", sorted(STALLS))
def test_quit_keys_exit_within_a_second_with_a_refresh_in_flight(tmp_path, stall, key):
    with FeedServer() as srv:
        app, store = start(tmp_path, srv, stall)
        before = store.read_bytes()
        with app:
            took = quit_time(app, lambda: app.press(KEYS[key]))
        assert took < QUIT_WITHIN, f"{key} with {stall} in flight: exited after {took:.2f} s"
        assert store.read_bytes() == before  # the interrupted refresh wrote nothing


def modes_restored(raw: bytes) -> None:
    """The alternate screen and mouse reporting were switched off after they were last on."""
    for on, off in [
        (b"\x1b[?1049h", b"\x1b[?1049l"),  # alternate screen
        (b"\x1b[?1000h", b"\x1b[?1000l"),  # mouse button reporting
        (b"\x1b[?1003h", b"\x1b[?1003l"),  # mouse motion reporting
    ]:
        assert on in raw, f"{on!r} was never sent: the check would prove nothing"
        assert raw.rfind(off) > raw.rfind(on), f"{on!r} left on at exit"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_restores_the_terminal_and_exits_within_a_second(tmp_path, sig):
    with FeedServer() as srv:
        app, store = start(tmp_path, srv, "slow-headers")
        before = store.read_bytes()
        with app:
            took = quit_time(app, lambda: os.kill(app.pid, sig), expect=128 + sig)
            raw = bytes(app.raw)
        assert took < QUIT_WITHIN, f"{sig.name}: exited after {took:.2f} s"
        modes_restored(raw)
        assert store.read_bytes() == before
