"""The bundled dataset: the seed article's situation, shipped inside the package."""

from __future__ import annotations

from importlib import resources

import msgspec

from .adapters.base import AdaptResult
from .adapters.sitmon import adapt
from .sanitize import sanitize_tree

__all__ = ["bundled_bytes", "bundled_document"]


def bundled_bytes() -> bytes:
    return resources.files("sitmon.store").joinpath("data/bundled.json").read_bytes()


def bundled_document() -> AdaptResult:
    """The bundled dataset adapted into records (it goes through the same ingest path as feeds)."""
    return adapt(sanitize_tree(msgspec.json.decode(bundled_bytes())))
