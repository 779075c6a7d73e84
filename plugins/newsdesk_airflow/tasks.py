"""Task bodies for the newsdesk DAGs.

Each function opens its own connection, records a ``pipeline_runs`` row for the task run,
calls one pipeline function and returns a small dict of counts (XCom carries counts and ids,
never article text). Per-item failures are data inside the pipeline; an exception here means
the whole batch failed and Airflow's retries take over. Heavy imports stay inside functions so
DAG parsing stays fast.

A function takes the context values it uses, which the ``@task`` in the DAG file receives from
Airflow by name: the task instance and the data interval (as one ``TaskRun``), ``params``,
``outlet_events``.
"""

from __future__ import annotations

import logging
import resource
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsdesk_airflow.settings import airflow_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TaskRun:
    """The task instance a task body runs as (``ti``) and its run's data interval: what Airflow
    injects into a ``@task`` by these names. The interval is None for a run without a logical
    date (a manual trigger). Recorded on the task's ``pipeline_runs`` row."""

    ti: Any
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None


def _run_context(run: TaskRun) -> Any:
    from newsdesk.store.runs import RunContext

    ti = run.ti
    map_index = getattr(ti, "map_index", None)
    return RunContext(
        dag_id=ti.dag_id,
        airflow_run_id=ti.run_id,
        task_id=ti.task_id,
        map_index=-1 if map_index is None else map_index,
        interval_start=run.data_interval_start,
        interval_end=run.data_interval_end,
    )


def _now(run: TaskRun) -> datetime:
    """The logical 'now' of the run: the end of its data interval (else the wall clock, for manual runs)."""
    end = run.data_interval_end
    wall = datetime.now(UTC)
    # Never schedule into the past of a run that is being replayed: take the later of the two.
    return max(end, wall) if end is not None else wall


