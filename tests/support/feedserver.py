"""A programmable HTTP server on 127.0.0.1 for feed tests (real sockets, real HTTP/1.1).

    with FeedServer() as srv:
        srv.serve_file("/followup.json", path)              # ETag + Last-Modified + 304s
        srv.route("/flaky", [Reply(503, headers={"Retry-After": "2"}), Reply(200, body=b"{}")])
        url = srv.url("/followup.json")

A route is a list of :class:`Reply` objects used in turn (the last one repeats),
or a callable ``handler(request) -> Reply``. ``srv.log`` records every request
(path and headers) for assertions.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["FeedServer", "Reply", "Request"]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: send the body in pieces of this size with ``drip_delay`` seconds between them
    drip: int | None = None
    drip_delay: float = 0.0
    #: announce this Content-Length instead of the real one (a truncated body)
    content_length: int | None = None
    #: close the connection abruptly after sending
    close: bool = False
    #: send the status line and headers one byte at a time, this many seconds apart
    header_drip_delay: float = 0.0
    #: extra header lines sent verbatim (bytes, e.g. a malformed or huge header)
    raw_headers: bytes = b""


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        req = Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
        self.server.owner.log.append(req)
        reply = self.server.owner._reply_for(req)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, reply: Reply) -> None:
        if reply.header_drip_delay or reply.raw_headers:
            return self._send_raw(reply)
        self.send_response(reply.status)
        headers = dict(reply.headers)
        length = reply.content_length if reply.content_length is not None else len(reply.body)
        if reply.status != 304:
            headers.setdefault("Content-Length", str(length))
        else:
            headers.pop("Content-Length", None)
        headers.setdefault("Content-Type", "application/json")
        if reply.close or reply.content_length is not None:
            headers["Connection"] = "close"
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if reply.status == 304:
            return
        if reply.drip:
            for i in range(0, len(reply.body), reply.drip):
                if self.server.owner._stopping.is_set():
                    return
                self.wfile.write(reply.body[i : i + reply.drip])
                self.wfile.flush()
                time.sleep(reply.drip_delay)
        else:
            self.wfile.write(reply.body)
        self.wfile.flush()
        if reply.close or reply.content_length is not None:
            self.close_connection = True

    def _send_raw(self, reply: Reply) -> None:
        """The head written by hand: dripped byte by byte, and/or with raw header lines."""
        head = f"HTTP/1.1 {reply.status} X\r\n".encode()
        headers = {"Content-Length": str(len(reply.body)), **reply.headers, "Connection": "close"}
        for k, v in headers.items():
            head += f"{k}: {v}\r\n".encode()
        head += reply.raw_headers + b"\r\n"
        if reply.header_drip_delay:
            for i in range(len(head)):
                if self.server.owner._stopping.wait(reply.header_drip_delay if i else 0):
                    return
                self.wfile.write(head[i : i + 1])
                self.wfile.flush()
        else:
            self.wfile.write(head)
        self.wfile.write(reply.body)
        self.wfile.flush()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early (deadline, size cap) are expected here


class FeedServer:
    """The server; a context manager that starts and stops it."""

    def __init__(self) -> None:
        self._routes: dict[str, Any] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.log: list[Request] = []
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        # shutdown() waits for serve_forever to look at its flag, once per poll interval:
        # the default 0.5 s made every test using a server half a second longer
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, replies: list[Reply] | Reply | Callable[[Request], Reply]) -> None:
        with self._lock:
            self._routes[path] = [replies] if isinstance(replies, Reply) else replies
            self._counts[path] = 0

    def hits(self, path: str) -> int:
        return sum(1 for r in self.log if r.path == path)

    def serve_bytes(
        self,
        path: str,
        body: bytes,
        *,
        last_modified: float | None = None,
        gzip_body: bool = False,
        content_type: str = "application/json",
    ) -> None:
        """Serve ``body`` with an ETag and Last-Modified, answering 304 to matching validators."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        lm = email.utils.formatdate(last_modified or 1733600000, usegmt=True)

        def handler(req: Request) -> Reply:
            inm = req.headers.get("if-none-match")
            ims = req.headers.get("if-modified-since")
            if inm == etag or (inm is None and ims == lm):
                return Reply(304, headers={"ETag": etag, "Last-Modified": lm})
            headers = {"ETag": etag, "Last-Modified": lm, "Content-Type": content_type}
            data = body
            if gzip_body:
                data = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            return Reply(200, data, headers)

        self.route(path, handler)

    def serve_file(self, path: str, file: Path, **kw: Any) -> None:
        self.serve_bytes(path, Path(file).read_bytes(), **kw)

    def _reply_for(self, req: Request) -> Reply:
        path = req.path.split("?", 1)[0]
        with self._lock:
            route = self._routes.get(path)
            n = self._counts.get(path, 0)
            self._counts[path] = n + 1
        if route is None:
            return Reply(404, b'{"error": "not found"}')
        if callable(route):
            return route(req)
        return route[min(n, len(route) - 1)]
