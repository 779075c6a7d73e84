"""Backfill throughput: a WARC file of news pages read, extracted and stored, against the
stages alone.

Data: the fundus pages in ../shared/testdata/extraction-fundus (258 real news pages from 41
countries), repeated with varied URLs into a gzip'd WARC of at least ``--pages`` records
(default 5,160). Three runs on the same pages:

* reader — ``iter_captures`` over the file: records per CPU-second (the WARC layer alone);
* stages alone — each page's body, from memory, through extract + store (``store_fetched``) with
  a page row per URL and a commit per 50 pages, as the fetch stage stores pages;
* backfill — ``newsdesk backfill warc``'s pipeline (``backfill_file``): the file read from disk,
  each record extracted and stored, provenance and progress saved with each commit.

overhead = backfill CPU seconds / stages-alone CPU seconds (this process's CPU; PostgreSQL's own
work is in the wall-clock rates).

Sitemaps: an index of 10 news sitemaps listing 50,000 URLs in all, served by a local HTTP
server, read into the page queue by ``read_sitemaps`` in a process of its own (its peak RSS is
the figure).

Usage: .venv/bin/python bench/backfill.py [--pages N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag

from _common import SHARED, machine, one, peak_rss_mb, print_table, scratch_database

if TYPE_CHECKING:
    from newsdesk.sources.warc import Response

FUNDUS = SHARED / "testdata" / "extraction-fundus"
NOW = datetime(2026, 1, 5, tzinfo=UTC)


def load_pages(count: int) -> list[Response]:
    from newsdesk.sources.warc import Response

    rows = [json.loads(line) for line in (FUNDUS / "manifest.jsonl").read_text().splitlines() if line.strip()]
    bodies = [gzip.decompress((FUNDUS / r["html"]).read_bytes()) for r in rows]
    out: list[Response] = []
    copy = 0
    while len(out) < count:
        for n, (row, body) in enumerate(zip(rows, bodies, strict=True)):
            url = urldefrag(row["url"]).url
            sep = "&" if "?" in url else "?"
            when = datetime.fromisoformat(row["crawl_date"]).replace(tzinfo=UTC)
            out.append(Response(f"{url}{sep}copy={copy}.{n}", body, when))
            if len(out) == count:
                break
        copy += 1
    return out


def cpu() -> float:
    return time.process_time()


def run_reader(path: Path) -> tuple[int, float]:
    from newsdesk.sources.warc import ReadStats, iter_captures

    stats = ReadStats()
    started = cpu()
    with path.open("rb") as stream:
        for _ in iter_captures(stream, max_body_bytes=10 * 2**20, stats=stats):
            pass
    return stats.records, cpu() - started


def run_stages(pages: list, url: str) -> tuple[int, float, float]:
    from newsdesk.config import Settings
    from newsdesk.models import FetchStatus, PageFetch
    from newsdesk.pipeline.articles import COMMIT_EVERY_PAGES, store_fetched
    from newsdesk.sources import canonicalize_url
    from newsdesk.store.db import connect
    from newsdesk.store.pages import PageTodo

    settings = Settings()
    stored = 0
    started, wall = cpu(), time.monotonic()
    with connect(url) as conn:
        for i, page in enumerate(pages, 1):
            link = canonicalize_url(page.url)
            row = one(
                conn.execute(
                    "INSERT INTO pages (url, next_attempt_at) VALUES (%s, 'infinity') RETURNING page_id", (link,)
                )
            )
            fetched = PageFetch(link, FetchStatus.OK, final_url=page.url, http_status=200, body=page.body)
            outcome = store_fetched(conn, PageTodo(row["page_id"], link, 0, None, None), fetched, settings, now=NOW)
            stored += outcome in ("new", "changed", "unchanged", "duplicates")
            if i % COMMIT_EVERY_PAGES == 0:
                conn.commit()
        conn.commit()
    return stored, cpu() - started, time.monotonic() - wall


def run_backfill(path: Path, url: str) -> tuple[dict, float, float]:
    from newsdesk.config import Settings
    from newsdesk.pipeline.backfill import backfill_file
    from newsdesk.store.db import connect

    started, wall = cpu(), time.monotonic()
    with connect(url) as conn:
        result = backfill_file(conn, str(path), Settings(), now=NOW)
    assert result.status == "done", result
    return result.counts, cpu() - started, time.monotonic() - wall


SITEMAP_URLS = 50_000
SITEMAP_CHILDREN = 10


def sitemap_child(state: Path) -> dict[str, object]:
    """Read an index of SITEMAP_URLS URLs into a scratch warehouse; runs in its own process."""
    from newsdesk.config import HttpSettings, Settings
    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.sitemaps import read_sitemaps
    from newsdesk.sample import SampleSite
    from newsdesk.store.db import connect
    from newsdesk.store.feeds import sync_feeds
    from newsdesk.store.sitemaps import sync_sitemaps

    site = state / "site"
    site.mkdir()
    per_child = SITEMAP_URLS // SITEMAP_CHILDREN
    index = ['<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for child in range(SITEMAP_CHILDREN):
        index.append(f"<sitemap><loc>{{{{BASE_URL}}}}/news-{child}.xml</loc></sitemap>")
        urls = "".join(
            f"<url><loc>{{{{BASE_URL}}}}/nieuws/{child}/{i}.html</loc><news:news><news:publication_date>"
            f"2025-03-0{1 + i % 9}T10:00:00+01:00</news:publication_date><news:title>Bericht {child}-{i}"
            "</news:title></news:news></url>"
            for i in range(per_child)
        )
        (site / f"news-{child}.xml").write_text(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        )
    (site / "sitemap_index.xml").write_text("".join(index) + "</sitemapindex>")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: {{BASE_URL}}/sitemap_index.xml\n")
    with scratch_database(state, "bench_sitemaps") as (url, _), SampleSite(site) as server:
        http = HttpSettings(allow_private=(server.base_url.split("//", 1)[1],), per_host_delay_s=0.0)
        settings = Settings(http=http)
        feed = Feed(f"{server.base_url}/feed.xml", "bench", sitemap="auto")
        started, wall = cpu(), time.monotonic()
        with connect(url) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, [feed])
            sync_sitemaps(conn, [feed])
            conn.commit()
            counts = read_sitemaps(conn, fetcher, settings, now=NOW)
        return {
            "urls_new": counts.get("urls_new", 0),
            "sitemaps_read": counts.get("sitemaps_read", 0),
            "cpu_s": round(cpu() - started, 2),
            "wall_s": round(time.monotonic() - wall, 2),
            "peak_rss_mb": _vm_hwm_mb(),
        }


def _vm_hwm_mb() -> float:
    """This process's peak RSS since it started. (getrusage's ru_maxrss survives exec on Linux:
    a child started by a large parent would report the parent's peak.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return peak_rss_mb()


