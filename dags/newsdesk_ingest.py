"""
### newsdesk_ingest

Poll the feeds that are due, fetch and clean the new articles, store them in the warehouse.

* `sync_feeds` — the feed list (`NEWSDESK_FEEDS_FILE`, default `seeds/feeds.toml`) into `feeds`;
  only feeds of the file's feed set (its `set`, `default` when omitted) are added or retired.
* `poll_feeds` — one mapped task per feed shard; the due feeds of that set, conditional GETs,
  the adaptive schedule.
* `read_sitemaps` — one mapped task per feed shard; the sitemaps the feeds file declares
  (`sitemap = true` or a URL): new URLs join the page queue under their feed.
* `fetch_articles` — one mapped task per page shard; pages are downloaded politely and cleaned,
  taken round-robin across feeds and hosts, within a wall-clock budget (`NEWSDESK_FETCH_BUDGET`).
* `link_duplicates` — confirms the near-duplicate links of the articles the shards stored (two
  shards cannot see each other's uncommitted articles).
* `refetch_articles` — articles stored an hour or a day ago are fetched again; a changed text
  becomes a new version.
* `publish` — emits the `newsdesk_articles` Asset (with counts) when articles were stored,
  which schedules `newsdesk_analyze`.

HTTP tasks run in the `newsdesk_http` pool, which bounds concurrent downloads across workers.

**Trigger with params** (the trigger dialog shows them as a form; scheduled runs use the defaults):

* `force` — poll every feed of the feeds file now, not only the due ones.
* `feed` — poll this one feed now (its name or URL, any feed set).
* `all` — poll the feeds of every feed set now (also, say, the demo's `sample`).

Starts paused (it polls the network): unpause it to start polling. `newsdesk_analyze` follows
through the `newsdesk_articles` Asset on its own.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from newsdesk_airflow import tasks
from newsdesk_airflow.assets import ARTICLES
from newsdesk_airflow.constants import HTTP_POOL
from newsdesk_airflow.settings import ingest_schedule


@dag(
    dag_id="newsdesk_ingest",
    schedule=ingest_schedule(),  # NEWSDESK_INGEST_SCHEDULE, through Settings: read when the file is parsed
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    default_args={
        "owner": "newsdesk",
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(minutes=30),
    },
    params={
        "force": Param(
            False,
            type="boolean",
            title="Poll now",
            description="Poll every feed of the feeds file now, not only the feeds that are due.",
        ),
        "feed": Param(
            None,
            type=["null", "string"],
            title="One feed",
            description="Poll only this feed, now: its name or URL as the Newsdesk page shows it.",
        ),
        "all": Param(
            False,
            type="boolean",
            title="All feed sets",
            description="Poll the feeds of every feed set in the warehouse at once, not only this feeds file's.",
        ),
    },
    tags=["newsdesk", "ingest"],
    doc_md=__doc__,
)
def newsdesk_ingest() -> None:
    # A task names the context values it uses (ti, data_interval_*, params, outlet_events): Airflow
    # passes them by name when it runs the task.
    @task
    def sync_feeds(ti=None, data_interval_start=None, data_interval_end=None, params=None) -> dict[str, object]:
        return tasks.sync_feeds(tasks.TaskRun(ti, data_interval_start, data_interval_end), params)

    @task
    def plan_shards(synced: dict[str, object], params=None) -> list[dict[str, object]]:
        return tasks.plan_shards(tasks.shard_count("ingest"), synced, tasks.poll_params(params))

    @task(pool=HTTP_POOL)
    def poll_feeds(
        shard: dict[str, object], ti=None, data_interval_start=None, data_interval_end=None
    ) -> dict[str, int]:
        return tasks.poll_feeds(shard, tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task(pool=HTTP_POOL)
    def read_sitemaps(
        shard: dict[str, object], ti=None, data_interval_start=None, data_interval_end=None
    ) -> dict[str, int]:
        return tasks.read_sitemaps(shard, tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task(pool=HTTP_POOL)
    def fetch_articles(
        shard: dict[str, object], ti=None, data_interval_start=None, data_interval_end=None
    ) -> dict[str, int]:
        return tasks.fetch_articles(shard, tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task
    def link_duplicates(ti=None, data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.link_duplicates(tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task(pool=HTTP_POOL)
    def refetch_articles(ti=None, data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.refetch_articles(tasks.TaskRun(ti, data_interval_start, data_interval_end))

    @task(outlets=[ARTICLES])
    def publish(
        polled: list[dict[str, int]], fetched: list[dict[str, int]], refetched: dict[str, int], outlet_events=None
    ) -> dict[str, int]:
        return tasks.publish_articles(polled, [*fetched, refetched], outlet_events)

    # A task called with another's output gets an XComArg, resolved when the task runs (mypy
    # sees the XComArg, hence the ignores on these calls).
    shards = plan_shards(sync_feeds())  # type: ignore[arg-type]
    polled = poll_feeds.expand(shard=shards)
    fetched = fetch_articles.expand(shard=shards)
    refetched = refetch_articles()
    polled >> fetched >> link_duplicates() >> refetched
    read_sitemaps.expand(shard=shards) >> fetched
    publish(polled, fetched, refetched)  # type: ignore[arg-type]


newsdesk_ingest()
