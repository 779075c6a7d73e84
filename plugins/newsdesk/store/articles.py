"""Articles, their versions, their sources and their near-duplicate bands.

One article per canonical URL. Storing a page that maps to an existing article either touches
it (same text) or records a new version (changed text), which also clears the analysis so the
article is analysed again. Everything for one page happens in one transaction (a savepoint of
the caller's). Two workers storing the same canonical URL at once both succeed: the insert is an
upsert that waits for the other's row and then updates it. Every function here goes through the
store's error boundary (``store.boundary``): text is cleaned, keys are bounded, refusals are
translated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg.pq import TransactionStatus

from newsdesk.errors import UnstorableError
from newsdesk.models import Article
from newsdesk.store.boundary import MAX_KEY_BYTES, boundary, clean, clean_all, key_bytes, translated
from newsdesk.store.db import Conn


@dataclass(frozen=True, slots=True)
class StoredArticle:
    article_id: int
    created: bool  # a new articles row
    changed: bool  # an existing article's text changed: a new version


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    article_id: int
    content_hash: str
    minhash: tuple[int, ...]
    canonical_url: str = ""
    published_at: datetime | None = None


@boundary("finding near-duplicate candidates")
def duplicate_candidates(
    conn: Conn, *, content_hash: str, bands: Sequence[int], exclude_url: str
) -> list[DuplicateCandidate]:
    """Articles with the same text hash or sharing a MinHash band, other than ``exclude_url``.

    Only originals are returned (``duplicate_of IS NULL``) so copies link to the first article.
    Most similar first: the same text, then by the number of shared bands. Unrelated articles
    share a band now and then (about one pair in 18,000 on Dutch news), so a warehouse of a
    million articles offers dozens of chance candidates; a near-duplicate shares many bands and
    is not cut off by the limit. Two index lookups, no OR across them: that made PostgreSQL
    scan every article (bench/scale.py: 0.3 s per page at 200k articles).
    """
    rows = conn.execute(
        """
        WITH candidate AS (
            SELECT article_id, max(shared) AS shared
              FROM (SELECT article_id, %(all)s AS shared FROM articles WHERE content_hash = %(hash)s
                    UNION ALL
                    SELECT article_id, count(*) FROM article_bands WHERE band = ANY(%(bands)s::bigint[])
                     GROUP BY article_id) AS hit
             GROUP BY article_id)
        SELECT a.article_id, a.content_hash, a.minhash, a.canonical_url, a.published_at
          FROM candidate c JOIN articles a USING (article_id)
         WHERE a.canonical_url <> %(url)s AND a.duplicate_of IS NULL
         ORDER BY c.shared DESC, a.article_id
         LIMIT 50
        """,
        {"url": exclude_url, "hash": content_hash, "bands": list(bands), "all": len(bands) + 1},
    ).fetchall()
    return [
        DuplicateCandidate(
            r["article_id"], r["content_hash"], tuple(r["minhash"] or ()), r["canonical_url"], r["published_at"]
        )
        for r in rows
    ]


@boundary("storing an article")
def store_article(
    conn: Conn,
    *,
    page_id: int,
    article: Article,
    canonical_url: str,
    bands: Sequence[int],
    duplicate_of: int | None,
    now: datetime,
    raw_html: bytes | None = None,
    takes_over: int | None = None,
) -> StoredArticle:
    """Upsert the article for a fetched page and link the page, its feed entries and its bands.

    ``takes_over``: an original the new article predates; it and its copies become copies of the
    new article, so the original does not depend on which download finished first.
    Raises UnstorableError for data PostgreSQL refuses (the caller's savepoint is rolled back).
    """
    canonical_url = clean(canonical_url) or ""
    if key_bytes(canonical_url) > MAX_KEY_BYTES:
        raise UnstorableError(
            f"canonical URL of {key_bytes(canonical_url)} bytes is longer than the {MAX_KEY_BYTES}-byte key limit"
        )
    params = _article_params(article, canonical_url, duplicate_of, now)
    with conn.transaction():
        existing = _lock_article(conn, canonical_url)
        if existing is None:
            # ON CONFLICT: a worker storing the same canonical URL at this moment (another shard,
            # an overlapping run). The insert waits for its transaction; if that committed, the
            # row is locked and updated below like any existing article.
            inserted = conn.execute(
                """
                INSERT INTO articles (canonical_url, url, title, authors, published_at, updated_at, language,
                                      site_name, text, content_hash, minhash, duplicate_of, fetched_at,
                                      last_checked_at, paywalled, partial)
                VALUES (%(canonical)s, %(url)s, %(title)s, %(authors)s, %(published)s, %(updated)s,
                        %(language)s, %(site)s, %(text)s, %(hash)s, %(minhash)s, %(dup)s, %(now)s, %(now)s,
                        %(paywalled)s, %(partial)s)
                ON CONFLICT (canonical_url) DO NOTHING
                RETURNING article_id
                """,
                params,
            ).fetchone()
            if inserted is None:
                existing = _lock_article(conn, canonical_url)
                assert existing is not None  # the conflicting row is committed and never deleted
        if existing is None:
            assert inserted is not None
            article_id = inserted["article_id"]
            conn.execute(
                """INSERT INTO article_versions (article_id, version, title, text, content_hash, fetched_at)
                   VALUES (%s, 1, %s, %s, %s, %s)""",
                (article_id, params["title"], params["text"], params["hash"], now),
            )
            if takes_over is not None:
                make_copies_of(conn, article_id=takes_over, original_id=article_id)
            created, changed = True, False
        else:
            article_id = existing["article_id"]
            created = False
            # A partial text (a teaser behind a paywall) never replaces a complete one.
            changed = existing["content_hash"] != article.content_hash and (existing["partial"] or not article.partial)
            if changed:
                _record_new_version(conn, article_id, params)
            else:
                conn.execute("UPDATE articles SET last_checked_at = %s WHERE article_id = %s", (now, article_id))
        if bands:
            conn.execute("DELETE FROM article_bands WHERE article_id = %s", (article_id,))
            with conn.cursor().copy("COPY article_bands (band, article_id) FROM STDIN") as copy:
                for band in sorted(set(bands)):
                    copy.write_row((band, article_id))
        conn.execute(
            """UPDATE pages SET article_id = %s, status = 'ok', reason = NULL, last_attempt_at = %s,
                                attempts = attempts + 1, raw_html = %s, raw_fetched_at = %s
                WHERE page_id = %s""",
            (article_id, now, raw_html, now if raw_html is not None else None, page_id),
        )
        link_sources(conn, page_id=page_id, article_id=article_id)
    return StoredArticle(article_id, created, changed)


def _lock_article(conn: Conn, canonical_url: str) -> dict | None:
    return conn.execute(
        "SELECT article_id, content_hash, partial FROM articles WHERE canonical_url = %s FOR UPDATE",
        (canonical_url,),
    ).fetchone()


@boundary("linking near-duplicates")
def make_copies_of(conn: Conn, *, article_id: int, original_id: int) -> int:
    """``article_id`` and its copies become copies of ``original_id``; returns the rows changed."""
    cur = conn.execute(
        """UPDATE articles SET duplicate_of = %(new)s
            WHERE (article_id = %(old)s OR duplicate_of = %(old)s) AND article_id <> %(new)s""",
        {"new": original_id, "old": article_id},
    )
    return cur.rowcount


@boundary("linking an article to its feed entries")
def link_sources(conn: Conn, *, page_id: int, article_id: int) -> None:
    """Every feed entry pointing at this page becomes an article_sources row (idempotent)."""
    conn.execute(
        """
        INSERT INTO article_sources (article_id, feed_id, entry_guid, entry_link, entry_title,
                                     entry_published_at, first_seen_at)
        SELECT %(article)s, fe.feed_id, fe.entry_guid, p.url, fe.title, fe.published_at, fe.first_seen_at
          FROM feed_entries fe JOIN pages p ON p.page_id = fe.page_id
         WHERE fe.page_id = %(page)s
        ON CONFLICT (feed_id, entry_guid) DO UPDATE SET article_id = EXCLUDED.article_id
            WHERE article_sources.article_id IS DISTINCT FROM EXCLUDED.article_id
        """,
        {"article": article_id, "page": page_id},
    )


def _article_params(article: Article, canonical_url: str, duplicate_of: int | None, now: datetime) -> dict:
    """The article's columns, every text cleaned at the boundary."""
    return {
        "canonical": canonical_url,
        "url": clean(article.url),
        "title": clean(article.title),
        "authors": clean_all(article.authors),
        "published": article.published_at,
        "updated": article.updated_at,
        "language": clean(article.language),
        "site": clean(article.site_name),
        "text": clean(article.text) or "",
        "hash": article.content_hash,
        "minhash": list(article.minhash) or None,
        "dup": duplicate_of,
        "now": now,
        "paywalled": article.paywalled,
        "partial": article.partial,
    }


def _record_new_version(conn: Conn, article_id: int, params: dict) -> None:
    row = conn.execute(
        """
        UPDATE articles
           SET title = %(title)s, authors = %(authors)s, updated_at = coalesce(%(updated)s, updated_at),
               language = %(language)s, text = %(text)s, content_hash = %(hash)s, minhash = %(minhash)s,
               paywalled = %(paywalled)s, partial = %(partial)s,
               version = version + 1, change_count = change_count + 1, fetched_at = %(now)s,
               last_checked_at = %(now)s, analyzed_at = NULL
         WHERE article_id = %(id)s
        RETURNING version
        """,
        {**params, "id": article_id},
    ).fetchone()
    assert row is not None  # the caller holds the row lock: it exists
    conn.execute(
        """INSERT INTO article_versions (article_id, version, title, text, content_hash, fetched_at)
           VALUES (%s, %s, %s, %s, %s, %s)""",
        (article_id, row["version"], params["title"], params["text"], params["hash"], params["now"]),
    )


@boundary("pruning raw HTML")
def prune_raw_html(conn: Conn, *, older_than: datetime) -> int:
    cur = conn.execute(
        "UPDATE pages SET raw_html = NULL WHERE raw_html IS NOT NULL AND raw_fetched_at < %s", (older_than,)
    )
    return cur.rowcount


@dataclass(frozen=True, slots=True)
class ArticleToAnalyze:
    article_id: int
    text: str
    published_at: datetime | None
    language: str | None


@boundary("reading articles to analyse")
def articles_to_analyze(
    conn: Conn,
    *,
    analyzer_version: str,
    limit: int,
    article_ids: Sequence[int] | None = None,
    after_id: int = 0,
    shard: int = 0,
    shards: int = 1,
) -> list[ArticleToAnalyze]:
    """Articles never analysed, or analysed by another analyzer version (oldest first).

    Only those of ``shard`` (article_id modulo ``shards``): the shards of one run are disjoint,
    so parallel workers never analyse the same article.
    """
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards} is not a valid shard")
    rows = conn.execute(
        """
        SELECT article_id, text, published_at, language
          FROM articles
         WHERE (analyzed_at IS NULL OR analyzer_version IS DISTINCT FROM %(version)s)
           AND (%(ids)s::bigint[] IS NULL OR article_id = ANY(%(ids)s::bigint[]))
           AND article_id > %(after)s
           AND article_id %% %(shards)s = %(shard)s
         ORDER BY article_id
         LIMIT %(limit)s
        """,
        {
            "version": analyzer_version,
            "limit": limit,
            "ids": list(article_ids) if article_ids else None,
            "after": after_id,
            "shard": shard,
            "shards": shards,
        },
    ).fetchall()
    return [ArticleToAnalyze(r["article_id"], r["text"], r["published_at"], r["language"]) for r in rows]


