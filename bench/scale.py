"""Benchmark: does ingesting get slower as the warehouse grows?

The cost of ingesting one batch of N new articles (bench/_corpus.py's site: poll the feeds,
fetch, extract, de-duplicate against the warehouse, store) into an empty warehouse and into
one that already holds M articles (default 1,000,000). The big warehouse is filled with SQL:
M articles with their pages, sources, first versions and MinHash band rows (fingerprint.BANDS
each), as the pipeline would leave them, then VACUUM ANALYZE. Goal: ratio <= 1.2, i.e.
de-duplication and upserts use indexes, not scans. Figures: wall and CPU time of each ingest
(--repeat runs into each warehouse, alternating, each into a fresh copy; the medians are
compared), the ratio, the database sizes, the fill time.

    .venv/bin/python bench/scale.py [--articles 1000] [--existing 1000000] [--filled NAME] [--repeat 3]
Database: NEWSDESK_DATABASE_URL (scratch databases are created and dropped), else embedded.
Needs about 5 GB of disk for the default million (twice that with --filled). Filling a million
takes about ten minutes; --filled NAME keeps the filled warehouse as database NAME on the server
(filled on the first run) and ingests into copies of it, so later runs skip the fill.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import _corpus
from _common import database_size_mb, machine, one, print_table, scratch_database
from stages import build_site

FILL = """
INSERT INTO feeds (url, name) VALUES ('https://archief.example/feed.xml', 'Archief');

DROP INDEX articles_search_idx;  -- bulk load first, index once (the definition is restored below)

INSERT INTO articles (canonical_url, url, title, authors, published_at, language, site_name, text,
                      content_hash, fetched_at, last_checked_at, analyzed_at, analyzer_version)
SELECT 'https://archief.example/nieuws/' || g, 'https://archief.example/nieuws/' || g,
       'Archiefbericht ' || g, '{Redactie}', ts, 'nl', 'Archief',
       'Bericht ' || g || ': minister ' || (g % 997) || ' belooft de Tweede Kamer een besluit over dossier '
           || (g % 7919) || ' voor de zomer, zegt woordvoerder ' || (g % 101) || '.',
       md5(g::text) || md5((-g)::text), ts, ts, ts, 'archive'
  FROM generate_series(1, %(existing)s) AS g,
       LATERAL (SELECT timestamptz '2024-01-01 00:00+00' + g * interval '30 seconds' AS ts) AS t;

CREATE INDEX articles_search_idx ON articles USING gin (search);

INSERT INTO article_versions (article_id, version, title, text, content_hash, fetched_at)
SELECT article_id, 1, title, text, content_hash, fetched_at FROM articles;

INSERT INTO pages (url, status, attempts, first_seen_at, last_attempt_at, next_attempt_at, article_id)
SELECT url, 'ok', 1, fetched_at, fetched_at, fetched_at, article_id FROM articles;

INSERT INTO article_sources (article_id, feed_id, entry_guid, entry_link, entry_title, first_seen_at)
SELECT a.article_id, f.feed_id, 'archief-' || a.article_id, a.url, a.title, a.fetched_at
  FROM articles a CROSS JOIN feeds f WHERE f.url = 'https://archief.example/feed.xml';

INSERT INTO article_bands (band, article_id)
SELECT (hashtextextended(article_id::text || ':' || b, 0)), article_id
  FROM articles, generate_series(1, %(bands)s) AS b;
