"""
### newsdesk_analyze

Runs when `newsdesk_ingest` has stored articles (data-aware: scheduled on the
`newsdesk_articles` Asset). Finds entities and commitments in every article the current
analyzer has not seen, replaces each article's analysis rows in one transaction, and emits
the `newsdesk_entities` and `newsdesk_commitments` Assets for downstream DAGs.

Created unpaused: it only ever runs when `newsdesk_ingest` stored articles, so unpausing ingest
is all it takes (a paused analyze would drop the Asset events and leave articles unanalysed).

* `plan_shards` — the shards (`NEWSDESK_ANALYZE_SHARDS`, default 4: article_id modulo the count).
* `analyze_articles` — one mapped task per shard: the shards' articles are disjoint, so the
  workers of a distributed executor share the analysis (it is most of the pipeline's CPU).
* `publish` — sums the shards' counts onto the Asset events.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from newsdesk_airflow import tasks
from newsdesk_airflow.assets import ARTICLES, COMMITMENTS, ENTITIES


@dag(
    dag_id="newsdesk_analyze",
    schedule=[ARTICLES],
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=False,
    default_args={
        "owner": "newsdesk",
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "execution_timeout": timedelta(hours=1),
    },
    tags=["newsdesk", "nlp"],
    doc_md=__doc__,
)
def newsdesk_analyze() -> None:
    # A task names the context values it uses (ti, data_interval_*, params, outlet_events): Airflow
    # passes them by name when it runs the task.
    @task
    def plan_shards() -> list[dict[str, int]]:
        return tasks.plan_shards(tasks.shard_count("analyze"))

    @task
    def analyze_articles(
        shard: dict[str, int], ti=None, data_interval_start=None, data_interval_end=None
    ) -> dict[str, int]:
        return tasks.analyze_articles(tasks.TaskRun(ti, data_interval_start, data_interval_end), shard)

    @task(outlets=[ENTITIES, COMMITMENTS])
    def publish(analysed: list[dict[str, int]], outlet_events=None) -> dict[str, int]:
        return tasks.publish_analysis(analysed, outlet_events)

    publish(analyze_articles.expand(shard=plan_shards()))  # type: ignore[arg-type]  # an XComArg, resolved at run time


newsdesk_analyze()
