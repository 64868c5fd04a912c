"""Copy a record or a URL to the clipboard, open a record's link: the app's part of it.

A mixin of :class:`~.app.SitmonApp` (which provides ``notify_plain``, ``store``,
``last_copied`` and ``last_opened``); the texts come from
:mod:`sitmon.widgets.copy_text`, the browser from :mod:`.opener`.
"""

from __future__ import annotations


class CopyAndOpen:
    """``y`` (copy), ``o`` (open) and the palette's copy commands."""

    def copy_text(self, text: str, what: str) -> None:
        """Put ``text`` on the clipboard (OSC 52: works over ssh) and say so."""
        self.last_copied = text
        self.copy_to_clipboard(text)
        self.notify_plain(f"Copied {what}.", title="Copy", timeout=3)

    def copy_record(self, snapshot, kind: str, item: str) -> None:
        from sitmon.widgets.copy_text import record_text

        text = record_text(snapshot, kind, item, self.store)
        if text:
            self.copy_text(text, f"the {kind} with its sources ({len(text)} characters)")

    def open_record_url(self, snapshot, kind: str, item: str) -> None:
        from sitmon.widgets.copy_text import record_urls

        urls = [u for u in record_urls(snapshot, kind, item, self.store) if "://" in u]
        if not urls:
            self.notify_plain(f"This {kind} cites no web link.", title="Open", severity="warning")
            return
        self.open_url(urls[0])

    def open_url(self, url: str) -> None:
        """Open ``url`` in the browser (tui.opener); where none can, copy it instead."""
        from .opener import OpenError, open_url

        try:
            how = open_url(url)
        except OpenError as exc:
            self.copy_text(url, f"the URL instead: {exc}")
            return
        self.last_opened = url
        self.notify_plain(f"Opened {url} in {how}.", title="Open", timeout=4)
