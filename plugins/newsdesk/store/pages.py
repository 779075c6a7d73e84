"""The page queue: pages known from feed entries, waiting to be fetched and extracted.

A page that fails keeps its status and reason and gets a later ``next_attempt_at`` with
exponential backoff; after ``max_attempts`` it is given up (status ``gave_up``) but never
deleted, so nothing is dropped silently. Pages that are not articles (index pages, live-blog
shells) and pages refused by policy (``blocked``) keep their status and are not retried.

The queue is fair: ``due_pages`` takes pages round-robin across feeds and hosts (see there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import sql

from newsdesk.models import RETRYABLE_PAGE_STATUSES, PageStatus
from newsdesk.store.boundary import boundary, clean, int4
from newsdesk.store.db import Conn


@dataclass(frozen=True, slots=True)
class PageTodo:
    page_id: int
    url: str
    attempts: int
    feed_published_at: datetime | None
    feed_title: str | None
    feed_id: int | None = None


# Statuses worth trying again later (models.RETRYABLE_PAGE_STATUSES); a page refused by policy
# (robots.txt, the SSRF guard) is "blocked" for good: no retries.
RETRYABLE = frozenset(str(s) for s in RETRYABLE_PAGE_STATUSES)
# What the queue takes; the same list is the predicate of the queue's index (migration 0014),
# written into the query as literals so that the planner can match the two.
QUEUED = (str(PageStatus.PENDING), *sorted(RETRYABLE))


# The queue is fair in two passes: each feed first offers at most this share of the limit, in
# turns (every feed's oldest page, then every feed's second ...); when that leaves room, the
# feeds with more waiting fill it, still in turns. One feed alone drains at the full rate.
FIRST_PASS_SHARE = 10

_DUE = sql.SQL("""
    WITH due AS (
        SELECT q.* FROM feeds f CROSS JOIN LATERAL (
            SELECT p.page_id, p.url, p.attempts, p.feed_published_at, p.next_attempt_at, p.feed_id
              FROM pages p
             WHERE p.feed_id = f.feed_id AND p.article_id IS NULL
               AND p.status IN ({queued}) AND p.next_attempt_at <= %(now)s
               AND p.page_id %% %(shards)s = %(shard)s
             ORDER BY p.next_attempt_at, p.page_id
             LIMIT %(share)s) q
        UNION ALL
        (SELECT p.page_id, p.url, p.attempts, p.feed_published_at, p.next_attempt_at, p.feed_id
           FROM pages p
          WHERE p.feed_id IS NULL AND p.article_id IS NULL
            AND p.status IN ({queued}) AND p.next_attempt_at <= %(now)s
            AND p.page_id %% %(shards)s = %(shard)s
          ORDER BY p.next_attempt_at, p.page_id
          LIMIT %(share)s)),
    feed_turns AS (
        SELECT d.*, substring(d.url from '^[^:]+://([^/?#]*)') AS host,
               row_number() OVER (PARTITION BY d.feed_id ORDER BY d.next_attempt_at, d.page_id) AS feed_turn
          FROM due d),
    turns AS (
        -- a host's pages in turns too, round-robin over the feeds that link to it
        SELECT f.*, row_number() OVER (PARTITION BY f.host ORDER BY f.feed_turn, f.next_attempt_at, f.page_id)
                    AS host_turn
          FROM feed_turns f)
    SELECT t.page_id, t.url, t.attempts, t.feed_published_at, t.feed_id,
           (SELECT fe.title FROM feed_entries fe WHERE fe.page_id = t.page_id
             ORDER BY fe.first_seen_at LIMIT 1) AS feed_title
      FROM turns t
     ORDER BY greatest(t.feed_turn, t.host_turn), t.next_attempt_at, t.page_id
     LIMIT %(limit)s
""").format(queued=sql.SQL(", ").join(sql.Literal(status) for status in QUEUED))


@boundary("reading the page queue")
def due_pages(
    conn: Conn,
    now: datetime,
    *,
    shard: int = 0,
    shards: int = 1,
    limit: int = 500,
) -> list[PageTodo]:
    """Pages without an article whose next attempt is due, in this shard (page_id modulo shards).

    Round-robin across feeds and hosts: a page's turn is the later of its rank among its feed's
    due pages and its rank among its host's (oldest first), so a feed or a host with a backlog of
    100,000 pages takes what the others leave, never their place. See FIRST_PASS_SHARE.
    """
    share = max(1, limit // FIRST_PASS_SHARE)
    params = {
        "now": now,
        "shard": shard,
        "shards": shards,
        "limit": limit,
        "share": share,
    }
    # The planner prices each feed's index probe high (it cannot know most feeds have nothing
    # due), and JIT-compiling the query then took ten times as long as running it.
    conn.execute("SELECT set_config('jit', 'off', true)")
    rows = conn.execute(_DUE, params).fetchall()
    if len(rows) < limit and _has_more(rows, share):
        rows = conn.execute(_DUE, {**params, "share": limit}).fetchall()
    return [
        PageTodo(r["page_id"], r["url"], r["attempts"], r["feed_published_at"], r["feed_title"], r["feed_id"])
        for r in rows
    ]


def _has_more(rows: list, share: int) -> bool:
    """True when some feed offered its whole first-pass share (it may have more waiting)."""
    per_feed: dict[object, int] = {}
    for r in rows:
        per_feed[r["feed_id"]] = per_feed.get(r["feed_id"], 0) + 1
    return any(n >= share for n in per_feed.values())


@boundary("recording a page's failure")
def record_page_failure(
    conn: Conn,
    page_id: int,
    *,
    status: PageStatus,
    reason: str,
    http_status: int | None,
    now: datetime,
    next_attempt_at: datetime,
) -> None:
    """Record why a page did not become an article and when to try it again (``policy.page_failure``)."""
    conn.execute(
        """
        UPDATE pages
           SET attempts = attempts + 1, status = %(status)s, reason = %(reason)s, http_status = %(http)s,
               last_attempt_at = %(now)s, next_attempt_at = %(next)s
         WHERE page_id = %(page_id)s
        """,
        {
            "page_id": page_id,
            "status": str(PageStatus(status)),
            "reason": (clean(reason) or "")[:2000],
            "http": int4(http_status),
            "now": now,
            "next": next_attempt_at,
        },
    )


@boundary("deferring a page")
def defer_page(conn: Conn, page_id: int, *, reason: str, until: datetime) -> None:
    """Try the page again at ``until`` without counting an attempt (it was not its fault)."""
    conn.execute(
        "UPDATE pages SET reason = %s, next_attempt_at = %s WHERE page_id = %s",
        ((clean(reason) or "")[:2000], until, page_id),
    )


@boundary("counting pages")
def page_counts(conn: Conn) -> dict[str, int]:
    rows = conn.execute("SELECT status, count(*) AS n FROM pages GROUP BY status").fetchall()
    return {r["status"]: r["n"] for r in rows}
