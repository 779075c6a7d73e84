"""
### newsdesk_backfill

Manual. Stores history that feeds no longer show, from web archives: WARC/ARC files (local
paths, `https://` or `s3://` URLs) or a month of Common Crawl's CC-NEWS. Pages are taken from
the files as the crawler fetched them — nothing is downloaded again — and go through the same
extraction and store as feed articles; `newsdesk_analyze` follows through the
`newsdesk_articles` Asset. One mapped task per file, so Celery or Kubernetes workers share a
month of CC-NEWS. A file that was read to its end is skipped (unless `again`); a file that
stopped (a killed worker, a file cut short) resumes at the record it reached. A damaged file
fails its own task instance and the run (`verdict`), after the other files' articles were
published.

* `files` — WARC/ARC paths or URLs.
* `ccnews_month` — `YYYY-MM`: every CC-NEWS file of that month (read from Common Crawl).
* `hosts` — only pages of these hosts (and their subdomains).
* `languages` — only articles in these languages (ISO 639-1; default `nl`).
* `since` / `until` — only articles published in this window (YYYY-MM-DD; until is exclusive).
* `again` — read files that were read to their end before again.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from newsdesk_airflow import tasks
from newsdesk_airflow.assets import ARTICLES


@dag(
    dag_id="newsdesk_backfill",
    schedule=None,
    is_paused_upon_creation=False,  # manual only: a trigger should run, not wait for an unpause
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "newsdesk", "retries": 2, "retry_delay": timedelta(minutes=5)},
    params={
        "files": Param([], type="array", items={"type": "string"}, description="WARC/ARC paths or URLs"),
        "ccnews_month": Param(
            None, type=["null", "string"], pattern=r"^\d{4}-\d{2}$", description="a CC-NEWS month, YYYY-MM"
        ),
        "hosts": Param([], type="array", items={"type": "string"}, description="only these hosts"),
        "languages": Param(["nl"], type="array", items={"type": "string"}, description="only these languages"),
        "since": Param(None, type=["null", "string"], format="date", description="published on or after"),
        "until": Param(None, type=["null", "string"], format="date", description="published before"),
        "again": Param(False, type="boolean", description="read finished files again"),
    },
    tags=["newsdesk", "backfill"],
    doc_md=__doc__,
)
def newsdesk_backfill() -> None:
    # A task names the context values it uses (ti, data_interval_*, params, outlet_events): Airflow
    # passes them by name when it runs the task.
    @task
    def plan_files(params=None) -> list[str]:
        return tasks.plan_backfill(dict(params))

    @task(retries=3, execution_timeout=timedelta(hours=6))
    def backfill_file(
        location: str, ti=None, data_interval_start=None, data_interval_end=None, params=None
    ) -> dict[str, object]:
        return tasks.backfill_file(location, dict(params), tasks.TaskRun(ti, data_interval_start, data_interval_end))

    # all_done: the articles of the files that were read are published (and analysed) even when
    # another file of the run was damaged; `verdict` then fails the run for that file.
    @task(outlets=[ARTICLES], trigger_rule="all_done")
    def publish(
        results: list[dict[str, object]], ti=None, data_interval_start=None, data_interval_end=None, outlet_events=None
    ) -> dict[str, int]:
        return tasks.publish_backfill(
            list(results), tasks.TaskRun(ti, data_interval_start, data_interval_end), outlet_events
        )

    @task(trigger_rule="all_done")
    def verdict(planned: list[str], results: list[dict[str, object]]) -> dict[str, int]:
        return tasks.backfill_verdict(list(planned), list(results))

    # A task called with another's output gets an XComArg, resolved when the task runs.
    planned = plan_files()
    files = backfill_file.expand(location=planned)
    publish(files)  # type: ignore[arg-type]
    verdict(planned, files)  # type: ignore[arg-type]


newsdesk_backfill()
