"""A checkout without ../shared: CI=true fails the run at once; otherwise the summary says why tests skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


def _clone_without_shared(tmp_path: Path) -> Path:
    repo = tmp_path / "checkout" / "sitmon"
    (repo / "tests").mkdir(parents=True)
    shutil.copy(CONFTEST, repo / "tests" / "conftest.py")
    (repo / "tests" / "test_one.py").write_text("def test_one():\n    assert True\n")
    return repo


def _pytest(repo: Path, *, plugins: bool = False, **env: str) -> subprocess.CompletedProcess:
    """pytest on ``repo`` with ``env``. Without ``plugins`` the installed plugins are not
    loaded (PYTEST_DISABLE_PLUGIN_AUTOLOAD): the clone's conftest needs none of them, and
    loading them (textual, hypothesis...) took most of each run's 2-7 s."""
    full = {k: v for k, v in os.environ.items() if k not in ("CI", "SITMON_SHARED")} | env
    if not plugins:
        full["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(repo), "tests"],
        cwd=repo,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_without_shared_fails_with_a_clear_message(tmp_path):
    repo = _clone_without_shared(tmp_path)
    run = _pytest(repo, plugins=True, CI="true")  # as CI runs it: every plugin loaded
    assert run.returncode == 4, run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert (
        f"CI=true: the shared reference folder {repo.parent / 'shared'} is missing: the "
        "bundled-data checks against the seed article cannot run" in out
    )
    assert "1 passed" not in out  # nothing ran


def test_without_ci_the_summary_names_the_missing_folder(tmp_path):
    repo = _clone_without_shared(tmp_path)
    run = _pytest(repo, CI="false")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "shared reference data missing" in run.stdout
    assert f"the shared reference folder {repo.parent / 'shared'} is missing" in run.stdout
    assert "0 test(s) skipped in this run; under CI=true the run fails instead." in run.stdout


def test_ci_with_shared_runs(tmp_path):
    repo = _clone_without_shared(tmp_path)
    shared = repo.parent / "shared"
    for name in (
        "seed/000_477aafb5564b24fa.txt",
        "data/reference/cities-control-2024-12-05.json",
        "data/reference/chronology-2024-11-27-to-2024-12-08.json",
        "data/reference/figures-with-provenance.json",
    ):
        (shared / name).parent.mkdir(parents=True, exist_ok=True)
        (shared / name).write_text("{}")
    run = _pytest(repo, CI="true")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "shared reference data missing" not in run.stdout
