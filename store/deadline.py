"""One deadline per fetch that nothing outlives, and a switch that cancels a fetch at once.

httpx's timeouts are *per operation*: a server that sends one header byte per
second never trips a 10 s read timeout. sitmon therefore puts its own layer
under httpx, at the socket: every network operation of a fetch (DNS-free
connect, TLS handshake, each write, each read of the status line, the headers,
every redirect and the body) gets as its timeout what is left of the fetch's
single deadline, and an operation started after the deadline fails at once.
A stalled socket can hold a fetch for at most the time left, never more.

:class:`Cancel` is the other half: ``cancel()`` (from any thread, e.g. the UI
thread when the user quits) shuts down every socket the fetch has open, which
wakes a read blocked in the kernel at once, and wakes a retry sleep.

Only this module touches httpcore's internals: :func:`install` sets the
network backend of an ``httpx.Client``'s connection pools (the public
``httpcore.ConnectionPool(network_backend=...)`` hook, which ``httpx`` does not
expose). httpx and httpcore are imported only when a client is built.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Budget", "Cancel", "Cancelled", "DeadlineExceeded", "budget", "install"]


class DeadlineExceeded(Exception):
    """The fetch's deadline passed during a network operation (raised inside httpx)."""


class Cancelled(Exception):
    """The fetch was cancelled (raised inside httpx, or by a retry sleep)."""


class Cancel:
    """A cancel switch shared by a fetch and whoever may stop it (thread-safe).

    ``cancel()`` marks it, shuts down every socket registered by fetches using
    it (waking blocked reads) and wakes :meth:`sleep`. Idempotent.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._socks: set[Any] = set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            socks = list(self._socks)
        for sock in socks:
            _shutdown(sock)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if cancelled meanwhile (then raise :class:`Cancelled`)."""
        if self._event.wait(max(0.0, seconds)):
            raise Cancelled()

    def track(self, sock: Any) -> None:
        with self._lock:
            if self._event.is_set():
                _shutdown(sock)
            self._socks.add(sock)

    def untrack(self, sock: Any) -> None:
        with self._lock:
            self._socks.discard(sock)


def _shutdown(sock: Any) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Budget:
    """The time left to one fetch: ``at`` is the deadline on ``clock``'s scale (seconds)."""

    def __init__(
        self, at: float, cancel: Cancel | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.at = at
        self.cancel = cancel
        self.clock = clock

    def remaining(self) -> float:
        return self.at - self.clock()

    def timeout(self, requested: float | None) -> float:
        """The timeout for one operation: ``requested`` cut to what is left; raise when none is."""
        if self.cancel is not None and self.cancel.cancelled:
            raise Cancelled()
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded()
        return left if requested is None else min(requested, left)


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "sitmon_budget", default=None
)


@contextlib.contextmanager
def budget(b: Budget) -> Iterator[Budget]:
    """Run the body (one fetch) under ``b``: every socket operation in this thread obeys it."""
    token = _current.set(b)
    try:
        yield b
    finally:
        _current.reset(token)


def _timeout(requested: float | None) -> float | None:
    b = _current.get()
    return requested if b is None else b.timeout(requested)


def _guard(stream: Any, op: Callable[[float | None], Any], requested: float | None) -> Any:
    """Run one socket operation under the current budget, cancellable from another thread."""
    b = _current.get()
    if b is None:
        return op(requested)
    t = b.timeout(requested)
    sock = stream.get_extra_info("socket")
    if b.cancel is not None and sock is not None:
        b.cancel.track(sock)
    try:
        return op(t)
    except Exception:
        if b.cancel is not None and b.cancel.cancelled:
            raise Cancelled() from None
        if b.remaining() <= 0:
            raise DeadlineExceeded() from None
        raise
    finally:
        if b.cancel is not None and sock is not None:
            b.cancel.untrack(sock)


_classes: dict[str, type] = {}


def _backend_classes() -> tuple[type, type]:
    """(stream class, backend class), defined on first use so httpcore loads late."""
    if not _classes:
        import httpcore

        class DeadlineStream(httpcore.NetworkStream):
            def __init__(self, inner: Any) -> None:
                self._inner = inner

            def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
                data = _guard(self, lambda t: self._inner.read(max_bytes, t), timeout)
                b = _current.get()
                if not data and b is not None and b.cancel is not None and b.cancel.cancelled:
                    raise Cancelled()  # a shut-down socket reads as EOF
                return data

            def write(self, buffer: bytes, timeout: float | None = None) -> None:
                _guard(self, lambda t: self._inner.write(buffer, t), timeout)

            def close(self) -> None:
                self._inner.close()

            def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # type: ignore[no-untyped-def]
                inner = _guard(
                    self,
                    lambda t: self._inner.start_tls(ssl_context, server_hostname, t),
                    timeout,
                )
                return DeadlineStream(inner)

            def get_extra_info(self, info: str) -> Any:
                return self._inner.get_extra_info(info)

        class DeadlineBackend(httpcore.NetworkBackend):
            def __init__(self, inner: Any) -> None:
                self._inner = inner

            def connect_tcp(
                self, host, port, timeout=None, local_address=None, socket_options=None
            ):  # type: ignore[no-untyped-def]
                stream = self._inner.connect_tcp(
                    host, port, _timeout(timeout), local_address, socket_options
                )
                return DeadlineStream(stream)

            def connect_unix_socket(self, path, timeout=None, socket_options=None):  # type: ignore[no-untyped-def]
                return DeadlineStream(
                    self._inner.connect_unix_socket(path, _timeout(timeout), socket_options)
                )

            def sleep(self, seconds: float) -> None:
                b = _current.get()
                if b is not None and b.cancel is not None:
                    b.cancel.sleep(seconds)
                else:
                    time.sleep(seconds)

        _classes["stream"] = DeadlineStream
        _classes["backend"] = DeadlineBackend
    return _classes["stream"], _classes["backend"]


def install(client: Any) -> bool:
    """Put the deadline layer under every connection pool of an ``httpx.Client``. Idempotent.

    Returns False when a transport is not an ``httpx.HTTPTransport`` (a test's
    ``MockTransport``, say): that transport does no network I/O to bound.
    """
    _, backend_cls = _backend_classes()
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    ok = True
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            ok = ok and transport is None
            continue
        if not isinstance(pool._network_backend, backend_cls):
            pool._network_backend = backend_cls(pool._network_backend)
    return ok