@contextmanager
def recorded_run(run: TaskRun) -> Iterator[tuple[Any, Any, int]]:
    """(settings, connection, run_id) with a pipeline_runs row finished on exit."""
    from newsdesk.store.db import connect
    from newsdesk.store.runs import finish_run, start_run

    settings = airflow_settings()
    assert settings.database_url is not None
    with connect(settings.database_url) as conn:
        run_id = start_run(conn, _run_context(run), now=datetime.now(UTC))
        try:
            yield settings, conn, run_id
        except BaseException as exc:
            conn.rollback()
            finish_run(
                conn,
                run_id,
                counts={},
                now=datetime.now(UTC),
                error=f"{type(exc).__name__}: {exc}",
                peak_rss_mb=peak_rss_mb(),
            )
            raise


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _finish(conn: Any, run_id: int, counts: dict[str, int], label: str) -> dict[str, int]:
    from newsdesk.store.runs import finish_run

    finish_run(conn, run_id, counts=counts, now=datetime.now(UTC), peak_rss_mb=peak_rss_mb())
    log.info("newsdesk %s: %s", label, " ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def sync_feeds(run: TaskRun, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Sync the feeds file's set; check the run's params against the warehouse.

    Returns the counts plus ``feed_set`` (the set this deployment polls) and, for a manual poll
    of one feed (param ``feed``), its ``feed_id``. A ``feed`` that names no feed, several, or a
    disabled one fails the task at once, without retries: the trigger has to be corrected.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from newsdesk.errors import ConfigError
    from newsdesk.pipeline.feeds import feed_to_poll, sync_feeds_file

    with recorded_run(run) as (settings, conn, run_id):
        chosen = poll_params(params)
        feeds_file, counts = sync_feeds_file(conn, settings.feeds_file)
        out: dict[str, Any] = {"feed_set": feeds_file.feed_set, "feed_id": None}
        if chosen.feed:
            try:
                out["feed_id"] = feed_to_poll(conn, chosen.feed)
            except ConfigError as exc:
                log.error("newsdesk manual poll refused: %s", exc)
                raise AirflowFailException(str(exc)) from exc
        _finish(conn, run_id, counts, "sync_feeds")
        return {**counts, **out}


@dataclass(frozen=True, slots=True)
class PollParams:
    """The ingest DAG's trigger params (see dags/newsdesk_ingest.py)."""

    force: bool = False
    feed: str | None = None
    all: bool = False


def poll_params(params: Mapping[str, Any] | None) -> PollParams:
    """The run's ``force`` / ``feed`` / ``all`` params, checked (a scheduled run has the defaults)."""
    from airflow.sdk.exceptions import AirflowFailException

    given = dict(params or {})
    feed = str(given.get("feed") or "").strip() or None
    chosen = PollParams(force=bool(given.get("force")), feed=feed, all=bool(given.get("all")))
    if chosen.feed and chosen.all:
        raise AirflowFailException("give either 'feed' (one feed) or 'all' (every feed set), not both")
    return chosen


def shard_count(kind: str) -> int:
    """How many mapped shards ``ingest`` or ``analyze`` runs (``NEWSDESK_INGEST_SHARDS`` /
    ``NEWSDESK_ANALYZE_SHARDS``), read when the run plans them, not when the DAG file is parsed."""
    from newsdesk.config import Settings

    settings = Settings.from_env()
    return max(1, settings.ingest_shards if kind == "ingest" else settings.analyze_shards)


def plan_shards(
    shards: int, synced: dict[str, Any] | None = None, params: PollParams | None = None
) -> list[dict[str, Any]]:
    """One dict per poll/fetch shard, carrying which feeds to poll.

    By default the due feeds of the feeds file's set; ``force``: all of that set's feeds now;
    ``feed``: that one feed now (whatever its set); ``all``: every set's feeds now.
    """
    synced = synced or {}
    params = params or PollParams()
    selection: dict[str, Any] = {"feed_sets": None, "feed_ids": None, "force": False}
    if params.feed:
        selection.update(feed_ids=[synced["feed_id"]], force=True)
    elif params.all:
        selection.update(force=True)
    else:
        selection.update(feed_sets=[synced["feed_set"]] if synced.get("feed_set") else None, force=params.force)
    return [{"shard": i, "shards": shards, **selection} for i in range(shards)]


def poll_feeds(shard: dict[str, Any], run: TaskRun) -> dict[str, int]:
    from newsdesk.fetch import Fetcher
    from newsdesk.models import FeedSelection
    from newsdesk.pipeline.polling import poll_due_feeds

    with recorded_run(run) as (settings, conn, run_id), Fetcher(settings.http) as fetcher:
        selection = FeedSelection.of(shard)
        summary = poll_due_feeds(conn, fetcher, settings, now=_now(run), selection=selection, run_id=run_id)
        return _finish(conn, run_id, summary.as_dict(), f"poll_feeds shard {shard['shard']}")


def read_sitemaps(shard: dict[str, Any], run: TaskRun) -> dict[str, int]:
    from newsdesk.fetch import Fetcher
    from newsdesk.models import FeedSelection
    from newsdesk.pipeline.sitemaps import read_sitemaps as pipeline_read

    with recorded_run(run) as (settings, conn, run_id), Fetcher(settings.http) as fetcher:
        counts = pipeline_read(conn, fetcher, settings, now=_now(run), selection=FeedSelection.of(shard))
        return _finish(conn, run_id, counts, f"read_sitemaps shard {shard['shard']}")


def fetch_articles(shard: dict[str, Any], run: TaskRun) -> dict[str, int]:
    from newsdesk.fetch import Fetcher
    from newsdesk.pipeline.articles import fetch_and_store_pages

    with recorded_run(run) as (settings, conn, run_id):
        with Fetcher(settings.http) as fetcher:
            summary = fetch_and_store_pages(
                conn, fetcher, settings, now=_now(run), shard=shard["shard"], shards=shard["shards"]
            )
        return _finish(conn, run_id, summary.as_dict(), f"fetch_articles shard {shard['shard']}")


def link_duplicates(run: TaskRun) -> dict[str, int]:
    from newsdesk.pipeline.articles import link_duplicates as pipeline_link

    with recorded_run(run) as (_settings, conn, run_id):
        counts = pipeline_link(conn)
        return _finish(conn, run_id, counts, "link_duplicates")


# Articles analysed per batch by a shard: each is committed as soon as its batch is done, so a
# worker lost mid-shard leaves at most this many analyses to redo (and nlp.pipe is as fast at 16).
SHARD_BATCH = 16


def analyze_articles(
    run: TaskRun, shard: dict[str, int] | None = None, *, batch_size: int = SHARD_BATCH
) -> dict[str, int]:
    """Analyse the pending articles of ``shard`` (all of them without one)."""
    from newsdesk.pipeline.analysis import analyze_pending

    part = shard or {"shard": 0, "shards": 1}
    with recorded_run(run) as (settings, conn, run_id):
        summary = analyze_pending(
            conn, settings, now=datetime.now(UTC), batch_size=batch_size, shard=part["shard"], shards=part["shards"]
        )
        return _finish(conn, run_id, summary.as_dict(), f"analyze_articles shard {part['shard']}")


def total(results: list[dict[str, int]] | Any) -> dict[str, int]:
    """Sum the count dicts of mapped task instances."""
    out: dict[str, int] = {}
    for counts in results or []:
        for key, value in (counts or {}).items():
            out[key] = out.get(key, 0) + int(value)
    return out


def _emit(outlet_events: Any, assets: list[Any], counts: dict[str, int]) -> None:
    """Attach the counts to the Asset events this task emits (downstream DAGs read them)."""
    for asset in assets:
        outlet_events[asset].extra.update(counts)


def _publish_articles(source: str, outlet_events: Any, counts: dict[str, int]) -> dict[str, int]:
    """Log ``counts``; emit the articles Asset with them, or skip the task (no event) when no
    article was new or changed: the analysis DAG runs only for stored articles."""
    from airflow.sdk.exceptions import AirflowSkipException

    from newsdesk_airflow.assets import ARTICLES

    log.info("newsdesk %s: %s", source, " ".join(f"{k}={v}" for k, v in counts.items()))
    if counts["articles_new"] + counts["articles_changed"] == 0:
        raise AirflowSkipException("no new or changed articles: no asset event")
    _emit(outlet_events, [ARTICLES], counts)
    return counts


def publish_articles(polled: list[dict[str, int]], fetched: list[dict[str, int]], outlet_events: Any) -> dict[str, int]:
    """Sum the shard counts; emit the articles Asset only when articles were stored."""
    polls, pages = total(polled), total(fetched)
    counts = {
        "feeds_polled": polls.get("feeds", 0),
        "new_entries": polls.get("new_entries", 0),
        "articles_new": pages.get("new", 0),
        "articles_changed": pages.get("changed", 0),
        "pages_failed": pages.get("failed", 0),
    }
    return _publish_articles("ingest", outlet_events, counts)


def publish_analysis(analysed: list[dict[str, int]], outlet_events: Any) -> dict[str, int]:
    """Sum the shards' counts onto the entities and commitments Asset events."""
    from newsdesk_airflow.assets import COMMITMENTS, ENTITIES

    counts = {"articles": 0, "mentions": 0, "commitments": 0, "failed": 0, **total(analysed)}
    log.info("newsdesk analyze: %s", " ".join(f"{k}={v}" for k, v in counts.items()))
    _emit(outlet_events, [ENTITIES, COMMITMENTS], counts)
    return counts


def refetch_articles(run: TaskRun) -> dict[str, int]:
    from newsdesk.fetch import Fetcher
    from newsdesk.pipeline.articles import refetch_articles as pipeline_refetch

    with recorded_run(run) as (settings, conn, run_id):
        with Fetcher(settings.http) as fetcher:
            counts = pipeline_refetch(conn, fetcher, settings, now=_now(run))
        return _finish(conn, run_id, counts, "refetch_articles")


def prune_raw_html(run: TaskRun) -> dict[str, int]:
    from newsdesk.pipeline.maintenance import prune_raw_html as pipeline_prune

    with recorded_run(run) as (settings, conn, run_id):
        return _finish(conn, run_id, pipeline_prune(conn, settings, now=_now(run)), "prune_raw_html")


def prune_fetch_log(run: TaskRun) -> dict[str, int]:
    from newsdesk.pipeline.maintenance import prune_fetch_log as pipeline_prune

    with recorded_run(run) as (settings, conn, run_id):
        return _finish(conn, run_id, pipeline_prune(conn, settings, now=_now(run)), "prune_fetch_log")


def feed_health_report(run: TaskRun) -> dict[str, int]:
    from newsdesk.pipeline.maintenance import feed_health_report as pipeline_report

    with recorded_run(run) as (settings, conn, run_id):
        rows = pipeline_report(conn, _now(run).date())
        for row in rows:
            log.info("feed %-40s %-8s %s", row.name[:40], row.health, row.detail)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.health] = counts.get(row.health, 0) + 1
        return _finish(conn, run_id, counts, "feed_health_report")


