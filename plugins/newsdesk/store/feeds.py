"""Feeds, their polling state, the fetch log and new feed entries (tables feeds, feed_fetches,
feed_entries, and the insertion of new ``pages`` rows).

``apply_polls`` (``apply_poll`` for a single feed) saves what the polling policy decides
(``newsdesk.policy.decide``): in one transaction it writes each poll's fetch-log row, the feed's
new state (validators, body hash, failure counters, next poll time, disabling) and the poll's new
entries, set-wise for a whole batch.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row

from newsdesk.config import PollSettings
from newsdesk.errors import DatabaseError, UnstorableError
from newsdesk.models import DEFAULT_FEED_SET, Feed, FeedEntry, FeedPoll, FeedState, FetchStatus
from newsdesk.policy import FeedRow, decide
from newsdesk.store.boundary import MAX_KEY_BYTES, bounded_key, clean, clean_all, int4, key_bytes, translated

log = logging.getLogger(__name__)

DISABLED_IN_FILE = "disabled in the feeds file"
REMOVED_FROM_FILE = "not in the feeds file"
MAX_URL_LENGTH = 2048  # longer links are skipped (and counted): a page URL is a unique btree key
_AUTHOR_SEP = "\x1f"  # unit separator: cleaned out of author names by the parser


# --- feeds file -> feeds table --------------------------------------------------------------------


def sync_feeds(
    conn: psycopg.Connection[Any],
    feeds: Sequence[Feed],
    *,
    feed_set: str | None = None,
    source: str | None = None,
) -> dict[str, int]:
    """Make the feeds of one feed set follow its feeds file (upsert by url) in one transaction.

    ``feed_set`` is the file's set (by default the set the feeds carry; ``default`` for an empty
    list). A listed feed belongs to this set from now on, also when another file listed it
    before. The file's ``enabled`` flag is applied when it changes: ``false`` disables the feed,
    flipping it back to ``true`` re-enables it and clears ``disabled_reason`` and the failure
    counters. A feed the policy disabled stays disabled while the file keeps saying ``true``
    (see ``enable_feed``). Feeds of this set missing from the file are disabled, never deleted:
    their history stays. Feeds of other sets (the demo's ``sample``, another deployment's file)
    are left as they are. The sync is recorded in ``feed_sets`` (when, from which ``source``).
    """
    feed_set = _feed_set_of(feeds, feed_set)
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
                    "configured_interval_s, disabled_reason, feed_set FROM feeds "
                    "WHERE feed_set = %s OR url = ANY(%s) ORDER BY feed_id FOR UPDATE",
                    (feed_set, [feed.url for feed in feeds]),
                ).fetchall()
            }
            for feed in feeds:
                row = existing.pop(feed.url, None)
                if row is None:
                    cur.execute(
                        """INSERT INTO feeds (url, name, site, language, tags, enabled, seed_enabled,
                                              configured_interval_s, poll_interval_s, disabled_reason,
                                              disabled_at, feed_set)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, COALESCE(%s, 900), %s,
                                   CASE WHEN %s THEN NULL ELSE now() END, %s)""",
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
                            feed_set,
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
                    or row["feed_set"] != feed_set
                )
                if changed:
                    cur.execute(
                        """UPDATE feeds SET name = %s, site = %s, language = %s, tags = %s,
                                  configured_interval_s = %s,
                                  poll_interval_s = COALESCE(%s, poll_interval_s), feed_set = %s,
                                  updated_at = now()
                            WHERE feed_id = %s""",
                        (
                            feed.name,
                            feed.site,
                            feed.language,
                            list(feed.tags),
                            feed.poll_interval_s,
                            feed.poll_interval_s,
                            feed_set,
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
                    not row["seed_enabled"] or (not row["enabled"] and row["disabled_reason"] == REMOVED_FROM_FILE)
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
            cur.execute(
                """INSERT INTO feed_sets (feed_set, source, synced_at, feeds) VALUES (%s, %s, now(), %s)
                   ON CONFLICT (feed_set) DO UPDATE
                      SET source = coalesce(EXCLUDED.source, feed_sets.source), synced_at = EXCLUDED.synced_at,
                          feeds = EXCLUDED.feeds""",
                (feed_set, source, len(feeds)),
            )
    except psycopg.Error as exc:
        raise DatabaseError(f"could not sync the feeds table: {exc}") from exc
    log.info("feeds of set %s synced: %s", feed_set, counts)
    return counts


def _feed_set_of(feeds: Sequence[Feed], feed_set: str | None) -> str:
    """The one feed set a sync is about: the given one, else the feeds' own (they must agree)."""
    sets = {feed.feed_set for feed in feeds}
    if feed_set is None:
        if len(sets) > 1:
            raise ValueError(f"feeds of several sets ({', '.join(sorted(sets))}) cannot be synced as one file")
        return sets.pop() if sets else DEFAULT_FEED_SET
    return feed_set