def run_sitemap_child() -> dict[str, object]:
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, "--sitemap-child"], capture_output=True, text=True, check=True, timeout=900
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5160)
    parser.add_argument("--sitemap-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sitemap_child:
        with tempfile.TemporaryDirectory(prefix="newsdesk-bench-sitemap-") as tmp:
            print(json.dumps(sitemap_child(Path(tmp))))
        return 0
    if not FUNDUS.is_dir():
        print(f"needs {FUNDUS}", file=sys.stderr)
        return 2
    from newsdesk.sources.warc import write_warc

    pages = load_pages(args.pages)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-backfill-") as tmp:
        path = Path(tmp) / "news.warc.gz"
        with path.open("wb") as out:
            write_warc(out, pages)
        size_mb = round(path.stat().st_size / 2**20, 1)
        records, reader_cpu = run_reader(path)
        with scratch_database(Path(tmp), "bench_stages") as (url, _):
            stored_alone, stages_cpu, stages_wall = run_stages(pages, url)
        with scratch_database(Path(tmp), "bench_backfill") as (url, _):
            counts, backfill_cpu, backfill_wall = run_backfill(path, url)
    sitemap = run_sitemap_child()
    stored = sum(counts.get(k, 0) for k in ("new", "changed", "unchanged", "duplicates"))
    figures = {
        "bench": "backfill",
        "pages": len(pages),
        "warc_mb": size_mb,
        "reader_records_per_cpu_s": round(records / reader_cpu, 1),
        "backfill_records_per_cpu_s": round(counts["records"] / backfill_cpu, 1),
        "backfill_articles_per_s": round(stored / backfill_wall, 1),
        "stages_articles_per_s": round(stored_alone / stages_wall, 1),
        "articles_stored": stored,
        "articles_stored_stages_alone": stored_alone,
        "overhead_cpu": round(backfill_cpu / stages_cpu, 3),
        "overhead_wall": round(backfill_wall / stages_wall, 3),
        "peak_rss_mb": peak_rss_mb(),
        "counts": counts,
        "sitemap_urls": SITEMAP_URLS,
        "sitemap_urls_queued": sitemap["urls_new"],
        "sitemap_cpu_s": sitemap["cpu_s"],
        "sitemap_peak_rss_mb": sitemap["peak_rss_mb"],
        "machine": machine(),
    }
    print_table(
        [
            ("pages in the WARC", f"{len(pages)} ({size_mb} MB gzip'd)"),
            ("reader: records / CPU-s", figures["reader_records_per_cpu_s"]),
            ("backfill: records / CPU-s", figures["backfill_records_per_cpu_s"]),
            ("backfill: articles stored / s", figures["backfill_articles_per_s"]),
            ("stages alone: articles stored / s", figures["stages_articles_per_s"]),
            ("overhead (CPU, wall)", f"{figures['overhead_cpu']}, {figures['overhead_wall']}"),
            ("articles stored (backfill, alone)", f"{stored}, {stored_alone}"),
            ("peak RSS MB", figures["peak_rss_mb"]),
            (
                f"sitemap index, {SITEMAP_URLS} URLs: queued, CPU s",
                f"{sitemap['urls_new']}, {sitemap['cpu_s']} (wall {sitemap['wall_s']})",
            ),
            ("sitemap reading: peak RSS MB", sitemap["peak_rss_mb"]),
        ]
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
