"""Benchmark: N article pages and their feeds, ingested and analysed end to end.

Three runs over the same site (bench/_corpus.py: N pages of real Dutch newspaper text in news
markup, RSS feeds of 50 items, served from 127.0.0.1), each into its own scratch database:

  stages    every stage alone over the whole batch (bench/stages.py): the sum of their times
            is what the work costs without any pipeline around it
  library   the composed pipeline as a worker runs it: sync feeds, poll_feeds,
            fetch_and_store_pages until the queue is empty, analyze_pending
  dag       the same through Airflow: dag.test() of newsdesk_ingest, then newsdesk_analyze
            (metadata in SQLite under a temporary AIRFLOW_HOME; DAG parsing and task start-up
            included, the first dag.test() in the process pays Airflow's imports)

Figures: articles/s of each path, and the pipeline-overhead ratio = end-to-end wall time /
sum of the stages' wall times (goal <= 1.2). The spaCy model is loaded before timing.

    .venv/bin/python bench/end_to_end.py [--articles 1000] [--skip-dag]
Database: NEWSDESK_DATABASE_URL (scratch databases are created and dropped), else embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _corpus
from _common import ROOT, machine, peak_rss_mb, print_table, scratch_database, table_counts
from stages import bench_settings, build_site, run_stages, stage_rows

COUNTED = ("pages", "articles", "article_sources", "mentions", "commitments")


def library_path(url: str, feeds_file: Path) -> float:
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.fetch import Fetcher
    from newsdesk.pipeline.analysis import analyze_pending
    from newsdesk.pipeline.articles import fetch_and_store_pages
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.sources.feeds_file import load_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    settings = bench_settings(url, feeds_file)
    started = time.perf_counter()
    with psycopg.connect(url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
        sync_feeds(conn, load_feeds(feeds_file))
        conn.commit()
        now = datetime.now(UTC) + timedelta(minutes=1)
        poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
        while fetch_and_store_pages(conn, fetcher, settings, now=now, limit=500).pages:
            pass
        analyze_pending(conn, settings, now=now)
    return time.perf_counter() - started


def dag_path(url: str, feeds_file: Path, state: Path) -> float:
    from newsdesk_airflow.demo import airflow_env, redirect_output

    os.environ.update(airflow_env(state, url))
    os.environ.update(
        {
            "NEWSDESK_FEEDS_FILE": str(feeds_file),
            "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1",
            "NEWSDESK_PER_HOST_DELAY": "0",
            "NEWSDESK_PER_HOST_CONCURRENCY": "8",
            "NEWSDESK_INGEST_SHARDS": "4",
        }
    )
    from newsdesk_airflow.runner import prepare_metadata_db, run_dag_once

    with redirect_output(state / "airflow.log"):  # task logs go to a file, not over the table
        prepare_metadata_db()
        started = time.perf_counter()
        for dag_id in ("newsdesk_ingest", "newsdesk_analyze"):
            run_dag_once(dag_id, ROOT / "dags")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--skip-dag", action="store_true", help="only the stages and the library path")
    args = parser.parse_args()
    from newsdesk.analyze.nlp import load_nlp
    from newsdesk.sample import SampleSite

    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-e2e-"))
    _, feed_paths = build_site(args.articles, tmp / "site")
    load_nlp(None)
    results: dict[str, object] = {}
    with SampleSite(tmp / "site") as site:
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text(_corpus.feeds_toml(site.base_url, feed_paths), encoding="utf-8")
        with scratch_database(tmp, "newsdesk_bench_stages") as (url, _):
            timer = run_stages(tmp / "site", site.base_url, feed_paths, url)
        stages_wall = timer.total_wall()
        with scratch_database(tmp, "newsdesk_bench_lib") as (url, _):
            library_s = library_path(url, feeds_file)
            results["library_counts"] = table_counts(url, COUNTED)
        if not args.skip_dag:
            with scratch_database(tmp, "newsdesk_bench_dag") as (url, _):
                dag_s = dag_path(url, feeds_file, tmp)
                results["dag_counts"] = table_counts(url, COUNTED)
    articles = results["library_counts"]["articles"]  # type: ignore[index]
    figures = {
        "benchmark": "end_to_end",
        "articles": args.articles,
        "stages": {s.name: s.as_dict() for s in timer.stages},
        "stages_wall_s": round(stages_wall, 2),
        "library_wall_s": round(library_s, 2),
        "library_articles_per_s": round(articles / library_s, 2),
        "library_overhead_ratio": round(library_s / stages_wall, 3),
        **results,
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }
    rows = stage_rows(timer)
    rows += [
        ("library path (wall)", f"{library_s:.2f} s, {articles / library_s:.2f} articles/s"),
        ("library overhead ratio", f"{library_s / stages_wall:.3f} (goal <= 1.2)"),
        ("library rows", results["library_counts"]),
    ]
    if not args.skip_dag:
        dag_articles = results["dag_counts"]["articles"]  # type: ignore[index]
        figures.update(
            {
                "dag_wall_s": round(dag_s, 2),
                "dag_articles_per_s": round(dag_articles / dag_s, 2),
                "dag_overhead_ratio": round(dag_s / stages_wall, 3),
            }
        )
        rows += [
            ("DAG path (wall)", f"{dag_s:.2f} s, {dag_articles / dag_s:.2f} articles/s"),
            ("DAG overhead ratio", f"{dag_s / stages_wall:.3f} (goal <= 1.2)"),
            ("DAG rows", results["dag_counts"]),
        ]
    rows.append(("peak RSS of this process", f"{peak_rss_mb()} MB"))
    print_table(rows)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
