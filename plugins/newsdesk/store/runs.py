"""``pipeline_runs``: which Airflow task run changed what (counts), for lineage and monitoring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.types.json import Jsonb

from newsdesk.store.boundary import clean
from newsdesk.store.db import Conn


@dataclass(frozen=True, slots=True)
class RunContext:
    """Identifies the task run doing the work; built by the Airflow adapter or the CLI."""

    dag_id: str
    airflow_run_id: str
    task_id: str = ""
    map_index: int = -1
    interval_start: datetime | None = None
    interval_end: datetime | None = None


def start_run(conn: Conn, ctx: RunContext, *, now: datetime) -> int:
    """Create (or, on a task retry, reopen) the run's row and return its id."""
    with conn.transaction():
        row = conn.execute(
            """
            INSERT INTO pipeline_runs (dag_id, airflow_run_id, task_id, map_index, interval_start,
                                       interval_end, started_at, status)
            VALUES (%s, %s, %s, %s, %s, %s, %s, 'running')
            ON CONFLICT (dag_id, airflow_run_id, task_id, map_index) DO UPDATE
               SET started_at = EXCLUDED.started_at, status = 'running', finished_at = NULL, error = NULL
            RETURNING run_id
            """,
            (
                ctx.dag_id,
                ctx.airflow_run_id,
                ctx.task_id,
                ctx.map_index,
                ctx.interval_start,
                ctx.interval_end,
                now,
            ),
        ).fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return int(row["run_id"])


def finish_run(
    conn: Conn,
    run_id: int,
    *,
    counts: dict[str, int],
    now: datetime,
    error: str | None = None,
    peak_rss_mb: float | None = None,
) -> None:
    with conn.transaction():
        conn.execute(
            """UPDATE pipeline_runs SET finished_at = %s, status = %s, counts = %s, error = %s,
                                         peak_rss_mb = %s
                WHERE run_id = %s""",
            # the error text may quote a page or feed: cleaned like every stored text
            (now, "failed" if error else "success", Jsonb(counts), clean(error), peak_rss_mb, run_id),
        )
