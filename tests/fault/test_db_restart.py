"""Database restart during a run: the task that was writing fails, Airflow's retry completes it,
nothing is duplicated.

The warehouse is a PostgreSQL of this test's own (``private_server``), stopped and started with
the project's embedded-server functions. To stop it at a known point, the test holds a row lock
on one page: the fetch_articles task that stores that page waits for it inside its transaction;
the test then stops the server (pg_ctl's fast mode ends every session). Airflow marks the task
up for retry while the server is still down; the retry callback starts it again, and the retry
(a real Airflow task retry inside ``dag.test()``) completes the run.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
from faultkit import fingerprints, row_diff, wait_for

SEED_PAGE = "%coalitie-vredesplan-oekraine%"


def test_database_restart_fails_the_task_and_the_retry_completes_it(private_server, dag_runner, reference) -> None:
    url = private_server.url
    when = datetime(2025, 6, 4, tzinfo=UTC)
    # this run's feeds are polled; its pages are queued
    dag_runner.run(url, "newsdesk_ingest", when, only=("sync_feeds", "plan_shards", "poll_feeds"))

    holder = psycopg.connect(url)
    holder.execute("SELECT 1 FROM pages WHERE url LIKE %s FOR UPDATE", (SEED_PAGE,))
    holder_pid = holder.info.backend_pid
    stopped: list[str] = []
    down = threading.Event()  # set once pg_ctl stop has returned
    problems: list[BaseException] = []

    def stop_when_the_task_waits() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as watcher:
                query = wait_for(
                    lambda: watcher.execute(
                        "SELECT query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (holder_pid,)
                    ).fetchone(),
                    timeout=120,
                    what="the fetch task to wait for the page lock",
                )[0]
            private_server.stop()
            stopped.append(query)
            down.set()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            problems.append(exc)

    retries: list[tuple[str, int, bool]] = []

    def on_retry(context) -> None:
        ti = context["ti"]
        try:  # Airflow logs and drops a callback's exception: keep it for the test's thread
            # the task failed as its session was ended; the server may still be shutting down
            if not down.wait(timeout=60):
                raise AssertionError("the server was not stopped")
            retries.append((ti.task_id, ti.map_index, private_server.is_up()))
            private_server.start()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            problems.append(exc)

    stopper = threading.Thread(target=stop_when_the_task_waits, daemon=True)
    stopper.start()
    try:
        run = dag_runner.run(url, "newsdesk_ingest", when, retries=2, retry_delay_s=1, on_retry=on_retry)
    finally:
        stopper.join(timeout=10)
        holder.close()
    assert not problems, problems
    # the server went down while the task was storing the page ...
    assert len(stopped) == 1 and stopped[0].lstrip().startswith("UPDATE pages SET article_id")
    # ... that task (only that one) failed, and Airflow scheduled its retry while the server was down
    assert len(retries) == 1
    task_id, map_index, server_was_up = retries[0]
    assert (task_id, server_was_up) == ("fetch_articles", False)
    tries = {(ti.task_id, ti.map_index): (str(ti.state), ti.try_number) for ti in run.get_task_instances()}
    assert tries[(task_id, map_index)] == ("success", 2)
    assert all(state in ("success", "skipped") for state, _ in tries.values()), tries

    # everything stored once: the same rows as an undisturbed run, every task run recorded once
    # (the failed attempt's pipeline_runs row reopened by the retry, not duplicated) as a success
    assert fingerprints(url) == reference.ingested, row_diff(url, reference.url, ("pages", "pipeline_runs"))
