"""Feeds, their polling state, the fetch log and new feed entries (tables feeds, feed_fetches,
feed_entries, and the insertion of new ``pages`` rows).

``apply_poll`` is the one place the polling policy lives: in one transaction it writes the
fetch-log row, the feed's new state (validators, body hash, failure counters, next poll time,
disabling) and the poll's new entries. The arithmetic is in pure functions (``adaptive_interval``,
``backoff_delay``, ``decide``) so it can be tested without a database.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row

from newsdesk.config import PollSettings
from newsdesk.errors import DatabaseError
from newsdesk.models import Feed, FeedEntry, FeedPoll, FeedState, FetchStatus

log = logging.getLogger(__name__)

SUCCESS = frozenset({FetchStatus.OK, FetchStatus.NOT_MODIFIED, FetchStatus.UNCHANGED})
# Failures that say "this URL is wrong" rather than "try again": they count towards disabling.
HARD_FAILURES = frozenset({FetchStatus.HARD, FetchStatus.BLOCKED})
DISABLED_IN_FILE = "disabled in the feeds file"
REMOVED_FROM_FILE = "not in the feeds file"
MAX_URL_LENGTH = 2048  # longer links cannot be a unique btree key safely; they are skipped
RATE_SAMPLE = 20  # newest dated entries used to estimate a feed's publishing rate
_AUTHOR_SEP = "\x1f"  # unit separator: cleaned out of author names by the parser


# --- the policy, as arithmetic ------------------------------------------------------------------


def _clamp(value: float, policy: PollSettings) -> int:
    return int(min(max(value, policy.min_interval_s), policy.max_interval_s))


def adaptive_interval(
    previous_s: int,
    *,
    new_entries: int,
    entry_times: Sequence[datetime],
    now: datetime,
    policy: PollSettings,
) -> int:
    """The next poll interval of a feed without a configured one, within the policy's bounds.

    With new entries, the interval is the feed's observed mean gap between its newest dated
    entries (so a poll finds about one new item); undated feeds halve the interval instead.
    Without new entries (including 304 and unchanged bodies) the interval grows by half, so a
    feed that went quiet is polled less and less often, down to ``max_interval_s``.
    """
    if new_entries <= 0:
        return _clamp(previous_s * 1.5, policy)
    horizon = now + timedelta(hours=1)  # entries dated in the future are publisher clock errors
    dated = sorted((t for t in entry_times if t <= horizon), reverse=True)[:RATE_SAMPLE]
    if len(dated) >= 2:
        span = (dated[0] - dated[-1]).total_seconds()
        if span > 0:
            return _clamp(span / (len(dated) - 1), policy)
    return _clamp(previous_s / 2, policy)


def backoff_delay(failures: int, *, interval_s: int, retry_after_s: int | None, policy: PollSettings) -> int:
    """Seconds until the next attempt after ``failures`` consecutive failures (>= 1).

    Exponential from the feed's normal interval, capped at ``max_backoff_s``; a server's
    Retry-After is never undercut (up to the same cap, so a bogus value cannot park a feed).
    """
    base = max(interval_s, policy.min_interval_s)
    delay = min(policy.max_backoff_s, base * 2 ** min(max(failures - 1, 0), 30))
    if retry_after_s is not None and retry_after_s > 0:
        delay = max(delay, min(retry_after_s, policy.max_backoff_s))
    return int(delay)


@dataclass(frozen=True, slots=True)
class FeedRow:
    """The part of a feeds row the policy reads."""

    poll_interval_s: int
    configured_interval_s: int | None
    consecutive_failures: int
    consecutive_hard_failures: int
    etag: str | None
    last_modified: str | None
    last_body_hash: str | None
    last_new_entry_at: datetime | None


@dataclass(frozen=True, slots=True)
class Decision:
    """The feed's state after a poll."""

    poll_interval_s: int
    next_poll_at: datetime
    consecutive_failures: int
    consecutive_hard_failures: int
    etag: str | None
    last_modified: str | None
    last_body_hash: str | None
    success: bool
    disabled_reason: str | None


