"""Terminal safety end to end: the real sitmon, in a pseudo-terminal, on a store whose
every text field is hostile. The bytes written to the terminal carry no sequence that
came from the data, markup in data is shown literally and runs nothing, and the app
keeps running."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sitmon.store import Store
from sitmon.store.adapters.sitmon import adapt

from tests.support.hostile import hostile_document, leaks
from tests.support.pty_harness import ROOT, PtyApp, sitmon_argv

pytestmark = pytest.mark.slow


def walk_every_view(app: PtyApp, done: Callable[[], bool] = lambda: False) -> None:
    """Visit every pane, open its detail view and come back; click the hostile title.

    ``done`` is asked after each step: once it holds the rest of the walk is skipped (the
    check on an unsanitized store needs only the first leak; the raw bytes only grow)."""
    app.wait_text("Timeline", 60)
    app.settle()
    if done():
        return
    steps = [("enter",), ("down", "down"), ("escape",), ("down", "enter"), ("escape",), ("tab",)]
    for _pane in range(4):
        for keys in steps:
            app.press(*keys)
            app.settle()
            if done():
                return
    # Click on every screen row that shows the hostile markup (SGR mouse reports).
    screen = app.text().splitlines()
    for y, line in enumerate(screen, 1):
        x = line.find("[@click=app.quit]")
        if x >= 0:
            for press in (f"\x1b[<0;{x + 2};{y}M", f"\x1b[<0;{x + 2};{y}m"):
                app.press(press)
            app.settle()


def run_walk(
    store_path: Path,
    tmp_path: Path,
    cols: int = 160,
    rows: int = 48,
    until: Callable[[bytes], bool] | None = None,
) -> tuple[bytes, str, bool]:
    """Walk every view of the app on ``store_path``: (raw terminal bytes, last screen,
    whether the app was still running). ``until(raw bytes so far)`` ends the walk early."""
    env = {"SITMON_CONFIG": str(tmp_path / "no-config.toml"), "HOME": str(tmp_path)}
    with PtyApp(
        sitmon_argv("--store", str(store_path), "run", "--no-refresh"),
        cols=cols,
        rows=rows,
        env=env,
    ) as app:
        walk_every_view(app, (lambda: until(bytes(app.raw))) if until else (lambda: False))
        alive = app.alive()
        screen = app.text()
        raw = bytes(app.raw)
        if alive and until is None:  # a walk cut short leaves the app to be killed
            app.press("q")
            assert app.wait_exit() == 0
    return raw, screen, alive


def write_doc(tmp_path: Path) -> tuple[Path, Path]:
    shots = tmp_path / "shots"
    shots.mkdir()
    doc = tmp_path / "hostile.json"
    doc.write_text(json.dumps(hostile_document(str(shots))))
    return doc, shots


def test_hostile_store_never_reaches_the_terminal(tmp_path):
    doc, shots = write_doc(tmp_path)
    store_path = tmp_path / "s.json"
    # The real ingest path: `sitmon import`.
    r = subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(store_path), "import", str(doc)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr
    raw, screen, alive = run_walk(store_path, tmp_path)
    assert alive, f"the app died on hostile data; screen:\n{screen}"
    assert leaks(raw) == []
    assert list(shots.iterdir()) == [], "data markup ran app.screenshot"
    assert "[@click=app.quit]Hama [bold]x[/b]" in screen or "[@click=app.quit]" in screen
    assert "MarkupError" not in screen


def test_the_check_catches_an_unsanitized_store(tmp_path):
    """The same walk on a store written without sanitizing finds the leaks: the check has teeth,
    and it is the ingest sanitizer that keeps the terminal safe."""
    doc, _shots = write_doc(tmp_path)
    store_path = tmp_path / "raw.json"
    result = adapt(json.loads(doc.read_text()))  # no sanitize_tree: as if sanitizing were off
    assert not result.rejected
    s = Store.open(store_path, seed=True)
    s.merge(result.records)
    # the walk stops at the first leak: the same outcome as the whole walk, which can only
    # add bytes to what the check reads
    raw, _screen, _alive = run_walk(store_path, tmp_path, until=lambda raw: bool(leaks(raw)))
    found = leaks(raw)
    assert found, "an unsanitized hostile store should leak control sequences to the terminal"
