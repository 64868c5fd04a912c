"""Data on screen: sitmon vs a bare Textual app, measured in the same run.

Each program runs in a pseudo-terminal (160x48, TERM=xterm-256color). The time
is from process start until the store's data is on screen: the header says
``(latest)`` (the store is installed) AND the newest event's title (the first
timeline row) has been written. The loading placeholder's first frame does not
count. The bare app is Header + Static + Footer, and is done when its text is
written; it runs with the garbage collector in the same state as sitmon's start
(``tui/gcstart.py``: off until the data is painted, the imports frozen). sitmon runs offline on the bundled dataset and on synthetic stores
(``bench/_scale.py``, cached). Reports the median of N interleaved runs, the
ratio to the bare app and the load average. Never fails: benches print.

sitmon's modules are byte-compiled first, as ``pip install`` does and as
Textual's already are: with ``PYTHONDONTWRITEBYTECODE`` set (as here) a checkout
would otherwise compile every changed module from source at every start (a fifth
of the bundled start), which no installed sitmon does.

Run: ``python bench/bench_startup.py [--runs 5] [--sizes 1000,100000,1000000]``
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
sys.path.insert(0, str(ROOT / "bench"))

# The collector in the same state as sitmon's (tui/gcstart.py): off from the start,
# the imports frozen, on again once the first frame (here, all its data) is painted.
BARE_APP = """
import gc
gc.disable()
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("bare-ready")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(gc.enable)

gc.freeze()
Bare().run()
"""

COLS, ROWS = 160, 48


def first_paint(
    cmd: list[str], markers: tuple[bytes, ...], env: dict[str, str], timeout: float = 60.0
) -> float:
    """Seconds from spawning ``cmd`` in a pty until every one of ``markers`` has appeared."""
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
                if all(m in buf for m in markers):
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
        try:
            while select.select([master], [], [], 0)[0] and os.read(master, 65536):
                pass
        except OSError:
            pass
        os.close(master)
    return elapsed


def _newest_title(path: Path) -> bytes:
    """The first timeline row's text (the newest event's title, as far as it is plain ASCII)."""
    from sitmon.store import Store

    title = Store.open(path, seed=False).events()[-1].title
    return title.encode("ascii", "ignore")[:24]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--sizes",
        default="1000,100000",
        help="synthetic store sizes (events), comma-separated; add 1000000 for the 1M row",
    )
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x]

    import compileall

    from _scale import MARKER_TITLE, ready_store, uptime

    for package in ("store", "widgets", "tui"):  # the bytecode an installed sitmon has
        compileall.compile_dir(ROOT / package, quiet=1)

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
    sitmon = [sys.executable, "-m", "sitmon", "--store"]
    latest = b"(latest)"
    cases = [
        ("bare Textual app", [sys.executable, "-c", BARE_APP], (b"bare-ready",), None),
        (
            "sitmon, bundled",
            [*sitmon, str(bundled), "run", "--no-refresh"],
            (latest, _newest_title(bundled)),
            1.4,
        ),
    ]
    targets = {1000: 1.4, 100_000: 1.6, 1_000_000: 2.0}
    for n in sizes:
        t0 = time.perf_counter()
        path = ready_store(n)
        print(
            f"{n}-event store: {path} ({path.stat().st_size / 1e6:.0f} MB, ready in {time.perf_counter() - t0:.1f} s)"
        )
        cases.append(
            (
                f"sitmon, {n:,} events",
                [*sitmon, str(path), "run", "--no-refresh"],
                (latest, MARKER_TITLE.encode()),
                targets.get(n, 2.0),
            )
        )
    results: dict[str, list[float]] = {name: [] for name, *_ in cases}
    for _ in range(args.runs):  # interleaved, so drift hits every case alike
        for name, cmd, markers, _target in cases:
            results[name].append(first_paint(cmd, markers, env))
    bare = statistics.median(results[cases[0][0]])
    print(
        f"data on screen (header `(latest)` and the newest timeline row), median of {args.runs}"
        f" runs in a {COLS}x{ROWS} pty; {uptime()}"
    )
    for name, _cmd, _m, target in cases:
        med = statistics.median(results[name])
        line = f"  {name:<26} {med * 1000:7.0f} ms"
        if target is not None:
            ratio = med / bare
            verdict = "ok" if ratio <= target else "MISS"
            line += f"   {ratio:5.2f}x the bare app (target <= {target}x) {verdict}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
