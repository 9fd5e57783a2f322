"""A real HTTP server on 127.0.0.1 (port 0, one thread per request) that can be told to misbehave.

An app is a function (path, query) → (status, headers, body). Faults are applied before the app: a status
(500, 429 with Retry-After …) or a hang (sleep longer than the client's timeout, then answer). Every request
is logged with its arrival time, so tests can check retries and waits from the server's side.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

Response = tuple[int, dict[str, str], bytes]
App = Callable[[str, dict[str, str]], Response]


@dataclass
class Fault:
    path: str                  # applies to requests whose path ends with this
    status: int | None = 500   # answer with this status (None: hang, then let the app answer)
    body: str = "internal error"
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0        # sleep this long first
    skip: int = 0              # let this many matching requests through first
    times: int = 1             # then apply to this many
    seen: int = 0              # matching requests so far


@dataclass
class Hit:
    at: float                  # time.monotonic() on arrival
    path: str
    query: dict[str, str]
    status: int | None         # None while the answer is pending (a hang)
    answered: float | None = None  # time.monotonic() when the answer was ready


def json_response(data, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body


class _Server(ThreadingHTTPServer):
    daemon_threads = False     # server_close() waits for handlers, so a hanging answer ends within the test
    block_on_close = True


class TestServer:
    """Serve `app` on 127.0.0.1 in a background thread; use as a context manager."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: App):
        self.app = app
        self.faults: list[Fault] = []
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, path: str, **kw) -> Fault:
        fault = Fault(path=path, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def calls(self, path: str) -> list[Hit]:
        """Requests to a path, in order of arrival."""
        with self._lock:
            return sorted((h for h in self.hits if h.path.endswith(path)), key=lambda h: h.at)

    def _fault_for(self, path: str) -> Fault | None:
        """The first fault whose turn this is: each counts the requests to its path on its own."""
        chosen = None
        with self._lock:
            for fault in self.faults:
                if not path.endswith(fault.path):
                    continue
                fault.seen += 1
                if chosen is None and fault.skip < fault.seen <= fault.skip + fault.times:
                    chosen = fault
        return chosen

    def handle(self, path: str, query: dict[str, str]) -> Response:
        fault = self._fault_for(path)
        if fault is not None:
            if fault.hang_s:
                time.sleep(fault.hang_s)
            if fault.status is not None:
                return fault.status, {"Content-Type": "text/plain", **fault.headers}, fault.body.encode("utf-8")
        return self.app(path, query)

    def __enter__(self) -> TestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # an idle keep-alive connection ends by itself

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._connections.add(self.connection)

            def finish(self) -> None:
                super().finish()
                with server._lock:
                    server._connections.discard(self.connection)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                hit = Hit(time.monotonic(), parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)), None)
                with server._lock:
                    server.hits.append(hit)
                status, headers, body = server.handle(parts.path, hit.query)
                hit.status, hit.answered = status, time.monotonic()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a hang past its timeout)

            def log_message(self, *args) -> None:
                pass

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="test-http", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        with self._lock:
            for connection in self._connections:  # a client's idle keep-alive connection would hold its handler
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._httpd.server_close()
        self._thread.join(timeout=10)
