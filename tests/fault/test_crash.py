"""Crash: a worker killed with SIGKILL in the middle of loading leaves no partial article.

The loading step runs in a child process (a small script calling the real pipeline function,
as an Airflow worker's task would). The test holds a row lock that the child's transaction needs
half-way through loading one article, so the child waits *inside* that transaction after it has
written rows; the test checks that in pg_stat_activity, kills the child with SIGKILL, lets
PostgreSQL clean up, and checks with SQL that no partial article is visible. The next DAG run
then completes the work: the warehouse ends with exactly the reference content.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import psycopg
import pytest
from faultkit import DATA_TABLES, data_fingerprints, row_diff, wait_for
from psycopg.conninfo import make_conninfo

from tests.conftest import one

CHILD_APP = "newsdesk-fault-child"
SEED_PAGE = "%coalitie-vredesplan-oekraine%"

# What a worker runs for fetch_articles (every shard, in order, as the DAG's mapped tasks do) or
# for analyze_articles. Nothing here is a test hook: these are the library's own entry points.
CHILD = r"""
import os, sys
from datetime import datetime
from newsdesk.config import Settings
from newsdesk.store.db import connect

stage, url, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
settings = Settings.from_env()
with connect(url) as conn:
    if stage == "articles":
        from newsdesk.fetch import Fetcher
        from newsdesk.pipeline.articles import fetch_and_store_pages
        shards = int(os.environ["NEWSDESK_INGEST_SHARDS"])
        with Fetcher(settings.http) as fetcher:
            for shard in range(shards):
                fetch_and_store_pages(conn, fetcher, settings, now=now, shard=shard, shards=shards)
    else:
        from newsdesk.pipeline.analysis import analyze_pending
        analyze_pending(conn, settings, now=now)
