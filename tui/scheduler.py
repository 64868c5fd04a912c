"""The feed scheduler: each enabled feed refreshes in its own thread worker.

A feed's next refresh is armed with ``set_timer`` only when its previous one has
finished (dolphie's pattern), so a feed never overlaps itself. The worker opens its
own :class:`~sitmon.store.Store` on the same file (the UI's is never written from a
thread), fetches and merges under the file lock
(:func:`sitmon.store.refresh.refresh_feed`), and posts
:class:`~.messages.RefreshFinished`; :meth:`FeedScheduler.finished` installs the
new store on the UI thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec
from sitmon.store.termsafe import terminal_safe
from sitmon.widgets.changes_render import display_names
from sitmon.widgets.feeds_render import round_summary
from sitmon.widgets.header_render import FeedHealth, parse_iso

from .messages import RefreshFinished

if TYPE_CHECKING:
    from sitmon.store import Store
    from textual.timer import Timer

    from .app import SitmonApp

__all__ = ["DEFAULT_INTERVAL", "FeedScheduler", "FeedStatus", "MIN_INTERVAL"]

#: seconds between refreshes of a feed without a valid ``interval``
DEFAULT_INTERVAL = 900.0
#: no feed refreshes more often than this (seconds)
MIN_INTERVAL = 10.0


class FeedStatus(msgspec.Struct):
    """One feed's refresh state in this session (times are aware datetimes)."""

    last_success: datetime | None = None
    last_attempt: datetime | None = None
    next_attempt: datetime | None = None
    last_error: str | None = None
    running: bool = False
    #: records this feed's refreshes added in this session
    added: int = 0


