"""The command line in a real pty: no outside byte reaches the terminal raw, an unreadable
store is a one-line error that changes nothing, a waiting writer says why it waits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.pty_harness import PtyApp, sitmon_argv

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "examples" / "feeds"

#: what each hostile piece would do to a terminal if printed raw
HOSTILE = {
    "osc0": "\x1b]0;pwned-title\x07",  # sets the window title
    "osc52": "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07",  # writes the clipboard
    "c1csi": "\u009b31m",  # one-byte CSI (C1): red text on terminals that honour C1
    "rlo": "\u202e",  # RIGHT-TO-LEFT OVERRIDE: makes 'gpj.exe' look like 'exe.jpg'
}
#: the raw bytes that must never appear in the terminal (UTF-8, as sitmon writes):
#: the title and clipboard OSCs, a C1 CSI, a bidi override (Textual itself sends
#: other OSCs, e.g. OSC 22 for the pointer shape, so "ESC ]" alone is not the test)
FORBIDDEN = [b"\x1b]0;", b"\x1b]52;", "\u009b".encode(), "\u202e".encode(), b"pwned-title\x07"]
#: how each piece is shown instead
SHOWN = {
    "osc0": "\\x1b]0;pwned-title\\x07",
    "osc52": "\\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07",
    "c1csi": "\\x9b31m",
    "rlo": "\\u202e",
}


def run_in_pty(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> bytes:
    """Run ``sitmon ARGS`` in a pty (80x24); return every byte it wrote once it exited."""
    with PtyApp(sitmon_argv(*args), env=env, cols=200, rows=50, cwd=cwd) as app:
        app.wait_exit(60)
        return bytes(app.raw)


def assert_no_raw(raw: bytes) -> None:
    for b in FORBIDDEN:
        assert b not in raw, f"{b!r} reached the terminal: {raw!r}"


@pytest.mark.parametrize("piece", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["import", "validate"])
def test_a_hostile_file_name_never_reaches_the_terminal(tmp_path, piece, command):
    name = f"feed{HOSTILE[piece]}.json"
    (tmp_path / name).write_bytes((FEEDS / "followup.sitmon.json").read_bytes())
    # a second copy that does not parse, so the error path prints the name too
    (tmp_path / f"bad{HOSTILE[piece]}.json").write_bytes(b"{not json")
    store = str(tmp_path / "s.json")
    for file in (name, f"bad{HOSTILE[piece]}.json"):
        raw = run_in_pty(
            "--store",
            store,
            "--config",
            str(tmp_path / "none.toml"),
            command,
            str(tmp_path / file),
            cwd=tmp_path,
        )
        assert_no_raw(raw)
        assert SHOWN[piece].encode() in raw, raw


@pytest.mark.parametrize("piece", sorted(HOSTILE))
def test_feed_names_from_store_metadata_are_escaped_by_info(tmp_path, piece):
    path = tmp_path / "s.json"
    subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(path), "info"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    doc = json.loads(path.read_text())
    doc["meta"]["1"]["feeds"] = {
        f"evil{HOSTILE[piece]}": {"last_success": "2024-12-08T00:00:00+00:00"}
    }
    doc["meta"]["1"]["origin"] = f"origin{HOSTILE[piece]}"
    path.write_text(json.dumps(doc))
    raw = run_in_pty("--store", str(path), "info")
    assert_no_raw(raw)
    # issue 16: info names feeds the store knows but the config does not
    line = f"feed evil{SHOWN[piece]} (not in the config): last success 2024-12-08 00:00 UTC"
    assert line.encode() in raw


@pytest.mark.parametrize("command", [["info"], ["export", "--view", "timeline"]])
def test_an_unreadable_store_is_one_line_exit_1_and_nothing_changes(tmp_path, command):
    path = tmp_path / "s.json"
    path.write_bytes(b'{"meta": {"1": {"schema_version": 1, "gen')  # a truncated store
    old = path.stat().st_mtime - 60
    os.utime(path, (old, old))
    r = subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(path), *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"sitmon: the store {path} cannot")
    assert "left as it is" in r.stderr
    assert path.read_bytes() == b'{"meta": {"1": {"schema_version": 1, "gen'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_a_fifo_store_is_refused_at_once(tmp_path):
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    r = subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(fifo), "info"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert r.returncode == 1
    assert r.stderr == (
        f"sitmon: {fifo} is a FIFO (named pipe), not a store file; choose a regular file "
        "with --store or $SITMON_STORE\n"
    )


HOLD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from sitmon.store.storage import WriterLock
    with WriterLock(sys.argv[1]):
        print("locked", flush=True)
        sys.stdin.readline()
    """
).format(root=str(ROOT))


def test_a_writer_waiting_for_the_lock_says_who_holds_it_then_writes(tmp_path):
    path = tmp_path / "s.json"
    subprocess.run(
        [sys.executable, "-m", "sitmon", "--store", str(path), "info"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        shutil.copy(FEEDS / "followup.sitmon.json", tmp_path / "followup.json")
        with PtyApp(
            sitmon_argv(
                "--store",
                str(path),
                "--config",
                str(tmp_path / "none.toml"),
                "import",
                str(tmp_path / "followup.json"),
            ),
            cwd=tmp_path,
        ) as app:
            app.wait_text(f"waiting for the lock held by PID {holder.pid}", timeout=30)
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert app.wait_exit(60) == 0
            assert "followup.json: sitmon: " in app.text()
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()