def _enable(cur: psycopg.Cursor[Any], feed_id: int) -> None:
    cur.execute(
        """UPDATE feeds SET enabled = true, seed_enabled = true, disabled_reason = NULL, disabled_at = NULL,
                  consecutive_failures = 0, consecutive_hard_failures = 0, next_poll_at = now(),
                  updated_at = now()
            WHERE feed_id = %s""",
        (feed_id,),
    )


def enable_feed(conn: psycopg.Connection[Any], url: str) -> bool:
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
    conn: psycopg.Connection[Any],
    now: datetime,
    *,
    shard: int = 0,
    shards: int = 1,
    limit: int | None = None,
    feed_sets: Sequence[str] | None = None,
    feed_ids: Sequence[int] | None = None,
    force: bool = False,
) -> list[FeedState]:
    """Enabled feeds due at ``now`` in this shard (feed_id modulo shards), most overdue first.

    ``feed_sets`` / ``feed_ids`` narrow the choice (None: no restriction); ``force`` takes every
    chosen feed whether it is due or not (a manual "poll now").
    """
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards} is not a valid shard")
    conditions = ["enabled", "feed_id %% %(shards)s = %(shard)s"]
    if not force:
        conditions.append("next_poll_at <= %(now)s")
    if feed_sets is not None:
        conditions.append("feed_set = ANY(%(sets)s::text[])")
    if feed_ids is not None:
        conditions.append("feed_id = ANY(%(ids)s::bigint[])")
    params = {
        "shards": shards,
        "shard": shard,
        "now": now,
        "sets": list(feed_sets or []),
        "ids": list(feed_ids or []),
        "limit": limit,
    }
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                "SELECT feed_id, url, http_etag, http_last_modified, last_body_hash, consecutive_failures,"
                " poll_interval_s, next_poll_at FROM feeds WHERE "
                + " AND ".join(conditions)
                + " ORDER BY next_poll_at, feed_id LIMIT %(limit)s",
                params,
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


@dataclass(frozen=True, slots=True)
class FeedRef:
    """A feed found by name or URL (for a manual poll of one feed)."""

    feed_id: int
    url: str
    name: str
    feed_set: str
    enabled: bool
    disabled_reason: str | None


def find_feeds(conn: psycopg.Connection[Any], name_or_url: str) -> list[FeedRef]:
    """Feeds whose URL is ``name_or_url``, else whose name is (ignoring case and outer spaces)."""
    wanted = name_or_url.strip()
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                """SELECT feed_id, url, name, feed_set, enabled, disabled_reason FROM feeds
                    WHERE url = %(w)s
                       OR (lower(name) = lower(%(w)s) AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = %(w)s))
                    ORDER BY feed_id""",
                {"w": wanted},
            ).fetchall()
    except psycopg.Error as exc:
        raise DatabaseError(f"could not look up feed {wanted!r}: {exc}") from exc
    return [FeedRef(**row) for row in rows]


# --- applying polls -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entries:
    """A poll's entries as they will be stored (cleaned, one per guid) and those that cannot be."""

    storable: list[FeedEntry]
    skipped: Counter[str]


