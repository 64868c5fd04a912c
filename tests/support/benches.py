"""Load a bench script (bench/*.py) as a module: tests reuse its document generators."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["bench_module"]


@cache
def bench_module(name: str) -> ModuleType:
    """``bench/<name>.py`` imported once (e.g. ``bench_module("bench_feeds").acled_document``)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
