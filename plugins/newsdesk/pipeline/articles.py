"""Compose fetch → extract → store for the pages waiting in the queue."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from newsdesk.config import Settings
from newsdesk.extract import NEAR_DUPLICATE_THRESHOLD, estimated_similarity, extract_article, lsh_bands
from newsdesk.fetch import Fetcher
from newsdesk.models import Article, ArticleStatus, FetchStatus, PageFetch
from newsdesk.sources import canonicalize_url
from newsdesk.store import articles as article_store
from newsdesk.store import pages as page_store
from newsdesk.store.db import Conn

log = logging.getLogger(__name__)

# Fetch statuses that map onto a page status of their own.
_FETCH_PAGE_STATUS = {FetchStatus.BLOCKED: "blocked"}


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """Counts for XCom and the task log (ints only)."""

    pages: int = 0
    stored: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    not_articles: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def fetch_and_store_pages(
    conn: Conn,
    fetcher: Fetcher,
    settings: Settings,
    *,
    now: datetime,
    shard: int = 0,
    shards: int = 1,
    limit: int = 500,
) -> ArticleSummary:
    """Fetch the due pages of one shard, extract them and store articles or the reason they are none."""
    todo = page_store.due_pages(conn, now, shard=shard, shards=shards, limit=limit)
    by_url = {t.url: t for t in todo}
    counts = dict.fromkeys(ArticleSummary.__slots__, 0)
    counts["pages"] = len(todo)
    fetched_pages = iter(fetcher.fetch_pages([t.url for t in todo]))
    more = True
    while more:
        # One commit per batch of pages: a commit waits for the WAL to reach the disk, which cost
        # as much as storing the article itself. Each page stores in a savepoint of its own.
        with conn.transaction():
            more = _store_batch(conn, fetched_pages, by_url, counts, settings, now=now)
        conn.commit()
    summary = ArticleSummary(**counts)
    log.info("pages shard %s/%s: %s", shard, shards, summary.as_dict())
    return summary


# A batch ends after this many pages or seconds, whichever comes first: few enough that a killed
# worker redoes little and other workers see new articles (for de-duplication) soon. The clock is
# read after each page, so a batch waiting for a slow download stays open until it arrives (at
# most the download's own total timeout).
COMMIT_EVERY_PAGES = 50
COMMIT_EVERY_S = 1.0


def _store_batch(
    conn: Conn,
    fetched_pages: Iterator[PageFetch],
    by_url: dict[str, page_store.PageTodo],
    counts: dict[str, int],
    settings: Settings,
    *,
    now: datetime,
) -> bool:
    """Store pages from ``fetched_pages`` until the batch is full; False once they are all stored."""
    started = time.monotonic()
    for done, fetched in enumerate(fetched_pages, 1):
        outcome = _store_one(conn, by_url[fetched.url], fetched, settings, now=now)
        counts[outcome] += 1
        if outcome in ("new", "changed", "unchanged", "duplicates"):
            counts["stored"] += 1
        if done >= COMMIT_EVERY_PAGES or time.monotonic() - started >= COMMIT_EVERY_S:
            return True
    return False


def _store_one(
    conn: Conn, page: page_store.PageTodo, fetched: PageFetch, settings: Settings, *, now: datetime
) -> str:
    """Handle one page; returns the ArticleSummary counter it adds to. Never raises for bad input."""
    if fetched.status is not FetchStatus.OK:
        page_store.record_page_failure(
            conn,
            page.page_id,
            status=_FETCH_PAGE_STATUS.get(fetched.status, "fetch_failed"),
            reason=f"{fetched.status}: {fetched.error or 'HTTP ' + str(fetched.http_status)}",
            http_status=fetched.http_status,
            now=now,
            policy=settings.poll,
            retry_after_s=fetched.retry_after_s,
        )
        return "failed"
    article = extract_article(
        fetched.body,
        url=fetched.final_url or fetched.url,
        charset=fetched.charset,
        feed_published=page.feed_published_at,
        feed_title=page.feed_title,
    )
    if article.status is not ArticleStatus.OK:
        page_store.record_page_failure(
            conn,
            page.page_id,
            status=str(article.status),
            reason=article.reason or str(article.status),
            http_status=fetched.http_status,
            now=now,
            policy=settings.poll,
        )
        return "not_articles" if article.status not in (ArticleStatus.ERROR,) else "failed"
    try:
        with conn.transaction():  # a savepoint: a failure undoes this page's rows, not the batch's
            stored, duplicate_of = store_page_article(conn, page.page_id, article, fetched, now=now)
    except psycopg.DataError as exc:
        # This page's data cannot be stored (a NUL byte, a value out of range): the page's failure,
        # not the batch's. Connection and server errors still fail the task, for Airflow to retry.
        log.warning("page %s: article not storable: %s", page.url, exc)
        page_store.record_page_failure(
            conn,
            page.page_id,
            status=str(ArticleStatus.ERROR),
            reason=f"article not storable: {exc}",
            http_status=fetched.http_status,
            now=now,
            policy=settings.poll,
        )
        return "failed"
    if duplicate_of is not None and stored.created:
        return "duplicates"
    return "new" if stored.created else "changed" if stored.changed else "unchanged"


def store_page_article(
    conn: Conn, page_id: int, article: Article, fetched: PageFetch, *, now: datetime
) -> tuple[article_store.StoredArticle, int | None]:
    """Store the article extracted from a fetched page, linked to the original it duplicates
    (returned too, or None). The caller commits."""
    canonical = _canonical(article.canonical_url, fetched)
    bands = lsh_bands(article.minhash) if article.minhash else []
    original = _find_original(conn, article.content_hash or "", article.minhash, bands, canonical)
    takes_over = None
    if original is not None and _story_order(article.published_at, canonical) < _story_order(
        original.published_at, original.canonical_url
    ):
        # The earlier story is the original, whatever order the downloads (or retries) came in.
        takes_over = original.article_id
        original = None
    duplicate_of = original.article_id if original is not None else None
    stored = article_store.store_article(
        conn,
        page_id=page_id,
        article=article,
        canonical_url=canonical,
        bands=bands,
        duplicate_of=duplicate_of,
        now=now,
        raw_html=fetched.body,
        takes_over=takes_over,
    )
    return stored, duplicate_of


# Re-fetch an article one hour and one day after it was first stored: most corrections happen then.
REFETCH_CHECKPOINTS_S = (3600, 86400)


def refetch_articles(
    conn: Conn,
    fetcher: Fetcher,
    settings: Settings,
    *,
    now: datetime,
    checkpoints_s: Sequence[int] = REFETCH_CHECKPOINTS_S,
    limit: int = 500,
) -> dict[str, int]:
    """Fetch recent articles again; a changed text becomes a new version (and is analysed again)."""
    todo = article_store.due_refetches(conn, now, checkpoints_s=checkpoints_s, limit=limit)
    by_url = {t.url: t for t in todo}
    counts = {"checked": 0, "changed": 0, "unchanged": 0, "failed": 0}
    for fetched in fetcher.fetch_pages(list(by_url)):
        item = by_url[fetched.url]
        counts["checked"] += 1
        article = None
        if fetched.status is FetchStatus.OK:
            article = extract_article(
                fetched.body, url=fetched.final_url or fetched.url, charset=fetched.charset
            )
        if article is None or article.status is not ArticleStatus.OK:
            # Keep the stored version: a page that is gone or now paywalled did not change the story.
            reason = fetched.error or (article.reason if article else None) or str(fetched.status)
            log.info("re-fetch of article %s kept the stored version: %s", item.article_id, reason)
            article_store.mark_checked(conn, item.article_id, now)
            conn.commit()
            counts["failed"] += 1
            continue
        try:
            with conn.transaction():
                stored, _ = store_page_article(conn, item.page_id, article, fetched, now=now)
        except psycopg.DataError as exc:  # as in _store_one: this article's failure, not the run's
            log.warning("re-fetch of article %s kept the stored version: not storable: %s", item.article_id, exc)
            article_store.mark_checked(conn, item.article_id, now)
            conn.commit()
            counts["failed"] += 1
            continue
        conn.commit()
        counts["changed" if stored.changed else "unchanged"] += 1
    log.info("re-fetch: %s", counts)
    return counts


def _canonical(declared: str | None, fetched: PageFetch) -> str:
    """rel=canonical when it stays on the fetched site, else the final URL after redirects."""
    final = canonicalize_url(fetched.final_url or fetched.url)
    if not declared:
        return final
    candidate = canonicalize_url(declared, base=final)
    # A canonical pointing at another host is not trusted: it could merge unrelated articles.
    same_host = candidate.split("/")[2:3] == final.split("/")[2:3]
    return candidate if same_host else final


def _story_order(published: datetime | None, canonical_url: str) -> tuple[bool, datetime, str]:
    """Which of two near-duplicates is the original: published first (undated last), then by URL."""
    return (published is None, published or datetime.min.replace(tzinfo=UTC), canonical_url)


def _find_original(
    conn: Conn, content_hash: str, minhash: Sequence[int], bands: Sequence[int], canonical: str
) -> article_store.DuplicateCandidate | None:
    for cand in article_store.duplicate_candidates(
        conn, content_hash=content_hash, bands=bands, exclude_url=canonical
    ):
        if cand.content_hash == content_hash:
            return cand
        if (
            minhash
            and cand.minhash
            and estimated_similarity(tuple(minhash), cand.minhash) >= NEAR_DUPLICATE_THRESHOLD
        ):
            return cand
    return None
