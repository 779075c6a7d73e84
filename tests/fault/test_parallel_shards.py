"""Parallel shards: two worker processes of one run (or of two overlapping runs) storing pages at
the same moment, through the library's own entry point (``fetch_and_store_pages``, as a mapped
``fetch_articles`` task runs it), started together.

* The same canonical URLs from both processes: before, one side failed every time with
  ``UniqueViolation articles_canonical_url_key`` (``SELECT ... FOR UPDATE`` on a missing row
  locks nothing); now both succeed and each story is one article that both pages point at.
* Near-duplicates split across the processes: neither sees the other's uncommitted article, so
  a share of the pairs stayed unlinked; ``link_duplicates`` (a task after the shards) links them
  all, as a sequential run would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from faultkit import load_poison
from psycopg.rows import dict_row

from newsdesk.config import HttpSettings, Settings
from newsdesk.fetch import Fetcher
from newsdesk.models import Feed
from newsdesk.pipeline.articles import link_duplicates
from newsdesk.pipeline.polling import poll_feeds
from newsdesk.store.feeds import due_feeds, sync_feeds
from tests.conftest import one

PAIRS = 100
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}

# A worker: waits until both are ready (imports done, connected), then stores its shard.
CHILD = r"""
import json, sys, time
from datetime import datetime
from pathlib import Path
from newsdesk.config import Settings
from newsdesk.fetch import Fetcher
from newsdesk.pipeline.articles import fetch_and_store_pages
from newsdesk.store.db import connect

url, now, shard, go = sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
settings = Settings.from_env()
with connect(url) as conn, Fetcher(settings.http) as fetcher:
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    summary = fetch_and_store_pages(conn, fetcher, settings, now=now, shard=shard, shards=2)
print(json.dumps(summary.as_dict()), flush=True)
"""


def _slowly(fs, body: bytes):
    """The page after 20 ms, so that the two workers' downloads overlap as on a real site."""

    def handler(conn, request):
        time.sleep(0.02)
        fs.respond(200, body, HTML)(conn, request)

    return handler


def _page(title: str, paragraphs: list[str], *, canonical: str | None, published: datetime) -> bytes:
    head = f'<meta property="article:published_time" content="{published.isoformat()}">'
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    return load_poison().article_page(title, paragraphs, head=head).encode()


def _queue(clean_db: str, fs, server, links: list[str], now: datetime) -> Settings:
    """One feed listing ``links``, polled: the pages are queued. Pairs must land in different shards."""
    rss = load_poison().rss([(link.rsplit("/", 1)[1], link, link) for link in links])
    server.route("/feed.xml", fs.respond(200, rss, RSS))
    http = HttpSettings(allow_private=(server.host_port,), per_host_delay_s=0.0, per_host_concurrency=4)
    settings = Settings(http=http)
    with psycopg.connect(clean_db, row_factory=dict_row) as conn, Fetcher(http) as fetcher:
        sync_feeds(conn, [Feed(server.url("/feed.xml"), "pairs")])
        conn.commit()
        poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
        ids = {r["url"]: r["page_id"] for r in conn.execute("SELECT url, page_id FROM pages").fetchall()}
    # the two pages of every pair are in different shards (page_id modulo 2): they are stored in parallel
    assert len(ids) == len(links)
    for first, second in zip(links[::2], links[1::2], strict=True):
        assert ids[first] % 2 != ids[second] % 2, (first, second)
    return settings


def _run_two_shards(clean_db: str, server, now: datetime, tmp_path: Path) -> list[dict]:
    """Both shards in two worker processes, started at the same moment; their summaries."""
    go = tmp_path / "go"
    env = {
        **os.environ,
        "NEWSDESK_ALLOW_PRIVATE": server.host_port,
        "NEWSDESK_PER_HOST_DELAY": "0",
        "NEWSDESK_PER_HOST_CONCURRENCY": "4",
    }
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, clean_db, now.isoformat(), str(shard), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for shard in (0, 1)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
        go.touch()
        results = []
        for child in children:
            out, err = child.communicate(timeout=300)
            assert child.returncode == 0, f"a shard failed:\n{err[-3000:]}"
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    return results