@dataclass(frozen=True, slots=True)
class RefetchTodo:
    article_id: int
    page_id: int
    url: str


# A checkpoint missed by more than this (the pipeline was down) is skipped: the re-fetch queue
# only looks at articles fetched within the last checkpoint plus this grace, via an index.
REFETCH_GRACE_S = 7 * 86400


@boundary("reading the re-fetch queue")
def due_refetches(conn: Conn, now: datetime, *, checkpoints_s: Sequence[int], limit: int = 500) -> list[RefetchTodo]:
    """Articles that passed a re-fetch checkpoint (seconds after first fetch) since they were last checked.

    With checkpoints (3600, 86400) an article is looked at again one hour and one day after it
    was first stored; a changed text then becomes a new version. Only articles whose latest
    version is younger than the last checkpoint plus ``REFETCH_GRACE_S`` are considered.
    """
    if not checkpoints_s:
        return []
    since = now - timedelta(seconds=max(checkpoints_s) + REFETCH_GRACE_S)
    rows = conn.execute(
        """
        SELECT a.article_id, p.page_id, p.url
          FROM articles a
          JOIN LATERAL (SELECT min(fetched_at) AS first_fetched FROM article_versions v
                         WHERE v.article_id = a.article_id) f ON true
          JOIN LATERAL (SELECT page_id, url FROM pages WHERE pages.article_id = a.article_id
                         ORDER BY page_id LIMIT 1) p ON true
         WHERE a.fetched_at >= %(since)s
           AND EXISTS (SELECT 1 FROM unnest(%(checkpoints)s::int[]) AS c(secs)
                        WHERE f.first_fetched + make_interval(secs => c.secs) <= %(now)s
                          AND a.last_checked_at < f.first_fetched + make_interval(secs => c.secs))
         ORDER BY a.article_id
         LIMIT %(limit)s
        """,
        {"checkpoints": list(checkpoints_s), "now": now, "limit": limit, "since": since},
    ).fetchall()
    return [RefetchTodo(r["article_id"], r["page_id"], r["url"]) for r in rows]