def decide(
    row: FeedRow, poll: FeedPoll, *, new_entries: int, now: datetime, policy: PollSettings
) -> Decision:
    """Apply the polling policy to one poll outcome."""
    if poll.status in SUCCESS:
        if row.configured_interval_s:
            interval = row.configured_interval_s  # the feeds file wins over the adaptive schedule
        else:
            times = [t for e in poll.entries if (t := e.published or e.updated) is not None]
            interval = adaptive_interval(
                row.poll_interval_s,
                new_entries=new_entries,
                entry_times=times,
                now=now,
                policy=policy,
            )
        fresh_body = poll.status is not FetchStatus.NOT_MODIFIED
        return Decision(
            poll_interval_s=interval,
            next_poll_at=now + timedelta(seconds=interval),
            consecutive_failures=0,
            consecutive_hard_failures=0,
            # a 200 replaces the validators (a server may stop sending them); a 304 may omit them
            etag=poll.etag if fresh_body else (poll.etag or row.etag),
            last_modified=poll.last_modified if fresh_body else (poll.last_modified or row.last_modified),
            last_body_hash=(poll.body_hash or row.last_body_hash) if fresh_body else row.last_body_hash,
            success=True,
            disabled_reason=None,
        )
    failures = row.consecutive_failures + 1
    # Temporary and soft trouble neither counts towards disabling nor resets the hard count.
    hard = row.consecutive_hard_failures + (1 if poll.status in HARD_FAILURES else 0)
    reason = None
    if poll.status is FetchStatus.HARD and poll.http_status == 410:
        reason = "410 Gone: the feed was removed permanently"
    elif poll.status in HARD_FAILURES and hard >= policy.disable_after_failures:
        reason = f"{hard} consecutive hard failures; last: {poll.error or poll.status.value}"[:500]
    delay = backoff_delay(
        failures, interval_s=row.poll_interval_s, retry_after_s=poll.retry_after_s, policy=policy
    )
    return Decision(
        poll_interval_s=row.poll_interval_s,
        next_poll_at=now + timedelta(seconds=delay),
        consecutive_failures=failures,
        consecutive_hard_failures=hard,
        # validators and hash stay: a failed poll says nothing about the last good body
        etag=row.etag,
        last_modified=row.last_modified,
        last_body_hash=row.last_body_hash,
        success=False,
        disabled_reason=reason,
    )


# --- feeds file -> feeds table --------------------------------------------------------------------


