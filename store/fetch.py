"""Fetching a feed's bytes, bounded in every direction.

- **One deadline per fetch** (``timeout``, default 30 s) that nothing outlives:
  connecting, the TLS handshake, the status line and headers, every redirect,
  the body and the sleeps between retries all count against it. It is enforced
  at the socket (:mod:`store.deadline`): each network operation may take only
  what is left, so a server that drips one header byte a second is cut off at
  the deadline, not after it. A ``Retry-After`` longer than what is left ends
  the fetch at once with a message naming the wait.
- **Cancel**: ``fetch(..., cancel=Cancel())``; ``cancel.cancel()`` from another
  thread (the monitor quitting) shuts the fetch's sockets down and wakes its
  retry sleep: :class:`FetchCancelled` is raised within moments.
- **Size**: the *decompressed* body is capped (default 15 MiB) while streaming;
  gzip/deflate are decompressed here in bounded steps, so a gzip bomb never
  expands past the cap in memory.
- **Redirects**: at most 5, followed by hand; each hop must be http or https,
  https never downgrades to http, ``file:`` and other schemes are refused, a loop
  is an error, an unparseable ``Location`` is named as such. Custom headers
  (``Authorization``...) go only to the feed's own origin, never to a host a
  redirect points at.
- **TLS** is verified. ``User-Agent: sitmon/<version> (+PROJECT_URL)``.
- **Conditional GET** with the stored ETag / Last-Modified: 304 is "not
  modified". A 304 to a request that sent no validator is an error (there is
  nothing it could be "not modified" from).
- **Retries**: 5xx and 429 are retried with exponential backoff and full jitter
  (``Retry-After`` honoured, in seconds or as an HTTP date), at most
  ``attempts`` tries in all (default 4), all within the one deadline; other 4xx
  are not retried. Sleeps are injectable (``sleep=``).
- **Local files** (a path or a ``file:`` URL) are read with the same size cap;
  their modification time and size act as the ETag. Only regular files are
  read (a FIFO would block).

Every failure is a :class:`FetchError` with a one-line message: what happened,
which feed, what happens next. Header values (secrets) never appear in it.

httpx is imported inside the functions that need it, never at import time.

Over 500 lines on purpose: one fetch is one deadline, redirect, retry and size
policy, and splitting those across modules would split the one rule set a
reviewer has to check together.
"""

from __future__ import annotations

import email.utils
import os
import random
import re
import stat
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from .deadline import Budget, Cancel, Cancelled, DeadlineExceeded, budget, install
from .decode import one_line

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "PROJECT_URL",
    "Cancel",
    "FetchCancelled",
    "FetchError",
    "FetchResult",
    "display_url",
    "expand_headers",
    "expand_url",
    "mask_url",
    "url_secrets",
    "fetch",
    "is_local",
    "make_client",
    "parse_retry_after",
    "resolve_next",
    "user_agent",
]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_ATTEMPTS = 4
MAX_REDIRECTS = 5
RETRY_AFTER_CAP = 60.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
CHUNK = 64 * 1024
PROJECT_URL = "https://github.com/sitmon/sitmon"
_REDIRECTS = (301, 302, 303, 307, 308)
_ACCEPT = (
    "application/json, application/feed+json, application/geo+json, "
    "application/vnd.sitmon+json;q=0.9, */*;q=0.5"
)


class FetchError(Exception):
    """A fetch failed; ``str()`` is one line for the user. ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class FetchCancelled(FetchError):
    """The fetch was cancelled through its :class:`~store.deadline.Cancel` (sitmon is quitting)."""


@dataclass
class FetchResult:
    """What a fetch brought back."""

    url: str
    #: the URL the body came from, after redirects
    final_url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    attempts: int = 1
    #: the backoff delays slept before retries, in seconds
    delays: list[float] = field(default_factory=list)


def user_agent() -> str:
    try:
        from importlib.metadata import version

        v = version("sitmon")
    except Exception:  # running from a checkout
        v = "0.1.0"
    return f"sitmon/{v} (+{PROJECT_URL})"


def is_local(url: str) -> bool:
    """A local path or ``file:`` URL (not http/https)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and os.name == "nt")


