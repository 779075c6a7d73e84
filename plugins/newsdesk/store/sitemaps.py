"""Sitemap state: which feeds declare a sitemap, what each sitemap gave when last read, and the
URLs they list queued as pages of their feed. The caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsdesk.models import Feed
from newsdesk.store.boundary import boundary, clean
from newsdesk.store.db import Conn


@dataclass(frozen=True, slots=True)
class SitemapFeed:
    feed_id: int
    feed_url: str
    root: str  # 'auto' or a URL
    since: datetime | None
    until: datetime | None


@dataclass(frozen=True, slots=True)
class SitemapState:
    sitemap_id: int
    url: str
    etag: str | None
    last_modified: str | None
    lastmod_seen: datetime | None
    kind: str | None
    parent_id: int | None


@boundary("syncing the feeds' sitemaps")
def sync_sitemaps(conn: Conn, feeds: Sequence[Feed], *, feed_set: str | None = None) -> dict[str, int]:
    """Make ``feed_sitemaps`` follow the feeds file of one feed set (by default the set the feeds
    carry): a row per feed that declares a sitemap; other sets' feeds are left as they are."""
    sets = {f.feed_set for f in feeds} if feed_set is None else {feed_set}
    declared = [(f.url, f.sitemap, f.sitemap_since, f.sitemap_until) for f in feeds if f.sitemap]
    conn.execute(
        """DELETE FROM feed_sitemaps fs USING feeds f
            WHERE f.feed_id = fs.feed_id AND f.feed_set = ANY(%s::text[]) AND NOT (f.url = ANY(%s::text[]))""",
        (sorted(sets), [url for url, *_ in declared]),
    )
    for url, root, since, until in declared:
        conn.execute(
            """INSERT INTO feed_sitemaps (feed_id, root, since, until)
               SELECT feed_id, %s, %s, %s FROM feeds WHERE url = %s
               ON CONFLICT (feed_id) DO UPDATE SET root = EXCLUDED.root, since = EXCLUDED.since,
                                                   until = EXCLUDED.until""",
            (root, since, until, url),
        )
    return {"sitemaps": len(declared)}


@boundary("reading the sitemaps due")
def due_sitemap_feeds(
    conn: Conn,
    now: datetime,
    *,
    shard: int = 0,
    shards: int = 1,
    feed_sets: Sequence[str] | None = None,
    feed_ids: Sequence[int] | None = None,
    force: bool = False,
) -> list[SitemapFeed]:
    """Enabled feeds with a sitemap whose roots are due (or were never read), in this shard;
    ``feed_sets`` / ``feed_ids`` narrow the choice and ``force`` takes them due or not, as for
    polling (``store.feeds.due_feeds``)."""
    rows = conn.execute(
        """SELECT fs.feed_id, f.url, fs.root, fs.since, fs.until
             FROM feed_sitemaps fs JOIN feeds f USING (feed_id)
            WHERE f.enabled AND fs.feed_id %% %(shards)s = %(shard)s
              AND (%(force)s OR coalesce((SELECT min(s.next_read_at) FROM sitemaps s
                                           WHERE s.feed_id = fs.feed_id AND s.parent_id IS NULL),
                                         '-infinity') <= %(now)s)
              AND (%(any_set)s OR f.feed_set = ANY(%(sets)s::text[]))
              AND (%(any_id)s OR f.feed_id = ANY(%(ids)s::bigint[]))
            ORDER BY fs.feed_id""",
        {
            "now": now,
            "shard": shard,
            "shards": shards,
            "force": force,
            "any_set": feed_sets is None,
            "sets": list(feed_sets or []),
            "any_id": feed_ids is None,
            "ids": list(feed_ids or []),
        },
    ).fetchall()
    return [SitemapFeed(r["feed_id"], r["url"], r["root"], r["since"], r["until"]) for r in rows]


@boundary("reading sitemap state")
def sitemap_states(conn: Conn, feed_id: int) -> dict[str, SitemapState]:
    rows = conn.execute(
        """SELECT sitemap_id, url, http_etag, http_last_modified, lastmod_seen, kind, parent_id
             FROM sitemaps WHERE feed_id = %s""",
        (feed_id,),
    ).fetchall()
    return {
        r["url"]: SitemapState(
            r["sitemap_id"],
            r["url"],
            r["http_etag"],
            r["http_last_modified"],
            r["lastmod_seen"],
            r["kind"],
            r["parent_id"],
        )
        for r in rows
    }


