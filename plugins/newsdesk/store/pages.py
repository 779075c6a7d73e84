"""The page queue: pages known from feed entries, waiting to be fetched and extracted.

A page that fails keeps its status and reason and gets a later ``next_attempt_at`` with
exponential backoff; after ``max_attempts`` it is given up (status ``gave_up``) but never
deleted, so nothing is dropped silently. Pages that are not articles (index pages, paywalls)
keep their status and are not retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsdesk.config import PollSettings
from newsdesk.store.db import Conn


@dataclass(frozen=True, slots=True)
class PageTodo:
    page_id: int
    url: str
    attempts: int
    feed_published_at: datetime | None
    feed_title: str | None


# Statuses worth trying again later: the page may come back or be fixed.
RETRYABLE = frozenset({"fetch_failed", "error", "blocked", "no_text", "too_short"})


def due_pages(
    conn: Conn,
    now: datetime,
    *,
    shard: int = 0,
    shards: int = 1,
    limit: int = 500,
) -> list[PageTodo]:
    """Pages without an article whose next attempt is due, in this shard (page_id modulo shards)."""
    rows = conn.execute(
        """
        SELECT p.page_id, p.url, p.attempts, p.feed_published_at,
               (SELECT fe.title FROM feed_entries fe WHERE fe.page_id = p.page_id
                 ORDER BY fe.first_seen_at LIMIT 1) AS feed_title
          FROM pages p
         WHERE p.article_id IS NULL
           AND p.status = ANY(%(statuses)s)
           AND p.next_attempt_at <= %(now)s
           AND p.page_id %% %(shards)s = %(shard)s
         ORDER BY p.next_attempt_at, p.page_id
         LIMIT %(limit)s
        """,
        {"now": now, "shard": shard, "shards": shards, "limit": limit, "statuses": ["pending", *sorted(RETRYABLE)]},
    ).fetchall()
    return [PageTodo(r["page_id"], r["url"], r["attempts"], r["feed_published_at"], r["feed_title"]) for r in rows]


def record_page_failure(
    conn: Conn,
    page_id: int,
    *,
    status: str,
    reason: str,
    http_status: int | None,
    now: datetime,
    policy: PollSettings,
    retry_after_s: int | None = None,
) -> None:
    """Record why a page did not become an article; schedule a retry when it may succeed later."""
    conn.execute(
        """
        UPDATE pages
           SET attempts = attempts + 1,
               status = CASE WHEN %(retryable)s AND attempts + 1 >= %(max)s THEN 'gave_up' ELSE %(status)s END,
               reason = %(reason)s,
               http_status = %(http)s,
               last_attempt_at = %(now)s,
               next_attempt_at = %(now)s + make_interval(secs =>
                   greatest(coalesce(%(retry_after)s, 0),
                            least(%(base)s * power(2, attempts), 7 * 86400)))
         WHERE page_id = %(page_id)s
        """,
        {
            "page_id": page_id,
            "status": status,
            "reason": reason[:2000],
            "http": http_status,
            "now": now,
            "retryable": status in RETRYABLE,
            "max": policy.page_max_attempts,
            "base": policy.page_retry_s,
            "retry_after": retry_after_s,
        },
    )


def page_counts(conn: Conn) -> dict[str, int]:
    rows = conn.execute("SELECT status, count(*) AS n FROM pages GROUP BY status").fetchall()
    return {r["status"]: r["n"] for r in rows}