#: query parameters whose values are credentials (compared lower case, ``-`` as ``_``):
#: ReliefWeb's ``appname``, HDX HAPI's ``app_identifier``, ACLED's ``key`` and
#: ``email``, and the usual token and key names.
SECRET_PARAMS = frozenset(
    {
        "appname",
        "app_identifier",
        "key",
        "api_key",
        "apikey",
        "access_key",
        "token",
        "access_token",
        "auth",
        "authorization",
        "password",
        "passwd",
        "pass",
        "secret",
        "client_secret",
        "client_id",
        "email",
        "signature",
        "sig",
        "session",
        "sessionid",
        "x_ucdp_access_token",
    }
)
MASK = "***"


def _secret_param(name: str) -> bool:
    n = urllib.parse.unquote_plus(name).strip().lower().replace("-", "_")
    return n in SECRET_PARAMS or n.endswith(("_key", "_token", "_secret", "_password"))


def mask_url(url: str, secrets: Iterable[str] = ()) -> str:
    """``url`` as it may be printed or stored: credentials masked, the rest kept.

    User info becomes ``***@``; the value of every query parameter named in
    :data:`SECRET_PARAMS` (or ending ``_key``, ``_token``, ``_secret``,
    ``_password``), every value written as a ``${VAR}`` template, and every
    value equal to one of ``secrets`` becomes ``***``
    (``?appname=***&query=syria``); the fragment is dropped. Local paths are
    returned unchanged. Never raises: an unparsable URL is ``(invalid URL)``.
    """
    if is_local(url):
        return url
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 literal
            host = f"[{host}]"
        if parts.port:
            host = f"{host}:{parts.port}"
        if parts.username is not None or parts.password is not None:
            host = f"{MASK}@{host}"
    except ValueError:
        return "(invalid URL)"
    known = {s for s in secrets if s}
    known |= {urllib.parse.quote(s, safe="") for s in known}
    pieces = []
    for piece in parts.query.split("&") if parts.query else ():
        name, eq, value = piece.partition("=")
        if (
            eq
            and value
            and (
                _secret_param(name)
                or _VAR.search(value)
                or value in known
                or urllib.parse.unquote_plus(value) in known
            )
        ):
            value = MASK
        pieces.append(f"{name}{eq}{value}")
    shown = urllib.parse.urlunsplit((parts.scheme, host, parts.path, "&".join(pieces), ""))
    for s in sorted(known, key=len, reverse=True):  # a secret inside a path segment
        if len(s) >= 4:
            shown = shown.replace(s, MASK)
    return shown


def display_url(url: str) -> str:
    """``url`` safe to show (:func:`mask_url` without extra secrets)."""
    return mask_url(url)


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_url(url: str, env: Mapping[str, str] | None = None, *, feed: str = "feed") -> str:
    """``url`` with each ``${VAR}`` replaced by the variable, percent-encoded (for the request only).

    A value is encoded as a query value (``=`` of a base64 HAPI identifier
    becomes ``%3D``). A missing variable is a :class:`FetchError` naming the
    feed and the variable, never a value. The result is a secret: show it only
    through :func:`mask_url`.
    """
    env = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        var = m.group(1)
        if var not in env:
            raise FetchError(
                f"feed {feed!r}: the url uses ${{{var}}}, which is not set in the environment; "
                "set it, or remove it from the url"
            )
        return urllib.parse.quote(env[var], safe="-._~")

    return _VAR.sub(sub, url)


def url_secrets(url: str, env: Mapping[str, str] | None = None) -> list[str]:
    """The values the ``${VAR}`` of ``url`` expand to (raw and percent-encoded)."""
    env = os.environ if env is None else env
    out = []
    for m in _VAR.finditer(url):
        value = env.get(m.group(1), "")
        if value:
            out += [value, urllib.parse.quote(value, safe="-._~")]
    return out


def _origin(url: str) -> tuple[str, str, int | None]:
    p = urllib.parse.urlsplit(url)
    port = p.port or {"http": 80, "https": 443}.get(p.scheme.lower())
    return (p.scheme.lower(), (p.hostname or "").lower(), port)