def _storable(entries: Sequence[FeedEntry]) -> _Entries:
    """Entries that can become pages: cleaned, with an http(s) link of sane length, one per guid."""
    out: dict[str, FeedEntry] = {}
    skipped: Counter[str] = Counter()
    for entry in entries:
        link = clean(entry.link)
        if not link or not link.startswith(("http://", "https://")):
            skipped["no http(s) link"] += 1
            continue
        if len(link) > MAX_URL_LENGTH or key_bytes(link) > MAX_KEY_BYTES:
            skipped[f"link longer than {MAX_URL_LENGTH} characters"] += 1
            continue
        guid = bounded_key(clean(entry.guid) or link)
        if guid in out:
            continue  # the same entry twice in one body: known, not skipped
        out[guid] = FeedEntry(
            guid=guid,
            link=link,
            title=clean(entry.title),
            summary=clean(entry.summary),
            authors=tuple(clean_all(entry.authors)),
            published=entry.published,
            updated=entry.updated,
            language=clean(entry.language),
        )
    return _Entries(list(out.values()), skipped)


# Every storable entry of a batch of polls goes through this table: one COPY, then set-based
# inserts. Dropped explicitly after use (and ON COMMIT), so a caller's outer transaction can
# apply several batches.
_ENTRIES_TABLE = """CREATE TEMP TABLE poll_entries_in (
    seq integer NOT NULL, feed_id bigint NOT NULL, guid text NOT NULL, link text NOT NULL,
    title text, summary text, authors text[] NOT NULL, published timestamptz, updated timestamptz,
    language text) ON COMMIT DROP"""
_ENTRY_TYPES = (
    "int4",
    "int8",
    "text",
    "text",
    "text",
    "text",
    "text[]",
    "timestamptz",
    "timestamptz",
    "text",
)
# An entry is known by (feed, guid) whether it still waits in feed_entries or became an article.
_FRESH = """
    NOT EXISTS (SELECT 1 FROM feed_entries fe WHERE fe.feed_id = t.feed_id AND fe.entry_guid = t.guid)
    AND NOT EXISTS (SELECT 1 FROM article_sources s
                     WHERE s.feed_id = t.feed_id AND s.entry_guid = t.guid)"""