def _not_ok(clean_db: str) -> list[tuple]:
    with psycopg.connect(clean_db) as conn:
        return conn.execute("SELECT url, status, reason FROM pages WHERE status <> 'ok'").fetchall()


def test_two_processes_storing_the_same_canonical_urls_both_succeed(clean_db, fs, tmp_path) -> None:
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    pz = load_poison()
    with fs.FaultServer() as server:
        links = []
        for i in range(PAIRS):
            story = server.url(f"/story/{i:03d}")
            body = _page(f"Verhaal {i}", pz.prose(5000 + i), canonical=story, published=now - timedelta(days=1))
            # two addresses of one story (a feed link and an AMP-like copy), both declaring it canonical
            links += [server.route(f"/s/{i:03d}a", _slowly(fs, body)), server.route(f"/s/{i:03d}b", _slowly(fs, body))]
        _queue(clean_db, fs, server, links, now)
        summaries = _run_two_shards(clean_db, server, now, tmp_path)
    assert [s["pages"] for s in summaries] == [PAIRS, PAIRS]
    assert [s["failed"] for s in summaries] == [0, 0], (summaries, _not_ok(clean_db))
    assert sum(s["new"] for s in summaries) == PAIRS  # each story created once, by one of them
    with psycopg.connect(clean_db) as conn:
        articles = one(conn.execute("SELECT count(*) FROM articles"))[0]
        pointed = one(
            conn.execute(
                "SELECT count(*) FROM (SELECT article_id FROM pages GROUP BY article_id HAVING count(*) = 2) t"
            )
        )[0]
        statuses: dict[str, int] = dict(conn.execute("SELECT status, count(*) FROM pages GROUP BY status").fetchall())
        versions = one(conn.execute("SELECT count(*) FROM article_versions"))[0]
    assert articles == PAIRS and pointed == PAIRS and versions == PAIRS
    assert statuses == {"ok": 2 * PAIRS}


def test_near_duplicates_stored_by_parallel_shards_are_all_linked(clean_db, fs, tmp_path) -> None:
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    pz = load_poison()
    with fs.FaultServer() as server:
        links = []
        for i in range(PAIRS):
            paragraphs = pz.prose(7000 + i, 240)
            original = _page(f"Origineel {i}", paragraphs, canonical=None, published=now - timedelta(hours=5))
            # republished two hours later by another outlet with an intro of its own
            copy = _page(
                f"Overgenomen {i}",
                ["Van onze correspondent, met dank aan het persbureau.", *paragraphs],
                canonical=None,
                published=now - timedelta(hours=3),
            )
            links += [
                server.route(f"/n/{i:03d}a", _slowly(fs, original)),
                server.route(f"/n/{i:03d}b", _slowly(fs, copy)),
            ]
        _queue(clean_db, fs, server, links, now)
        summaries = _run_two_shards(clean_db, server, now, tmp_path)
        assert sum(s["stored"] for s in summaries) == 2 * PAIRS and [s["failed"] for s in summaries] == [0, 0]
        with psycopg.connect(clean_db, row_factory=dict_row) as conn:
            by_shards = _linked_pairs(conn, server)
            counts = link_duplicates(conn)
            linked = _linked_pairs(conn, server)
            originals = one(conn.execute("SELECT count(*) AS n FROM articles WHERE duplicate_of IS NULL"))["n"]
            unchecked = one(conn.execute("SELECT count(*) AS n FROM articles WHERE NOT duplicate_checked"))["n"]
    # whatever the shards saw of each other, the pass links every copy to its original
    assert linked == PAIRS, (by_shards, counts)
    assert originals == PAIRS and unchecked == 0
    assert counts["linked"] + counts["taken_over"] == PAIRS - by_shards


def _linked_pairs(conn, server) -> int:
    """Pairs whose copy (…b) points at its original (…a)."""
    return conn.execute(
        """SELECT count(*) AS n FROM articles c JOIN articles o ON o.article_id = c.duplicate_of
            WHERE c.url LIKE '%%b' AND o.url = left(c.url, length(c.url) - 1) || 'a'"""
    ).fetchone()["n"]
