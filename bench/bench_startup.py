"""Time to first paint: sitmon vs a bare Textual app, measured in the same run.

Each program runs in a pseudo-terminal (160x48, TERM=xterm-256color); the
time is from process start until its first frame is written (a marker of the
first frame appears on the pty). The bare app is Header + Static + Footer.
sitmon runs offline on (1) the bundled dataset and (2) a 100k-event store.
Reports the median of N runs and the ratio to the bare app (targets: 1.5x
and 1.6x). Never fails: benches print, they do not assert.

Run: ``python bench/bench_startup.py [--runs 7] [--events 100000]``
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("bare-ready")
        yield Footer()

Bare().run()
"""

COLS, ROWS = 160, 48


def first_paint(cmd: list[str], marker: bytes, env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from spawning ``cmd`` in a pty until ``marker`` appears in its output."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(slave)
    buf = b""
    elapsed = float("nan")
    try:
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                if marker in buf:
                    elapsed = time.perf_counter() - t0
                    break
            if proc.poll() is not None:
                break
    finally:
        try:
            os.write(master, b"\x11")  # ctrl+q
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # drain and close
        try:
            while select.select([master], [], [], 0)[0] and os.read(master, 65536):
                pass
        except OSError:
            pass
        os.close(master)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args(argv)

    from tests.support.tui_fixtures import big_store

    tmp = Path(tempfile.mkdtemp(prefix="sitmon-bench-"))
    env = dict(
        os.environ,
        TERM="xterm-256color",
        SITMON_CONFIG=str(tmp / "missing.toml"),
        COLUMNS=str(COLS),
        LINES=str(ROWS),
    )
    env.pop("NO_COLOR", None)
    env.pop("TEXTUAL", None)
    bundled = tmp / "bundled.json"
    from sitmon.store import Store

    Store.open(bundled)  # seeded once, so every run measures opening, not creating
    big = Path(tempfile.gettempdir()) / f"sitmon-bench-{args.events}.json"
    t0 = time.perf_counter()
    big_store(big, args.events)
    print(
        f"100k store: {big} (ready in {time.perf_counter() - t0:.1f} s, {big.stat().st_size / 1e6:.0f} MB)"
    )

    cases = [
        ("bare Textual app", [sys.executable, "-c", BARE_APP], b"bare-ready"),
        (
            "sitmon, bundled",
            [
                sys.executable,
                "-m",
                "sitmon",
                "--store",
                str(bundled),
                "run",
                "--no-refresh",
            ],
            b"Timeline",
        ),
        (
            f"sitmon, {args.events // 1000}k events",
            [sys.executable, "-m", "sitmon", "--store", str(big), "run", "--no-refresh"],
            b"Timeline",
        ),
    ]
    results: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(args.runs):  # interleaved, so drift hits every case alike
        for name, cmd, marker in cases:
            results[name].append(first_paint(cmd, marker, env))
    bare = statistics.median(results[cases[0][0]])
    targets = {cases[1][0]: 1.5, cases[2][0]: 1.6}
    print(f"first paint, median of {args.runs} runs in a {COLS}x{ROWS} pty:")
    for name, samples in results.items():
        med = statistics.median(samples)
        line = f"  {name:<22} {med * 1000:7.0f} ms"
        if name in targets:
            ratio = med / bare
            line += f"   {ratio:.2f}x bare (target <= {targets[name]}x) {'ok' if ratio <= targets[name] else 'SLOW'}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
