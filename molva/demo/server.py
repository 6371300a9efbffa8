"""A loopback HTTP server for the demo corpus: ``python -m molva.demo.server [--port 8765]``.

It binds 127.0.0.1 only, serves ``/robots.txt`` (everything allowed) and the pages of
:class:`molva.demo.pages.DemoSite`.
``shift="auto"`` moves every date by whole weeks so the corpus's last week is the last complete ISO week before today:
the digest then has a "last week" to report on, and no date lies in the future.
"""

from __future__ import annotations

import argparse
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from molva.demo.generate import load_corpus
from molva.demo.pages import DemoSite


def auto_shift_days(corpus: dict[str, Any], today: date | None = None) -> int:
    """Days (a multiple of 7) that move the corpus's last Sunday onto the Sunday before this ISO week."""
    today = today or date.today()
    last_day = date.fromisoformat(corpus["start"]) + timedelta(days=7 * int(corpus["weeks"]) - 1)
    target = today - timedelta(days=today.weekday() + 1)
    return (target - last_day).days


class _Handler(BaseHTTPRequestHandler):
    site: DemoSite  # set on the subclass made per server
    server_version = "MolvaDemo/1"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        page = self.site.get(parts.path, parts.query)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


class DemoServer:
    """The demo site on 127.0.0.1 in a background thread; use as a context manager or call ``start``/``stop``."""

    def __init__(self, port: int = 0, shift: int | str = "auto", corpus: dict[str, Any] | None = None) -> None:
        self.corpus = corpus or load_corpus()
        self.shift_days = auto_shift_days(self.corpus) if shift == "auto" else int(shift)
        handler = type("DemoHandler", (_Handler,), {"site": DemoSite(self.corpus, self.shift_days)})
        try:
            self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:  # the preferred port is taken: any free one will do, the config's URLs are rewritten
            self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DemoServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="molva-demo-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Molva demo corpus on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--shift", default="auto", help="'auto' or a number of days (a multiple of 7)")
    args = parser.parse_args(argv)
    server = DemoServer(args.port, args.shift)
    print(f"serving the demo corpus at {server.base_url}/ (dates shifted by {server.shift_days} days); Ctrl-C stops")
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
