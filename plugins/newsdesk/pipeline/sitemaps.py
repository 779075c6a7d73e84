"""Compose sitemaps → page queue: the URLs a site's sitemaps list (history its feed no longer
shows) go into the same queue as feed entries, under the feed that declared the sitemap, so the
fetch stage takes them with the feed's fair share and the same politeness.

Per feed with a sitemap: the roots (the declared URL, or ``Sitemap:`` lines of robots.txt, else
the usual paths) are read with conditional GETs; an index's children are read when the index
says they changed since the last reading (their ``lastmod``) or when never read; children and
URLs outside the feed's date window, and anything on another host, are skipped and counted. A
sitemap that cannot be read keeps its reason in ``sitemaps`` and is tried at the next reading.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from newsdesk.config import Settings
from newsdesk.fetch import Fetcher
from newsdesk.fetch.download import Download
from newsdesk.models import ALL_FEEDS, FeedSelection, FetchStatus
from newsdesk.sources import canonicalize_url
from newsdesk.sources.sitemaps import (
    MAX_BYTES,
    USUAL_PATHS,
    Sitemap,
    SitemapEntry,
    SitemapError,
    entry_date,
    parse_sitemap,
    same_site,
)
from newsdesk.store import sitemaps as sitemap_store
from newsdesk.store.db import Conn

log = logging.getLogger(__name__)

# Roots are read again after this long at the earliest (sites regenerate news sitemaps often;
# a news archive needs them daily, not every poll).
READ_EVERY_S = 3600
# An index within an index is followed; deeper nesting is counted and left.
MAX_DEPTH = 2
# Child sitemaps read in one reading of a feed (the rest in the next reading).
MAX_CHILDREN = 1000


@dataclass(slots=True)
class _Todo:
    url: str
    parent_id: int | None
    depth: int
    listed_lastmod: datetime | None = None  # what the parent index said of it


def read_sitemaps(
    conn: Conn,
    fetcher: Fetcher,
    settings: Settings,
    *,
    now: datetime,
    selection: FeedSelection = ALL_FEEDS,
) -> dict[str, int]:
    """Read the due sitemaps of the feeds ``selection`` takes (as polling does) and queue the URLs
    they list."""
    counts: Counter[str] = Counter()
    for feed in sitemap_store.due_sitemap_feeds(conn, now, **selection.narrowing()):
        conn.commit()
        counts["feeds"] += 1
        counts.update(_read_feed(conn, fetcher, feed, now=now))
        conn.commit()
    log.info("sitemaps shard %s/%s: %s", selection.shard, selection.shards, dict(counts))
    return dict(counts)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _read_feed(conn: Conn, fetcher: Fetcher, feed: sitemap_store.SitemapFeed, *, now: datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    known = sitemap_store.sitemap_states(conn, feed.feed_id)
    roots = {url: state for url, state in known.items() if state.parent_id is None}
    if feed.root == "auto" and roots:
        start = [url for url, state in roots.items() if state.kind is not None] or list(roots)
    elif feed.root == "auto":
        origin = _origin(feed.feed_url)
        start = [url for url in fetcher.robots_sitemaps(origin) if same_site(url, origin)]
        start = start or [origin + path for path in USUAL_PATHS]
    else:
        start = [feed.root]
    todo = [_Todo(url, None, 0) for url in start]
    next_read = now + timedelta(seconds=READ_EVERY_S)
    children = 0
    while todo:
        batch, todo = todo, []
        requests = [(t.url, *_validators(known.get(t.url))) for t in batch]
        by_url = {t.url: t for t in batch}
        for got in fetcher.fetch_documents(requests, max_body_bytes=MAX_BYTES):
            item = by_url[got.url]
            counts["sitemaps_read"] += 1
            more = _handle(conn, feed, item, got, known, counts, now=now, next_read=next_read)
            left = more[MAX_CHILDREN - children :] if children + len(more) > MAX_CHILDREN else []
            if left:
                # The next reading must list this index's children again, not take its 304.
                counts["children_left_for_later"] += len(left)
                sitemap_store.forget_validators(conn, feed_id=feed.feed_id, url=item.url)
            taken = more[: len(more) - len(left)]
            children += len(taken)
            todo.extend(taken)
    return counts


def _validators(state: sitemap_store.SitemapState | None) -> tuple[str | None, str | None]:
    return (state.etag, state.last_modified) if state is not None else (None, None)


def _handle(
    conn: Conn,
    feed: sitemap_store.SitemapFeed,
    item: _Todo,
    got: Download,
    known: dict[str, sitemap_store.SitemapState],
    counts: Counter[str],
    *,
    now: datetime,
    next_read: datetime,
) -> list[_Todo]:
    """Save what reading one sitemap gave; the children of an index to read next."""

    def save(status: str, reason: str | None = None, **fields: object) -> int:
        return sitemap_store.save_sitemap(
            conn,
            feed_id=feed.feed_id,
            url=item.url,
            parent_id=item.parent_id,
            now=now,
            next_read_at=next_read,
            status=status,
            reason=reason,
            # what the index said of it, once read: a child that failed is read again next time
            lastmod_seen=item.listed_lastmod if status in ("ok", "not_modified") else None,
            **fields,  # type: ignore[arg-type]
        )

    if got.status is FetchStatus.NOT_MODIFIED:
        counts["not_modified"] += 1
        save("not_modified")
        return []
    if got.status is not FetchStatus.OK:
        reason = got.error or (f"HTTP {got.http_status}" if got.http_status else str(got.status))
        if item.parent_id is None and feed.root == "auto" and got.http_status == 404:
            counts["not_found"] += 1  # one of the usual paths the site does not use
        else:
            counts["failed"] += 1
            log.warning("sitemap %s of feed %s: %s", item.url, feed.feed_url, reason)
        save(str(got.status), reason)
        return []
    try:
        sitemap = parse_sitemap(got.body, url=got.final_url or item.url)
    except SitemapError as exc:
        counts["failed"] += 1
        log.warning("sitemap %s of feed %s: %s", item.url, feed.feed_url, exc)
        save("not_a_sitemap", str(exc))
        return []
    counts.update({f"skipped_{k}": v for k, v in sitemap.skipped.items()})
    headers = {"etag": got.headers.get("etag"), "last_modified": got.headers.get("last-modified")}
    if sitemap.kind == "index":
        sitemap_id = save("ok", kind="index", urls_listed=len(sitemap.entries), **headers)
        return _children(sitemap, sitemap_id, item, feed, known, counts)
    taken = [(canonicalize_url(e.loc), entry_date(e), e.title) for e in sitemap.entries if _in_window(e, feed, counts)]
    new = sitemap_store.queue_urls(conn, feed_id=feed.feed_id, entries=taken, now=now)
    counts["urls_listed"] += len(sitemap.entries)
    counts["urls_new"] += new
    save("ok", kind="urlset", urls_listed=len(sitemap.entries), urls_new=new, **headers)
    return []


def _children(
    sitemap: Sitemap,
    sitemap_id: int,
    item: _Todo,
    feed: sitemap_store.SitemapFeed,
    known: dict[str, sitemap_store.SitemapState],
    counts: Counter[str],
) -> list[_Todo]:
    if item.depth + 1 > MAX_DEPTH:
        counts["skipped_too_deep"] += len(sitemap.entries)
        return []
    out = []
    for entry in sitemap.entries:
        seen = known.get(entry.loc)
        if seen is not None and entry.lastmod is not None and seen.lastmod_seen == entry.lastmod:
            counts["children_unchanged"] += 1  # the index says it did not change since
            continue
        if feed.since is not None and entry.lastmod is not None and entry.lastmod < feed.since:
            counts["children_before_window"] += 1  # nothing in it changed after the window opened
            continue
        out.append(_Todo(entry.loc, sitemap_id, item.depth + 1, entry.lastmod))
    return out


def _in_window(entry: SitemapEntry, feed: sitemap_store.SitemapFeed, counts: Counter[str]) -> bool:
    if feed.since is None and feed.until is None:
        return True
    when = entry_date(entry)
    if when is None:
        counts["skipped_undated"] += 1
        return False
    if (feed.since is not None and when < feed.since) or (feed.until is not None and when >= feed.until):
        counts["skipped_outside_window"] += 1
        return False
    return True
