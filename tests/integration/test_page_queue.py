"""The page queue is fair: round-robin across feeds and hosts, a share each, the rest for whoever
has more waiting; a page refused by policy is blocked for good."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from newsdesk.config import PollSettings
from newsdesk.models import PageStatus
from newsdesk.policy import page_failure
from newsdesk.store.pages import QUEUED, due_pages, record_page_failure

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def conn(clean_db):
    with psycopg.connect(clean_db, row_factory=dict_row, autocommit=True) as connection:
        yield connection


def _feed(conn, name: str) -> int:
    return conn.execute(
        "INSERT INTO feeds (url, name) VALUES (%s, %s) RETURNING feed_id", (f"https://{name}.example/rss", name)
    ).fetchone()["feed_id"]


def _pages(conn, feed_id: int | None, host: str, n: int, *, age_h: float, prefix: str = "p") -> None:
    """``n`` due pages of a feed on a host, queued ``age_h`` hours before NOW (older first)."""
    conn.execute(
        """INSERT INTO pages (url, feed_id, next_attempt_at, first_seen_at)
           SELECT format('https://%%s/%%s/%%s', %(host)s::text, %(prefix)s::text, i), %(feed)s,
                  %(at)s::timestamptz + make_interval(secs => i), %(at)s
             FROM generate_series(1, %(n)s) AS i""",
        {"host": host, "prefix": prefix, "feed": feed_id, "n": n, "at": NOW - timedelta(hours=age_h)},
    )


def _by_feed(todo) -> Counter:
    return Counter(t.feed_id for t in todo)


def test_a_huge_backlog_takes_what_the_others_leave(conn) -> None:
    big, small, other = _feed(conn, "big"), _feed(conn, "small"), _feed(conn, "other")
    _pages(conn, big, "big.example", 5_000, age_h=10)  # oldest: the old order took only these
    _pages(conn, small, "small.example", 50, age_h=1)
    _pages(conn, other, "other.example", 3, age_h=2)
    todo = due_pages(conn, NOW, limit=500)
    assert _by_feed(todo) == {big: 447, small: 50, other: 3}
    # one feed alone drains at the full rate
    alone = due_pages(conn, NOW, limit=500, shard=0, shards=1)
    assert len(alone) == 500


def test_turns_alternate_between_feeds(conn) -> None:
    a, b = _feed(conn, "a"), _feed(conn, "b")
    _pages(conn, a, "a.example", 100, age_h=5)
    _pages(conn, b, "b.example", 100, age_h=1)
    todo = due_pages(conn, NOW, limit=10)
    assert [t.feed_id for t in todo] == [a, b] * 5


def test_feeds_sharing_a_host_share_its_turns(conn) -> None:
    """Five feeds of one publisher (one host) and one feed elsewhere: the host counts as one."""
    publisher = [_feed(conn, f"section{i}") for i in range(5)]
    elsewhere = _feed(conn, "elsewhere")
    for i, feed in enumerate(publisher):
        _pages(conn, feed, "publisher.example", 40, age_h=5 + i, prefix=f"s{i}")
    _pages(conn, elsewhere, "elsewhere.example", 40, age_h=1)
    todo = due_pages(conn, NOW, limit=40)
    hosts = Counter(t.url.split("/")[2] for t in todo)
    assert hosts == {"publisher.example": 20, "elsewhere.example": 20}
    # within the host, its feeds take turns
    assert _by_feed([t for t in todo if "publisher" in t.url]) == dict.fromkeys(publisher, 4)


def test_pages_without_a_feed_are_queued_too(conn) -> None:
    feed = _feed(conn, "f")
    _pages(conn, feed, "f.example", 5, age_h=1)
    _pages(conn, None, "legacy.example", 5, age_h=2)
    assert _by_feed(due_pages(conn, NOW, limit=100)) == {feed: 5, None: 5}


def test_shards_split_the_queue(conn) -> None:
    feed = _feed(conn, "f")
    _pages(conn, feed, "f.example", 100, age_h=1)
    shards = [{t.page_id for t in due_pages(conn, NOW, limit=500, shard=s, shards=4)} for s in range(4)]
    assert sum(len(s) for s in shards) == 100 and not set.intersection(*shards)


def test_a_blocked_page_is_not_retried(conn) -> None:
    feed = _feed(conn, "f")
    _pages(conn, feed, "f.example", 2, age_h=1)
    blocked, failed = due_pages(conn, NOW, limit=10)
    policy = PollSettings()
    for page, status in ((blocked, PageStatus.BLOCKED), (failed, PageStatus.FETCH_FAILED)):
        retry = page_failure(status, attempts=page.attempts, retry_after_s=None, policy=policy)
        record_page_failure(
            conn,
            page.page_id,
            status=retry.status,
            reason=str(status),
            http_status=None,
            now=NOW,
            next_attempt_at=NOW + timedelta(seconds=retry.delay_s),
        )
    later = NOW + timedelta(days=30)
    assert [t.page_id for t in due_pages(conn, later, limit=10)] == [failed.page_id]
    status = conn.execute("SELECT status FROM pages WHERE page_id = %s", (blocked.page_id,)).fetchone()["status"]
    assert status == "blocked"


def test_the_queue_index_covers_exactly_the_statuses_the_queue_takes(conn) -> None:
    definition = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'pages_feed_queue_idx'").fetchone()[
        "indexdef"
    ]
    predicate = definition.split("WHERE", 1)[1]
    for status in QUEUED:
        assert f"'{status}'" in predicate, status
    for status in ("ok", "not_article", "blocked", "gave_up", "paywall", "duplicate"):
        assert f"'{status}'" not in predicate, status