print("child finished", flush=True)
"""

# Invariants: each query lists what must not exist.
NO_PARTIAL_ARTICLE = {
    "article without all its versions": """
        SELECT a.article_id FROM articles a
         WHERE a.version <> (SELECT count(*) FROM article_versions v WHERE v.article_id = a.article_id)""",
    "article no page points to": """
        SELECT a.article_id FROM articles a
         WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.article_id = a.article_id)""",
    "article without its feed sources": """
        SELECT a.article_id FROM articles a
         WHERE NOT EXISTS (SELECT 1 FROM article_sources s WHERE s.article_id = a.article_id)""",
    "article without its near-duplicate bands": """
        SELECT a.article_id FROM articles a
         WHERE a.minhash IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM article_bands b WHERE b.article_id = a.article_id)""",
    "page marked ok without its article": "SELECT page_id FROM pages WHERE status = 'ok' AND article_id IS NULL",
    "mentions without their article": """
        SELECT m.article_id FROM mentions m LEFT JOIN articles a USING (article_id) WHERE a.article_id IS NULL""",
    "mentions of an article not marked analysed": """
        SELECT m.article_id FROM mentions m JOIN articles a USING (article_id) WHERE a.analyzed_at IS NULL""",
    "commitments of an article not marked analysed": """
        SELECT c.article_id FROM commitments c JOIN articles a USING (article_id) WHERE a.analyzed_at IS NULL""",
}

PER_ARTICLE = {
    "mentions": """SELECT a.canonical_url, count(*),
                          md5(string_agg((m.start_char, m.end_char, m.entity_id, m.text, m.label, m.sentence)::text,
                                         ',' ORDER BY m.start_char, m.end_char))
                     FROM mentions m JOIN articles a USING (article_id) GROUP BY a.canonical_url""",
    "commitments": """SELECT a.canonical_url, count(*),
                             md5(string_agg((c.start_char, c.end_char, c.action, c.actor, c.kind, c.polarity,
                                             c.deadline)::text, ',' ORDER BY c.start_char, c.end_char, c.action))
                        FROM commitments c JOIN articles a USING (article_id) GROUP BY a.canonical_url""",
}


def _partial_rows(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        found = {what: conn.execute(query).fetchall() for what, query in NO_PARTIAL_ARTICLE.items()}
    return {what: rows for what, rows in found.items() if rows}


def _per_article(url: str, table: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return {url: (n, digest) for url, n, digest in conn.execute(PER_ARTICLE[table])}


def _start_child(stage: str, url: str, env: dict[str, str]) -> subprocess.Popen:
    child_url = make_conninfo(url, application_name=CHILD_APP)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, stage, child_url, datetime.now(UTC).isoformat()],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _child_backends(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        """SELECT pid, wait_event_type, query, backend_xid IS NOT NULL, pg_blocking_pids(pid)
             FROM pg_stat_activity WHERE application_name = %s""",
        (CHILD_APP,),
    ).fetchall()


def _kill_while_blocked(url: str, holder: psycopg.Connection, child: subprocess.Popen) -> str:
    """Wait until the child waits for ``holder``'s lock inside a transaction that has written rows;
    SIGKILL it; release the lock; wait until PostgreSQL has ended its session. Returns its query."""
    with psycopg.connect(url, autocommit=True) as watcher:

        def blocked() -> tuple | None:
            if child.poll() is not None:
                assert child.stdout is not None
                pytest.fail(f"the child ended before blocking: {child.stdout.read().decode(errors='replace')}")
            waiting = [b for b in _child_backends(watcher) if b[1] == "Lock"]
            return waiting[0] if waiting else None

        _, _, query, wrote, blockers = wait_for(blocked, timeout=180, what="the child to block on the lock")
        assert blockers == [holder.info.backend_pid]
        assert wrote, "the child's transaction has written rows (it has a transaction id)"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        holder.rollback()  # the lock goes; the orphaned session finds its client gone and aborts
        wait_for(lambda: not _child_backends(watcher), timeout=30, what="PostgreSQL to end the killed session")
    return query


def test_kill_while_storing_an_article(clean_db, dag_runner, reference) -> None:
    url = clean_db
    # feeds synced and polled: the pages are queued, none fetched yet
    dag_runner.run(
        url, "newsdesk_ingest", datetime(2025, 6, 2, tzinfo=UTC), only=("sync_feeds", "plan_shards", "poll_feeds")
    )
    with psycopg.connect(url) as holder:
        page_id = one(holder.execute("SELECT page_id FROM pages WHERE url LIKE %s FOR UPDATE", (SEED_PAGE,)))[0]
        child = _start_child("articles", url, dag_runner.env)
        query = _kill_while_blocked(url, holder, child)
    # killed after inserting the article, its version and bands, while linking its page
    assert query.lstrip().startswith("UPDATE pages SET article_id")

    assert _partial_rows(url) == {}
    with psycopg.connect(url) as conn:
        page = conn.execute("SELECT status, attempts, article_id FROM pages WHERE page_id = %s", (page_id,)).fetchone()
        assert page == ("pending", 0, None)  # still queued: the next run takes it
        seed_articles = conn.execute("SELECT count(*) FROM articles WHERE canonical_url LIKE %s", (SEED_PAGE,))
        assert one(seed_articles)[0] == 0

    # the next run completes the work; nothing lost, nothing twice
    dag_runner.run(url, "newsdesk_ingest", datetime(2025, 6, 2, 1, tzinfo=UTC))
    assert _partial_rows(url) == {}
    expected = {t: reference.ingested[t] for t in DATA_TABLES}
    assert data_fingerprints(url) == expected, row_diff(
        url, reference.url, ("pages", "article_sources", "article_versions")
    )


def test_kill_while_storing_an_analysis(clean_db, dag_runner, reference) -> None:
    url = clean_db
    dag_runner.run(url, "newsdesk_ingest", datetime(2025, 6, 3, tzinfo=UTC))
    expected_mentions = _per_article(reference.url, "mentions")
    expected_commitments = _per_article(reference.url, "commitments")
    with psycopg.connect(url) as holder:
        # the last article that has mentions: the articles before it are analysed and committed first
        victim, earlier = one(
            holder.execute(
                """SELECT max(article_id), (SELECT count(*) FROM articles b WHERE b.article_id < max(a.article_id))
                 FROM articles a WHERE canonical_url = ANY(%s)""",
                (list(expected_mentions),),
            )
        )
        assert earlier > 0
        holder.execute("SELECT 1 FROM articles WHERE article_id = %s FOR UPDATE", (victim,))
        child = _start_child("analysis", url, dag_runner.env)
        query = _kill_while_blocked(url, holder, child)
    # killed after replacing entities and writing the article's mention rows, while their
    # foreign key waits for the article row
    assert query.lstrip().startswith("COPY mentions")

    assert _partial_rows(url) == {}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT article_id, canonical_url FROM articles WHERE analyzed_at IS NOT NULL ORDER BY article_id"
        ).fetchall()
        before = [r[0] for r in conn.execute("SELECT article_id FROM articles WHERE article_id < %s", (victim,))]
    analysed, analysed_urls = [r[0] for r in rows], [r[1] for r in rows]
    # exactly the articles committed before the kill are analysed, each with all of its rows
    assert analysed == sorted(before) and len(analysed) == earlier
    assert _per_article(url, "mentions") == {u: expected_mentions[u] for u in analysed_urls if u in expected_mentions}
    assert _per_article(url, "commitments") == {
        u: expected_commitments[u] for u in analysed_urls if u in expected_commitments
    }

    dag_runner.run(url, "newsdesk_analyze", datetime(2025, 6, 3, 1, tzinfo=UTC))
    assert _partial_rows(url) == {}
    expected = {t: reference.analysed[t] for t in DATA_TABLES}
    assert data_fingerprints(url) == expected, row_diff(url, reference.url, DATA_TABLES)
