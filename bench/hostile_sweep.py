"""Hostile-input sweep through the full path: zero crashes, every item with a recorded status.

Four sweeps, each into its own scratch database, with everything served from 127.0.0.1:

  feeds    every file of feedparser's test corpus (../shared/testdata/feedparser, 2,106 real
           edge cases: ill-formed XML, encodings, entities) served as a feed (with the
           Content-Type its header comment names), plus poison feeds (a JSON Feed with lone
           surrogates in every field, an RSS item with &#xD800;), polled by poll_feeds: every
           feed must have a feed_fetches row with a status, every entry of the poison feeds
           must be stored
  pages    the 258 real news pages of ../shared/testdata/extraction-fundus plus hostile pages
           made here (100,000 nested divs, a 10 MB page, invalid UTF-8, script only, binary
           junk, an empty body, truncated markup, a gzip bomb) and poison pages (a canonical
           link over the key limit, ~9 MB of distinct words, a lone surrogate in the JSON-LD
           headline, a complete paywalled article, bidi overrides, Latin-1 labelled UTF-8, a
           direct link to the cloud-metadata address), listed in one feed, polled, then fetched,
           extracted and stored by fetch_and_store_pages until the queue is empty: every page
           must end with a status other than 'pending'
  starve   a feed of 100,000 items polled before a healthy feed of 50: the healthy feed's pages
           must all be stored by the first run (the DAG's 4 shards of 500 pages)
  stall    500 links to pages that trickle a byte every half second, and 20 normal pages: one
           fetch task must end within its budget (NEWSDESK_FETCH_BUDGET, --budget) + 10 %,
           with the normal pages stored

Figures: items recorded / items offered (feeds with a fetch-log row, entries of the poison
feeds stored, pages with a final status: must be 100 %), tasks failed (pipeline calls that
raised: must be 0), the healthy feed's pages stored in the first run after the big feed (must
be all), the fetch task's wall time with 500 trickling links (must be within the budget + 10 %).
"Crash" also means an item the pipeline had to catch an unexpected exception for ("processing
failed", "extraction failed"): counted and must be zero. The script exits non-zero when a
condition fails.

    .venv/bin/python bench/hostile_sweep.py [--budget SECONDS] [--only feeds,pages,starve,stall]
Database: NEWSDESK_DATABASE_URL (scratch databases are created and dropped), else embedded.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

from _common import ROOT, SHARED, machine, one, print_table, scratch_database
from feeds_torture import content_type_of
from stages import bench_settings

Body = tuple[str | None, bytes, dict[str, str]]
TRICKLE = "trickle"  # a route whose body is sent a byte every half second


def poison() -> ModuleType:
    """The poison pages and feeds of the fault tests (tests/fixtures/feeds/poison.py)."""
    path = ROOT / "tests" / "fixtures" / "feeds" / "poison.py"
    spec = importlib.util.spec_from_file_location("poison", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Tasks:
    """Pipeline calls made as tasks would make them; one that raises is a failed task."""

    def __init__(self) -> None:
        self.run = 0
        self.failed: list[str] = []

    def call(self, name: str, func: Callable[[], Any]) -> Any:
        self.run += 1
        try:
            return func()
        except Exception as exc:  # noqa: BLE001 - counted: a task that would fail in Airflow
            self.failed.append(f"{name}: {type(exc).__name__}: {exc}"[:300])
            return None


@contextmanager
def serve(routes: dict[str, Body]) -> Iterator[str]:
    """Serve ``routes`` (path -> content type, bytes, extra headers) on 127.0.0.1. A route whose
    content type is TRICKLE sends its body a byte every half second."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            route = routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            ctype, body, headers = route
            if ctype == TRICKLE:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.5)
                except OSError:
                    pass  # the client hung up: the point
                return
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
    out: dict[str, Body] = {}
    for i, line in enumerate((root / "manifest.jsonl").read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        out[f"/fundus/{i:03d}.html"] = ("text/html", gzip.decompress((root / record["html"]).read_bytes()), {})
    return out


def index_feed(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>{u}</title><link>{u}</link><guid>{u}</guid></item>" for u in urls)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>sweep</title>{items}</channel></rss>'.encode()


def sweep_feeds(corpus: Path, tmp: Path) -> dict[str, Any]:
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    routes: dict[str, Body] = {f"/feed/{i}": (content_type_of(p), p.read_bytes(), {}) for i, p in enumerate(files)}
    pz = poison()
    tasks = Tasks()
    with serve(routes) as base, scratch_database(tmp, "newsdesk_bench_sweep_feeds") as (url, _):
        links = [f"{base}/article/{i}" for i in range(20)]
        routes["/poison.json"] = ("application/feed+json", pz.surrogate_json_feed(links[:10]), {})
        routes["/charref.xml"] = ("application/rss+xml", pz.charref_rss(links[10:]), {})
        settings = bench_settings(url)
        with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
            sync_feeds(conn, [Feed(f"{base}{path}", path) for path in routes])
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            summary = tasks.call(
                "poll_feeds", lambda: poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
            )
        with psycopg.connect(url) as conn:
            poison_entries = one(
                conn.execute(
                    """SELECT count(*) FROM feed_entries e JOIN feeds f USING (feed_id)
                    WHERE f.url IN (%s, %s)""",
                    (f"{base}/poison.json", f"{base}/charref.xml"),
                )
            )[0]
            statuses: dict[str, int] = dict(
                conn.execute("SELECT status, count(*) FROM feed_fetches GROUP BY 1 ORDER BY 2 DESC")
            )
            accounted = one(conn.execute("SELECT count(DISTINCT feed_id) FROM feed_fetches"))[0]
            caught = one(conn.execute("SELECT count(*) FROM feed_fetches WHERE error LIKE 'processing failed%'"))[0]
            # entries with a link become pages (an entry without one has nothing to fetch)
            entries = one(conn.execute("SELECT count(*) FROM feed_entries"))[0]
    return {
        "feeds": len(routes),
        "accounted": accounted,
        "statuses": statuses,
        "unexpected_exceptions": caught,
        "entries_stored": entries,
        "poison_entries_offered": 20,
        "poison_entries_stored": poison_entries,
        "summary": summary.as_dict() if summary else None,
        "tasks": tasks.run,
        "tasks_failed": tasks.failed,
    }


def sweep_pages(fundus: Path, tmp: Path) -> dict[str, Any]:
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.articles import fetch_and_store_pages
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    routes: dict[str, Body] = {**fundus_pages(fundus), **hostile_pages()}
    tasks = Tasks()
    with serve(routes) as base, scratch_database(tmp, "newsdesk_bench_sweep_pages") as (url, _):
        routes.update(poison_pages(base))
        page_urls = [f"{base}{path}" for path in routes] + [METADATA_LINK]
        routes["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n", {})
        routes["/index.xml"] = ("application/rss+xml", index_feed(page_urls), {})
        settings = bench_settings(url)
        with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
            sync_feeds(conn, [Feed(f"{base}/index.xml", "sweep")])
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            tasks.call("poll_feeds", lambda: poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now))
            while True:
                done = tasks.call(
                    "fetch_articles", lambda: fetch_and_store_pages(conn, fetcher, settings, now=now, limit=500)
                )
                if done is None or not done.pages:
                    break
        with psycopg.connect(url) as conn:
            statuses: dict[str, int] = dict(
                conn.execute("SELECT status, count(*) FROM pages GROUP BY 1 ORDER BY 2 DESC")
            )
            pending = one(conn.execute("SELECT count(*) FROM pages WHERE status = 'pending'"))[0]
            recorded = one(
                conn.execute("SELECT count(*) FROM pages WHERE url = ANY(%s) AND status <> 'pending'", (page_urls,))
            )[0]
            caught = one(conn.execute("SELECT count(*) FROM pages WHERE reason LIKE 'extraction failed%'"))[0]
            hostile: dict[str, str] = dict(
                conn.execute(
                    "SELECT url, status || coalesce(': ' || left(reason, 70), '') FROM pages"
                    " WHERE url LIKE %s OR url LIKE %s OR url = %s ORDER BY url",
                    (f"{base}/hostile/%", f"{base}/poison/%", METADATA_LINK),
                )
            )
    return {
        "pages": len(page_urls),
        "recorded": recorded,
        "statuses": statuses,
        "pending": pending,
        "unexpected_exceptions": caught,
        "hostile": {("metadata-link" if u == METADATA_LINK else u.rsplit("/", 1)[-1]): s for u, s in hostile.items()},
        "tasks": tasks.run,
        "tasks_failed": tasks.failed,
    }


METADATA_LINK = "http://169.254.169.254/latest/meta-data/"


def poison_pages(base: str) -> dict[str, Body]:
    pz = poison()
    html = "text/html; charset=utf-8"
    return {
        "/poison/long-canonical.html": (html, pz.long_canonical_page(base), {}),
        "/poison/distinct-words.html": (html, pz.distinct_words_page(), {}),
        "/poison/surrogate-jsonld.html": (html, pz.surrogate_jsonld_page(), {}),
        "/poison/paywalled.html": (html, pz.paywalled_complete_page(), {}),
        "/poison/bidi.html": (html, pz.bidi_page(), {}),
        "/poison/latin1.html": (html, pz.latin1_page(), {}),  # the header says UTF-8
    }


def sweep_starvation(tmp: Path, *, items: int = 100_000, healthy: int = 50, shards: int = 4) -> dict[str, Any]:
    """A feed of ``items`` polled before a healthy feed: one run (``shards`` x 500 pages)."""
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.articles import fetch_and_store_pages
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    pz = poison()
    routes: dict[str, Body] = {"/big": ("text/html", pz.healthy_page(1), {})}
    routes.update({f"/healthy/{i}.html": ("text/html", pz.healthy_page(1000 + i), {}) for i in range(healthy)})
    tasks = Tasks()
    with serve(routes) as base, scratch_database(tmp, "newsdesk_bench_sweep_starve") as (url, _):
        big_items = "".join(f"<item><guid>b{i}</guid><link>{base}/big?i={i}</link></item>" for i in range(items))
        routes["/big.xml"] = (
            "application/rss+xml",
            f'<rss version="2.0"><channel>{big_items}</channel></rss>'.encode(),
            {},
        )
        links = [f"{base}/healthy/{i}.html" for i in range(healthy)]
        routes["/healthy.xml"] = ("application/rss+xml", pz.rss([(u, u, "t") for u in links]), {})
        settings = bench_settings(url)
        with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
            sync_feeds(conn, [Feed(f"{base}/big.xml", "big"), Feed(f"{base}/healthy.xml", "healthy")])
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            states = {s.url: s for s in due_feeds(conn, now)}
            earlier = now - timedelta(minutes=15)
            tasks.call(
                "poll big", lambda: poll_feeds(conn, fetcher, [states[f"{base}/big.xml"]], settings, now=earlier)
            )
            tasks.call(
                "poll healthy", lambda: poll_feeds(conn, fetcher, [states[f"{base}/healthy.xml"]], settings, now=now)
            )
            started = time.monotonic()
            for shard in range(shards):
                tasks.call(
                    f"fetch_articles shard {shard}",
                    lambda shard=shard: fetch_and_store_pages(  # type: ignore[misc]
                        conn, fetcher, settings, now=now, shard=shard, shards=shards, limit=500
                    ),
                )
            seconds = time.monotonic() - started
            rows = conn.execute(
                """SELECT f.name, count(*) FILTER (WHERE p.article_id IS NOT NULL) AS stored, count(*) AS queued
                     FROM pages p JOIN feeds f USING (feed_id) GROUP BY f.name"""
            ).fetchall()
    by_feed = {r["name"]: (r["stored"], r["queued"]) for r in rows}
    return {
        "big_feed_items": items,
        "healthy_pages": healthy,
        "healthy_stored_first_run": by_feed.get("healthy", (0, 0))[0],
        "big_stored_first_run": by_feed.get("big", (0, 0))[0],
        "big_queued": by_feed.get("big", (0, 0))[1],
        "runs_to_drain_big": round(by_feed.get("big", (0, 0))[1] / (shards * 500), 1),
        "first_run_s": round(seconds, 1),
        "tasks": tasks.run,
        "tasks_failed": tasks.failed,
    }


def sweep_stall(tmp: Path, *, budget_s: float, trickling: int = 500, normal: int = 20) -> dict[str, Any]:
    """One fetch task over ``trickling`` pages that trickle and ``normal`` ones, within its budget."""
    from dataclasses import replace

    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.config import HttpSettings
    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.articles import fetch_and_store_pages
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    pz = poison()
    slow_routes: dict[str, Body] = {f"/slow/{i}": (TRICKLE, b" " * 100_000, {}) for i in range(trickling)}
    routes: dict[str, Body] = {f"/good/{i}.html": ("text/html", pz.healthy_page(5000 + i), {}) for i in range(normal)}
    tasks = Tasks()
    with (
        serve(slow_routes) as slow,
        serve(routes) as base,
        scratch_database(tmp, "newsdesk_bench_sweep_stall") as (
            url,
            _,
        ),
    ):
        links = [f"{slow}/slow/{i}" for i in range(trickling)] + [f"{base}/good/{i}.html" for i in range(normal)]
        routes["/feed.xml"] = ("application/rss+xml", pz.rss([(u, u, "t") for u in links]), {})
        # the default politeness (two requests at a time per host): the trickling host is one publisher
        http = HttpSettings(allow_private=("127.0.0.1",), per_host_delay_s=0.0)
        settings = replace(bench_settings(url), http=http, fetch_budget_s=budget_s)
        with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, [Feed(f"{base}/feed.xml", "mixed")])
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            tasks.call("poll_feeds", lambda: poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now))
            started = time.monotonic()
            summary = tasks.call(
                "fetch_articles", lambda: fetch_and_store_pages(conn, fetcher, settings, now=now, limit=1000)
            )
            wall = time.monotonic() - started
    return {
        "trickling_links": trickling,
        "normal_pages": normal,
        "budget_s": budget_s,
        "wall_s": round(wall, 1),
        "summary": summary.as_dict() if summary else None,
        "tasks": tasks.run,
        "tasks_failed": tasks.failed,
    }