@boundary("marking an article checked")
def mark_checked(conn: Conn, article_id: int, now: datetime) -> None:
    """A re-fetch that failed still counts as a look at that checkpoint (the failure is logged)."""
    conn.execute("UPDATE articles SET last_checked_at = %s WHERE article_id = %s", (now, article_id))


@boundary("selecting articles")
def select_article_ids(
    conn: Conn,
    *,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    feeds: Sequence[str] = (),
    analyzed_by: str | None = None,
) -> list[int]:
    """Articles for a reprocess run: by publication range, feed (name or URL), previous analyzer version."""
    rows = conn.execute(
        """
        SELECT a.article_id FROM articles a
         WHERE (%(start)s::timestamptz IS NULL OR coalesce(a.published_at, a.fetched_at) >= %(start)s)
           AND (%(end)s::timestamptz IS NULL OR coalesce(a.published_at, a.fetched_at) < %(end)s)
           AND (cardinality(%(feeds)s::text[]) = 0 OR EXISTS (
                SELECT 1 FROM article_sources s JOIN feeds f USING (feed_id)
                 WHERE s.article_id = a.article_id AND (f.name = ANY(%(feeds)s) OR f.url = ANY(%(feeds)s))))
           AND (%(version)s::text IS NULL OR a.analyzer_version = %(version)s)
         ORDER BY a.article_id
        """,
        {"start": published_from, "end": published_to, "feeds": list(feeds), "version": analyzed_by},
    ).fetchall()
    return [r["article_id"] for r in rows]


