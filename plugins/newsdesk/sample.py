"""The offline sample: a local HTTP server for ``seeds/sample/site`` (demo and tests, no network).

Files are served as they are, except that the literal ``{{BASE_URL}}`` in text files becomes the
server's own base URL, so feeds can link to the sample pages whatever port is used. The server
binds to 127.0.0.1 only; the fetcher must be told to allow that address (``allow_private``).
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

PLACEHOLDER = "{{BASE_URL}}"
_TEXT_TYPES = (".html", ".xml", ".atom", ".rss", ".json", ".txt", ".toml")
_CONTENT_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def render(text: str, base_url: str) -> str:
    return text.replace(PLACEHOLDER, base_url.rstrip("/"))


class SampleSite:
    """``with SampleSite(root) as site: site.base_url`` — a static site on 127.0.0.1."""

    def __init__(self, root: Path, *, port: int = 0) -> None:
        self.root = root.resolve()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sample-site", daemon=True)

    @property
    def base_url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> SampleSite:
        self._thread.start()
        log.info("sample site %s serving %s", self.base_url, self.root)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "newsdesk-sample"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = unquote(urlsplit(self.path).path).lstrip("/")
                target = (site.root / path).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if site.root not in target.parents or not target.is_file():
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body = target.read_bytes()
                if target.suffix in _TEXT_TYPES:
                    body = render(body.decode("utf-8"), site.base_url).encode("utf-8")
                ctype = _CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", ctype or "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                log.debug("sample site: " + format, *args)

        return Handler
