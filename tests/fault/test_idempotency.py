"""Idempotency: running a DAG run again, or any single task of it, changes no row and no content.

The ``reference`` fixture ran newsdesk_ingest and newsdesk_analyze once on the offline sample and
took the fingerprints of every table (row count + checksum, see faultkit.FINGERPRINT_SQL for
what is left out of the checksums and why). Here the very same DAG runs (same DAG, same logical
date, so the same Airflow run id) are run again in that warehouse.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from faultkit import ANALYZE_DATE, DATA_TABLES, INGEST_DATE, data_fingerprints, fingerprints

# dags/newsdesk_analyze.py's default: the sample's environment does not set NEWSDESK_ANALYZE_SHARDS.
ANALYZE_SHARDS = 4
# Every task that writes to the warehouse, with the task whose output it is mapped over
# (plan_shards only returns the shard list; it must run for the mapped task to expand).
TASK_RERUNS = [
    ("newsdesk_ingest", INGEST_DATE, ("plan_shards", "sync_feeds")),
    ("newsdesk_ingest", INGEST_DATE, ("plan_shards", "poll_feeds")),
    ("newsdesk_ingest", INGEST_DATE, ("plan_shards", "read_sitemaps")),
    ("newsdesk_ingest", INGEST_DATE, ("plan_shards", "fetch_articles")),
    ("newsdesk_ingest", INGEST_DATE, ("plan_shards", "link_duplicates")),
    ("newsdesk_ingest", INGEST_DATE, ("plan_shards", "refetch_articles")),
    ("newsdesk_analyze", ANALYZE_DATE, ("plan_shards", "analyze_articles")),
]


def _runs_since(url: str, since: datetime) -> dict[tuple[str, str], int]:
    """{(dag_id, task_id): task runs started since ``since``}: proof that a task really ran again."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT dag_id, task_id, count(*) FROM pipeline_runs WHERE started_at >= %s AND status = 'success' "
            "GROUP BY dag_id, task_id",
            (since,),
        ).fetchall()
    return {(dag_id, task_id): n for dag_id, task_id, n in rows}


def test_the_same_dag_runs_twice_change_nothing(reference, dag_runner) -> None:
    started = datetime.now(UTC)
    dag_runner.run(reference.url, "newsdesk_ingest", INGEST_DATE)
    dag_runner.run(reference.url, "newsdesk_analyze", ANALYZE_DATE)
    ran = _runs_since(reference.url, started)
    assert ran == {
        ("newsdesk_ingest", "sync_feeds"): 1,
        ("newsdesk_ingest", "poll_feeds"): 2,  # two shards
        ("newsdesk_ingest", "read_sitemaps"): 2,
        ("newsdesk_ingest", "fetch_articles"): 2,
        ("newsdesk_ingest", "link_duplicates"): 1,
        ("newsdesk_ingest", "refetch_articles"): 1,
        ("newsdesk_analyze", "analyze_articles"): ANALYZE_SHARDS,
    }
    assert fingerprints(reference.url) == reference.analysed


@pytest.mark.parametrize(
    ("dag_id", "logical_date", "tasks"), TASK_RERUNS, ids=[f"{d}.{t[-1]}" for d, _, t in TASK_RERUNS]
)
def test_rerunning_one_task_changes_nothing(reference, dag_runner, dag_id, logical_date, tasks) -> None:
    started = datetime.now(UTC)
    dag_runner.run(reference.url, dag_id, logical_date, only=tasks)
    # the task ran again (its pipeline_runs row was reopened and finished), its neighbours did not
    ran = _runs_since(reference.url, started)
    assert set(ran) == {(dag_id, tasks[-1])}
    assert fingerprints(reference.url) == reference.analysed


def test_forced_reanalysis_writes_the_same_rows(reference, dag_runner) -> None:
    """newsdesk_reprocess deletes and rewrites every article's mentions and commitments."""
    when = datetime(2025, 6, 1, 7, 0, tzinfo=UTC)
    for _ in range(2):  # and the same reprocess run once more
        dag_runner.run(reference.url, "newsdesk_reprocess", when)
        with psycopg.connect(reference.url) as conn:
            counts = conn.execute(
                "SELECT counts FROM pipeline_runs WHERE dag_id = 'newsdesk_reprocess' AND status = 'success'"
            ).fetchall()
        articles = reference.analysed["articles"][0]
        assert [c[0]["articles"] for c in counts] == [articles]  # one row: every article rewritten
        assert data_fingerprints(reference.url) == {t: reference.analysed[t] for t in DATA_TABLES}
