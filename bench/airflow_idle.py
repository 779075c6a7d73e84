"""Benchmark: what Airflow costs when there is nothing to do.

A warehouse that already holds everything its feeds list (bench/_corpus.py's site, ingested
once through the library), feeds made due again, then:

  run time       wall time of a whole `newsdesk_ingest` run (dag.test(), in-process) where
                 every feed answers with the same body: the first run in the process (pays
                 Airflow's imports and DAG parsing) and a second one
  task memory    each task of that run (one instance of a mapped task) started again on its
                 own, as a worker would start it (`airflow tasks test <dag> <task> <run>
                 [--map-index i]` in a child process): the peak resident memory the task
                 recorded in pipeline_runs.peak_rss_mb as it ended (tasks that only plan or
                 publish record none), and the child process's peak (wait4's ru_maxrss)

It checks that the idle runs wrote no pages or entries and that every feed has a fetch-log row.

    .venv/bin/python bench/airflow_idle.py [--articles 1000]
Database: NEWSDESK_DATABASE_URL (a scratch database is created and dropped), else embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import _corpus
from _common import ROOT, machine, print_table, scratch_database, table_counts
from scale import ingest
from stages import build_site

DAG_ID = "newsdesk_ingest"


def make_feeds_due(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("UPDATE feeds SET next_poll_at = now() - interval '1 minute'")


def airflow_environment(url: str, feeds_file: Path, state: Path) -> dict[str, str]:
    from newsdesk_airflow.demo import airflow_env

    return {
        **airflow_env(state, url),
        "NEWSDESK_FEEDS_FILE": str(feeds_file),
        "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1",
        "NEWSDESK_PER_HOST_DELAY": "0",
        "NEWSDESK_PER_HOST_CONCURRENCY": "8",
    }


def timed_run(url: str) -> tuple[float, str]:
    from airflow.models.dagrun import DagRun

    from newsdesk_airflow.runner import run_dag_once

    make_feeds_due(url)
    started = time.perf_counter()
    run_dag_once(DAG_ID, ROOT / "dags")
    elapsed = time.perf_counter() - started

    def started_at(run: DagRun) -> datetime:
        assert run.start_date is not None  # every run of the DAG here was started by run_dag_once
        return run.start_date

    latest = max(DagRun.find(dag_id=DAG_ID), key=started_at)
    return elapsed, latest.run_id


def task_instances(run_id: str) -> list[tuple[str, int]]:
    """One instance of each task of the run (the first map index of a mapped task)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.task_id, TaskInstance.map_index).filter(
            TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run_id
        )
        first: dict[str, int] = {}
        for task_id, map_index in rows:
            first[task_id] = min(map_index, first.get(task_id, map_index))
        return sorted(first.items())


def task_peak_mb(task_id: str, map_index: int, run_id: str, env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """(peak RSS MB, wall s, exit code) of one task started alone in a child process."""
    cmd = [str(Path(sys.executable).parent / "airflow"), "tasks", "test", DAG_ID, task_id, run_id]
    if map_index >= 0:
        cmd += ["--map-index", str(map_index)]
    started = time.perf_counter()
    with log.open("ab") as out:
        child = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    return round(usage.ru_maxrss / 1024, 1), time.perf_counter() - started, os.waitstatus_to_exitcode(status)


def recorded_peak(url: str, run_id: str, task_id: str, map_index: int) -> float | None:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT peak_rss_mb FROM pipeline_runs WHERE dag_id = %s AND airflow_run_id = %s"
            " AND task_id = %s AND map_index = %s",
            (DAG_ID, run_id, task_id, map_index),
        ).fetchone()
    return row[0] if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    from newsdesk.sample import SampleSite
    from newsdesk_airflow.demo import redirect_output

    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-idle-"))
    _, feed_paths = build_site(args.articles, tmp / "site")
    log = tmp / "airflow.log"
    with SampleSite(tmp / "site") as site, scratch_database(tmp, "newsdesk_bench_idle") as (url, _):
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text(_corpus.feeds_toml(site.base_url, feed_paths), encoding="utf-8")
        ingest(url, feeds_file)
        env = airflow_environment(url, feeds_file, tmp)
        os.environ.update(env)
        before = table_counts(url, ("pages", "feed_entries", "articles", "feed_fetches"))
        with redirect_output(log):
            from newsdesk_airflow.runner import prepare_metadata_db

            prepare_metadata_db()
            first, _ = timed_run(url)
            second, run_id = timed_run(url)
            instances = task_instances(run_id)
        after = table_counts(url, ("pages", "feed_entries", "articles", "feed_fetches"))
        tasks: list[dict[str, Any]] = []
        for task_id, map_index in instances:
            make_feeds_due(url)
            peak, wall, code = task_peak_mb(task_id, map_index, run_id, env, log)
            recorded = recorded_peak(url, run_id, task_id, map_index)
            tasks.append(
                {
                    "task": task_id,
                    "map_index": map_index,
                    "recorded_peak_rss_mb": recorded,
                    "peak_rss_mb": peak,
                    "wall_s": round(wall, 1),
                    "exit": code,
                }
            )
    feeds = len(feed_paths)
    written = {t: after[t] - before[t] for t in after}
    figures = {
        "benchmark": "airflow_idle",
        "feeds": feeds,
        "first_run_wall_s": round(first, 2),
        "second_run_wall_s": round(second, 2),
        "rows_written_by_two_idle_runs": written,
        "tasks": tasks,
        "machine": machine(),
    }
    rows: list[tuple[str, object]] = [
        ("feeds (all unchanged)", feeds),
        ("newsdesk_ingest run, first in process", f"{first:.2f} s"),
        ("newsdesk_ingest run, second", f"{second:.2f} s"),
        ("rows written by the two runs", written),
        ("task (started alone)", "task's peak RSS | process peak RSS | wall (incl. Airflow start)"),
    ]
    for task in tasks:
        name = task["task"] + (f"[{task['map_index']}]" if task["map_index"] >= 0 else "")
        recorded_text = "-" if task["recorded_peak_rss_mb"] is None else f"{task['recorded_peak_rss_mb']} MB"
        status = "" if task["exit"] == 0 else " FAILED"
        rows.append((f"  {name}", f"{recorded_text} | {task['peak_rss_mb']} MB | {task['wall_s']} s{status}"))
    print_table(rows)
    print(json.dumps(figures))
    if written["pages"] or written["feed_entries"] or written["feed_fetches"] != 2 * feeds:
        raise SystemExit(f"idle runs should only log one fetch per feed and run: {written}")
    if any(task["exit"] for task in tasks):
        raise SystemExit(f"a task failed when started alone; see {log}")


if __name__ == "__main__":
    main()