@dataclass(frozen=True, slots=True)
class UncheckedArticle:
    article_id: int
    canonical_url: str
    content_hash: str
    minhash: tuple[int, ...]
    published_at: datetime | None
    duplicate_of: int | None


@boundary("reading articles whose near-duplicates are unchecked")
def unchecked_articles(conn: Conn, *, limit: int) -> list[UncheckedArticle]:
    """Articles stored since the last near-duplicate pass, the earliest story first."""
    rows = conn.execute(
        """
        SELECT article_id, canonical_url, content_hash, minhash, published_at, duplicate_of
          FROM articles
         WHERE NOT duplicate_checked
         ORDER BY published_at IS NULL, published_at, canonical_url
         LIMIT %s
        """,
        (limit,),
    ).fetchall()
    return [
        UncheckedArticle(
            r["article_id"],
            r["canonical_url"],
            r["content_hash"],
            tuple(r["minhash"] or ()),
            r["published_at"],
            r["duplicate_of"],
        )
        for r in rows
    ]


@boundary("locking an article for the near-duplicate pass")
def lock_original(conn: Conn, article_id: int) -> bool:
    """Lock the article's row; True while it is still an original (no ``duplicate_of``)."""
    row = conn.execute("SELECT duplicate_of FROM articles WHERE article_id = %s FOR UPDATE", (article_id,)).fetchone()
    return row is not None and row["duplicate_of"] is None


# Arbitrary constant naming the near-duplicate pass among advisory locks.
_DUPLICATE_PASS_LOCK = 7_361_290_115


@contextmanager
def duplicate_pass_lock(conn: Conn) -> Iterator[None]:
    """One near-duplicate pass at a time: a session lock, as the pass commits article by article
    (the caller commits; a connection that fails is closed, which releases the lock too)."""
    with translated("locking the near-duplicate pass"):
        conn.execute("SELECT pg_advisory_lock(%s)", (_DUPLICATE_PASS_LOCK,))
    try:
        yield
    finally:
        if conn.info.transaction_status in (TransactionStatus.IDLE, TransactionStatus.INTRANS):
            with translated("unlocking the near-duplicate pass"):
                conn.execute("SELECT pg_advisory_unlock(%s)", (_DUPLICATE_PASS_LOCK,))


@boundary("marking near-duplicates checked")
def mark_duplicate_checked(conn: Conn, article_ids: Sequence[int]) -> None:
    conn.execute(
        "UPDATE articles SET duplicate_checked = true WHERE article_id = ANY(%s::bigint[])", (list(article_ids),)
    )
