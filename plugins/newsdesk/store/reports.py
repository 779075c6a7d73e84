"""Read-only queries behind the operations page: feed health, ingest rate, entities, commitments.

Every function takes an open connection and the moment the report is "as of" (``now``, UTC),
so the figures are reproducible in tests; nothing here writes. ``open_readonly`` opens a
connection whose session is read-only and has a statement timeout, so a slow report can
neither change the warehouse nor hold a web worker for long.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import psycopg
from psycopg.conninfo import make_conninfo

from newsdesk.errors import DatabaseError
from newsdesk.store.db import Conn, connect

FEED_HISTORY_DAYS = 7
RECENT_POLLS = 5  # polls listed in a failing or disabled feed's expandable row
HOURLY_WINDOW_HOURS = 48


@dataclass(frozen=True, slots=True)
class PollRow:
    """One poll of a feed, from the fetch log."""

    started_at: datetime
    status: str
    http_status: int | None
    error: str | None


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
    # v_feed_status: new | ok | failing | disabled, why (failing, disabled) and since when
    status: str = "new"
    reason: str | None = None
    since: datetime | None = None
    last_error: str | None = None  # the newest failed poll's reason, whatever the status now
    last_error_at: datetime | None = None
    feed_set: str = "default"
    recent_polls: tuple[PollRow, ...] = ()  # failing and disabled feeds: their newest polls


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
class EntityPeriod:
    """The articles the top-entities panel counts: ``basis`` "published" (publication time, else
    fetch time) or "stored" (fetch time), from ``start`` to ``end``; ``label`` says it in words."""

    basis: str
    start: datetime
    end: datetime
    label: str


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
    top_entities_period: EntityPeriod | None = None

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
        ),
        -- one set-wise (hash) join of feeds x days with the counts, not a scan of them per feed
        spark AS (
            SELECT f.feed_id, array_agg(coalesce(p.new_entries, 0) ORDER BY d.day) AS new_per_day
              FROM feeds f
             CROSS JOIN days d
              LEFT JOIN per_day p ON p.feed_id = f.feed_id AND p.day = d.day
             GROUP BY f.feed_id
        )
        SELECT f.feed_id, f.name, f.url, f.enabled, f.last_polled_at, f.last_status,
               f.consecutive_failures, f.next_poll_at, f.disabled_reason, f.moved_to,
               st.feed_set, st.status, st.reason, st.since, st.last_error, st.last_error_at,
               sp.new_per_day,
               CASE WHEN st.status IN ('failing', 'disabled') THEN
                    array(SELECT json_build_object('started_at', ff.started_at, 'status', ff.status,
                                                   'http_status', ff.http_status,
                                                   'error', coalesce(ff.error, ff.parse_problem))
                            FROM feed_fetches ff
                           WHERE ff.feed_id = f.feed_id AND ff.started_at <= %(now)s
                           ORDER BY ff.started_at DESC, ff.fetch_id DESC
                           LIMIT %(recent)s)
               END AS recent_polls
          FROM feeds f
          JOIN v_feed_status st ON st.feed_id = f.feed_id
          JOIN spark sp ON sp.feed_id = f.feed_id
         ORDER BY (f.disabled_reason IS NOT NULL OR NOT f.enabled) DESC,
                  f.consecutive_failures DESC, lower(f.name), f.feed_id
        """,
        {"now": now, "days": days, "recent": RECENT_POLLS},
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
            status=row["status"],
            reason=row["reason"],
            since=row["since"],
            last_error=row["last_error"],
            last_error_at=row["last_error_at"],
            feed_set=row["feed_set"],
            recent_polls=tuple(
                PollRow(
                    started_at=datetime.fromisoformat(poll["started_at"]),
                    status=poll["status"],
                    http_status=poll["http_status"],
                    error=poll["error"],
                )
                for poll in row["recent_polls"] or ()
            ),
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


# What "when" means for an article in each basis of the entities panel.
_WHEN = {"published": "coalesce(a.published_at, a.fetched_at)", "stored": "a.fetched_at"}