def resolve_next(
    current: str, target: str, *, what: str = "redirect", root: str | os.PathLike[str] | None = None
) -> str:
    """Resolve a redirect or next-page ``target`` against ``current`` and check its scheme.

    Raises :class:`FetchError` for non-http(s) schemes (``file:`` included) and
    for https -> http downgrades. Local documents may only lead to local files,
    and with ``root`` (the first document's folder) only to files inside it,
    symlinks followed: a document cannot make sitmon read ``/etc/passwd``.
    """
    if is_local(current):
        if "://" in target and not target.lower().startswith("file:"):
            raise FetchError(f"{what} from a local file to {display_url(target)} refused")
        base = current if current.lower().startswith("file:") else Path(current).resolve().as_uri()
        nxt = urllib.parse.urljoin(base, target)
        if root is not None:
            folder = os.path.realpath(root)
            try:
                real = os.path.realpath(local_path(nxt))
            except FetchError:
                real = ""
            if not real or os.path.commonpath([folder, real]) != folder:
                raise FetchError(
                    f"{what} {one_line(target, 120)!r} is outside the first document's folder "
                    f"{folder}; refused (a local document may only page to files beside it)"
                )
        return nxt
    nxt = urllib.parse.urljoin(current, target)
    scheme = urllib.parse.urlsplit(nxt).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            f"{what} to {scheme or 'a relative'}: URL refused (only http and https are followed)"
        )
    if urllib.parse.urlsplit(current).scheme.lower() == "https" and scheme == "http":
        raise FetchError(f"{what} from https to http refused (a TLS downgrade): {display_url(nxt)}")
    return nxt


def parse_retry_after(
    value: str | None, *, now: float | None = None, cap: float | None = RETRY_AFTER_CAP
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date; RFC 9110
    section 10.2.3), at least 0 and at most ``cap`` (None: uncapped). None when absent or
    unparseable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value) if value.replace(".", "", 1).isdigit() else None
    except ValueError:
        seconds = None
    if seconds is None:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = now if now is not None else time.time()
        seconds = when.timestamp() - current
    seconds = max(0.0, seconds)
    return seconds if cap is None else min(cap, seconds)


def expand_headers(
    headers: Mapping[str, str], env: Mapping[str, str] | None = None, *, feed: str = "feed"
) -> dict[str, str]:
    """Header values with ``${VAR}`` expanded from ``env`` (default: the environment).

    A missing variable is a :class:`FetchError` naming the feed, the header and
    the variable, never a value. Expanded values are secrets: use them for the
    request only.
    """
    env = os.environ if env is None else env
    out = {}
    for header, value in headers.items():

        def sub(m: re.Match[str], header: str = header) -> str:
            var = m.group(1)
            if var not in env:
                raise FetchError(
                    f"feed {feed!r}: header {header} uses ${{{var}}}, which is not set in the "
                    "environment; set it, or remove the header"
                )
            return env[var]

        out[header] = _VAR.sub(sub, value)
    return out


def make_client(timeout: float = DEFAULT_TIMEOUT):
    """An ``httpx.Client`` configured the way sitmon fetches (verified TLS, no auto-redirects),
    with the per-fetch deadline layer of :mod:`store.deadline` under its connection pools."""
    import httpx

    client = httpx.Client(
        verify=True,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": user_agent()},
    )
    install(client)
    return client


def _redactor(secrets: Iterable[str]) -> Callable[[str], str]:
    words: set[str] = set()
    for s in secrets:
        if not s:
            continue
        words.add(s)
        words.update(w for w in s.split() if len(w) >= 6)
    ordered = sorted(words, key=len, reverse=True)

    def redact(text: str) -> str:
        for w in ordered:
            text = text.replace(w, "***")
        return text

    return redact


