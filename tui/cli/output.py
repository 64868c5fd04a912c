"""Printing for the headless commands: every line with outside text goes through here.

File names, URLs, feed names, store metadata, config values and error text
are escaped by :func:`sitmon.store.termsafe.terminal_safe` (imported when
first used, so ``sitmon --help`` stays light).
"""

from __future__ import annotations

import sys

__all__ = ["err", "say"]


def say(text: object, *, err: bool = False) -> None:
    """Print one line (to stdout, or stderr with ``err``), every outside character escaped.

    Every line a command prints that holds a file name, URL, feed name, store
    metadata, config value or error text goes through here (or :func:`err`).
    """
    from sitmon.store.termsafe import terminal_safe

    print(terminal_safe(text), file=sys.stderr if err else sys.stdout)


def err(text: object) -> None:
    """Print ``sitmon: <text>`` to stderr, escaped like :func:`say`, flushed at once."""
    from sitmon.store.termsafe import terminal_safe

    print(f"sitmon: {terminal_safe(text)}", file=sys.stderr, flush=True)
