"""
### newsdesk_maintenance

Daily upkeep of the warehouse:

* `link_duplicates` — the near-duplicate pass of `newsdesk_ingest`, for articles a failed or
  overlapping run left unchecked.
* `prune_raw_html` — raw HTML older than `NEWSDESK_RAW_HTML_RETENTION_DAYS` is dropped.
* `prune_fetch_log` — `feed_fetches` rows older than `NEWSDESK_FETCH_LOG_RETENTION_DAYS` are
  deleted (a feed's state is on its `feeds` row; the health view reads the last week).
* `feed_health_report` — dead, failing, silent and slow feeds, in the task log and in
  `feed_health_reports`.
* `check_*` — data-quality checks (common-sql check operators): a failed check fails its task.

newsdesk has no materialised views, so there is nothing to refresh. Re-fetching recent articles
for new versions is `newsdesk_ingest`'s (every run, where the one-hour checkpoint is kept).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.common.sql.operators.sql import SQLCheckOperator
from airflow.sdk import dag, task

from newsdesk_airflow import tasks
from newsdesk_airflow.checks import QUALITY_CHECKS
from newsdesk_airflow.constants import CONNECTION_ID


@dag(
    dag_id="newsdesk_maintenance",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "newsdesk", "retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["newsdesk", "maintenance"],
    doc_md=__doc__,
)
def newsdesk_maintenance() -> None:
    # A task names the context values it uses (ti, data_interval_*, params, outlet_events): Airflow
    # passes them by name when it runs the task.
    @task
    def link_duplicates(ti=None, data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.link_duplicates(tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task
    def prune_raw_html(ti=None, data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.prune_raw_html(tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task
    def prune_fetch_log(ti=None, data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.prune_fetch_log(tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task
    def feed_health_report(ti=None, data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.feed_health_report(tasks.TaskRun(ti, data_interval_start, data_interval_end))

    upkeep = [link_duplicates(), prune_raw_html(), prune_fetch_log(), feed_health_report()]
    for name, sql in QUALITY_CHECKS.items():
        upkeep >> SQLCheckOperator(
            task_id=f"check_{name}",
            conn_id=CONNECTION_ID,
            sql=sql,
            retries=1,
            retry_delay=timedelta(minutes=1),
        )


newsdesk_maintenance()