@boundary("saving a sitemap's state")
def save_sitemap(
    conn: Conn,
    *,
    feed_id: int,
    url: str,
    parent_id: int | None,
    now: datetime,
    next_read_at: datetime,
    status: str,
    reason: str | None = None,
    kind: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    lastmod_seen: datetime | None = None,
    urls_listed: int | None = None,
    urls_new: int = 0,
) -> int:
    """Upsert one sitemap's row after reading it; validators and counts are kept when the
    reading did not give new ones (a 304, a failure). Returns its id."""
    row = conn.execute(
        """INSERT INTO sitemaps (feed_id, url, parent_id, kind, http_etag, http_last_modified, lastmod_seen,
                                 last_read_at, next_read_at, status, reason, urls_listed, urls_new)
           VALUES (%(feed)s, %(url)s, %(parent)s, %(kind)s, %(etag)s, %(lm)s, %(seen)s, %(now)s, %(next)s,
                   %(status)s, %(reason)s, coalesce(%(listed)s, 0), %(new)s)
           ON CONFLICT (feed_id, url) DO UPDATE SET
               parent_id = EXCLUDED.parent_id,
               kind = coalesce(EXCLUDED.kind, sitemaps.kind),
               http_etag = coalesce(EXCLUDED.http_etag, sitemaps.http_etag),
               http_last_modified = coalesce(EXCLUDED.http_last_modified, sitemaps.http_last_modified),
               lastmod_seen = coalesce(EXCLUDED.lastmod_seen, sitemaps.lastmod_seen),
               last_read_at = EXCLUDED.last_read_at, next_read_at = EXCLUDED.next_read_at,
               status = EXCLUDED.status, reason = EXCLUDED.reason,
               urls_listed = coalesce(%(listed)s, sitemaps.urls_listed), urls_new = EXCLUDED.urls_new
           RETURNING sitemap_id""",
        {
            "feed": feed_id,
            "url": clean(url),
            "parent": parent_id,
            "kind": kind,
            "etag": clean(etag),
            "lm": clean(last_modified),
            "seen": lastmod_seen,
            "now": now,
            "next": next_read_at,
            "status": status,
            "reason": (clean(reason) or "")[:2000] or None,
            "listed": urls_listed,
            "new": urls_new,
        },
    ).fetchone()
    assert row is not None
    return int(row["sitemap_id"])


@boundary("forgetting a sitemap's validators")
def forget_validators(conn: Conn, *, feed_id: int, url: str) -> None:
    """The next reading fetches this sitemap whole (no conditional GET)."""
    conn.execute(
        "UPDATE sitemaps SET http_etag = NULL, http_last_modified = NULL WHERE feed_id = %s AND url = %s",
        (feed_id, clean(url)),
    )


@boundary("queueing sitemap URLs")
def queue_urls(
    conn: Conn, *, feed_id: int, entries: Sequence[tuple[str, datetime | None, str | None]], now: datetime
) -> int:
    """Queue each (canonical URL, date, title) as a page of the feed, with the sitemap's date and
    title as its feed entry (as a feed's own entry would be); returns the pages that are new."""
    if not entries:
        return 0
    urls = [clean(url) for url, _, _ in entries]
    dates = [when for _, when, _ in entries]
    titles = [clean(title) for _, _, title in entries]
    new = conn.execute(
        """WITH given AS (SELECT * FROM unnest(%(urls)s::text[], %(dates)s::timestamptz[], %(titles)s::text[])
                               AS g(url, published, title)),
                ins AS (INSERT INTO pages (url, feed_id, feed_published_at, source, first_seen_at, next_attempt_at)
                        SELECT DISTINCT ON (url) url, %(feed)s, published, 'sitemap', %(now)s, %(now)s FROM given
                         ORDER BY url
                        ON CONFLICT (url) DO NOTHING RETURNING page_id)
           SELECT count(*) AS n FROM ins""",
        {"urls": urls, "dates": dates, "titles": titles, "feed": feed_id, "now": now},
    ).fetchone()
    conn.execute(
        """INSERT INTO feed_entries (feed_id, entry_guid, page_id, title, published_at, first_seen_at)
           SELECT DISTINCT ON (g.url) %(feed)s, 'sitemap:' || g.url, p.page_id, g.title, g.published, %(now)s
             FROM unnest(%(urls)s::text[], %(dates)s::timestamptz[], %(titles)s::text[]) AS g(url, published, title)
             JOIN pages p ON p.url = g.url
            ORDER BY g.url
           ON CONFLICT (feed_id, entry_guid) DO NOTHING""",
        {"urls": urls, "dates": dates, "titles": titles, "feed": feed_id, "now": now},
    )
    return int(new["n"]) if new else 0
