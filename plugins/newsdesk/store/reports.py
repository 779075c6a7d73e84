"""Read-only queries behind the operations page: feed health, ingest rate, entities, commitments.

Every function takes an open connection and the moment the report is "as of" (``now``, UTC),
so the figures are reproducible in tests; nothing here writes. ``open_readonly`` opens a
connection whose session is read-only and has a statement timeout, so a slow report can
neither change the warehouse nor hold a web worker for long.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import psycopg
from psycopg.conninfo import make_conninfo

from newsdesk.errors import DatabaseError
from newsdesk.store.db import Conn, connect

FEED_HISTORY_DAYS = 7
HOURLY_WINDOW_HOURS = 48


@dataclass(frozen=True, slots=True)
class FeedHealth:
    feed_id: int
    name: str
    url: str
    enabled: bool
    last_polled_at: datetime | None
    last_status: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    disabled_reason: str | None
    new_per_day: tuple[int, ...]  # oldest day first, today last (UTC days)
    moved_to: str | None = None  # where the feed's URL redirects permanently (update the feed file)


@dataclass(frozen=True, slots=True)
class HourCount:
    hour: datetime
    articles: int


@dataclass(frozen=True, slots=True)
class EntityCount:
    entity_id: str
    name: str
    label: str
    mentions: int
    articles: int


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    commitment_id: int
    actor: str | None  # None: a plan whose actor the text does not name
    actor_as_written: str | None  # the pronoun or description the actor was resolved from
    speaker: str | None
    action: str
    kind: str
    polarity: str
    firmness: str
    conditional: bool
    deadline: date | None
    deadline_text: str | None
    article_id: int
    article_title: str | None
    article_url: str
    published_at: datetime | None
    # Articles of the story's near-duplicate cluster that report this commitment (wire copies
    # included); the row shown is the original's when it reports it, else the earliest copy's.
    articles: int = 1


@dataclass(frozen=True, slots=True)
class Summary:
    generated_at: datetime
    feeds: list[FeedHealth]
    articles_per_hour: list[HourCount]
    top_entities: list[EntityCount]
    latest_commitments: list[CommitmentRow]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def open_readonly(url: str, *, statement_timeout_ms: int = 10_000) -> Conn:
    """A connection for reports: read-only transactions, bounded statements and connect time."""
    try:
        conninfo = make_conninfo(
            url,
            connect_timeout=5,
            options=f"-c default_transaction_read_only=on -c statement_timeout={int(statement_timeout_ms)}",
            application_name="newsdesk-reports",
        )
    except psycopg.ProgrammingError as exc:
        raise DatabaseError(f"not a valid database URL: {exc}") from exc
    return cast(Conn, connect(conninfo))


def feed_health(conn: Conn, now: datetime, *, days: int = FEED_HISTORY_DAYS) -> list[FeedHealth]:
    """Every feed with its polling state and new entries per UTC day over the last ``days`` days.

    Problems first (disabled, then most consecutive failures), then by name.
    """
    rows = conn.execute(
        """
        WITH days AS (
            SELECT generate_series(
                       date_trunc('day', %(now)s::timestamptz, 'UTC') - make_interval(days => %(days)s - 1),
                       date_trunc('day', %(now)s::timestamptz, 'UTC'),
                       interval '1 day') AS day
        ),
        per_day AS (
            SELECT feed_id,
                   date_trunc('day', started_at, 'UTC') AS day,
                   sum(entries_new)::int AS new_entries
              FROM feed_fetches
             WHERE started_at >= (SELECT min(day) FROM days)
               AND started_at <= %(now)s
             GROUP BY 1, 2
        )
        SELECT f.feed_id, f.name, f.url, f.enabled, f.last_polled_at, f.last_status,
               f.consecutive_failures, f.next_poll_at, f.disabled_reason, f.moved_to,
               array(SELECT coalesce(p.new_entries, 0)
                       FROM days d
                       LEFT JOIN per_day p ON p.feed_id = f.feed_id AND p.day = d.day
                      ORDER BY d.day) AS new_per_day
          FROM feeds f
         ORDER BY (f.disabled_reason IS NOT NULL OR NOT f.enabled) DESC,
                  f.consecutive_failures DESC, lower(f.name), f.feed_id
        """,
        {"now": now, "days": days},
    ).fetchall()
    return [
        FeedHealth(
            feed_id=row["feed_id"],
            name=row["name"],
            url=row["url"],
            enabled=row["enabled"],
            last_polled_at=row["last_polled_at"],
            last_status=row["last_status"],
            consecutive_failures=row["consecutive_failures"],
            next_poll_at=row["next_poll_at"] if row["enabled"] and not row["disabled_reason"] else None,
            disabled_reason=row["disabled_reason"],
            new_per_day=tuple(row["new_per_day"]),
            moved_to=row["moved_to"],
        )
        for row in rows
    ]


def articles_per_hour(conn: Conn, now: datetime, *, hours: int = HOURLY_WINDOW_HOURS) -> list[HourCount]:
    """Articles stored (``fetched_at``) per UTC hour, the last ``hours`` hours incl. the current one."""
    rows = conn.execute(
        """
        WITH hours AS (
            SELECT generate_series(
                       date_trunc('hour', %(now)s::timestamptz, 'UTC')
                           - make_interval(hours => %(hours)s - 1),
                       date_trunc('hour', %(now)s::timestamptz, 'UTC'),
                       interval '1 hour') AS hour
        )
        SELECT h.hour, count(a.article_id)::int AS articles
          FROM hours h
          LEFT JOIN articles a
                 ON a.fetched_at >= h.hour AND a.fetched_at < h.hour + interval '1 hour'
                AND a.fetched_at <= %(now)s
         GROUP BY h.hour
         ORDER BY h.hour
        """,
        {"now": now, "hours": hours},
    ).fetchall()
    return [HourCount(hour=row["hour"], articles=row["articles"]) for row in rows]


def top_entities(conn: Conn, now: datetime, *, limit: int = 15) -> list[EntityCount]:
    """Entities by mentions in today's articles (UTC day of ``now``; published, else fetched time).

    Articles marked as duplicates are left out so a story syndicated twice is not counted twice.
    """
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = conn.execute(
        """
        SELECT e.entity_id, e.canonical_name, e.label,
               count(*)::int AS mentions, count(DISTINCT m.article_id)::int AS articles
          FROM mentions m
          JOIN articles a ON a.article_id = m.article_id
          JOIN entities e ON e.entity_id = m.entity_id
         WHERE coalesce(a.published_at, a.fetched_at) >= %(start)s
           AND coalesce(a.published_at, a.fetched_at) <= %(now)s
           AND a.duplicate_of IS NULL
         GROUP BY e.entity_id, e.canonical_name, e.label
         ORDER BY mentions DESC, articles DESC, e.canonical_name
         LIMIT %(limit)s
        """,
        {"start": start, "now": now, "limit": limit},
    ).fetchall()
    return [
        EntityCount(
            entity_id=str(row["entity_id"]),
            name=row["canonical_name"],
            label=row["label"],
            mentions=row["mentions"],
            articles=row["articles"],
        )
        for row in rows
    ]


# A commitment is shown once per near-duplicate cluster and tracking key, as the row of the story's
# original when the original reports it, else of the earliest copy that does (its representative).
# Only the newest rows are examined (index lookups per row, not a pass over every commitment):
# every representative outside the window is older than all rows inside it, so the newest
# representatives in the window are the newest overall; the window grows when it holds too few.
_LATEST_COMMITMENTS = """
WITH recent AS (
    SELECT c.commitment_id, c.commitment_key, c.actor, c.actor_as_written, c.speaker, c.action, c.kind,
           c.polarity, c.firmness, c.conditional, c.deadline, c.deadline_text, c.start_char,
           a.article_id, a.title, a.url, coalesce(a.published_at, a.fetched_at) AS published_at
      FROM commitments c
      JOIN articles a ON a.article_id = c.article_id
     WHERE coalesce(a.published_at, a.fetched_at) <= %(now)s
     ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.article_id DESC, c.start_char, c.commitment_id
     LIMIT %(window)s
)
SELECT r.*, greatest(s.articles, 1) AS articles
  FROM recent r
  JOIN v_article_clusters cl ON cl.article_id = r.article_id
 CROSS JOIN LATERAL (
       SELECT (array_agg(c2.commitment_id ORDER BY cl2.is_copy, coalesce(a2.published_at, a2.fetched_at),
                                                    c2.article_id, c2.start_char, c2.commitment_id))[1] AS first_id,
              count(DISTINCT c2.article_id)::int AS articles
         FROM commitments c2
         JOIN articles a2 ON a2.article_id = c2.article_id
         JOIN v_article_clusters cl2 ON cl2.article_id = c2.article_id
        WHERE c2.commitment_key = r.commitment_key
          AND cl2.original_article_id = cl.original_article_id
          AND coalesce(a2.published_at, a2.fetched_at) <= %(now)s) AS s
 -- a commitment without a key (not written by the store) is a story of its own
 WHERE r.commitment_id = coalesce(s.first_id, r.commitment_id)
 ORDER BY r.published_at DESC, r.article_id DESC, r.start_char, r.commitment_id
 LIMIT %(limit)s