class FeedScheduler:
    """Arms, starts and finishes the refreshes of the app's configured feeds."""

    def __init__(self, app: SitmonApp) -> None:
        self.app = app
        #: feed name -> its status (the header and the tests read it)
        self.status: dict[str, FeedStatus] = {}
        self._timers: dict[str, Timer] = {}
        #: the refresh round under way: feed name -> (error or None) once finished
        self._round: dict[str, str | None] | None = None
        self._round_changes: list[str] = []

    def health(self) -> tuple[FeedHealth, ...]:
        """Every enabled feed's health, in config order (the header and the Feeds screen)."""
        out = []
        for feed in self.feeds():
            st = self.status.get(feed.name) or FeedStatus()
            out.append(
                FeedHealth(
                    feed.name,
                    last_success=st.last_success,
                    last_attempt=st.last_attempt,
                    next_attempt=st.next_attempt if self.app.refresh_enabled else None,
                    last_error=st.last_error,
                    running=st.running,
                    added=st.added,
                    url=str(getattr(feed, "url", "") or ""),
                    interval=self.interval(feed),
                )
            )
        return tuple(out)

    def feeds(self) -> list[Any]:
        """The enabled feeds of the config."""
        config = self.app.config
        return [f for f in (getattr(config, "feeds", None) or []) if getattr(f, "enabled", True)]

    def any_running(self) -> bool:
        return any(s.running for s in self.status.values())

    def load_status(self) -> None:
        """Last success and last error of each feed, as the store remembers them."""
        store = self.app.store
        for feed in self.feeds():
            st = self.status.setdefault(feed.name, FeedStatus())
            saved = store.feed_state(feed.name) if store is not None else {}
            st.last_success = st.last_success or parse_iso(saved.get("last_success"))
            err = saved.get("last_error")
            if isinstance(err, str) and err:
                st.last_error = err

    def start_all(self) -> None:
        """Arm every feed, a second apart-ish, starting a second after the store loads."""
        feeds = self.feeds()
        if feeds and self._round is None:  # the first refresh of every feed is one round
            self._round = {f.name: "" for f in feeds}
            self._round_changes = []
        for i, feed in enumerate(feeds):
            self.arm(feed, 1.0 + i * 0.5)

    @staticmethod
    def interval(feed: Any) -> float:
        """Seconds between refreshes of ``feed`` (at least :data:`MIN_INTERVAL`)."""
        interval = getattr(feed, "interval", None) or DEFAULT_INTERVAL
        try:
            return max(MIN_INTERVAL, float(interval))
        except (TypeError, ValueError):
            return DEFAULT_INTERVAL

    def arm(self, feed: Any, delay: float) -> None:
        old = self._timers.pop(feed.name, None)
        if old is not None:
            old.stop()
        st = self.status.setdefault(feed.name, FeedStatus())
        st.next_attempt = self.app.clock() + timedelta(seconds=delay)
        self._timers[feed.name] = self.app.set_timer(delay, partial(self.start, feed))

    def stop_all(self) -> None:
        """Forget every feed: stop the timers and the status (switching situations;
        a refresh still running finishes into its own store and is then ignored)."""
        for timer in self._timers.values():
            timer.stop()
        self._timers.clear()
        self.status = {}

    def refresh_now(self, names: list[str] | None = None) -> None:
        """Refresh every feed now (``r``; or only ``names``); one notification when done."""
        app = self.app
        feeds = self.feeds()
        if not feeds:
            app.notify_plain(
                "No feeds configured: add [[feeds]] to the config file.",
                title="Refresh",
                severity="warning",
            )
            return
        if app.store is None:
            return
        if names is not None:
            feeds = [f for f in feeds if f.name in names]
        if self._round is not None:
            app.notify_plain("A refresh is already running.", title="Refresh", timeout=3)
            return
        self._round = {}
        self._round_changes = []
        started = [f.name for f in feeds if self.start(f)]
        if not started:
            self._round = None
            app.notify_plain("A refresh is already running.", title="Refresh", timeout=3)
            return
        self._round = dict.fromkeys(started, "")
        what = started[0] if len(started) == 1 else f"{len(started)} feeds"
        app.notify_plain(f"Refreshing {what}…", title="Refresh", timeout=3)

    def start(self, feed: Any) -> bool:
        """Start the refresh worker of ``feed`` unless it is already running."""
        app = self.app
        if app.store is None:
            return False
        st = self.status.setdefault(feed.name, FeedStatus())
        if st.running:
            return False
        timer = self._timers.pop(feed.name, None)
        if timer is not None:
            timer.stop()
        st.running = True
        st.last_attempt = app.clock()
        st.next_attempt = None
        app.update_header()
        app.run_worker(
            partial(self._refresh_thread, feed, app.store),
            thread=True,
            exclusive=True,
            group=f"refresh-{feed.name}",
            exit_on_error=False,
            name=f"refresh {feed.name}",
        )
        return True

    def _refresh_thread(self, feed: Any, store: Store) -> None:
        """Fetch and merge one feed into the app's own Store, in place.

        ``Store.merge`` takes the file lock, re-reads the files only if another
        process wrote them (file identity), merges the batch beside the tables
        it holds and swaps them in under its mutex: no second Store in memory.
        """
        factions = getattr(self.app.config, "factions", None) or None
        writer = store
        try:
            from sitmon.store.refresh import refresh_feed

            # merges in place; never creates the store (a file removed meanwhile is an error)
            result = refresh_feed(writer, feed, factions=factions, cancel=self.app.cancel)
        except Exception as exc:
            self.app.post_message(
                RefreshFinished(feed.name, None, None, f"{type(exc).__name__}: {exc}")
            )
            return
        error = getattr(result, "error", None)
        self.app.post_message(RefreshFinished(feed.name, result, writer, error))

    def finished(self, message: RefreshFinished) -> None:
        """On the UI thread: record the outcome, install the new store, re-arm the feed."""
        app = self.app
        st = self.status.setdefault(message.feed, FeedStatus())
        st.running = False
        feed = next((f for f in self.feeds() if f.name == message.feed), None)
        changes = _changeset_of(message.result)
        if app.cancel.cancelled:  # quitting: nothing more to show or arm
            return
        was_failing = st.last_error is not None
        if message.error:
            # the error in full (the Feeds screen shows it): one line, outside text escaped
            st.last_error = " ".join(terminal_safe(str(message.error) or "failed").split())
            st.last_error = st.last_error or "failed"
        else:
            st.last_error = None
            st.last_success = app.clock()
        summary = ""
        if message.store is not None and changes is not None and changes.changed:
            st.added += len(changes.added)
            app.marked = frozenset(rid for kind, rid in changes.touched_ids() if kind == "event")
            app.last_changes.append(changes)
            del app.last_changes[:-20]  # this session's last 20 refreshes are enough
            app.install_store(message.store)
            summary = self.change_summary(message.result, changes)
        elif message.store is not None:
            if not message.error:
                app.marked = frozenset()  # marks last until the next refresh
            app.install_store(message.store)  # the feed state (validators, times) changed
        if self._round is not None and message.feed in self._round:
            self._round[message.feed] = message.error or None
            if summary:
                several = len(self._round) > 1
                self._round_changes.append(f"{message.feed}: {summary}" if several else summary)
            if all(v != "" for v in self._round.values()):
                self._round_done()
        elif (
            message.error and not was_failing
        ):  # a scheduled refresh: say it once, when it starts failing
            text, severity = round_summary([(message.feed, message.error)], key=self._feeds_key())
            app.notify_plain(text, title="Refresh failed", severity=severity)
        elif summary:
            app.notify_plain(summary, title=f"Refreshed {message.feed}", timeout=10)
        if feed is not None and app.refresh_enabled:
            self.arm(feed, self.interval(feed))
        app.update_header()

    def _feeds_key(self) -> str:
        from . import actions

        keys = actions.effective_keys(actions.by_id("app.feeds"), self.app.keymap)
        return actions.display_keys(keys.split(",")[0], ascii=self.app.ascii)

    def _round_done(self) -> None:
        """One notification for the whole round: failures first, then what changed."""
        results = list((self._round or {}).items())
        changes = self._round_changes
        self._round, self._round_changes = None, []
        text, severity = round_summary(results, key=self._feeds_key(), ascii=self.app.ascii)
        failed = severity != "information"
        if changes:
            text = "\n".join(changes) if not failed else text + "\n" + "\n".join(changes)
        elif not failed:
            text += ": nothing new"
        only = results[0][0] if len(results) == 1 else ""
        self.app.notify_plain(
            text,
            title="Refresh failed" if failed else f"Refreshed {only}".strip(),
            severity=severity,
            timeout=10,
        )

    def change_summary(self, result: Any, changes: Any) -> str:
        """Control flips first (``Homs: Government -> HTS-led``), then the counts."""
        names = display_names(self.app.store)
        lines = [str(x) for x in (getattr(result, "flips", None) or [])]
        for f in [] if lines else getattr(changes, "flips", []):
            lines.append(
                f"{names.get(f.place, f.place)}: {names.get(f.from_faction or '', f.from_faction or 'none')}"
                f" -> {names.get(f.to_faction, f.to_faction)}"
            )
        lines.append(
            f"{len(changes.added)} added, {len(changes.updated)} updated, {len(changes.deleted)} deleted"
            + (f", {len(changes.rejected)} rejected" if changes.rejected else "")
        )
        return "\n".join(lines)


def _changeset_of(result: Any):
    """The ChangeSet inside a refresh result (whatever the attribute is called)."""
    if result is None:
        return None
    for attr in ("changes", "changeset", "change_set", "cs"):
        value = getattr(result, attr, None)
        if value is not None and hasattr(value, "touched_ids"):
            return value
    return result if hasattr(result, "touched_ids") else None
