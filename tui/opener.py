"""Open a URL in the user's browser without taking over the terminal.

``$SITMON_BROWSER`` (a command; the URL is its last argument) wins, so a desk
can choose, and tests use a fake opener. Otherwise a graphical browser via
:mod:`webbrowser`, only where there is a desktop (macOS, Windows, or a
``DISPLAY``/``WAYLAND_DISPLAY``): a console browser such as lynx would draw
over the monitor. :func:`open_url` never blocks the UI: the opener runs
detached (``$SITMON_BROWSER``) or in a thread (webbrowser).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading

__all__ = ["OpenError", "open_url"]


class OpenError(Exception):
    """No way to open a URL here (the message says why, in one line)."""


def _has_desktop() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_url(url: str) -> str:
    """Open ``url``; returns how (``$SITMON_BROWSER`` / ``the system browser``).

    Only ``http(s)://`` URLs are opened. Raises :class:`OpenError`.
    """
    if not url.lower().startswith(("https://", "http://")):
        raise OpenError("only http(s) links are opened")
    command = os.environ.get("SITMON_BROWSER")
    if command:
        try:
            subprocess.Popen(
                [*shlex.split(command), url],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:
            raise OpenError(f"$SITMON_BROWSER could not start: {exc}") from None
        return "$SITMON_BROWSER"
    if not _has_desktop():
        raise OpenError("no graphical browser here (set SITMON_BROWSER to a command)")
    import webbrowser

    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    return "the system browser"
