"""
### newsdesk_reprocess

Manual. Re-runs entity and commitment analysis after a model or rule upgrade, for the articles
selected by the params (all articles when none is given). Each article's analysis rows are
replaced in one transaction, so running it twice gives the same rows.

* `date_from` / `date_to` — publication days, inclusive (YYYY-MM-DD).
* `feeds` — feed names or URLs.
* `analyzer_version` — only articles last analysed by this version (e.g. the previous model).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from newsdesk_airflow import tasks
from newsdesk_airflow.assets import COMMITMENTS, ENTITIES


@dag(
    dag_id="newsdesk_reprocess",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # Manual only: unpaused, a trigger runs at once (a paused DAG would queue it silently).
    is_paused_upon_creation=False,
    default_args={"owner": "newsdesk", "retries": 1, "retry_delay": timedelta(minutes=5)},
    params={
        "date_from": Param(None, type=["null", "string"], format="date", description="first publication day"),
        "date_to": Param(None, type=["null", "string"], format="date", description="last publication day"),
        "feeds": Param([], type="array", items={"type": "string"}, description="feed names or URLs"),
        "analyzer_version": Param(None, type=["null", "string"], description="only articles analysed by it"),
    },
    tags=["newsdesk", "nlp"],
    doc_md=__doc__,
)
def newsdesk_reprocess() -> None:
    # A task names the context values it uses (ti, data_interval_*, params, outlet_events): Airflow
    # passes them by name when it runs the task.
    @task(outlets=[ENTITIES, COMMITMENTS])
    def reprocess_articles(ti=None, data_interval_start=None, data_interval_end=None, params=None) -> dict[str, int]:
        return tasks.reprocess(dict(params), tasks.TaskRun(ti, data_interval_start, data_interval_end))

    reprocess_articles()


newsdesk_reprocess()
