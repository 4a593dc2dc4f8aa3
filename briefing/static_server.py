"""A static server on 127.0.0.1, as static hosts serve a site: files under a sub-path, text
gzipped for clients that accept it, the site's 404.html for anything missing, no listings.

The tests serve the built site with it (under /briefing/, as a host publishing under a sub-path
would), and `make bench` measures pages served by it (Lighthouse).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5 connections: a browser reloading a page asks for a dozen
    # files at once, the rest of its connections were refused and retried a second later
    request_queue_size = 128
    root: Path
    prefix: str
    headers: dict[str, str]

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients that hang up early are fine
            super().handle_error(request, client_address)


# served gzipped when the client accepts it, besides text/*: what static hosts compress
_COMPRESSIBLE = {"application/javascript", "application/json", "application/xml", "image/svg+xml"}


@functools.lru_cache(maxsize=512)
def _gzipped_cached(path: str, mtime_ns: int, size: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


def _gzipped(path: str) -> bytes:
    stat = os.stat(path)
    return _gzipped_cached(path, stat.st_mtime_ns, stat.st_size)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves root under prefix only: anything else, and any missing file, gets the site's 404.html.
    Text (HTML, CSS, JavaScript, JSON, SVG, XML) is gzipped for clients that accept it."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        super().end_headers()

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        prefix = self.server.prefix
        if not path.startswith(prefix):
            return ""
        root = self.server.root.resolve()  # each request: root may be a link that moves to a new build
        target = (root / path[len(prefix) :]).resolve()
        if target != root and root not in target.parents:
            return ""
        return str(target)

    def send_head(self):  # the base class's: returns an open file, or None once it has answered
        path = urlsplit(self.path).path
        if path == self.server.prefix.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.server.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        target = self.translate_path(self.path)
        if target and os.path.isdir(target) and not os.path.isfile(os.path.join(target, "index.html")):
            target = ""  # no directory listings
        if not target or not os.path.exists(target):
            self.send_error(404)
            return None
        return self._send_text(target) or super().send_head()

    def text_body(self, target: str) -> tuple[bytes | None, str | None]:
        """A text file's body as sent and its content encoding: gzipped, as static hosts serve
        it to a client that accepts gzip; (None, None) for the base class to send the file."""
        if "gzip" not in self.headers.get("Accept-Encoding", ""):
            return None, None
        return _gzipped(target), "gzip"

    def _send_text(self, target: str) -> io.BytesIO | None:
        """A text file's body from text_body(); None for anything else (the base class answers)."""
        if os.path.isdir(target):
            if not urlsplit(self.path).path.endswith("/"):
                return None  # the base class redirects to the address with a slash
            target = os.path.join(target, "index.html")
        content_type = self.guess_type(target)
        if not (content_type.startswith("text/") or content_type in _COMPRESSIBLE):
            return None
        body, encoding = self.text_body(target)
        if body is None:
            return None
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(os.stat(target).st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.server.root / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class StaticServer:
    """A small HTTP server (by default on 127.0.0.1 and a free port) serving root under prefix,
    in a thread. root may be a symbolic link: a request reads the folder it points to then."""

    def __init__(
        self,
        root: Path,
        prefix: str = "/",
        headers: dict[str, str] | None = None,
        address: tuple[str, int] = ("127.0.0.1", 0),
        handler: type[Handler] | None = None,
    ) -> None:
        self.httpd = _Server(address, handler or Handler)
        self.httpd.root = Path(os.path.abspath(root))
        self.httpd.prefix = prefix
        self.httpd.headers = headers or {}
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}{prefix}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)

    def start(self) -> StaticServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