"""


def fill(url: str, existing: int) -> float:
    import psycopg

    from newsdesk.extract.fingerprint import BANDS

    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for statement in FILL.split(";\n"):
            if statement.strip():
                conn.execute(statement.replace("%(existing)s", str(int(existing))).replace("%(bands)s", str(BANDS)))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def filled_template(name: str, existing: int) -> float | None:
    """Make sure database ``name`` holds a filled warehouse of ``existing`` articles; the fill
    time when it had to be filled now, None when it already was."""
    import os

    import psycopg
    from psycopg import sql

    from newsdesk.extract.fingerprint import BANDS
    from newsdesk.store.db import migrate

    base = os.environ.get("NEWSDESK_DATABASE_URL")
    if not base:
        raise SystemExit("--filled needs NEWSDESK_DATABASE_URL: the kept warehouse lives on that server")
    url = psycopg.conninfo.make_conninfo(base, dbname=name)
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    if exists:
        migrate(url)
        with psycopg.connect(url) as conn:
            held = one(conn.execute("SELECT count(*) FROM articles"))[0]
            bands = one(
                conn.execute(
                    "SELECT count(*) FROM article_bands WHERE article_id = (SELECT min(article_id) FROM articles)"
                )
            )[0]
        if held != existing or bands != BANDS:
            raise SystemExit(
                f"database {name} holds {held:,} articles with {bands} bands each, not {existing:,} with {BANDS}:"
                " drop it or pick another"
            )
        return None
    migrate(url)
    return fill(url, existing)


def ingest(url: str, feeds_file: Path) -> dict[str, float | int]:
    """Poll the batch's feeds, then fetch/extract/store until the page queue is empty."""
    from datetime import UTC, datetime, timedelta

    import psycopg
    from psycopg.rows import dict_row
    from stages import bench_settings

    from newsdesk.fetch import Fetcher
    from newsdesk.pipeline.articles import fetch_and_store_pages
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.sources.feeds_file import load_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    settings = bench_settings(url, feeds_file)
    stored = 0
    with psycopg.connect(url) as conn:
        wal_start = one(conn.execute("SELECT pg_current_wal_lsn()"))[0]
    wall, cpu = time.perf_counter(), time.process_time()
    with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
        sync_feeds(conn, load_feeds(feeds_file))
        conn.commit()
        now = datetime.now(UTC) + timedelta(minutes=1)
        poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
        while True:
            summary = fetch_and_store_pages(conn, fetcher, settings, now=now, limit=500)
            if not summary.pages:
                break
            stored += summary.stored
        elapsed, used = time.perf_counter() - wall, time.process_time() - cpu
        total = one(conn.execute("SELECT count(*) AS n FROM articles"))["n"]
        # WAL written meanwhile (the whole server's): index pages touched for the first time after
        # a checkpoint are written in full, which is what random-key indexes cost at scale
        wal = one(conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s) AS b", (wal_start,)))["b"]
    return {
        "wall_s": round(elapsed, 2),
        "cpu_s": round(used, 2),
        "wal_mb": round(float(wal) / 2**20, 1),
        "stored": stored,
        "articles_after": total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="the batch")
    parser.add_argument("--existing", type=int, default=1_000_000, help="articles already in the warehouse")
    parser.add_argument("--filled", metavar="NAME", help="keep the filled warehouse as this database and reuse it")
    parser.add_argument("--repeat", type=int, default=3, help="ingests into each warehouse (medians are reported)")
    args = parser.parse_args()
    import psycopg

    from newsdesk.sample import SampleSite

    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-scale-"))
    _, feed_paths = build_site(args.articles, tmp / "site")
    empty_runs, full_runs = [], []
    with SampleSite(tmp / "site") as site, ExitStack() as stack:
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text(_corpus.feeds_toml(site.base_url, feed_paths), encoding="utf-8")
        with scratch_database(tmp, "newsdesk_bench_scale_warm") as (url, _):
            ingest_warm = ingest(url, feeds_file)  # warms caches and imports; not reported
        if args.filled:
            fill_s, template = filled_template(args.filled, args.existing), args.filled
        else:  # a scratch warehouse filled once, copied for each run
            url, _ = stack.enter_context(scratch_database(tmp, "newsdesk_bench_scale_base"))
            fill_s, template = fill(url, args.existing), psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        # A single ingest of ~10 s on a shared machine varies by +-15 %: runs into the empty and
        # the full warehouse alternate, each into a fresh copy, and the medians are compared.
        for _ in range(args.repeat):
            with scratch_database(tmp, "newsdesk_bench_scale_empty") as (url, _):
                empty_runs.append(ingest(url, feeds_file))
                empty_size = database_size_mb(url)
            with scratch_database(tmp, "newsdesk_bench_scale_full", template=template) as (url, _):
                full_size_before = database_size_mb(url)
                full_runs.append(ingest(url, feeds_file))
                full_size = database_size_mb(url)
    empty = median_run(empty_runs)
    full = median_run(full_runs)
    ratio = full["wall_s"] / empty["wall_s"]
    figures = {
        "benchmark": "scale",
        "batch": args.articles,
        "existing": args.existing,
        "empty": empty,
        "full": full,
        "ratio_wall": round(ratio, 3),
        "empty_runs": empty_runs,
        "full_runs": full_runs,
        "fill_s": round(fill_s, 1) if fill_s is not None else None,
        "filled_from": args.filled,
        "db_mb_empty_after": empty_size,
        "db_mb_full_before": full_size_before,
        "db_mb_full_after": full_size,
        "warm_up": ingest_warm,
        "machine": machine(),
    }
    print_table(
        [
            ("batch of new articles", args.articles),
            (
                "ingest into empty warehouse (median)",
                f"{empty['wall_s']} s wall, {empty['cpu_s']} s CPU, {empty['stored']} stored, {empty['wal_mb']} MB WAL",
            ),
            (
                f"ingest into {args.existing:,} articles (median)",
                f"{full['wall_s']} s wall, {full['cpu_s']} s CPU, {full['stored']} stored, {full['wal_mb']} MB WAL",
            ),
            ("runs (wall s): empty / full", f"{_walls(empty_runs)} / {_walls(full_runs)}"),
            ("ratio (full / empty, median wall)", f"{ratio:.3f} (goal <= 1.2)"),
            ("database size: empty / full", f"{empty_size} MB / {full_size} MB"),
            ("fill time", f"{fill_s:.0f} s" if fill_s is not None else f"(copied from database {args.filled})"),
        ]
    )
    print(json.dumps(figures))


def _walls(runs: list[dict[str, float | int]]) -> str:
    return ", ".join(str(r["wall_s"]) for r in runs)


def median_run(runs: list[dict[str, float | int]]) -> dict[str, float | int]:
    """The run with the median wall time."""
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


if __name__ == "__main__":
    main()
