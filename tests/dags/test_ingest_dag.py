"""``dag.test()`` of every DAG against real PostgreSQL and the offline sample."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.conftest import one

PROJECT_DIR = Path(__file__).resolve().parents[2]
SEED_URL_PART = "coalitie-vredesplan-oekraine"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: one(conn.execute(f"SELECT count(*) FROM {table}"))[0]  # noqa: S608 - fixed names
            for table in (
                "feeds",
                "pages",
                "articles",
                "article_sources",
                "article_versions",
                "entities",
                "mentions",
                "commitments",
            )
        }


@pytest.fixture
def sample_pipeline(clean_db: str, run_sample_dags):
    """(warehouse URL, run(*dag_ids)) for the offline sample."""
    return clean_db, lambda *dag_ids: run_sample_dags(clean_db, *dag_ids)


def test_ingest_stores_the_sample_once(sample_pipeline) -> None:
    url, run = sample_pipeline
    run("newsdesk_ingest")
    first = _counts(url)
    assert first["feeds"] == 3
    assert first["articles"] >= 8
    assert first["article_versions"] == first["articles"]
    with psycopg.connect(url) as conn:
        polls: list[tuple[str, int]] = conn.execute(
            "SELECT status, count(*) FROM feed_fetches GROUP BY status"
        ).fetchall()
        assert dict(polls).get("ok") == 3
        # the seed article is listed by both feeds: one article, two sources
        sources = one(
            conn.execute(
                "SELECT count(*) FROM article_sources s JOIN articles a USING (article_id) "
                "WHERE a.canonical_url LIKE %s",
                (f"%{SEED_URL_PART}%",),
            )
        )[0]
        assert sources == 2
        seed_text = one(conn.execute("SELECT text FROM articles WHERE canonical_url LIKE %s", (f"%{SEED_URL_PART}%",)))[
            0
        ]
        expected = (PROJECT_DIR / "seeds" / "seed_article.txt").read_text(encoding="utf-8")
        assert seed_text == expected.removeprefix("date 2025-03 ").strip()
        # the wire story republished by the regional outlet is linked to the original
        copies = conn.execute(
            "SELECT c.canonical_url, o.canonical_url FROM articles c JOIN articles o ON o.article_id = c.duplicate_of"
        ).fetchall()
        assert [(c.rsplit("/", 1)[1], o.rsplit("/", 1)[1]) for c, o in copies] == [
            ("europa-trekt-beurs-voor-defensie.html", "brussel-presenteert-defensieplan.html")
        ]
        # pages that are not articles keep a status and a reason
        not_articles = conn.execute("SELECT status, reason FROM pages WHERE article_id IS NULL").fetchall()
        assert not_articles and all(status != "pending" and reason for status, reason in not_articles)
        runs = conn.execute(
            "SELECT task_id, status, peak_rss_mb FROM pipeline_runs WHERE dag_id = 'newsdesk_ingest'"
        ).fetchall()
        assert {t for t, _, _ in runs} >= {"sync_feeds", "poll_feeds", "fetch_articles"}
        assert all(status == "success" for _, status, _ in runs)
        assert all(peak and peak > 50 for _, _, peak in runs)  # the process's memory, in MB

    # a second run in the same interval writes nothing new
    run("newsdesk_ingest")
    assert _counts(url) == first


def test_analyze_finds_entities_in_the_sample(sample_pipeline) -> None:
    url, run = sample_pipeline
    run("newsdesk_ingest", "newsdesk_analyze")
    after = _counts(url)
    assert after["entities"] > 0 and after["mentions"] > 0
    with psycopg.connect(url) as conn:
        unanalysed = one(conn.execute("SELECT count(*) FROM articles WHERE analyzed_at IS NULL"))[0]
        assert unanalysed == 0
        names = {
            r[0]
            for r in conn.execute(
                "SELECT e.canonical_name FROM mentions m JOIN entities e USING (entity_id) "
                "JOIN articles a USING (article_id) WHERE a.canonical_url LIKE %s",
                (f"%{SEED_URL_PART}%",),
            )
        }
        assert {"Dick Schoof", "Keir Starmer", "Verenigd Koninkrijk"} <= names
        inside = one(
            conn.execute(
                "SELECT bool_and(m.end_char <= length(a.text) AND substr(a.text, m.start_char + 1, "
                "m.end_char - m.start_char) = m.text) FROM mentions m JOIN articles a USING (article_id)"
            )
        )[0]
        assert inside is True
    # re-analysis with the same analyzer version is a no-op
    run("newsdesk_analyze")
    assert _counts(url) == after


def test_maintenance_and_reprocess(sample_pipeline) -> None:
    url, run = sample_pipeline
    run("newsdesk_ingest", "newsdesk_analyze")
    analysed = _counts(url)
    # daily upkeep: re-fetch (nothing due yet), pruning, the health report and every quality check pass
    run("newsdesk_maintenance")
    with psycopg.connect(url) as conn:
        health = conn.execute("SELECT health, count(*) FROM feed_health_reports GROUP BY health").fetchall()
        assert dict(health) == {"ok": 3}
        checks = conn.execute(
            "SELECT task_id, status FROM pipeline_runs WHERE dag_id = 'newsdesk_maintenance' ORDER BY task_id"
        ).fetchall()
        assert [t for t, _ in checks] == [
            "feed_health_report",
            "link_duplicates",
            "prune_fetch_log",
            "prune_raw_html",
        ]
    # a manual reprocess of everything replaces the analysis rows with the same rows
    run("newsdesk_reprocess")
    assert _counts(url) == analysed
    with psycopg.connect(url) as conn:
        counts = one(conn.execute("SELECT counts FROM pipeline_runs WHERE dag_id = 'newsdesk_reprocess'"))[0]
    assert counts["selected"] == analysed["articles"] == counts["articles"]
