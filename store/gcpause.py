"""Pausing Python's cyclic garbage collector around work that makes no reference cycles.

Decoding a store, merging a batch or writing an export allocates hundreds of thousands
of containers (records' lists, dicts) and no cycles; every collection the allocations
trigger would only walk those objects again. Reference counting still frees
everything as usual while the collector is paused.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's previous state after it
    (nesting is fine: an inner block leaves a paused collector paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
