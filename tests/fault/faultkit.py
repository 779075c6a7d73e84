"""Helpers of the fault-tolerance tests (the fixtures that use them are in conftest.py).

* ``fingerprints(url)``: every warehouse table as (row count, md5 of its rows), rows written by
  natural key so that two warehouses filled by different runs compare equal when their content is.
* ``DagRunner``: ``dag.test()`` of the real DAGs with a chosen logical date (so the *same* DAG run
  can be run again), optionally re-running only some tasks (Airflow's ``mark_success_pattern``
  marks the others successful without running them) and with Airflow task retries.
* ``PrivateServer``: an embedded PostgreSQL of a test's own, which it may stop and start.
* ``load_fault_server()``: the fault-injecting HTTP server of ``tests/fixtures/feeds`` (shared,
  not copied).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parents[2]
DAGS = PROJECT_DIR / "dags"


def load_fixture_module(name: str) -> ModuleType:
    """tests/fixtures/feeds/<name>.py, loaded once per process (tests in other folders load them too)."""
    if name in sys.modules:
        return sys.modules[name]
    path = PROJECT_DIR / "tests" / "fixtures" / "feeds" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_fault_server() -> ModuleType:
    return load_fixture_module("fault_server")


def load_poison() -> ModuleType:
    """The hostile feeds and pages of tests/fixtures/feeds/poison.py."""
    return load_fixture_module("poison")


# --- fingerprints ------------------------------------------------------------------------------
#
# One query per table, naming its rows by natural key. Left out, and why:
# * surrogate ids (feed_id, page_id, article_id, fetch_id, run_id, commitment_id): identities are
#   handed out in the order downloads finish, which differs between runs; a row that points at
#   another row names it by that row's natural key instead (feed URL, page URL, canonical URL);
# * wall-clock timestamps (created_at, fetched_at, first_seen_at, next_poll_at, analyzed_at ...)
#   and durations: they say when a run happened, not what it stored (analyzed_at is kept as
#   "analysed or not");
# * pipeline_runs.counts and .airflow_run_id: the counts of a task's *last* attempt (a re-run that
#   found nothing left to do rightly reports zeros) and the name of the run;
# * pages.feed_id: the feed whose poll committed the page first (two feeds linking one page in
#   parallel shards: either), the queue's turn-taking key, not content.
# Dates that come from the data (published_at, feed_published_at, entry dates) are kept.
FINGERPRINT_SQL: dict[str, str] = {
    "feeds": """SELECT url, name, site, language, tags, enabled, seed_enabled, configured_interval_s,
                       poll_interval_s, last_status, http_etag, http_last_modified, last_body_hash,
                       consecutive_failures, consecutive_hard_failures, disabled_reason, feed_set FROM feeds""",
    # synced_at is wall-clock, source the path of a (temporary) feeds file
    "feed_sets": "SELECT feed_set, feeds FROM feed_sets",
    "feed_fetches": """SELECT f.url, x.status, x.http_status, x.bytes, x.entries_seen, x.entries_new, x.error,
                              x.parse_problem, x.retry_after_s, x.entries_skipped
                         FROM feed_fetches x JOIN feeds f USING (feed_id)""",
    "feed_entries": """SELECT f.url, e.entry_guid, p.url, e.title, e.summary, e.authors, e.published_at,
                              e.updated_at, e.language
                         FROM feed_entries e JOIN feeds f USING (feed_id) JOIN pages p USING (page_id)""",
    "pages": """SELECT p.url, p.status, p.reason, p.attempts, p.http_status, p.feed_published_at, p.source,
                       a.canonical_url, md5(p.raw_html)
                  FROM pages p LEFT JOIN articles a USING (article_id)""",
    "articles": """SELECT a.canonical_url, a.url, a.title, a.authors, a.published_at, a.updated_at, a.language,
                          a.site_name, a.text, a.content_hash, a.minhash, d.canonical_url, a.version,
                          a.change_count, a.analyzed_at IS NOT NULL, a.analyzer_version, a.paywalled,
                          a.partial, a.duplicate_checked
                     FROM articles a LEFT JOIN articles d ON d.article_id = a.duplicate_of""",
    "article_sources": """SELECT a.canonical_url, f.url, s.entry_guid, s.entry_link, s.entry_title,
                                 s.entry_published_at
                            FROM article_sources s JOIN articles a USING (article_id) JOIN feeds f USING (feed_id)""",
    "article_bands": "SELECT a.canonical_url, b.band FROM article_bands b JOIN articles a USING (article_id)",
    "article_versions": """SELECT a.canonical_url, v.version, v.title, v.text, v.content_hash
                             FROM article_versions v JOIN articles a USING (article_id)""",
    "entities": "SELECT entity_id, canonical_name, label, wikidata_id, curated FROM entities",
    "entity_aliases": "SELECT entity_id, alias FROM entity_aliases",
    "mentions": """SELECT a.canonical_url, m.start_char, m.end_char, m.entity_id, m.text, m.label, m.sentence
                     FROM mentions m JOIN articles a USING (article_id)""",
    "commitment_keys": "SELECT * FROM commitment_keys",
    "commitments": """SELECT a.canonical_url, c.commitment_key, c.actor, c.actor_entity_id, c.speaker,
                             c.speaker_entity_id, c.action, c.kind, c.polarity, c.conditional, c.condition,
                             c.deadline_text, c.deadline, c.deadline_precision, c.firmness, c.sentence,
                             c.start_char, c.end_char, c.confidence, c.extractor_version, c.actor_as_written
                        FROM commitments c JOIN articles a USING (article_id)""",
    "feed_health_reports": """SELECT r.report_date, f.url, r.health, r.detail, r.new_entries_7d, r.errors_7d
                                FROM feed_health_reports r JOIN feeds f USING (feed_id)""",
    "feed_sitemaps": "SELECT f.url, s.root, s.since, s.until FROM feed_sitemaps s JOIN feeds f USING (feed_id)",
    "sitemaps": """SELECT f.url, s.url, p.url, s.kind, s.http_etag, s.http_last_modified, s.lastmod_seen, s.status,
                          s.reason, s.urls_listed
                     FROM sitemaps s JOIN feeds f USING (feed_id) LEFT JOIN sitemaps p ON p.sitemap_id = s.parent_id""",
    "backfill_files": "SELECT location, status, next_offset, counts, reason, passes FROM backfill_files",
    "warc_captures": """SELECT b.location, c.record_offset, p.url, c.record_id, c.captured_at
                          FROM warc_captures c JOIN backfill_files b USING (file_id) JOIN pages p USING (page_id)""",
    "pipeline_runs": "SELECT dag_id, task_id, map_index, status, error FROM pipeline_runs",
}
# Tables whose content the DAG runs write; pipeline_runs is the runs' own log.
DATA_TABLES = tuple(t for t in FINGERPRINT_SQL if t != "pipeline_runs")

Fingerprints = dict[str, tuple[int, str]]


def fingerprints(url: str, tables: tuple[str, ...] | None = None) -> Fingerprints:
    """{table: (row count, md5 of the rows sorted)} for every newsdesk table (or ``tables``)."""
    out: Fingerprints = {}
    with psycopg.connect(url) as conn:
        existing = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            )
        }
        # A table added by a later migration must get a fingerprint query here, not be skipped.
        assert existing == set(FINGERPRINT_SQL), f"fingerprint queries vs tables: {existing ^ set(FINGERPRINT_SQL)}"
        for table in tables or tuple(FINGERPRINT_SQL):
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM ({}) t"
            ).format(sql.SQL(FINGERPRINT_SQL[table]))  # fixed queries of this module
            row = conn.execute(query).fetchone()
            assert row is not None  # an aggregate returns one row
            count, digest = row
            out[table] = (count, digest)
    return out


def data_fingerprints(url: str) -> Fingerprints:
    return fingerprints(url, DATA_TABLES)


def row_diff(url: str, expected_url: str, tables: tuple[str, ...] = tuple(FINGERPRINT_SQL), limit: int = 5) -> str:
    """For an assertion message: the rows of each table found only in one of two warehouses."""

    def rows(conn_url: str, table: str) -> set[str]:
        with psycopg.connect(conn_url) as conn:
            query = sql.SQL("SELECT t::text FROM ({}) t").format(sql.SQL(FINGERPRINT_SQL[table]))
            return {r[0] for r in conn.execute(query)}

    out = []
    for table in tables:
        got, want = rows(url, table), rows(expected_url, table)
        for label, extra in (("unexpected", got - want), ("missing", want - got)):
            for row in sorted(extra)[:limit]:
                out.append(f"{table} {label}: {row[:300]}")
    return "\n".join(out) or "no row differs"


# --- databases ---------------------------------------------------------------------------------


def with_dbname(url: str, dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo("", **info)


@dataclass
class PrivateServer:
    """An embedded PostgreSQL in a folder of its own (started the way the project starts one)."""

    data_dir: Path
    url: str = ""

    def start(self) -> str:
        from newsdesk.store.server import start_embedded

        self.url = start_embedded(self.data_dir, database="newsdesk", keep_running=True)
        return self.url

    def stop(self) -> None:
        """``pg_ctl stop`` in its default (fast) mode: every session is terminated."""
        from newsdesk.store.server import stop_embedded

        stop_embedded(self.data_dir)

    def is_up(self) -> bool:
        try:
            psycopg.connect(self.url, connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True


# --- DAG runs ----------------------------------------------------------------------------------


class DagRunner:
    """``dag.test()`` of the project's DAGs against a given warehouse and the offline sample."""

    def __init__(self, sample_base_url: str, state_dir: Path) -> None:
        from newsdesk.config import Settings
        from newsdesk_airflow.demo import sample_env

        settings = replace(Settings.from_env(), state_dir=state_dir)
        self.env = sample_env(settings, sample_base_url)
        self._dags: dict[str, Any] | None = None

    def dags(self) -> dict[str, Any]:
        if self._dags is None:  # parsed once, inside run(): with the sample's shard count
            from newsdesk_airflow.runner import load_dags

            self._dags = load_dags(DAGS)
        return self._dags

    def run(
        self,
        database_url: str,
        dag_id: str,
        logical_date: datetime,
        *,
        only: tuple[str, ...] = (),
        retries: int = 0,
        retry_delay_s: float = 1.0,
        on_retry: Callable[[Any], None] | None = None,
        env: dict[str, str] | None = None,
        expect: str = "success",
    ) -> Any:
        """One DAG run (the same one again for the same ``logical_date``); returns the DagRun.

        ``only``: run these tasks, mark the others successful (Airflow's way of re-running a task
        of a run without its neighbours).
        """
        from newsdesk_airflow.settings import url_to_connection_json

        with pytest.MonkeyPatch.context() as mp:
            for key, value in {**self.env, **(env or {})}.items():
                mp.setenv(key, value)
            mp.setenv("AIRFLOW_CONN_NEWSDESK_DB", url_to_connection_json(database_url))
            mp.delenv("NEWSDESK_DATABASE_URL", raising=False)
            dag = self.dags()[dag_id]
            for task in dag.tasks:
                task.retries = retries
                task.retry_delay = timedelta(seconds=retry_delay_s)
                task.retry_exponential_backoff = 0
                task.on_retry_callback = on_retry
            pattern = f"(?!(?:{'|'.join(only)})$).*" if only else None
            run = dag.test(logical_date=logical_date, run_after=logical_date, mark_success_pattern=pattern)
        failed = [(ti.task_id, ti.map_index) for ti in run.get_task_instances() if str(ti.state) == "failed"]
        assert str(run.state) == expect, f"{dag_id} ended {run.state}; failed tasks: {failed}"
        return run


# Logical dates of the reference runs; the idempotency test runs these same DAG runs again.
INGEST_DATE = datetime(2025, 6, 1, 6, 0, tzinfo=UTC)
ANALYZE_DATE = datetime(2025, 6, 1, 6, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Reference:
    url: str
    ingested: Fingerprints  # after newsdesk_ingest
    analysed: Fingerprints  # after newsdesk_analyze as well


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