def reprocess(params: Mapping[str, Any], run: TaskRun) -> dict[str, int]:
    """Re-run analysis for the selected articles, replacing their rows (idempotent)."""
    from datetime import timedelta

    from newsdesk.pipeline.analysis import reprocess as pipeline_reprocess

    def when(value: Any) -> datetime | None:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC) if value else None

    with recorded_run(run) as (settings, conn, run_id):
        counts = pipeline_reprocess(
            conn,
            settings,
            now=datetime.now(UTC),
            published_from=when(params.get("date_from")),
            # date_to is inclusive: articles published on that day are part of the range
            published_to=(end + timedelta(days=1)) if (end := when(params.get("date_to"))) else None,
            feeds=list(params.get("feeds") or []),
            analyzed_by=params.get("analyzer_version") or None,
        )
        return _finish(conn, run_id, counts, "reprocess")


def _backfill_filter(params: Mapping[str, Any]) -> Any:
    from newsdesk.pipeline.backfill import BackfillFilter

    def day(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

    return BackfillFilter(
        hosts=tuple(params.get("hosts") or ()),
        languages=tuple(params.get("languages") or ()),
        since=day(params.get("since")),
        until=day(params.get("until")),
    )


def plan_backfill(params: Mapping[str, Any]) -> list[str]:
    """The files of a backfill run: the ``files`` param plus every file of ``ccnews_month``."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsdesk.pipeline.backfill import plan_files

    month = str(params["ccnews_month"]) if params.get("ccnews_month") else None
    files = plan_files([str(f) for f in params.get("files") or []], ccnews_month=month, http=airflow_settings().http)
    if not files:
        raise AirflowFailException("nothing to read: give `files` or `ccnews_month`")
    _backfill_filter(params)  # a bad date fails here, before any file is read
    return files


def backfill_file(location: str, params: Mapping[str, Any], run: TaskRun) -> dict[str, Any]:
    """Read one archive file (resuming where it stopped). A damaged file is recorded as failed
    with its reason, and fails this task instance so that it shows in the grid; the others go on."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsdesk.pipeline.backfill import backfill_file as pipeline_backfill

    with recorded_run(run) as (settings, conn, run_id):
        result = pipeline_backfill(
            conn,
            location,
            settings,
            now=datetime.now(UTC),
            filters=_backfill_filter(params),
            again=bool(params.get("again")),
        )
        counts = {k: v for k, v in result.counts.items() if isinstance(v, int)}
        _finish(conn, run_id, counts, f"backfill {location}")
    if result.status == "failed":
        raise AirflowFailException(f"{location}: {result.reason}")
    return {"status": result.status, **counts}


def backfill_verdict(planned: list[str], results: list[dict[str, Any]]) -> dict[str, int]:
    """Fail the run when a file's task failed (a failed instance leaves no result; its reason is
    in its own log and in ``backfill_files.reason``); else the number of files read."""
    from airflow.sdk.exceptions import AirflowFailException

    read = sum(1 for r in results if r)
    if read < len(planned):
        raise AirflowFailException(f"{len(planned) - read} of {len(planned)} files could not be read to their end")
    return {"files": read}


def publish_backfill(results: list[dict[str, Any]], run: TaskRun, outlet_events: Any) -> dict[str, int]:
    """Confirm near-duplicate links across the files; emit the articles Asset when any were stored."""
    done = [r for r in results if r]
    counts = total([{k: v for k, v in r.items() if isinstance(v, int)} for r in done])
    link_duplicates(run)
    summary = {
        "files": len(done),
        "articles_new": counts.get("new", 0) + counts.get("duplicates", 0),
        "articles_changed": counts.get("changed", 0),
        "records": counts.get("records", 0),
    }
    return _publish_articles("backfill", outlet_events, summary)