def main() -> None:
    from newsdesk.config import Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=Path, default=SHARED / "testdata" / "feedparser")
    parser.add_argument("--pages", type=Path, default=SHARED / "testdata" / "extraction-fundus")
    parser.add_argument("--budget", type=float, default=Settings().fetch_budget_s, help="the fetch task's budget (s)")
    parser.add_argument("--only", default="feeds,pages,starve,stall")
    args = parser.parse_args()
    only = set(args.only.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-sweep-"))
    out: dict[str, Any] = {}
    rows: list[tuple[str, object]] = []
    failures = []
    offered = recorded = 0
    tasks_failed: list[str] = []
    if "feeds" in only:
        feeds = out["feeds"] = sweep_feeds(args.feeds, tmp)
        offered += feeds["feeds"] + feeds["poison_entries_offered"]
        recorded += feeds["accounted"] + feeds["poison_entries_stored"]
        tasks_failed += feeds["tasks_failed"]
        rows += [
            ("feeds served / with a fetch-log row", f"{feeds['feeds']} / {feeds['accounted']}"),
            ("feed statuses", feeds["statuses"]),
            ("feed entries stored (those with a link)", feeds["entries_stored"]),
            (
                "poison feed entries offered / stored",
                f"{feeds['poison_entries_offered']} / {feeds['poison_entries_stored']}",
            ),
            ("feeds with an unexpected exception", feeds["unexpected_exceptions"]),
        ]
        if feeds["unexpected_exceptions"]:
            failures.append("feeds")
    if "pages" in only:
        pages = out["pages"] = sweep_pages(args.pages, tmp)
        offered += pages["pages"]
        recorded += pages["recorded"]
        tasks_failed += pages["tasks_failed"]
        rows += [
            ("pages served / recorded / still pending", f"{pages['pages']} / {pages['recorded']} / {pages['pending']}"),
            ("page statuses", pages["statuses"]),
            ("pages with an unexpected exception", pages["unexpected_exceptions"]),
        ]
        rows += [(f"  {name}", status) for name, status in pages["hostile"].items()]
        if pages["pending"] or pages["unexpected_exceptions"]:
            failures.append("pages")
    if "starve" in only:
        starve = out["starve"] = sweep_starvation(tmp)
        tasks_failed += starve["tasks_failed"]
        rows += [
            (
                f"healthy feed's pages stored in the first run after a {starve['big_feed_items']:,}-item feed",
                f"{starve['healthy_stored_first_run']} / {starve['healthy_pages']}",
            ),
            (
                "  big feed's pages stored in that run / runs to drain it",
                f"{starve['big_stored_first_run']} / {starve['runs_to_drain_big']}",
            ),
        ]
        if starve["healthy_stored_first_run"] != starve["healthy_pages"]:
            failures.append("starve")
    if "stall" in only:
        stall = out["stall"] = sweep_stall(tmp, budget_s=args.budget)
        tasks_failed += stall["tasks_failed"]
        summary = stall["summary"] or {}
        rows += [
            (
                f"fetch task wall time with {stall['trickling_links']} trickling links (budget {args.budget:g} s)",
                f"{stall['wall_s']} s",
            ),
            (
                "  normal pages stored / downloads cut off / not started",
                f"{summary.get('stored')} / {summary.get('cut_off')} / {summary.get('deferred')}",
            ),
        ]
        if stall["wall_s"] > args.budget * 1.1 or summary.get("stored") != stall["normal_pages"]:
            failures.append("stall")
    share = recorded / offered if offered else 1.0
    rows += [("items recorded / offered", f"{recorded} / {offered} ({share:.1%})"), ("tasks failed", len(tasks_failed))]
    rows += [(f"  {failed}", "") for failed in tasks_failed]
    if share < 1.0:
        failures.append("items not recorded")
    if tasks_failed:
        failures.append("tasks failed")
    print_table(rows)
    out.update(items_offered=offered, items_recorded=recorded, tasks_failed=len(tasks_failed))
    print(json.dumps({"benchmark": "hostile_sweep", **out, "machine": machine()}))
    if failures:
        raise SystemExit(f"sweep failed for: {', '.join(failures)}")


if __name__ == "__main__":
    main()