def sync_feeds(conn: psycopg.Connection, feeds: Sequence[Feed]) -> dict[str, int]:
    """Make the feeds table follow the feeds file (upsert by url) in one transaction.

    The file's ``enabled`` flag is applied when it changes: ``false`` disables the feed,
    flipping it back to ``true`` re-enables it and clears ``disabled_reason`` and the failure
    counters. A feed the policy disabled stays disabled while the file keeps saying ``true``
    (see ``enable_feed``). Feeds missing from the file are disabled, never deleted: their
    history stays.
    """
    counts = {
        "feeds": len(feeds),
        "inserted": 0,
        "updated": 0,
        "enabled": 0,
        "disabled": 0,
        "removed": 0,
        "unchanged": 0,
    }
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            existing = {
                row["url"]: row
                for row in cur.execute(
                    "SELECT feed_id, url, name, site, language, tags, enabled, seed_enabled, "
                    "configured_interval_s, disabled_reason FROM feeds FOR UPDATE"
                ).fetchall()
            }
            for feed in feeds:
                row = existing.pop(feed.url, None)
                if row is None:
                    cur.execute(
                        """INSERT INTO feeds (url, name, site, language, tags, enabled, seed_enabled,
                                              configured_interval_s, poll_interval_s, disabled_reason,
                                              disabled_at)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, COALESCE(%s, 900), %s,
                                   CASE WHEN %s THEN NULL ELSE now() END)""",
                        (
                            feed.url,
                            feed.name,
                            feed.site,
                            feed.language,
                            list(feed.tags),
                            feed.enabled,
                            feed.enabled,
                            feed.poll_interval_s,
                            feed.poll_interval_s,
                            None if feed.enabled else DISABLED_IN_FILE,
                            feed.enabled,
                        ),
                    )
                    counts["inserted"] += 1
                    continue
                changed = (
                    row["name"] != feed.name
                    or row["site"] != feed.site
                    or row["language"] != feed.language
                    or list(row["tags"] or []) != list(feed.tags)
                    or row["configured_interval_s"] != feed.poll_interval_s
                )
                if changed:
                    cur.execute(
                        """UPDATE feeds SET name = %s, site = %s, language = %s, tags = %s,
                                  configured_interval_s = %s,
                                  poll_interval_s = COALESCE(%s, poll_interval_s), updated_at = now()
                            WHERE feed_id = %s""",
                        (
                            feed.name,
                            feed.site,
                            feed.language,
                            list(feed.tags),
                            feed.poll_interval_s,
                            feed.poll_interval_s,
                            row["feed_id"],
                        ),
                    )
                if not feed.enabled and (row["enabled"] or row["seed_enabled"]):
                    cur.execute(
                        """UPDATE feeds SET enabled = false, seed_enabled = false, disabled_reason = %s,
                                  disabled_at = COALESCE(disabled_at, now()), updated_at = now()
                            WHERE feed_id = %s""",
                        (DISABLED_IN_FILE, row["feed_id"]),
                    )
                    counts["disabled"] += 1
                elif feed.enabled and (
                    not row["seed_enabled"]
                    or (not row["enabled"] and row["disabled_reason"] == REMOVED_FROM_FILE)
                ):
                    _enable(cur, row["feed_id"])
                    counts["enabled"] += 1
                elif changed:
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            for row in existing.values():
                if row["enabled"] or row["seed_enabled"]:
                    cur.execute(
                        """UPDATE feeds SET enabled = false, seed_enabled = false, disabled_reason = %s,
                                  disabled_at = COALESCE(disabled_at, now()), updated_at = now()
                            WHERE feed_id = %s""",
                        (REMOVED_FROM_FILE, row["feed_id"]),
                    )
                    counts["removed"] += 1
    except psycopg.Error as exc:
        raise DatabaseError(f"could not sync the feeds table: {exc}") from exc
    log.info("feeds synced: %s", counts)
    return counts


def _enable(cur: psycopg.Cursor[Any], feed_id: int) -> None:
    cur.execute(
        """UPDATE feeds SET enabled = true, seed_enabled = true, disabled_reason = NULL, disabled_at = NULL,
                  consecutive_failures = 0, consecutive_hard_failures = 0, next_poll_at = now(),
                  updated_at = now()
            WHERE feed_id = %s""",
        (feed_id,),
    )


def enable_feed(conn: psycopg.Connection, url: str) -> bool:
    """Re-enable a feed the policy (or an operator) disabled; False if no such feed."""
    try:
        with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
            row = cur.execute("SELECT feed_id FROM feeds WHERE url = %s FOR UPDATE", (url,)).fetchone()
            if row is None:
                return False
            _enable(cur, row[0])
    except psycopg.Error as exc:
        raise DatabaseError(f"could not enable feed {url}: {exc}") from exc
    return True


# --- what to poll -------------------------------------------------------------------------------


def due_feeds(
    conn: psycopg.Connection, now: datetime, *, shard: int = 0, shards: int = 1, limit: int | None = None
) -> list[FeedState]:
    """Enabled feeds due at ``now`` in this shard (feed_id modulo shards), most overdue first."""
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards} is not a valid shard")
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                """SELECT feed_id, url, http_etag, http_last_modified, last_body_hash,
                          consecutive_failures, poll_interval_s, next_poll_at
                     FROM feeds
                    WHERE enabled AND next_poll_at <= %s AND feed_id %% %s = %s
                    ORDER BY next_poll_at, feed_id
                    LIMIT %s""",
                (now, shards, shard, limit),
            ).fetchall()
    except psycopg.Error as exc:
        raise DatabaseError(f"could not read due feeds: {exc}") from exc
    return [
        FeedState(
            feed_id=r["feed_id"],
            url=r["url"],
            etag=r["http_etag"],
            last_modified=r["http_last_modified"],
            last_body_hash=r["last_body_hash"],
            consecutive_failures=r["consecutive_failures"],
            poll_interval_s=r["poll_interval_s"],
            next_poll_at=r["next_poll_at"],
        )
        for r in rows
    ]


