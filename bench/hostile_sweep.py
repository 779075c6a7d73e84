"""Hostile-input sweep through the full path: zero crashes, every item with a recorded status.

Two sweeps, each into its own scratch database, with everything served from 127.0.0.1:

  feeds   every file of feedparser's test corpus (../shared/testdata/feedparser, 2,106 real
          edge cases: ill-formed XML, encodings, entities) served as a feed (with the
          Content-Type its header comment names) and polled by poll_feeds: every feed must
          have a feed_fetches row with a status
  pages   the 258 real news pages of ../shared/testdata/extraction-fundus plus hostile pages
          made here (100,000 nested divs, a 10 MB page, invalid UTF-8, script only, binary
          junk, an empty body, truncated markup, a gzip bomb), listed in one feed, polled,
          then fetched, extracted and stored by fetch_and_store_pages until the queue is
          empty: every page must end with a status other than 'pending'

"Crash" means an exception out of the pipeline (the script would stop) or an item the pipeline
had to catch an unexpected exception for ("processing failed", "extraction failed"): both are
counted and must be zero. The script exits non-zero when a condition fails.

    .venv/bin/python bench/hostile_sweep.py
Database: NEWSDESK_DATABASE_URL (scratch databases are created and dropped), else embedded.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _common import SHARED, machine, print_table, scratch_database
from feeds_torture import content_type_of
from stages import bench_settings

Body = tuple[str | None, bytes, dict[str, str]]


@contextmanager
def serve(routes: dict[str, Body]) -> Iterator[str]:
    """Serve ``routes`` (path -> content type, bytes, extra headers) on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            route = routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            ctype, body, headers = route
            self.send_response(200)
            if ctype:
                self.send_header("Content-Type", ctype)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hostile_pages() -> dict[str, Body]:
    html = "text/html; charset=utf-8"
    paragraph = "<p>" + "Een lange alinea over de begroting en de Tweede Kamer. " * 40 + "</p>\n"
    return {
        "/hostile/nested.html": (html, b"<html><body>" + b"<div>" * 100_000 + b"diep" + b"</div>" * 100_000, {}),
        "/hostile/ten-mb.html": (html, ("<html><body>" + paragraph * 4_600 + "</body></html>").encode(), {}),
        "/hostile/invalid-utf8.html": (
            html,
            b"<html><body><h1>Titel \xff\xfe</h1>"
            + b"<p>tekst \xc3\x28 \xa0\xa1 en meer \x80\x81</p>" * 60
            + b"</body></html>",
            {},
        ),
        "/hostile/script-only.html": (
            html,
            b"<html><head><script>" + b"var x = 1;" * 20_000 + b"</script></head></html>",
            {},
        ),
        "/hostile/binary.html": (html, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400, {}),
        "/hostile/empty.html": (html, b"", {}),
        "/hostile/truncated.html": (html, ("<html><body><article><h1>Kop</h1>" + paragraph * 3)[:-900].encode(), {}),
        "/hostile/gzip-bomb.html": (html, gzip.compress(b"<p>" + b"a" * 50_000_000), {"Content-Encoding": "gzip"}),
    }


