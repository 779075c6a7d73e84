"""Compose archive → extract → store: pages a crawler already fetched (WARC/ARC files, such as
Common Crawl's CC-NEWS) become articles without a download.

A file is read from where its last reading stopped (``backfill_files.next_offset``, committed
with the pages stored before it), so a killed backfill resumes at the record it reached and
stores each record once; reading a finished file again adds nothing. A page that is an article
already (from a feed, or from another capture) is only noted as captured: an old capture never
replaces a newer text. A file that cannot be read on (cut short, not an archive, gone) is
recorded as ``failed`` with its reason after everything before the damage was stored; the next
run resumes it from there. The analysis follows as for feed articles (``newsdesk_analyze``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from newsdesk.config import HttpSettings, Settings
from newsdesk.errors import ArchiveError
from newsdesk.extract import extract_article
from newsdesk.fetch.archive import ccnews_files, open_location
from newsdesk.models import ArticleStatus, FetchStatus, PageFetch
from newsdesk.pipeline.articles import COMMIT_EVERY_PAGES, COMMIT_EVERY_S, store_fetched
from newsdesk.sources import canonicalize_url
from newsdesk.sources.text import charset_param
from newsdesk.sources.warc import Capture, ReadStats, iter_captures
from newsdesk.store import backfill as backfill_store
from newsdesk.store.db import Conn
from newsdesk.store.pages import PageTodo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackfillFilter:
    """Which archived pages to take. Empty means everything."""

    hosts: tuple[str, ...] = ()  # "example.nl" takes its subdomains too
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of the extracted text
    since: datetime | None = None  # the article's publication date (else the capture date)
    until: datetime | None = None

    def takes_host(self, url: str) -> bool:
        if not self.hosts:
            return True
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        return any(
            host == h or host.endswith("." + h) for h in (h.lower().lstrip("*.").rstrip(".") for h in self.hosts)
        )

    def takes_date(self, when: datetime | None) -> bool:
        if when is None:
            return self.since is None and self.until is None
        return (self.since is None or when >= self.since) and (self.until is None or when < self.until)


@dataclass(frozen=True, slots=True)
class FileResult:
    location: str
    status: str  # done | failed | skipped (finished before; not read again)
    counts: dict[str, int]
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"location": self.location, "status": self.status, "reason": self.reason, **self.counts}


def backfill_file(
    conn: Conn,
    location: str,
    settings: Settings,
    *,
    now: datetime,
    filters: BackfillFilter = BackfillFilter(),
    again: bool = False,
) -> FileResult:
    """Read one WARC/ARC file from where it stopped and store its HTML pages as articles."""
    state = backfill_store.open_file(conn, location, now=now, again=again)
    conn.commit()
    if state.status == "done":
        log.info("backfill %s: read before (%s); pass again=True to read it again", location, state.counts)
        return FileResult(location, "skipped", state.counts)
    base = Counter(state.counts)
    outcomes: Counter[str] = Counter()
    stats = ReadStats()
    offset = state.next_offset

    def totals() -> dict[str, int]:
        return dict(base + Counter(stats.as_dict()) + outcomes)

    try:
        with open_location(location, offset=offset, http=settings.http) as stream:
            started, pending = time.monotonic(), 0
            for capture in iter_captures(stream, max_body_bytes=settings.http.max_body_bytes, stats=stats):
                outcomes[_store_capture(conn, state.file_id, capture, settings, filters, now=now)] += 1
                offset, pending = capture.next_offset, pending + 1
                if pending >= COMMIT_EVERY_PAGES or time.monotonic() - started >= COMMIT_EVERY_S:
                    backfill_store.save_progress(conn, state.file_id, next_offset=offset, counts=totals(), now=now)
                    conn.commit()
                    started, pending = time.monotonic(), 0
    except ArchiveError as exc:
        # Raised between records: every page read before the damage is stored whole, and kept.
        # The next run resumes after the last good record (and meets the damage again, unless the
        # file was replaced by a good copy).
        reason = str(exc)
        log.info("backfill %s stopped at byte %s: %s", location, offset, reason)  # the caller reports it
        backfill_store.save_progress(
            conn, state.file_id, next_offset=offset, counts=totals(), now=now, status="failed", reason=reason
        )
        conn.commit()
        return FileResult(location, "failed", totals(), reason)
    counts = totals()
    backfill_store.save_progress(conn, state.file_id, next_offset=offset, counts=counts, now=now, status="done")
    conn.commit()
    log.info("backfill %s: %s", location, counts)
    return FileResult(location, "done", counts)


def _store_capture(
    conn: Conn, file_id: int, capture: Capture, settings: Settings, filters: BackfillFilter, *, now: datetime
) -> str:
    """Store one archived page; the counter it adds to."""
    if not filters.takes_host(capture.url):
        return "filtered_host"
    if filters.since is not None and capture.fetched_at is not None and capture.fetched_at < filters.since:
        return "filtered_date"  # fetched before the window: published before it too
    url = canonicalize_url(capture.url)

    def record(published_at: datetime | None) -> backfill_store.CapturedPage:
        """The page's row and this capture's provenance."""
        return backfill_store.capture_page(
            conn,
            file_id=file_id,
            url=url,
            record_offset=capture.offset,
            record_id=capture.record_id,
            captured_at=capture.fetched_at,
            published_at=published_at,
            now=now,
        )

    if backfill_store.known_article(conn, url) is not None:
        record(None)
        return "known"
    fetched = PageFetch(
        url=url,
        status=FetchStatus.OK,
        final_url=capture.url,
        http_status=capture.http_status,
        body=capture.body,
        content_type=capture.content_type,
        charset=charset_param(capture.content_type),
    )
    article = extract_article(fetched.body, url=capture.url, charset=fetched.charset)
    if article.status is ArticleStatus.OK:
        if filters.languages and (article.language or "") not in filters.languages:
            return "filtered_language"
        if not filters.takes_date(article.published_at or capture.fetched_at):
            return "filtered_date"
    page = record(article.published_at)
    if page.article_id is not None:  # a concurrent reader stored it meanwhile
        return "known"
    todo = PageTodo(page.page_id, url, 0, article.published_at, None)
    outcome = store_fetched(conn, todo, fetched, settings, now=capture.fetched_at or now, article=article)
    if outcome not in ("new", "changed", "unchanged", "duplicates"):
        backfill_store.park_archived_page(conn, page.page_id)
    return outcome


def plan_files(files: list[str], *, ccnews_month: str | None = None, http: HttpSettings | None = None) -> list[str]:
    """The files of a backfill: those given, then every CC-NEWS file of ``ccnews_month`` (YYYY-MM,
    listed from Common Crawl)."""
    return [*files, *(ccnews_files(ccnews_month, http) if ccnews_month else [])]