def _store_entries(
    cur: psycopg.Cursor[Any], polls: Sequence[tuple[int, Sequence[FeedEntry]]], now: datetime
) -> dict[int, int]:
    """Store storable entries of several polls (distinct feeds: (feed_id, entries)); new entries
    per feed_id."""
    rows = []
    seq = 0
    for feed_id, entries in polls:
        for e in entries:
            rows.append(
                (
                    seq,
                    feed_id,
                    e.guid,
                    e.link,
                    e.title,
                    e.summary,
                    list(e.authors),
                    e.published,
                    e.updated,
                    e.language,
                )
            )
            seq += 1
    if not rows:
        return {}
    cur.execute(_ENTRIES_TABLE)
    with cur.copy(
        "COPY poll_entries_in (seq, feed_id, guid, link, title, summary, authors, published, updated,"
        " language) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(_ENTRY_TYPES)  # binary: a third of the client CPU of text COPY
        for row in rows:
            copy.write_row(row)
    # Pages in url order (as every poller inserts them), so two batches sharing links cannot
    # deadlock; of several entries with one link, the first one's date and feed are the page's.
    cur.execute(
        f"""INSERT INTO pages (url, feed_id, feed_published_at, first_seen_at, next_attempt_at)
            SELECT DISTINCT ON (t.link) t.link, t.feed_id, t.published, %(now)s, %(now)s
              FROM poll_entries_in t
             WHERE {_FRESH}
             ORDER BY t.link, t.seq
            ON CONFLICT (url) DO NOTHING""",
        {"now": now},
    )
    # A separate statement: its snapshot sees pages a concurrent poller committed meanwhile.
    counts = cur.execute(
        f"""WITH ins AS (
                INSERT INTO feed_entries (feed_id, entry_guid, page_id, title, summary, authors,
                                          published_at, updated_at, language, first_seen_at)
                SELECT feed_id, guid, page_id, title, summary, authors, published, updated, language,
                       %(now)s
                  -- one index lookup per link, whatever the planner thinks of the unanalysed
                  -- temp table (a join may hash all of pages); OFFSET 0 keeps it evaluated once
                  FROM (SELECT t.*, (SELECT p.page_id FROM pages p WHERE p.url = t.link) AS page_id
                          FROM poll_entries_in t
                         WHERE {_FRESH}
                        OFFSET 0) AS x
                 WHERE page_id IS NOT NULL
                 ORDER BY seq
                ON CONFLICT (feed_id, entry_guid) DO NOTHING
                RETURNING feed_id)
            SELECT feed_id, count(*) FROM ins GROUP BY feed_id""",
        {"now": now},
    ).fetchall()
    cur.execute("DROP TABLE poll_entries_in")
    return {feed_id: n for feed_id, n in counts}


def _store_entries_isolated(
    conn: psycopg.Connection[Any],
    cur: psycopg.Cursor[Any],
    polls: Sequence[tuple[int, Sequence[FeedEntry]]],
    now: datetime,
    skipped: dict[int, Counter[str]],
) -> dict[int, int]:
    """``_store_entries`` in a savepoint; if the database refuses some entry, entry by entry, so
    that only the refused entries are lost (counted in ``skipped`` with the reason)."""
    try:
        with translated("storing feed entries"), conn.transaction():
            return _store_entries(cur, polls, now)
    except UnstorableError as exc:
        log.warning("storing the entries of %s feeds failed, storing them one by one: %s", len(polls), exc)
    new: dict[int, int] = {}
    for feed_id, entries in polls:
        for entry in entries:
            try:
                with translated(f"storing entry {entry.guid[:200]!r}"), conn.transaction():
                    n = _store_entries(cur, [(feed_id, [entry])], now).get(feed_id, 0)
            except UnstorableError as exc:
                log.warning("feed %s: entry %r not stored: %s", feed_id, entry.guid[:200], exc)
                skipped.setdefault(feed_id, Counter())[f"not storable: {exc}"[:200]] += 1
                continue
            new[feed_id] = new.get(feed_id, 0) + n
    return new


def _problem(parse_problem: str | None, skipped: Counter[str] | None) -> str | None:
    """The poll's parse problem with the entries that were skipped, and why."""
    if not skipped:
        return parse_problem
    reasons = "; ".join(f"{reason}: {n}" for reason, n in skipped.most_common(5))
    note = f"{sum(skipped.values())} entries skipped ({reasons})"
    return f"{parse_problem}; {note}" if parse_problem else note


_RECORD = """
    WITH input AS (
        SELECT * FROM unnest(%(id)s::bigint[], %(started)s::timestamptz[], %(status)s::text[],
                             %(http)s::integer[], %(ms)s::integer[], %(bytes)s::bigint[],
                             %(seen)s::integer[], %(new)s::integer[], %(skipped)s::integer[], %(error)s::text[],
                             %(problem)s::text[], %(retry)s::integer[], %(interval)s::integer[],
                             %(next)s::timestamptz[], %(ok)s::boolean[], %(etag)s::text[],
                             %(lm)s::text[], %(hash)s::text[], %(fails)s::integer[],
                             %(hard)s::integer[], %(reason)s::text[], %(moved)s::text[])
               WITH ORDINALITY
               AS i(id, started, status, http, ms, bytes, seen, new, skipped, error, problem, retry,
                    interval, next, ok, etag, lm, hash, fails, hard, reason, moved, ord)),
    logged AS (
        INSERT INTO feed_fetches (feed_id, started_at, status, http_status, duration_ms, bytes,
                                  entries_seen, entries_new, entries_skipped, error, parse_problem,
                                  retry_after_s, run_id, moved_to)
        SELECT id, started, status, http, ms, bytes, seen, new, skipped, error, problem, retry, %(run)s, moved
          FROM input ORDER BY ord)
    UPDATE feeds
       SET poll_interval_s = i.interval, next_poll_at = i.next, last_polled_at = %(now)s,
           last_success_at = CASE WHEN i.ok THEN %(now)s ELSE feeds.last_success_at END,
           last_new_entry_at = CASE WHEN i.new > 0 THEN %(now)s ELSE feeds.last_new_entry_at END,
           last_status = i.status, http_etag = i.etag, http_last_modified = i.lm,
           last_body_hash = i.hash, consecutive_failures = i.fails, consecutive_hard_failures = i.hard,
           enabled = CASE WHEN i.reason IS NULL THEN feeds.enabled ELSE false END,
           disabled_reason = COALESCE(i.reason, feeds.disabled_reason),
           disabled_at = CASE WHEN i.reason IS NULL THEN feeds.disabled_at ELSE %(now)s END,
           moved_to = CASE WHEN i.ok THEN i.moved ELSE feeds.moved_to END,
           updated_at = %(now)s
      FROM input i
     WHERE feeds.feed_id = i.id"""


def _apply_distinct(
    conn: psycopg.Connection[Any],
    polls: Sequence[FeedPoll],
    policy: PollSettings,
    now: datetime,
    run_id: int | None,
) -> list[int]:
    """One transaction for polls of distinct feeds."""
    with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
        # synchronous_commit off for this transaction only: a poll is cheap to repeat. If the
        # server crashes before the commit reaches disk (a fraction of a second), the whole batch
        # is lost together (log, state, entries) and its feeds are simply polled again.
        cur.execute("SELECT set_config('synchronous_commit', 'off', true)")
        # Locked in feed_id order, so that overlapping batches wait rather than deadlock.
        states = {
            r[0]: FeedRow(*r[1:])
            for r in cur.execute(
                """SELECT feed_id, poll_interval_s, configured_interval_s, consecutive_failures,
                          consecutive_hard_failures, http_etag, http_last_modified, last_body_hash,
                          last_new_entry_at
                     FROM feeds WHERE feed_id = ANY(%s) ORDER BY feed_id FOR UPDATE""",
                ([p.feed_id for p in polls],),
            )
        }
        known = []
        for poll in polls:
            if poll.feed_id in states:
                known.append(poll)
            else:
                log.warning("poll of feed %s (%s) not recorded: the feed no longer exists", poll.feed_id, poll.url)
        if not known:
            return [0] * len(polls)
        skipped: dict[int, Counter[str]] = {}
        to_store = []
        for poll in known:
            if poll.status is FetchStatus.OK and poll.entries:
                entries = _storable(poll.entries)
                if entries.skipped:
                    skipped[poll.feed_id] = entries.skipped
                if entries.storable:
                    to_store.append((poll.feed_id, entries.storable))
        new = _store_entries_isolated(conn, cur, to_store, now, skipped)
        cols: dict[str, list[Any]] = {
            k: []
            for k in (
                "id",
                "started",
                "status",
                "http",
                "ms",
                "bytes",
                "seen",
                "new",
                "skipped",
                "error",
                "problem",
                "retry",
                "interval",
                "next",
                "ok",
                "etag",
                "lm",
                "hash",
                "fails",
                "hard",
                "reason",
                "moved",
            )
        }
        for poll in known:
            n = new.get(poll.feed_id, 0)
            d = decide(states[poll.feed_id], poll, new_entries=n, now=now, policy=policy)
            for key, value in (
                ("id", poll.feed_id),
                ("started", poll.started_at),
                ("status", poll.status.value),
                ("http", int4(poll.http_status)),
                ("ms", int4(max(poll.duration_ms, 0))),
                ("bytes", max(poll.bytes, 0)),
                ("seen", len(poll.entries)),
                ("new", n),
                ("skipped", sum(skipped.get(poll.feed_id, Counter()).values())),
                ("error", clean(poll.error)),
                ("problem", clean(_problem(poll.parse_problem, skipped.get(poll.feed_id)))),
                ("retry", int4(poll.retry_after_s)),
                ("interval", int4(d.poll_interval_s)),
                ("next", d.next_poll_at),
                ("ok", d.success),
                ("etag", clean(d.etag)),
                ("lm", clean(d.last_modified)),
                ("hash", d.last_body_hash),
                ("fails", d.consecutive_failures),
                ("hard", d.consecutive_hard_failures),
                ("reason", d.disabled_reason),
                ("moved", clean(poll.moved_to)),
            ):
                cols[key].append(value)
            if d.disabled_reason:
                log.warning("feed %s (%s) disabled: %s", poll.feed_id, poll.url, d.disabled_reason)
        # One statement for every fetch-log row and every feed's new state.
        cur.execute(_RECORD, {**cols, "run": run_id, "now": now})
    return [new.get(p.feed_id, 0) if p.feed_id in states else 0 for p in polls]


def apply_polls(
    conn: psycopg.Connection[Any],
    polls: Sequence[FeedPoll],
    policy: PollSettings,
    *,
    now: datetime,
    run_id: int | None = None,
) -> list[int]:
    """Record several polls and apply the policy to each, in one transaction; new entries per poll.

    The same as ``apply_poll`` on each poll in turn (the policy is decided per feed by
    ``decide``), with every write of the batch done set-wise: one COPY of all storable entries,
    one insert into ``pages``, one into ``feed_entries``, one statement for all fetch-log rows
    and feed states. Polls of a feed that appears more than once are applied in order.
    """
    if not polls:
        return []
    rounds: list[list[int]] = []  # indexes into polls; a round has each feed at most once
    seen: dict[int, int] = {}
    for index, poll in enumerate(polls):
        r = seen.get(poll.feed_id, 0)
        seen[poll.feed_id] = r + 1
        if r == len(rounds):
            rounds.append([])
        rounds[r].append(index)
    out = [0] * len(polls)
    what = f"feed {polls[0].feed_id}" if len(polls) == 1 else f"{len(polls)} feeds"
    with translated(f"could not record the poll of {what}"), conn.transaction():
        for indexes in rounds:
            counts = _apply_distinct(conn, [polls[i] for i in indexes], policy, now, run_id)
            for i, n in zip(indexes, counts, strict=True):
                out[i] = n
    return out


def apply_poll(
    conn: psycopg.Connection[Any],
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
    return apply_polls(conn, [poll], policy, now=now, run_id=run_id)[0]


_RECORD_OUTAGE = """
    WITH input AS (
        SELECT * FROM unnest(%(id)s::bigint[], %(started)s::timestamptz[], %(status)s::text[],
                             %(ms)s::integer[], %(error)s::text[])
               WITH ORDINALITY AS i(id, started, status, ms, error, ord)
         WHERE i.id IN (SELECT feed_id FROM feeds)),
    logged AS (
        INSERT INTO feed_fetches (feed_id, started_at, status, duration_ms, error, run_id)
        SELECT id, started, status, ms, error, %(run)s FROM input ORDER BY ord)
    UPDATE feeds
       SET last_polled_at = %(now)s, last_status = i.status,
           next_poll_at = %(now)s + make_interval(secs => GREATEST(feeds.poll_interval_s, %(min)s)),
           updated_at = %(now)s
      FROM input i
     WHERE feeds.feed_id = i.id"""


def record_network_outage(
    conn: psycopg.Connection[Any],
    polls: Sequence[FeedPoll],
    policy: PollSettings,
    *,
    now: datetime,
    run_id: int | None = None,
    note: str = "network-wide outage: not counted against the feed",
) -> None:
    """Record polls that failed because the worker's network did, not the feeds (no server of
    any feed in the run could be reached; ``pipeline.polling`` decides that).

    Each poll gets its fetch-log row with its own status and reason, ``note`` appended; the
    feed's last poll and status are updated, but not its failure counters, validators, interval
    or enabled flag (``decide`` is not applied): it is polled again after its normal interval.
    """
    if not polls:
        return
    params: dict[str, Any] = {"id": [], "started": [], "status": [], "ms": [], "error": []}
    for poll in polls:
        params["id"].append(poll.feed_id)
        params["started"].append(poll.started_at)
        params["status"].append(poll.status.value)
        params["ms"].append(int4(max(poll.duration_ms, 0)))
        params["error"].append(clean(f"{poll.error or poll.status.value} ({note})"[:500]))
    with translated(f"could not record the network outage of {len(polls)} feeds"), conn.transaction():
        with conn.cursor() as cur:
            cur.execute(_RECORD_OUTAGE, {**params, "run": run_id, "now": now, "min": policy.min_interval_s})


def prune_fetch_log(conn: psycopg.Connection[Any], *, older_than: datetime) -> int:
    """Delete fetch-log rows older than ``older_than``; returns how many.

    The log grows by one row per feed and poll (about a million a day for 10,000 feeds polled
    every 15 minutes). A feed's current state lives on its ``feeds`` row, and the health view
    reads the last week only, so old rows carry history, not state.
    """
    with conn.cursor() as cur:
        cur.execute("DELETE FROM feed_fetches WHERE started_at < %s", (older_than,))
        return cur.rowcount