def fundus_pages(root: Path) -> dict[str, Body]:
    out = {}
    for i, line in enumerate((root / "manifest.jsonl").read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        out[f"/fundus/{i:03d}.html"] = ("text/html", gzip.decompress((root / record["html"]).read_bytes()), {})
    return out


def index_feed(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link><guid>{p}</guid></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>sweep</title>{items}</channel></rss>'.encode()


def sweep_feeds(corpus: Path, tmp: Path) -> dict[str, object]:
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    routes = {f"/feed/{i}": (content_type_of(p), p.read_bytes(), {}) for i, p in enumerate(files)}
    with serve(routes) as base, scratch_database(tmp, "newsdesk_bench_sweep_feeds") as (url, _):
        settings = bench_settings(url)
        with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
            sync_feeds(conn, [Feed(f"{base}{path}", path) for path in routes])
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            summary = poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
        with psycopg.connect(url) as conn:
            statuses = dict(conn.execute("SELECT status, count(*) FROM feed_fetches GROUP BY 1 ORDER BY 2 DESC"))
            accounted = conn.execute("SELECT count(DISTINCT feed_id) FROM feed_fetches").fetchone()[0]
            caught = conn.execute("SELECT count(*) FROM feed_fetches WHERE error LIKE 'processing failed%'").fetchone()[
                0
            ]
            # entries with a link become pages (an entry without one has nothing to fetch)
            entries = conn.execute("SELECT count(*) FROM feed_entries").fetchone()[0]
    return {
        "feeds": len(routes),
        "accounted": accounted,
        "statuses": statuses,
        "unexpected_exceptions": caught,
        "entries_stored": entries,
        "summary": summary.as_dict(),
    }


def sweep_pages(fundus: Path, tmp: Path) -> dict[str, object]:
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.articles import fetch_and_store_pages
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    routes: dict[str, Body] = {**fundus_pages(fundus), **hostile_pages()}
    page_paths = list(routes)
    routes["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n", {})
    with serve(routes) as base, scratch_database(tmp, "newsdesk_bench_sweep_pages") as (url, _):
        routes["/index.xml"] = ("application/rss+xml", index_feed(base, page_paths), {})
        settings = bench_settings(url)
        with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
            sync_feeds(conn, [Feed(f"{base}/index.xml", "sweep")])
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
            while fetch_and_store_pages(conn, fetcher, settings, now=now, limit=500).pages:
                pass
        with psycopg.connect(url) as conn:
            statuses = dict(conn.execute("SELECT status, count(*) FROM pages GROUP BY 1 ORDER BY 2 DESC"))
            pending = conn.execute("SELECT count(*) FROM pages WHERE status = 'pending'").fetchone()[0]
            caught = conn.execute("SELECT count(*) FROM pages WHERE reason LIKE 'extraction failed%'").fetchone()[0]
            hostile = dict(
                conn.execute(
                    "SELECT url, status || coalesce(': ' || left(reason, 70), '') FROM pages"
                    " WHERE url LIKE %s ORDER BY url",
                    (f"{base}/hostile/%",),
                )
            )
    return {
        "pages": len(page_paths),
        "statuses": statuses,
        "pending": pending,
        "unexpected_exceptions": caught,
        "hostile": {u.rsplit("/", 1)[-1]: s for u, s in hostile.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=Path, default=SHARED / "testdata" / "feedparser")
    parser.add_argument("--pages", type=Path, default=SHARED / "testdata" / "extraction-fundus")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-sweep-"))
    feeds = sweep_feeds(args.feeds, tmp)
    pages = sweep_pages(args.pages, tmp)
    rows: list[tuple[str, object]] = [
        ("feeds served / with a fetch-log row", f"{feeds['feeds']} / {feeds['accounted']}"),
        ("feed statuses", feeds["statuses"]),
        ("feed entries stored (those with a link)", feeds["entries_stored"]),
        ("feeds with an unexpected exception", feeds["unexpected_exceptions"]),
        ("pages served / still pending", f"{pages['pages']} / {pages['pending']}"),
        ("page statuses", pages["statuses"]),
        ("pages with an unexpected exception", pages["unexpected_exceptions"]),
    ]
    rows += [(f"  {name}", status) for name, status in pages["hostile"].items()]  # type: ignore[union-attr]
    print_table(rows)
    print(json.dumps({"benchmark": "hostile_sweep", "feeds": feeds, "pages": pages, "machine": machine()}))
    failures = []
    if feeds["accounted"] != feeds["feeds"] or feeds["unexpected_exceptions"]:
        failures.append("feeds")
    if pages["pending"] or pages["unexpected_exceptions"]:
        failures.append("pages")
    if failures:
        raise SystemExit(f"sweep failed for: {', '.join(failures)}")


if __name__ == "__main__":
    main()
