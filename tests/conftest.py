"""Suite-wide checks: the shared reference folder (``../shared``) must be there in CI;
every test runs with its own sitmon data home (never the real one) and starts in the
bundled situation's time zone.

Several tests check the bundled dataset against the seed article and the reference
files in ``../shared`` (the folder beside the repository, or ``$SITMON_SHARED``).
Without it they skip:

- under ``CI=true`` (any of ``1``, ``true``, ``yes``; case-insensitive) the run stops
  before collecting anything, exit status 4, with one line naming the missing
  folder: CI must not pass while the data checks silently skip;
- otherwise the run goes on and the terminal summary says which folder is
  missing and how many tests skipped for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: ``$SITMON_SHARED`` or ``../shared`` (kept here, not imported, so the check needs nothing else)
SHARED = Path(os.environ.get("SITMON_SHARED") or REPO.parent / "shared")
#: the files the data checks read (seed article and reference compilation)
SHARED_FILES = (
    "seed/000_477aafb5564b24fa.txt",
    "data/reference/cities-control-2024-12-05.json",
    "data/reference/chronology-2024-11-27-to-2024-12-08.json",
    "data/reference/figures-with-provenance.json",
)


def missing_shared(shared: Path = SHARED) -> list[str]:
    """The files of ``SHARED_FILES`` not present under ``shared`` (all of them if it is absent)."""
    return [name for name in SHARED_FILES if not (shared / name).is_file()]


def in_ci(env: dict[str, str] | None = None) -> bool:
    """``CI`` set to 1/true/yes (GitHub Actions, GitLab and most CI services set ``CI=true``)."""
    value = (env if env is not None else os.environ).get("CI", "")
    return value.strip().lower() in ("1", "true", "yes")


def shared_message(missing: list[str], shared: Path = SHARED) -> str:
    where = (
        f"{shared} is missing" if not shared.is_dir() else f"{shared} lacks {', '.join(missing)}"
    )
    return (
        f"the shared reference folder {where}: the bundled-data checks against the seed "
        "article cannot run (clone the project's shared/ folder beside the repository)"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = missing_shared()
    if missing and in_ci():
        pytest.exit(f"CI=true: {shared_message(missing)}", returncode=4)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    missing = missing_shared()
    if not missing:
        return
    skipped = terminalreporter.stats.get("skipped", [])
    terminalreporter.write_sep("=", "shared reference data missing", yellow=True)
    terminalreporter.write_line(shared_message(missing))
    terminalreporter.write_line(
        f"{len(skipped)} test(s) skipped in this run; under CI=true the run fails instead."
    )


@pytest.fixture(autouse=True)
def _sitmon_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SITMON_HOME", str(tmp_path_factory.mktemp("sitmon-home")))
    monkeypatch.delenv("SITMON_SITUATION", raising=False)
    yield
    from sitmon.store.timeutil import set_situation_zone

    set_situation_zone(None)
    try:
        from sitmon.tui.cli import common
    except ImportError:  # pragma: no cover - moved by a restructuring
        return
    getattr(common, "_selected", []).clear()
