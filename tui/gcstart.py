"""The monitor's start without cyclic garbage collection, until its data is on screen.

Starting the monitor allocates a few hundred thousand objects (the modules of
Textual, Rich and sitmon, the compose, the first frames) and frees almost none
of them: each of the hundred-odd collections that allocation triggers walks the
same long-lived objects again, and one full collection alone took 45-85 ms of
a 0.8 s start (``gc.callbacks`` timings, 2026-11-30, bundled store, 160x48).
So the ``sitmon`` command, when it opens the monitor:

1. :func:`pause` disables the cyclic collector before the imports;
2. :func:`freeze_imports` moves everything the imports made into the permanent
   generation (:func:`gc.freeze`), so no later collection walks the modules again
   (all day long, not only at the start);
3. :func:`resume` enables the collector once the store's data has been painted
   (the app calls it after the first data frame, or after a failed open, and at
   the latest :data:`LATEST` seconds after start).

Reference counting frees everything as usual meanwhile; only reference cycles
made during the start wait for the first collection after :func:`resume`. This
is the pattern CPython documents for :func:`gc.freeze` (disable early, freeze
once the long-lived objects exist). The start-up bench gives the bare Textual
app it compares with the same three steps (``bench/bench_startup.py``).

This module imports neither Textual nor Rich.
"""

from __future__ import annotations

import gc

__all__ = ["LATEST", "freeze_imports", "pause", "paused", "resume"]

#: seconds after which the app enables the collector even if no data was painted
LATEST = 10.0

_paused = False


def pause() -> None:
    """Disable the cyclic collector for the monitor's start (a no-op if it is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def paused() -> bool:
    """True between :func:`pause` and :func:`resume`."""
    return _paused


def freeze_imports() -> None:
    """Move every object alive now (the imported modules) out of the collector's reach
    (:func:`gc.freeze`); only while :func:`pause` holds, so tests and embedders that
    never paused keep their collector as it is."""
    if _paused:
        gc.freeze()


def resume() -> None:
    """Enable the collector paused by :func:`pause` (idempotent)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
