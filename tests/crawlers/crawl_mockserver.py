"""A tiny HTTP server on 127.0.0.1 (random port) for spider tests, in the spirit of Scrapy's tests/mockserver.

Each path maps to a list of canned responses served in order (the last repeats): status, headers, body, an optional
delay before answering, and ``truncate`` to promise more bytes than are sent (a connection cut mid-page).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Canned:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0
    truncate: bool = False


class MockServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Canned]] = {}
        self.hits: dict[str, int] = {}
        self.log: list[tuple[float, str, str]] = []  # (time, method, path with query)
        self.bodies: list[bytes] = []  # request bodies of POSTs, in order
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                key = self.path
                with server._lock:
                    server.log.append((time.monotonic(), self.command, key))
                    if self.command == "POST":
                        server.bodies.append(body)
                    if key not in server.routes:
                        key = urlsplit(self.path).path
                    responses = server.routes.get(key)
                    count = server.hits.get(key, 0)
                    server.hits[key] = count + 1
                if not responses:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                canned = responses[min(count, len(responses) - 1)]
                if canned.delay:
                    time.sleep(canned.delay)
                try:
                    self.send_response(canned.status)
                    for name, value in canned.headers.items():
                        self.send_header(name, value)
                    declared = len(canned.body) * 2 + 100 if canned.truncate else len(canned.body)
                    self.send_header("Content-Length", str(declared))
                    if canned.truncate:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(canned.body)
                    if canned.truncate:
                        self.wfile.flush()
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _serve
            do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.root + path

    def add(self, path: str, *responses: Canned) -> None:
        self.routes[path] = list(responses)

    def __enter__(self) -> MockServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
