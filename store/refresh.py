"""One feed refresh, headless: fetch -> ingest -> merge (with the validators).

Used by ``sitmon refresh`` and by the monitor's refresh worker. It never
raises for a feed problem: every outcome is a :class:`RefreshResult` whose
``message`` is one line for the user.

Guarantees:

- a 304 (or an unchanged local file) writes nothing;
- a failure anywhere (fetch, decode, shape, the write) leaves the store file
  byte-identical: the merge, and the validators saved with it, is the single
  last step;
- the ETag / Last-Modified are saved in the same atomic write as the data they
  describe, and used only for the same URL;
- header values and what ``${VAR}`` in the url expand to (secrets) appear in
  no message and are never stored: the url is expanded for the request only,
  and every url shown or stored is masked (:func:`~store.fetch.mask_url`).

Paged sources are followed up to the feed's ``max_pages``: UCDP
(``NextPageUrl``), ReliefWeb (``links.next.href``) and GDELT (a full page asks
for the articles seen before its oldest one, :data:`GDELT_INTERVAL` seconds
after the last request, as GDELT's rate limit asks).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec.structs

from .adapters import reliefweb, ucdp
from .adapters.base import AdaptResult, FeedError
from .deadline import Cancel
from .decode import one_line
from .fetch import (
    FetchCancelled,
    FetchError,
    display_url,
    expand_headers,
    expand_url,
    fetch,
    is_local,
    local_path,
    make_client,
    resolve_next,
    url_secrets,
)
from .ingest import NEXT_PAGE, ingest_bytes
from .merge import ChangeSet, Rejection
from .storage import StoreError

if TYPE_CHECKING:
    from .db import Store

__all__ = ["GDELT_INTERVAL", "RefreshResult", "describe_flips", "refresh_feed", "summary_names"]

#: seconds between two GDELT requests ("one request every 5 seconds")
GDELT_INTERVAL = 5.0


@dataclass
class RefreshResult:
    """The outcome of one refresh of one feed."""

    feed: str
    #: the feed's URL as it may be shown (no query string, no user info)
    url: str
    ok: bool
    #: "changed" | "unchanged" | "not_modified" | "failed"
    status: str
    #: one line for the user (the error on failure)
    message: str
    changes: ChangeSet | None = None
    #: control flips as text, e.g. "Homs: Government -> HTS-led MOC"
    flips: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    format: str | None = None
    #: bytes fetched (all pages)
    bytes: int = 0
    pages: int = 0
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    error: str | None = None
    #: problems that did not stop the refresh, one line each (a malformed RSS kept in part)
    warnings: list[str] = field(default_factory=list)
    #: what the source said besides records, one line each (GDELT: no articles matched)
    notes: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == "not_modified"


def summary_names(store: Store) -> dict[str, str]:
    """Display names for ChangeSet.summary: place names and faction short names."""
    names = {pid: p.name for pid, p in store.places.items()}
    names.update({fid: f.short for fid, f in store.factions.items()})
    return names


def describe_flips(store: Store, cs: ChangeSet) -> list[str]:
    """``["Homs: Government -> HTS-led MOC (2024-12-08)", ...]`` in time order."""
    from .timeutil import fmt_day

    out = []
    for f in cs.flips:
        place = store.places.get(f.place)
        before = store.factions.get(f.from_faction or "")
        after = store.factions.get(f.to_faction)
        src = before.short if before else (f.from_faction or "none")
        dst = after.short if after else f.to_faction
        if f.to_status != "held":
            dst = f"{dst} ({f.to_status})"
        out.append(f"{place.name if place else f.place}: {src} -> {dst} ({fmt_day(f.when)})")
    return out


def refresh_feed(
    store: Store,
    feed_cfg: Any,
    *,
    client: Any = None,
    sleep: Callable[[float], Any] | None = None,
    factions: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    rng: Any = None,
    cancel: Cancel | None = None,
) -> RefreshResult:
    """Refresh one feed into ``store`` (see the module docstring).

    ``feed_cfg`` is a :class:`tui.config.FeedConfig` (or anything with its
    attributes). ``client`` is an ``httpx.Client`` to reuse; ``sleep`` is the
    backoff sleep (tests pass a recorder); ``factions`` is the config's
    ``[factions]`` table; ``env`` is where ``${VAR}`` in headers and the url come from.
    ``cancel`` (a :class:`~store.deadline.Cancel`) stops the refresh from another
    thread: its fetch ends at once and nothing is written (it is checked again
    right before the merge).
    """
    name = feed_cfg.name
    shown = display_url(feed_cfg.url)
    secrets: list[str] = []

    def failed(msg: str) -> RefreshResult:
        for s in secrets:
            if s:
                msg = msg.replace(s, "***")
        msg = one_line(msg if msg.startswith(f"feed {name!r}") else f"feed {name!r}: {msg}", 400)
        return RefreshResult(name, shown, False, "failed", msg, error=msg)

    try:
        headers = _headers(feed_cfg, env)
        secrets = [*headers.values(), *url_secrets(feed_cfg.url, env)]
        url = expand_url(feed_cfg.url, env, feed=name)
    except FetchError as exc:  # a missing ${VAR}
        return failed(str(exc))
    own_client = None
    try:
        if client is None and not is_local(url):
            client = own_client = make_client(float(getattr(feed_cfg, "timeout", 30.0)))
        return _refresh(
            store,
            feed_cfg,
            url=url,
            shown=shown,
            headers=headers,
            secrets=secrets,
            client=client,
            sleep=sleep,
            factions=factions,
            rng=rng,
            cancel=cancel,
        )
    except FetchError as exc:
        fmt = getattr(feed_cfg, "format", "auto")
        if exc.status == 403 and (fmt == "reliefweb" or "reliefweb.int" in shown):
            return failed(reliefweb.APPNAME_RULE)
        return failed(str(exc))
    except (FeedError, StoreError) as exc:
        return failed(str(exc))
    except Exception as exc:  # never a traceback in the monitor or the CLI
        return failed(f"internal error ({type(exc).__name__}: {one_line(str(exc), 120)})")
    finally:
        if own_client is not None:
            own_client.close()


def _headers(feed_cfg: Any, env: Mapping[str, str] | None) -> dict[str, str]:
    if not getattr(feed_cfg, "headers", None):
        return {}
    return expand_headers(feed_cfg.headers, env, feed=feed_cfg.name)


def _refresh(
    store: Store,
    feed_cfg: Any,
    *,
    url: str,
    shown: str,
    headers: dict[str, str],
    secrets: list[str],
    client: Any,
    sleep: Callable[[float], Any] | None,
    factions: Mapping[str, str] | None,
    rng: Any,
    cancel: Cancel | None,
) -> RefreshResult:
    """Fetch, ingest and merge one feed (:func:`refresh_feed` without its error handling).

    ``url`` is the expanded address to fetch (it may hold secrets), ``shown`` the masked
    one the result and the feed state name; ``secrets`` are the header and url values
    the fetch keeps out of its messages. The rest is :func:`refresh_feed`'s. Raises
    :class:`FetchError`, :class:`FeedError` or :class:`StoreError` for a feed problem.
    """
    name = feed_cfg.name
    timeout = float(getattr(feed_cfg, "timeout", 30.0))
    max_bytes = int(getattr(feed_cfg, "max_bytes", 15 * 1024 * 1024))
    max_pages = int(getattr(feed_cfg, "max_pages", 20))
    fmt_cfg = getattr(feed_cfg, "format", "auto")
    state = store.feed_state(name)
    same_url = state.get("url") == shown
    etag = state.get("etag") if same_url else None
    last_modified = state.get("last_modified") if same_url else None
    common = dict(
        name=name,
        headers=headers,
        timeout=timeout,
        max_bytes=max_bytes,
        client=client,
        sleep=sleep,
        cancel=cancel,
        secrets=secrets,
    )
    if rng is not None:
        common["rng"] = rng
    first = fetch(url, etag=etag, last_modified=last_modified, **common)
    if first.not_modified:
        return RefreshResult(
            name,
            shown,
            True,
            "not_modified",
            f"{name}: not modified since the last refresh; nothing written",
        )
    what = f"feed {name!r}"
    place_records, faction_ids = store.places, set(store.factions)

    def ingest(body: bytes, fmt: str, what: str, page_url: str) -> AdaptResult:
        return ingest_bytes(
            body,
            fmt,
            source_name=name,
            faction_map=factions,
            places=place_records,
            factions=faction_ids,
            url=feed_cfg.url,  # the template: never the expanded secret
            page_url=page_url,
            feed_id=name,
            what=what,
        )

    results = [ingest(first.body, fmt_cfg, what, first.final_url)]
    fmt = results[0].meta.get("format", results[0].format)
    total = len(first.body)
    pages = 1
    note = ""
    if fmt in NEXT_PAGE:
        current = first.final_url
        seen = {current}
        # a local document pages only within its own folder
        root = local_path(current).resolve().parent if is_local(current) else None
        nxt = results[0].meta.get("next_page")
        while nxt:
            if pages >= max_pages:
                note = f" (stopped after {max_pages} pages; raise max_pages to read more)"
                break
            target = resolve_next(current, nxt, what="next page", root=root)
            if target in seen:
                link = "NextPageUrl" if fmt == "ucdp" else "the next-page link"
                note = f" ({link} of page {pages} loops back to a page already read; stopped)"
                break
            seen.add(target)
            if fmt == "gdelt":  # GDELT asks for one request every 5 seconds
                (sleep or (cancel.sleep if cancel is not None else time.sleep))(GDELT_INTERVAL)
            page = fetch(target, **common)
            pages += 1
            total += len(page.body)
            results.append(ingest(page.body, fmt, f"{what} page {pages}", page.final_url))
            current = page.final_url
            nxt = results[-1].meta.get("next_page")
    if fmt == "ucdp" and not note:
        note = ucdp.short_total_note(results)
    records, rejected = _combine(results)
    warnings = list(dict.fromkeys(w for r in results for w in r.warnings))
    notes = list(dict.fromkeys(r.meta["note"] for r in results if r.meta.get("note")))
    feed_state = {
        "url": shown,
        "format": fmt,
        "last_success": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    feed_state["etag"] = first.etag
    feed_state["last_modified"] = first.last_modified
    if cancel is not None and cancel.cancelled:  # quitting: an interrupted refresh writes nothing
        raise FetchCancelled(f"feed {name!r}: cancelled (sitmon is quitting); nothing was written")
    situation = next((r.meta["situation"] for r in results if r.meta.get("situation")), None)
    cs = store.merge(
        records, rejected=rejected, feed=name, feed_state=feed_state, situation=situation
    )
    flips = describe_flips(store, cs)
    summary = msgspec.structs.replace(cs, flips=[]).summary()  # counts; flips are spelled out above
    message = f"{name}: " + ("; ".join(flips) + ". " if flips else "") + summary + note
    if notes:
        message += "; " + "; ".join(notes)
    if warnings:
        message += "; warning: " + "; ".join(warnings)
    return RefreshResult(
        name,
        shown,
        True,
        "changed" if cs.changed else "unchanged",
        one_line(message, 2000),
        changes=cs,
        flips=flips,
        rejected=list(cs.rejected),
        format=fmt,
        bytes=total,
        pages=pages,
        warnings=warnings,
        notes=notes,
    )


def _combine(results: list[AdaptResult]) -> tuple[list[Any], list[Rejection]]:
    if len(results) == 1:
        return results[0].records, results[0].rejected
    seen_sources: set[str] = set()
    records: list[Any] = []
    rejected: list[Rejection] = []
    for r in results:
        for rec in r.records:
            if type(rec).__name__ == "Source":
                if rec.id in seen_sources:
                    continue
                seen_sources.add(rec.id)
            records.append(rec)
        rejected.extend(r.rejected)
    return records, rejected