"""


def latest_commitments(conn: Conn, now: datetime, *, limit: int = 25) -> list[CommitmentRow]:
    """The newest commitments (by their article's published, else fetched time) up to ``now``,
    once per near-duplicate cluster: a wire copy repeating its original's commitment (the same
    tracking key) adds to the row's ``articles`` instead of being shown again."""
    window = max(limit, 1) * 20
    while True:
        rows = conn.execute(_LATEST_COMMITMENTS, {"now": now, "limit": limit, "window": window}).fetchall()
        if len(rows) >= limit or not _more_than(conn, now, window):
            break
        window *= 4
    return [
        CommitmentRow(
            commitment_id=row["commitment_id"],
            actor=row["actor"],
            actor_as_written=row["actor_as_written"],
            speaker=row["speaker"],
            action=row["action"],
            kind=row["kind"],
            polarity=row["polarity"],
            firmness=row["firmness"],
            conditional=row["conditional"],
            deadline=row["deadline"],
            deadline_text=row["deadline_text"],
            article_id=row["article_id"],
            article_title=row["title"],
            article_url=row["url"],
            published_at=row["published_at"],
            articles=row["articles"],
        )
        for row in rows
    ]


def _more_than(conn: Conn, now: datetime, window: int) -> bool:
    """Whether more than ``window`` commitments are dated up to ``now`` (the window left some out)."""
    row = conn.execute(
        """SELECT count(*) > %(window)s AS more FROM (
               SELECT 1 FROM commitments c JOIN articles a ON a.article_id = c.article_id
                WHERE coalesce(a.published_at, a.fetched_at) <= %(now)s LIMIT %(window)s + 1) AS w""",
        {"now": now, "window": window},
    ).fetchone()
    return bool(row and row["more"])


def summary(conn: Conn, now: datetime) -> Summary:
    """Everything the operations page shows, read in one repeatable-read snapshot."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Day and hour buckets are UTC whatever the server's or role's TimeZone says.
            conn.execute("SET LOCAL TIME ZONE 'UTC'")
            return Summary(
                generated_at=now,
                feeds=feed_health(conn, now),
                articles_per_hour=articles_per_hour(conn, now),
                top_entities=top_entities(conn, now),
                latest_commitments=latest_commitments(conn, now),
            )
    except psycopg.Error as exc:
        raise DatabaseError(f"reading the newsdesk summary failed: {exc}") from exc