def fetch(
    url: str,
    *,
    name: str = "feed",
    headers: Mapping[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    attempts: int = DEFAULT_ATTEMPTS,
    client: Any = None,
    sleep: Callable[[float], Any] | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    cancel: Cancel | None = None,
    secrets: Iterable[str] = (),
) -> FetchResult:
    """Fetch ``url`` (http, https, a path or a ``file:`` URL) within the bounds above.

    ``timeout`` is the whole fetch's deadline in seconds (every attempt, redirect
    and retry sleep included). ``sleep`` waits between retries (default: a sleep
    that ``cancel`` interrupts). ``cancel`` stops the fetch from another thread.
    ``secrets``: more values to keep out of messages (what ``${VAR}`` in the URL
    expanded to; header values are always kept out).
    Raises :class:`FetchError` (one line, naming the feed, secrets redacted);
    :class:`FetchCancelled` when cancelled.
    """
    if sleep is None:
        sleep = cancel.sleep if cancel is not None else time.sleep
    redact = _redactor([*(headers or {}).values(), *secrets])
    label = f"feed {name!r}"
    try:
        if is_local(url):
            return _fetch_local(url, label, etag=etag, max_bytes=max_bytes)
        return _fetch_remote(
            url,
            label,
            headers=dict(headers or {}),
            etag=etag,
            last_modified=last_modified,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            attempts=max(1, attempts),
            client=client,
            sleep=sleep,
            rng=rng or random.Random(),
            clock=clock,
            wall_clock=wall_clock,
            cancel=cancel,
        )
    except FetchError as exc:
        msg = str(exc)
        if not msg.startswith(label):
            msg = f"{label}: {msg}"
        raise type(exc)(
            one_line(redact(msg), 400), status=exc.status, retryable=exc.retryable
        ) from None


# ------------------------------------------------------------------ local files


def local_path(url: str) -> Path:
    if url.lower().startswith("file:"):
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"file: URL with a remote host ({parts.netloc}) is not supported")
        return Path(urllib.request.url2pathname(parts.path))
    return Path(url).expanduser()


def _fetch_local(url: str, label: str, *, etag: str | None, max_bytes: int) -> FetchResult:
    path = local_path(url)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError
            raise FetchError(f"{path} is not a regular file (a FIFO or a device?); not read")
        validator = f'"file-{st.st_mtime_ns}-{st.st_size}"'
        if etag is not None and etag == validator:
            return FetchResult(url, url, 304, etag=validator, not_modified=True)
        if st.st_size > max_bytes:
            raise FetchError(
                f"{path} is {st.st_size} bytes, over the {max_bytes}-byte limit; "
                "raise max_bytes for this feed if it is really this big"
            )
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO never blocks
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise FetchError(f"{path} is not a regular file (a FIFO or a device?); not read")
            body = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"{path}: no such file; check the feed's url") from None
    except PermissionError:
        raise FetchError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise FetchError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise FetchError(f"{path}: {exc.strerror or exc}") from None
    if len(body) > max_bytes:
        raise FetchError(f"{path} grew past the {max_bytes}-byte limit while being read")
    return FetchResult(url, url, 200, body=body, etag=validator)


# ---------------------------------------------------------------------- http(s)


class _Retry(Exception):
    def __init__(
        self, status: int, reason: str, retry_after: float | None, where: str, raw: str | None
    ) -> None:
        super().__init__(status)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        self.where = where
        self.raw = raw


def _fmt_wait(seconds: float) -> str:
    """``"45 s"``, ``"27 min"``, ``"27 h 46 min"``: a wait as a person reads it."""
    s = int(round(seconds))
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


