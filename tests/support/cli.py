"""Run the ``sitmon`` command line in-process and capture what it prints."""

from __future__ import annotations

from pathlib import Path

from sitmon.tui.cli import main


def cli(capsys, store_path: Path, *args: str, config: Path | None = None) -> tuple[int, str, str]:
    """``sitmon --store STORE --config CONFIG ARGS...``: (exit code, stdout, stderr).

    Without ``config`` a config path that does not exist is passed, so the user's own
    configuration never leaks into a test."""
    config = config or store_path.parent / "no-config.toml"
    rc = main(["--store", str(store_path), "--config", str(config), *args])
    out, err = capsys.readouterr()
    return rc, out, err