def entity_period(conn: Conn, now: datetime) -> EntityPeriod:
    """The period the top-entities panel counts: today's articles (by publication, UTC day) when
    there are any; else the articles stored in the last 48 hours (an archive just loaded, such as
    the demo's 2025 sample); else the latest day that has published articles."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    published = EntityPeriod("published", today, now, "today")
    if _has_mentions(conn, published):
        return published
    stored = EntityPeriod(
        "stored", now - timedelta(hours=HOURLY_WINDOW_HOURS), now, f"stored in the last {HOURLY_WINDOW_HOURS} h"
    )
    if _has_mentions(conn, stored):
        return stored
    row = conn.execute(
        """SELECT max(coalesce(a.published_at, a.fetched_at)) AS latest
             FROM articles a
            WHERE a.duplicate_of IS NULL AND coalesce(a.published_at, a.fetched_at) <= %s
              AND EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.article_id)""",
        (now,),
    ).fetchone()
    if row is None or row["latest"] is None:
        return published
    day = row["latest"].astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return EntityPeriod("published", day, day + timedelta(days=1), f"published on {day:%Y-%m-%d}, the latest day")


def _has_mentions(conn: Conn, period: EntityPeriod) -> bool:
    when = _WHEN[period.basis]
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM articles a JOIN mentions m ON m.article_id = a.article_id"  # noqa: S608
        f" WHERE {when} >= %s AND {when} <= %s AND a.duplicate_of IS NULL) AS found",
        (period.start, period.end),
    ).fetchone()
    return bool(row and row["found"])


def top_entities(
    conn: Conn, now: datetime, *, limit: int = 15, period: EntityPeriod | None = None
) -> list[EntityCount]:
    """Entities by mentions in the articles of ``period`` (default: today's, UTC day of ``now``,
    by published else fetched time; see ``entity_period`` for the panel's fallbacks).

    Articles marked as duplicates are left out so a story syndicated twice is not counted twice.
    """
    if period is None:
        start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        period = EntityPeriod("published", start, now, "today")
    when = _WHEN[period.basis]
    rows = conn.execute(
        f"""
        SELECT e.entity_id, e.canonical_name, e.label,
               count(*)::int AS mentions, count(DISTINCT m.article_id)::int AS articles
          FROM mentions m
          JOIN articles a ON a.article_id = m.article_id
          JOIN entities e ON e.entity_id = m.entity_id
         WHERE {when} >= %(start)s
           AND {when} <= %(end)s
           AND a.duplicate_of IS NULL
         GROUP BY e.entity_id, e.canonical_name, e.label
         ORDER BY mentions DESC, articles DESC, e.canonical_name
         LIMIT %(limit)s
        """,  # noqa: S608 - `when` is one of two fixed expressions
        {"start": period.start, "end": min(period.end, now), "limit": limit},
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
    SELECT c.commitment_id, c.commitment_key, c.actor, c.actor_entity_id, c.actor_as_written, c.speaker,
           c.action, c.kind,
           c.polarity, c.firmness, c.conditional, c.deadline, c.deadline_text, c.start_char,
           a.article_id, a.title, a.url, coalesce(a.published_at, a.fetched_at) AS published_at
      FROM commitments c
      JOIN articles a ON a.article_id = c.article_id
     WHERE coalesce(a.published_at, a.fetched_at) <= %(now)s
     ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.article_id DESC, c.start_char, c.commitment_id
     LIMIT %(window)s
)
SELECT r.*, greatest(s.articles, 1) AS articles, coalesce(s.article_ids, ARRAY[r.article_id]) AS article_ids,
       cl.original_article_id AS cluster_id, cl.is_copy,
       commitment_actor_key(r.actor_entity_id, r.actor) AS actor_key
  FROM recent r
  JOIN v_article_clusters cl ON cl.article_id = r.article_id
 CROSS JOIN LATERAL (
       SELECT (array_agg(c2.commitment_id ORDER BY cl2.is_copy, coalesce(a2.published_at, a2.fetched_at),
                                                    c2.article_id, c2.start_char, c2.commitment_id))[1] AS first_id,
              count(DISTINCT c2.article_id)::int AS articles,
              array_agg(DISTINCT c2.article_id) AS article_ids
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
    once per near-duplicate cluster: a wire copy repeating its original's commitment adds to the
    row's ``articles`` instead of being shown again — the same tracking key, or (a copy edited
    by its outlet: "vrijmaken" for "vrij te maken") the same actor with a near-identical action."""
    window = max(limit, 1) * 20
    wanted = max(limit, 1) * 2  # rows merged below leave fewer; the page shows ``limit``
    while True:
        rows = conn.execute(_LATEST_COMMITMENTS, {"now": now, "limit": wanted, "window": window}).fetchall()
        if len(rows) >= wanted or not _more_than(conn, now, window):
            break
        window *= 4
    shown = []
    for group in _same_commitment_groups(rows):
        # the original's row when it reports the commitment, else the earliest copy's
        row = min(group, key=lambda r: (r["is_copy"], r["published_at"], r["article_id"], r["start_char"]))
        shown.append((row, {a for r in group for a in r["article_ids"]}))
    # newest first by the row shown, as the query orders them
    shown.sort(key=lambda item: (-item[0]["article_id"], item[0]["start_char"], item[0]["commitment_id"]))
    shown.sort(key=lambda item: item[0]["published_at"], reverse=True)
    out = []
    for row, articles in shown[:limit]:
        out.append(
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
                articles=max(len(articles), 1),
            )
        )
    return out


SAME_ACTION = 0.6  # trigram Dice of two actions of one actor in one cluster: the same commitment


def _same_commitment_groups(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows (newest first) grouped: one group per commitment and near-duplicate cluster, in the
    order of each group's newest row."""
    groups: list[list[dict[str, Any]]] = []
    for row in rows:
        grams = _trigrams(row["action"])
        for group in groups:
            head = group[0]
            if (
                head["cluster_id"] == row["cluster_id"]
                and head["actor_key"] == row["actor_key"]
                and head["polarity"] == row["polarity"]
                and all(r["article_id"] != row["article_id"] for r in group)
                and any(_dice(grams, _trigrams(r["action"])) >= SAME_ACTION for r in group)
            ):
                group.append(row)
                break
        else:
            groups.append([row])
    return groups


def _trigrams(text: str) -> set[str]:
    words = " ".join("".join(ch for ch in word if ch.isalnum()) for word in text.lower().split())
    padded = f"  {words} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


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
            period = entity_period(conn, now)
            return Summary(
                generated_at=now,
                feeds=feed_health(conn, now),
                articles_per_hour=articles_per_hour(conn, now),
                top_entities=top_entities(conn, now, period=period),
                latest_commitments=latest_commitments(conn, now),
                top_entities_period=period,
            )
    except psycopg.Error as exc:
        raise DatabaseError(f"reading the newsdesk summary failed: {exc}") from exc