# --- applying one poll --------------------------------------------------------------------------


def _storable(entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    """Entries that can become pages: with an http(s) link of sane length, one per guid."""
    out: dict[str, FeedEntry] = {}
    for entry in entries:
        link = entry.link
        if not link or len(link) > MAX_URL_LENGTH or not link.startswith(("http://", "https://")):
            continue
        out.setdefault(entry.guid, entry)
    return list(out.values())


def _store_entries(
    cur: psycopg.Cursor[Any], feed_id: int, entries: Sequence[FeedEntry], now: datetime
) -> int:
    candidates = _storable(entries)
    if not candidates:
        return 0
    guids = [e.guid for e in candidates]
    # An entry is known by (feed, guid) whether it still waits in feed_entries or became an article.
    known = {
        row[0]
        for row in cur.execute(
            """SELECT entry_guid FROM feed_entries WHERE feed_id = %(f)s AND entry_guid = ANY(%(g)s)
               UNION
               SELECT entry_guid FROM article_sources WHERE feed_id = %(f)s AND entry_guid = ANY(%(g)s)""",
            {"f": feed_id, "g": guids},
        ).fetchall()
    }
    fresh = [e for e in candidates if e.guid not in known]
    if not fresh:
        return 0
    urls = [e.link for e in fresh]
    published = [e.published for e in fresh]
    rows = cur.execute(
        """WITH input AS (SELECT * FROM unnest(%(u)s::text[], %(p)s::timestamptz[]) AS t(url, published)),
                ins AS (INSERT INTO pages (url, feed_published_at, first_seen_at, next_attempt_at)
                        SELECT DISTINCT ON (url) url, published, %(now)s, %(now)s FROM input ORDER BY url
                        ON CONFLICT (url) DO NOTHING
                        RETURNING page_id, url)
           SELECT page_id, url FROM ins
           UNION ALL
           SELECT p.page_id, p.url FROM pages p WHERE p.url IN (SELECT url FROM input)""",
        {"u": urls, "p": published, "now": now},
    ).fetchall()
    page_ids = {url: page_id for page_id, url in rows}
    missing = [u for u in set(urls) if u not in page_ids]
    if missing:  # inserted by a concurrent transaction after this statement's snapshot
        page_ids.update(
            {
                url: pid
                for pid, url in cur.execute("SELECT page_id, url FROM pages WHERE url = ANY(%s)", (missing,))
            }
        )
    cur.execute(
        """INSERT INTO feed_entries (feed_id, entry_guid, page_id, title, summary, authors,
                                     published_at, updated_at, language, first_seen_at)
           SELECT %(f)s, g, pid, t, s,
                  CASE WHEN a = '' THEN '{}'::text[] ELSE string_to_array(a, %(sep)s) END,
                  p, u, l, %(now)s
             FROM unnest(%(g)s::text[], %(pid)s::bigint[], %(t)s::text[], %(s)s::text[], %(a)s::text[],
                         %(p)s::timestamptz[], %(u)s::timestamptz[], %(l)s::text[])
                  AS x(g, pid, t, s, a, p, u, l)
           ON CONFLICT (feed_id, entry_guid) DO NOTHING""",
        {
            "f": feed_id,
            "sep": _AUTHOR_SEP,
            "now": now,
            "g": [e.guid for e in fresh],
            "pid": [page_ids[e.link] for e in fresh if e.link],
            "t": [e.title for e in fresh],
            "s": [e.summary for e in fresh],
            "a": [_AUTHOR_SEP.join(e.authors) for e in fresh],
            "p": published,
            "u": [e.updated for e in fresh],
            "l": [e.language for e in fresh],
        },
    )
    return max(cur.rowcount, 0)


def apply_poll(
    conn: psycopg.Connection,
    poll: FeedPoll,
    policy: PollSettings,
    *,
    now: datetime,
    run_id: int | None = None,
) -> int:
    """Record one poll and apply the whole policy in one transaction; return the new entries.

    Writes one feed_fetches row, the feed's state and (for an OK poll) its new entries: a
    ``pages`` row per new canonical link (shared with every other feed linking there) and a
    ``feed_entries`` row per new (feed, guid). An entry already known by its guid is not new,
    even if its link changed.
    """
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            # synchronous_commit off for this transaction only: a poll is cheap to repeat. If the
            # server crashes before the commit reaches disk (a fraction of a second), the whole poll
            # is lost together (log, state, entries) and the feed is simply polled again.
            row = cur.execute(
                """SELECT poll_interval_s, configured_interval_s, consecutive_failures,
                          consecutive_hard_failures, http_etag, http_last_modified, last_body_hash,
                          last_new_entry_at, set_config('synchronous_commit', 'off', true) AS sync
                     FROM feeds WHERE feed_id = %s FOR UPDATE""",
                (poll.feed_id,),
            ).fetchone()
            if row is None:
                log.warning(
                    "poll of feed %s (%s) not recorded: the feed no longer exists", poll.feed_id, poll.url
                )
                return 0
            state = FeedRow(
                row["poll_interval_s"],
                row["configured_interval_s"],
                row["consecutive_failures"],
                row["consecutive_hard_failures"],
                row["http_etag"],
                row["http_last_modified"],
                row["last_body_hash"],
                row["last_new_entry_at"],
            )
            new = 0
            if poll.status is FetchStatus.OK and poll.entries:
                with conn.cursor(row_factory=tuple_row) as plain:
                    new = _store_entries(plain, poll.feed_id, poll.entries, now)
            decision = decide(state, poll, new_entries=new, now=now, policy=policy)
            # One statement for the fetch-log row and the feed's new state: one round trip.
            cur.execute(
                """WITH logged AS (
                       INSERT INTO feed_fetches (feed_id, started_at, status, http_status, duration_ms, bytes,
                                                 entries_seen, entries_new, error, parse_problem,
                                                 retry_after_s, run_id)
                       VALUES (%(id)s, %(started)s, %(status)s, %(http)s, %(ms)s, %(bytes)s, %(seen)s,
                               %(new)s, %(error)s, %(problem)s, %(retry)s, %(run)s))
                   UPDATE feeds
                      SET poll_interval_s = %(interval)s, next_poll_at = %(next)s, last_polled_at = %(now)s,
                          last_success_at = CASE WHEN %(ok)s THEN %(now)s ELSE last_success_at END,
                          last_new_entry_at = CASE WHEN %(new)s > 0 THEN %(now)s ELSE last_new_entry_at END,
                          last_status = %(status)s, http_etag = %(etag)s, http_last_modified = %(lm)s,
                          last_body_hash = %(hash)s, consecutive_failures = %(fails)s,
                          consecutive_hard_failures = %(hard)s,
                          enabled = CASE WHEN %(reason)s::text IS NULL THEN enabled ELSE false END,
                          disabled_reason = COALESCE(%(reason)s, disabled_reason),
                          disabled_at = CASE WHEN %(reason)s::text IS NULL THEN disabled_at ELSE %(now)s END,
                          updated_at = %(now)s
                    WHERE feed_id = %(id)s""",
                {
                    "id": poll.feed_id,
                    "started": poll.started_at,
                    "status": poll.status.value,
                    "http": poll.http_status,
                    "ms": max(poll.duration_ms, 0),
                    "bytes": max(poll.bytes, 0),
                    "seen": len(poll.entries),
                    "new": new,
                    "error": poll.error,
                    "problem": poll.parse_problem,
                    "retry": poll.retry_after_s,
                    "run": run_id,
                    "interval": decision.poll_interval_s,
                    "next": decision.next_poll_at,
                    "now": now,
                    "ok": decision.success,
                    "etag": decision.etag,
                    "lm": decision.last_modified,
                    "hash": decision.last_body_hash,
                    "fails": decision.consecutive_failures,
                    "hard": decision.consecutive_hard_failures,
                    "reason": decision.disabled_reason,
                },
            )
            if decision.disabled_reason:
                log.warning("feed %s (%s) disabled: %s", poll.feed_id, poll.url, decision.disabled_reason)
    except psycopg.Error as exc:
        raise DatabaseError(f"could not record the poll of feed {poll.feed_id}: {exc}") from exc
    return new
