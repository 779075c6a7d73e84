"""``dag.test()`` of newsdesk_backfill on the offline sample's archive, then newsdesk_analyze."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        return run_dag_once(dag_id, PROJECT_DIR / "dags", conf=conf)

    return clean_db, run


def _one(url: str, query: str) -> Any:
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
    states: dict[str, str] = dict(
        psycopg.connect(url).execute("SELECT location, status FROM backfill_files").fetchall()
    )
    assert states == {str(cut): "failed", str(SAMPLE_WARC): "done"}
    # the good file's articles were published all the same: linked, and the Asset event emitted
    assert (
        _one(url, "SELECT count(*) FROM pipeline_runs WHERE dag_id = 'newsdesk_backfill' AND task_id = 'publish'") == 1
    )
    reason = _one(url, "SELECT reason FROM backfill_files WHERE status = 'failed'")
    assert "cut short" in str(reason)


def test_ingest_reads_a_declared_sitemap(run_dag, sample_site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A feed declaring `sitemap = true`: the ingest run reads robots.txt → the index → the news
    sitemap, queues its articles under the feed (15 of 16 are dated in the window; the undated
    one is counted and left), and fetches them in the same run."""
    url, run = run_dag
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        f'[[feed]]\nurl = "{sample_site.base_url}/feeds/regio.json"\nname = "Regio"\nsitemap = true\n'
        "sitemap_since = 2025-03-01\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSDESK_FEEDS_FILE", str(feeds))
    monkeypatch.setenv("NEWSDESK_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("NEWSDESK_PER_HOST_DELAY", "0.02")
    monkeypatch.setenv("NEWSDESK_INGEST_SHARDS", "2")
    assert run("newsdesk_ingest") == "success"
    assert _one(url, "SELECT count(*) FROM sitemaps WHERE status = 'ok'") == 2
    # (a page the feed itself links may be queued by the feed's poll first: the entry is the witness)
    listed = "SELECT p.* FROM feed_entries e JOIN pages p USING (page_id) WHERE e.entry_guid LIKE 'sitemap:%'"
    assert _one(url, f"SELECT count(*) FROM ({listed}) p") == 15
    counts = _one(url, "SELECT counts FROM pipeline_runs WHERE task_id = 'read_sitemaps' AND counts ? 'urls_listed'")
    assert counts["urls_listed"] == 16 and counts["skipped_undated"] == 1 and counts["sitemaps_read"] == 2
    # every page was fetched in the run; its articles are named by their sitemap entry
    assert _one(url, f"SELECT count(*) FROM ({listed}) p WHERE p.status = 'pending'") == 0
    stored = _one(url, f"SELECT count(*) FROM ({listed}) p WHERE p.article_id IS NOT NULL")
    assert stored >= 12  # the live blog and the video page are not articles
    assert _one(url, "SELECT count(*) FROM article_sources WHERE entry_guid LIKE 'sitemap:%'") == stored