def _fetch_remote(
    url: str,
    label: str,
    *,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    attempts: int,
    client: Any,
    sleep: Callable[[float], Any],
    rng: random.Random,
    clock: Callable[[], float],
    wall_clock: Callable[[], float],
    cancel: Cancel | None = None,
) -> FetchResult:
    import httpx

    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            f"unsupported URL scheme {scheme!r} (use https://, http:// or a file path)"
        )
    own = client is None
    if own:
        client = make_client(timeout)
    else:
        install(client)
    delays: list[float] = []
    limit = Budget(clock() + timeout, cancel, clock)
    phase = ["connecting to"]
    try:
        with budget(limit):
            for attempt in range(1, attempts + 1):
                try:
                    result = _attempt(
                        client,
                        url,
                        headers=headers,
                        etag=etag,
                        last_modified=last_modified,
                        timeout=timeout,
                        max_bytes=max_bytes,
                        max_redirects=max_redirects,
                        limit=limit,
                        phase=phase,
                        wall_clock=wall_clock,
                    )
                    result.attempts = attempt
                    result.delays = delays
                    return result
                except _Retry as r:
                    _wait_before_retry(r, attempt, attempts, limit, timeout, rng, delays, sleep)
                except httpx.HTTPError as exc:
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled() from None
                    if limit.remaining() <= 0:
                        raise _too_slow(phase[0], url, timeout) from None
                    raise FetchError(_describe_httpx(exc, url, timeout, phase[0])) from None
            raise AssertionError("unreachable")  # pragma: no cover
    except (Cancelled, httpx.HTTPError) as exc:
        if cancel is not None and cancel.cancelled:
            raise FetchCancelled(
                f"{display_url(url)}: cancelled (sitmon is quitting); nothing was stored"
            ) from None
        if isinstance(exc, Cancelled):  # pragma: no cover - Cancelled comes with a cancel
            raise FetchCancelled(f"{display_url(url)}: cancelled; nothing was stored") from None
        raise FetchError(_describe_httpx(exc, url, timeout, phase[0])) from None
    except DeadlineExceeded:
        raise _too_slow(phase[0], url, timeout) from None
    finally:
        if own:
            client.close()


def _wait_before_retry(
    r: _Retry,
    attempt: int,
    attempts: int,
    limit: Budget,
    timeout: float,
    rng: random.Random,
    delays: list[float],
    sleep: Callable[[float], Any],
) -> None:
    """Sleep before the next attempt, or raise when there is none or no time for it."""
    if attempt >= attempts:
        raise FetchError(
            f"HTTP {r.status} {r.reason} from {r.where} after {attempt} attempt(s); "
            "will try again at the next refresh",
            status=r.status,
            retryable=True,
        )
    left = limit.remaining()
    if r.retry_after is not None:
        if r.retry_after > left:
            raise FetchError(
                f"HTTP {r.status} {r.reason} from {r.where} asks to wait "
                f"{_fmt_wait(r.retry_after)} (Retry-After: {one_line(r.raw or '', 40)}), longer "
                f"than the {_fmt_wait(max(0.0, left))} left of the {timeout:g} s deadline; "
                "not retried now, will try again at the next refresh",
                status=r.status,
                retryable=True,
            )
        delay = min(r.retry_after, RETRY_AFTER_CAP)
    else:  # exponential backoff with full jitter
        delay = rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))
        if delay >= left:
            raise FetchError(
                f"HTTP {r.status} {r.reason} from {r.where} after {attempt} attempt(s), and no "
                f"time left of the {timeout:g} s deadline for another; "
                "will try again at the next refresh",
                status=r.status,
                retryable=True,
            )
    delays.append(delay)
    sleep(delay)


def _too_slow(phase: str, url: str, timeout: float) -> FetchError:
    where = display_url(url)
    what = {
        "connecting to": f"could not connect to {where}",
        "headers from": f"{where} sent its response headers too slowly: not complete",
        "body from": f"{where} sent the body too slowly: not finished",
    }.get(phase, f"{where} did not answer")
    return FetchError(
        f"{what} within the {timeout:g} s deadline; will try again at the next refresh"
    )


