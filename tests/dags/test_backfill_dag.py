"""``dag.test()`` of newsdesk_backfill on the offline sample's archive, then newsdesk_analyze."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_WARC = PROJECT_DIR / "seeds" / "sample" / "archive" / "hetdagblad-2025-03.warc.gz"


@pytest.fixture
def run_dag(clean_db: str, airflow_db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from newsdesk_airflow.runner import run_dag_once
    from newsdesk_airflow.settings import url_to_connection_json

    monkeypatch.setenv("AIRFLOW_CONN_NEWSDESK_DB", url_to_connection_json(clean_db))
    monkeypatch.delenv("NEWSDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("NEWSDESK_STATE_DIR", str(tmp_path))

    def run(dag_id: str, conf: dict[str, object] | None = None) -> str:
        return run_dag_once(dag_id, PROJECT_DIR / "dags", run_conf=conf)

    return clean_db, run


def _one(url: str, query: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
        assert row is not None
        return row[0]


def test_backfill_stores_the_archive_and_analysis_follows(run_dag) -> None:
    url, run = run_dag
    conf = {"files": [str(SAMPLE_WARC)], "languages": ["nl"], "since": "2025-03-01", "until": "2025-04-01"}
    assert run("newsdesk_backfill", conf) == "success"
    assert _one(url, "SELECT count(*) FROM articles") == 14
    assert _one(url, "SELECT status FROM backfill_files") == "done"
    assert _one(url, "SELECT count(*) FROM pipeline_runs WHERE dag_id = 'newsdesk_backfill'") == 2  # file + links
    assert run("newsdesk_analyze") == "success"
    assert _one(url, "SELECT count(*) FROM articles WHERE analyzed_at IS NULL") == 0
    assert _one(url, "SELECT count(*) FROM commitments") > 0
    # A second run skips the finished file and stores nothing.
    assert run("newsdesk_backfill", conf) == "success"
    assert _one(url, "SELECT count(*) FROM articles") == 14
    assert _one(url, "SELECT passes FROM backfill_files") == 1


def test_a_damaged_file_fails_its_own_task_and_keeps_the_others(run_dag, tmp_path: Path) -> None:
    from newsdesk.errors import NewsdeskError

    url, run = run_dag
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(SAMPLE_WARC.read_bytes()[:30_000])
    with pytest.raises(NewsdeskError, match="backfill_file"):
        run("newsdesk_backfill", {"files": [str(cut), str(SAMPLE_WARC)]})
    states = dict(psycopg.connect(url).execute("SELECT location, status FROM backfill_files").fetchall())
    assert states == {str(cut): "failed", str(SAMPLE_WARC): "done"}
    reason = _one(url, "SELECT reason FROM backfill_files WHERE status = 'failed'")
    assert "cut short" in str(reason)
