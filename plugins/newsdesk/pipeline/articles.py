"""Compose fetch → extract → store for the pages waiting in the queue, and the pass that
confirms near-duplicate links after parallel shards.

A page's failure is data: whatever the page did (a download cut off at the task's budget, an
extraction that found no article, data the database refuses), its row gets a status and a
reason and the rest of the batch is committed. Only a database that cannot record anything
fails the task (Airflow retries it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsdesk.config import Settings
from newsdesk.errors import DatabaseError, StoreConflictError, UnstorableError
from newsdesk.extract import NEAR_DUPLICATE_THRESHOLD, estimated_similarity, extract_article, lsh_bands
from newsdesk.fetch import CUT_OFF, Fetcher
from newsdesk.models import Article, ArticleStatus, FetchStatus, PageFetch, PageStatus
from newsdesk.policy import page_failure
from newsdesk.sources import canonicalize_url
from newsdesk.store import articles as article_store
from newsdesk.store import pages as page_store
from newsdesk.store.boundary import MAX_KEY_BYTES, key_bytes
from newsdesk.store.db import Conn

log = logging.getLogger(__name__)

# Fetch statuses that map onto a page status of their own.
_FETCH_PAGE_STATUS = {FetchStatus.BLOCKED: PageStatus.BLOCKED}


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
    cut_off: int = 0  # downloads stopped at the task's budget (also in failed; retried later)
    deferred: int = 0  # pages not started before the budget ran out (still queued, untouched)

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
    budget_s: float | None = None,
) -> ArticleSummary:
    """Fetch the due pages of one shard, extract them and store articles or the reason they are none.

    Within ``budget_s`` seconds of wall time (default ``settings.fetch_budget_s``): downloads
    still running then are cut off and retried later, pages not started stay queued, and what
    finished is committed in batches meanwhile, whatever the stragglers do.
    """
    budget = settings.fetch_budget_s if budget_s is None else budget_s
    deadline = time.monotonic() + budget if budget and budget > 0 else None
    todo = page_store.due_pages(conn, now, shard=shard, shards=shards, limit=limit)
    conn.commit()
    by_url = {t.url: t for t in todo}
    counts = dict.fromkeys(ArticleSummary.__slots__, 0)
    counts["pages"] = len(todo)
    seen: set[str] = set()
    later: list[_Conflict] = []
    # closing: a batch that fails (the database went away) stops the downloads at once, while the
    # fetcher's loop still runs
    with closing(fetcher.stream_pages([t.url for t in todo], deadline=deadline, tick_s=COMMIT_EVERY_S)) as stream:
        more = True
        while more:
            # One commit per batch of pages: a commit waits for the WAL to reach the disk, which
            # cost as much as storing the article itself. Each page stores in a savepoint of its own.
            with conn.transaction():
                more = _store_batch(conn, stream, by_url, counts, settings, now=now, seen=seen, later=later)
            conn.commit()
            # Pages that met another shard's writer are stored again now that this batch's locks
            # are released: retried inside the batch, they would deadlock again on them.
            for page, fetched, article in later:
                _count(counts, store_fetched(conn, page, fetched, settings, now=now, article=article))
                conn.commit()
            later.clear()
    counts["deferred"] = len(by_url) - len(seen)
    summary = ArticleSummary(**counts)
    log.info("pages shard %s/%s: %s", shard, shards, summary.as_dict())
    return summary


# A batch ends after this many pages or seconds, whichever comes first: few enough that a killed
# worker redoes little and other workers see new articles (for de-duplication) soon. The fetcher
# ticks every COMMIT_EVERY_S when no download finishes, so a batch waiting for a slow download
# is committed meanwhile.
COMMIT_EVERY_PAGES = 50
COMMIT_EVERY_S = 1.0
# A page whose store met a concurrent writer (a deadlock with another shard) is tried again after
# its batch is committed (or, outside a batch, at once), then deferred by this long without
# counting an attempt.
CONFLICT_RETRY_S = 60

# A page whose store met another writer, to store again once its batch is committed, and the
# outcome store_fetched gives it meanwhile (it is counted when it is stored again).
_Conflict = tuple[page_store.PageTodo, PageFetch, Article]
PUT_OFF = "put_off"


def _store_batch(
    conn: Conn,
    fetched_pages: Iterator[PageFetch | None],
    by_url: dict[str, page_store.PageTodo],
    counts: dict[str, int],
    settings: Settings,
    *,
    now: datetime,
    seen: set[str],
    later: list[_Conflict],
) -> bool:
    """Store pages from ``fetched_pages`` until the batch is full; False once they are all stored.
    Pages that met another writer are put in ``later``."""
    started = time.monotonic()
    done = 0
    for fetched in fetched_pages:
        if fetched is not None:
            seen.add(fetched.url)
            _count(counts, store_fetched(conn, by_url[fetched.url], fetched, settings, now=now, later=later))
            if fetched.error == CUT_OFF:
                counts["cut_off"] += 1
            done += 1
        if done and (done >= COMMIT_EVERY_PAGES or time.monotonic() - started >= COMMIT_EVERY_S):
            return True
    return False


def _count(counts: dict[str, int], outcome: str) -> None:
    if outcome == PUT_OFF:
        return
    counts[outcome] += 1
    if outcome in ("new", "changed", "unchanged", "duplicates"):
        counts["stored"] += 1


def store_fetched(
    conn: Conn,
    page: page_store.PageTodo,
    fetched: PageFetch,
    settings: Settings,
    *,
    now: datetime,
    article: Article | None = None,
    later: list[_Conflict] | None = None,
) -> str:
    """Extract (unless ``article`` is given) and store one fetched page; the ArticleSummary
    counter it adds to. Whatever one page may still raise is recorded as that page's error (a bug
    that only this page's data reaches must not sink the batch). Database errors that are not
    the page's own (the connection, the server) still fail the task.

    With ``later``, a page whose store meets another writer is added to it and PUT_OFF returned:
    the caller stores it again once the locks its own transaction holds are released."""
    try:
        return _store_one(conn, page, fetched, settings, now=now, article=article, later=later)
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - one page's failure is data
        log.exception("page %s: unexpected error", page.url)
        reason = f"unexpected error: {type(exc).__name__}: {exc}"
        return _page_failure(conn, page, fetched, PageStatus.ERROR, reason, now, settings, "failed")


def _store_one(
    conn: Conn,
    page: page_store.PageTodo,
    fetched: PageFetch,
    settings: Settings,
    *,
    now: datetime,
    article: Article | None = None,
    later: list[_Conflict] | None = None,
) -> str:
    """Handle one page; returns the ArticleSummary counter it adds to (or PUT_OFF: put in ``later``).
    Never raises for bad input."""
    if fetched.status is not FetchStatus.OK:
        status = _FETCH_PAGE_STATUS.get(fetched.status, PageStatus.FETCH_FAILED)
        reason = f"{fetched.status}: {fetched.error or 'HTTP ' + str(fetched.http_status)}"
        return _page_failure(conn, page, fetched, status, reason, now, settings, "failed")
    article = article or extract_article(
        fetched.body,
        url=fetched.final_url or fetched.url,
        charset=fetched.charset,
        feed_published=page.feed_published_at,
        feed_title=page.feed_title,
    )
    if article.status is not ArticleStatus.OK:
        counter = "failed" if article.status is ArticleStatus.ERROR else "not_articles"
        status = PageStatus.of_article(article.status)
        return _page_failure(conn, page, fetched, status, article.reason or str(status), now, settings, counter)
    for attempt in (1, 2):
        try:
            with conn.transaction():  # a savepoint: a failure undoes this page's rows, not the batch's
                stored, duplicate_of = store_page_article(conn, page.page_id, article, fetched, now=now)
            break
        except UnstorableError as exc:
            # This page's data cannot be stored: the page's failure, not the batch's. Connection
            # and server errors still fail the task, for Airflow to retry.
            log.warning("page %s: article not storable: %s", page.url, exc)
            reason = f"article not storable: {exc}"
            return _page_failure(conn, page, fetched, PageStatus.ERROR, reason, now, settings, "failed")
        except StoreConflictError as exc:
            if later is not None:
                later.append((page, fetched, article))
                return PUT_OFF
            if attempt == 1:
                continue  # the other writer's locks are gone with its savepoint or soon committed
            log.warning("page %s: deferred after a conflict with another writer: %s", page.url, exc)
            page_store.defer_page(
                conn, page.page_id, reason=f"deferred: {exc}", until=now + timedelta(seconds=CONFLICT_RETRY_S)
            )
            return "failed"
    if duplicate_of is not None and stored.created:
        return "duplicates"
    return "new" if stored.created else "changed" if stored.changed else "unchanged"


def _page_failure(
    conn: Conn,
    page: page_store.PageTodo,
    fetched: PageFetch,
    status: PageStatus,
    reason: str,
    now: datetime,
    settings: Settings,
    counter: str,
) -> str:
    """Record why one page did not become an article, retried as the policy says; ``counter``."""
    retry = page_failure(status, attempts=page.attempts, retry_after_s=fetched.retry_after_s, policy=settings.poll)
    page_store.record_page_failure(
        conn,
        page.page_id,
        status=retry.status,
        reason=reason,
        http_status=fetched.http_status,
        now=now,
        next_attempt_at=now + timedelta(seconds=retry.delay_s),
    )
    return counter


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
    budget_s: float | None = None,
) -> dict[str, int]:
    """Fetch recent articles again; a changed text becomes a new version (and is analysed again).

    Bounded by ``budget_s`` like ``fetch_and_store_pages``: an article not looked at in time is
    looked at by a later run.
    """
    budget = settings.fetch_budget_s if budget_s is None else budget_s
    deadline = time.monotonic() + budget if budget and budget > 0 else None
    todo = article_store.due_refetches(conn, now, checkpoints_s=checkpoints_s, limit=limit)
    conn.commit()
    by_url = {t.url: t for t in todo}
    counts = {"checked": 0, "changed": 0, "unchanged": 0, "failed": 0}
    with closing(fetcher.fetch_pages(list(by_url), deadline=deadline)) as stream:
        for fetched in stream:
            _refetch_one(conn, by_url[fetched.url], fetched, counts, now=now)
    log.info("re-fetch: %s", counts)
    return counts


def _refetch_one(
    conn: Conn, item: article_store.RefetchTodo, fetched: PageFetch, counts: dict[str, int], *, now: datetime
) -> None:
    """Store what one re-fetch found (committed), or keep the stored version and say why."""
    counts["checked"] += 1
    article = None
    if fetched.status is FetchStatus.OK:
        article = extract_article(fetched.body, url=fetched.final_url or fetched.url, charset=fetched.charset)
    if article is None or article.status is not ArticleStatus.OK or article.partial:
        # Keep the stored version: a page that is gone or now shows a teaser did not change the story.
        reason = fetched.error or (article.reason if article else None) or str(fetched.status)
        log.info("re-fetch of article %s kept the stored version: %s", item.article_id, reason)
        article_store.mark_checked(conn, item.article_id, now)
        conn.commit()
        counts["failed"] += 1
        return
    try:
        with conn.transaction():
            stored, _ = store_page_article(conn, item.page_id, article, fetched, now=now)
    except (UnstorableError, StoreConflictError) as exc:  # as in _store_one: this article's failure
        log.warning("re-fetch of article %s kept the stored version: %s", item.article_id, exc)
        article_store.mark_checked(conn, item.article_id, now)
        conn.commit()
        counts["failed"] += 1
        return
    conn.commit()
    counts["changed" if stored.changed else "unchanged"] += 1


def _canonical(declared: str | None, fetched: PageFetch) -> str:
    """rel=canonical when it stays on the fetched site, else the final URL after redirects.

    Every candidate must fit a unique key (MAX_KEY_BYTES): a longer declared canonical is not
    used, and a longer final URL gives way to the URL the page was queued under.
    """
    final = canonicalize_url(fetched.final_url or fetched.url)
    if key_bytes(final) > MAX_KEY_BYTES:
        final = canonicalize_url(fetched.url)
    if not declared:
        return final
    candidate = canonicalize_url(declared, base=final)
    # A canonical pointing at another host is not trusted: it could merge unrelated articles.
    same_host = candidate.split("/")[2:3] == final.split("/")[2:3]
    return candidate if same_host and key_bytes(candidate) <= MAX_KEY_BYTES else final


def _story_order(published: datetime | None, canonical_url: str) -> tuple[bool, datetime, str]:
    """Which of two near-duplicates is the original: published first (undated last), then by URL."""
    return (published is None, published or datetime.min.replace(tzinfo=UTC), canonical_url)


def _find_original(
    conn: Conn, content_hash: str, minhash: Sequence[int], bands: Sequence[int], canonical: str
) -> article_store.DuplicateCandidate | None:
    for cand in article_store.duplicate_candidates(conn, content_hash=content_hash, bands=bands, exclude_url=canonical):
        if cand.content_hash == content_hash:
            return cand
        if minhash and cand.minhash and estimated_similarity(tuple(minhash), cand.minhash) >= NEAR_DUPLICATE_THRESHOLD:
            return cand
    return None


# Articles looked at by one near-duplicate pass at most (the rest wait for the next pass).
LINK_PASS_MAX = 20_000


def link_duplicates(conn: Conn, *, batch: int = 500, max_articles: int = LINK_PASS_MAX) -> dict[str, int]:
    """Confirm the near-duplicate links of the articles stored since the last pass.

    Two shards that store near-duplicates at the same time cannot see each other's uncommitted
    article, so neither links to the other. This pass runs after the shards (and daily in the
    maintenance DAG): each unchecked article that is still an original is compared with the
    originals stored so far, earliest story first, with the same rules as at store time (the
    earlier-published story is the original). Sequential, so it ends as a sequential run would.
    One transaction per article; an article a concurrent writer holds is left for the next pass.
    """
    counts = {"checked": 0, "linked": 0, "taken_over": 0, "conflicts": 0}
    with article_store.duplicate_pass_lock(conn):
        while counts["checked"] + counts["conflicts"] < max_articles:
            todo = article_store.unchecked_articles(conn, limit=batch)
            conn.commit()
            if not todo:
                break
            progressed = False
            for item in todo:
                try:
                    with conn.transaction():
                        outcome = _confirm_links(conn, item)
                        article_store.mark_duplicate_checked(conn, [item.article_id])
                except StoreConflictError as exc:
                    log.info("article %s: near-duplicate check left for the next pass: %s", item.article_id, exc)
                    counts["conflicts"] += 1
                    continue
                conn.commit()
                progressed = True
                counts["checked"] += 1
                if outcome:
                    counts[outcome] += 1
            if not progressed:
                break
    log.info("near-duplicate pass: %s", counts)
    return counts


def _confirm_links(conn: Conn, item: article_store.UncheckedArticle) -> str | None:
    """Link ``item`` and a similar original the store did not see; None when nothing changed."""
    if item.duplicate_of is not None or not article_store.lock_original(conn, item.article_id):
        return None
    bands = lsh_bands(item.minhash) if item.minhash else []
    original = _find_original(conn, item.content_hash, item.minhash, bands, item.canonical_url)
    if original is None:
        return None
    if _story_order(item.published_at, item.canonical_url) < _story_order(
        original.published_at, original.canonical_url
    ):
        article_store.make_copies_of(conn, article_id=original.article_id, original_id=item.article_id)
        return "taken_over"
    article_store.make_copies_of(conn, article_id=item.article_id, original_id=original.article_id)
    return "linked"