def _describe_httpx(exc: Exception, url: str, timeout: float, phase: str = "") -> str:
    import httpx

    where = display_url(url)
    detail = one_line(str(exc), 120)
    if isinstance(exc, httpx.TimeoutException):
        return _too_slow(phase, url, timeout).args[0]
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in detail or "SSL" in detail:
            return f"TLS certificate of {where} could not be verified ({detail}); not fetched"
        return f"could not connect to {where} ({detail}); will try again at the next refresh"
    if isinstance(exc, httpx.RemoteProtocolError):
        if phase == "headers from":
            if "location header" in detail.lower():
                return (
                    f"a redirect from {where} has an invalid Location header ({detail}); "
                    "not followed"
                )
            if "exceeded maximum size" in detail or "too long" in detail.lower():
                return (
                    f"{where} sent oversized response headers (over the HTTP client's limit "
                    "for a response head); not fetched"
                )
            return f"{where} sent malformed response headers ({detail}); not fetched"
        return (
            f"{where} closed the connection before the whole body arrived (truncated body: "
            f"{one_line(str(exc), 100)}); nothing was stored"
        )
    if isinstance(exc, httpx.DecodingError):
        return f"{where} sent a body that could not be decompressed ({one_line(str(exc), 100)})"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"invalid URL {where}: {one_line(str(exc), 100)}"
    return f"request to {where} failed ({type(exc).__name__}: {one_line(str(exc), 100)})"


def _next_hop(current: str, location: str, status: int) -> str:
    """The URL a ``Location`` header points at, or a one-line error naming the bad header."""
    try:
        nxt = resolve_next(current, location)
        parts = urllib.parse.urlsplit(nxt)
        parts.port  # noqa: B018 - raises ValueError for a bad port
        if not parts.hostname:
            raise ValueError("no host")
        import httpx

        httpx.URL(nxt)
    except FetchError:
        raise
    except Exception:
        raise FetchError(
            f"HTTP {status} redirect from {display_url(current)} has an invalid Location "
            f"header ({one_line(location, 80)!r}); not followed"
        ) from None
    return nxt


def _attempt(
    client: Any,
    url: str,
    *,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    limit: Budget,
    phase: list[str],
    wall_clock: Callable[[], float],
) -> FetchResult:
    import httpx

    origin = _origin(url)
    current = url
    seen = {url}
    hops = 0
    while True:
        remaining = limit.remaining()
        if remaining <= 0:
            raise _too_slow(phase[0], url, timeout)
        req_headers = {
            "User-Agent": user_agent(),
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        if _origin(current) == origin:
            req_headers.update(headers)
        if etag:
            req_headers["If-None-Match"] = etag
        if last_modified:
            req_headers["If-Modified-Since"] = last_modified
        to = httpx.Timeout(remaining, connect=min(remaining, 10.0))
        phase[0] = "headers from"
        with client.stream("GET", current, headers=req_headers, timeout=to) as resp:
            status = resp.status_code
            if status in _REDIRECTS:
                location = resp.headers.get("location")
                if not location:
                    raise FetchError(
                        f"HTTP {status} redirect without a Location from {display_url(current)}"
                    )
                hops += 1
                if hops > max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {max_redirects}) from {display_url(url)}; not fetched"
                    )
                nxt = _next_hop(current, location, status)
                if nxt in seen:
                    raise FetchError(f"redirect loop at {display_url(nxt)}; not fetched")
                seen.add(nxt)
                current = nxt
                continue
            if status == 304:
                if not etag and not last_modified:
                    raise FetchError(
                        f"{display_url(current)} answered 304 Not Modified to a request that sent "
                        "no validator (no ETag or Last-Modified was stored): there is nothing it "
                        "could be unchanged from; not stored, check the feed's server",
                        status=304,
                    )
                return FetchResult(
                    url,
                    current,
                    304,
                    etag=resp.headers.get("etag") or etag,
                    last_modified=resp.headers.get("last-modified") or last_modified,
                    not_modified=True,
                )
            reason = one_line(resp.reason_phrase or "", 60)
            if status == 429 or status >= 500:
                raw = resp.headers.get("retry-after")
                retry_after = parse_retry_after(raw, now=wall_clock(), cap=None)
                if retry_after is None and status == 429:  # GDELT states it in the body
                    retry_after = stated_interval(_small_text(resp))
                    if retry_after is not None:
                        raw = f"none; body: one every {retry_after:g} s"
                raise _Retry(status, reason, retry_after, display_url(current), raw)
            if status >= 400:
                hint = {
                    401: "check the feed's credentials (headers)",
                    403: "check the feed's credentials or access rights",
                    404: "check the feed's url",
                    410: "the feed is gone; remove it from the config",
                }.get(status, "not retried")
                raise FetchError(
                    f"HTTP {status} {reason} from {display_url(current)}; {hint}", status=status
                )
            if not 200 <= status < 300:
                raise FetchError(
                    f"unexpected HTTP {status} from {display_url(current)}", status=status
                )
            phase[0] = "body from"
            body = _read_body(resp, limit.at, max_bytes, timeout, limit.clock, display_url(current))
            return FetchResult(
                url,
                current,
                status,
                body=body,
                etag=resp.headers.get("etag"),
                last_modified=resp.headers.get("last-modified"),
            )


_INTERVAL = re.compile(
    r"(?:one|1|a single)\s+request\s+(?:every|per)\s+(\d{1,4}(?:\.\d+)?)\s*(?:s\b|sec|second)"
    r"|(?:wait|retry (?:in|after))\s+(\d{1,4}(?:\.\d+)?)\s*(?:s\b|sec|second)",
    re.IGNORECASE,
)


def stated_interval(text: str) -> float | None:
    """Seconds a rate-limit page asks for, as GDELT words it ("Please limit requests
    to one every 5 seconds", "one request every 5 seconds"); like Retry-After, a wait
    past the deadline fails the fetch rather than outliving it."""
    text = re.sub(r"\s+", " ", text)
    m = _INTERVAL.search(text) or re.search(
        r"one every (\d{1,4}(?:\.\d+)?) ?(?:s\b|sec|second)", text, re.IGNORECASE
    )
    if not m:
        return None
    value = next(g for g in m.groups() if g is not None)
    return float(value)


def _small_text(resp: Any, limit: int = 4096) -> str:
    """The first ``limit`` bytes of an error body as text (never more is read)."""
    out = b""
    try:
        for chunk in resp.iter_bytes():
            out += chunk
            if len(out) >= limit:
                break
    except Exception:  # an error body is only a hint
        pass
    return out[:limit].decode("utf-8", "replace")


def _decompressor(encoding: str, where: str):
    enc = encoding.strip().lower()
    if enc in ("", "identity"):
        return None
    if enc in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if enc == "deflate":
        return "deflate"  # zlib-wrapped or raw: decided on the first byte
    raise FetchError(f"{where} sent an unsupported Content-Encoding {one_line(encoding, 40)!r}")


def _read_body(resp, deadline, max_bytes, timeout, clock, where) -> bytes:
    decomp = _decompressor(resp.headers.get("content-encoding", ""), where)
    out = bytearray()
    raw_total = 0

    def too_big() -> FetchError:
        return FetchError(
            f"the body from {where} is over the {max_bytes}-byte limit"
            f"{' (decompressed)' if decomp is not None else ''}; nothing was stored "
            "(raise max_bytes for this feed if it is really this big)"
        )

    for chunk in resp.iter_raw():  # per network read: the deadline is checked often
        if clock() > deadline:
            raise FetchError(
                f"{where} sent the body too slowly: not finished within the {timeout:g} s deadline "
                f"({raw_total} bytes received); will try again at the next refresh"
            )
        raw_total += len(chunk)
        if decomp is None:
            if len(out) + len(chunk) > max_bytes:
                raise too_big()
            out += chunk
            continue
        if decomp == "deflate":
            decomp = zlib.decompressobj(zlib.MAX_WBITS if chunk[:1] == b"\x78" else -zlib.MAX_WBITS)
        data = chunk
        try:
            while data:
                room = max_bytes - len(out)
                piece = decomp.decompress(data, room + 1)
                out += piece
                if len(out) > max_bytes:
                    raise too_big()
                data = decomp.unconsumed_tail
                if decomp.eof:
                    break
        except zlib.error as exc:
            raise FetchError(f"{where} sent a corrupt compressed body ({exc})") from None
    if decomp is not None and decomp != "deflate":
        try:
            out += decomp.flush()
        except zlib.error as exc:
            raise FetchError(f"{where} sent a corrupt compressed body ({exc})") from None
        if len(out) > max_bytes:
            raise too_big()
        if not decomp.eof and raw_total:
            raise FetchError(f"{where} sent a truncated compressed body; nothing was stored")
    return bytes(out)
