"""Polling feeds: fetch (conditional GET) -> unchanged-body check -> parse -> canonical links ->
apply the polling policy and store new entries, one feed at a time as downloads finish.

A feed's failure is data (a status and reason in its fetch-log row); only a database that
cannot record anything at all stops the batch, so that Airflow retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime

import psycopg

from newsdesk.config import Settings
from newsdesk.errors import DatabaseError
from newsdesk.fetch import Fetcher, body_hash
from newsdesk.models import FeedDownload, FeedEntry, FeedPoll, FeedState, FetchStatus
from newsdesk.sources import canonicalize_url, parse_feed
from newsdesk.store.feeds import apply_poll

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollSummary:
    """Counts of one polling run (XCom-safe: ints only)."""

    feeds: int = 0
    ok: int = 0
    not_modified: int = 0
    unchanged: int = 0
    errors: int = 0
    new_entries: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _canonical_entries(entries: Sequence[FeedEntry], feed_url: str) -> tuple[FeedEntry, ...]:
    out = []
    for entry in entries:
        link = canonicalize_url(entry.link, base=feed_url) if entry.link else None
        if link and not link.startswith(("http://", "https://")):
            link = None  # mailto:, javascript: ... can never become a page
        out.append(replace(entry, link=link) if link != entry.link else entry)
    return tuple(out)


def poll_from_download(download: FeedDownload, state: FeedState) -> FeedPoll:
    """Turn a download into a poll outcome: unchanged by hash, parsed, or failed."""
    base = FeedPoll(
        feed_id=download.feed_id,
        url=download.url,
        status=download.status,
        started_at=download.started_at,
        http_status=download.http_status,
        duration_ms=download.duration_ms,
        bytes=download.bytes,
        etag=download.etag,
        last_modified=download.last_modified,
        error=download.error,
        retry_after_s=download.retry_after_s,
    )
    if download.status is not FetchStatus.OK:
        return base
    digest = body_hash(download.body)
    if state.last_body_hash and digest == state.last_body_hash:
        # The server ignored (or lied about) the conditional request: same bytes, nothing to do.
        return replace(base, status=FetchStatus.UNCHANGED, body_hash=digest)
    parsed = parse_feed(download.body, url=download.url, content_type=download.content_type)
    if parsed.error:
        return replace(base, status=FetchStatus.SOFT, error=parsed.error, parse_problem=parsed.problem)
    return replace(
        base,
        body_hash=digest,
        entries=_canonical_entries(parsed.entries, download.url),
        parse_problem=parsed.problem,
    )


def poll_feeds(
    conn: psycopg.Connection,
    fetcher: Fetcher,
    states: Sequence[FeedState],
    settings: Settings,
    *,
    now: datetime,
    run_id: int | None = None,
) -> PollSummary:
    """Poll ``states`` concurrently and record every outcome; return the run's counts."""
    by_id = {state.feed_id: state for state in states}
    counts = {"feeds": 0, "ok": 0, "not_modified": 0, "unchanged": 0, "errors": 0, "new_entries": 0}
    for download in fetcher.fetch_feeds(list(by_id.values()), now=now):
        state = by_id[download.feed_id]
        try:
            poll = poll_from_download(download, state)
        except Exception as exc:  # a parser bug on one feed is that feed's soft failure
            log.exception("could not process the download of feed %s (%s)", download.feed_id, download.url)
            poll = FeedPoll(
                download.feed_id,
                download.url,
                FetchStatus.SOFT,
                download.started_at,
                download.http_status,
                error=f"processing failed: {type(exc).__name__}: {exc}"[:500],
            )
        try:
            new = apply_poll(conn, poll, settings.poll, now=now, run_id=run_id)
        except DatabaseError as exc:
            # Most likely this feed's data (the transaction rolled back); record the failure without
            # entries. If even that fails, the database is the problem: let the batch fail.
            log.error("storing the poll of feed %s (%s) failed: %s", poll.feed_id, poll.url, exc)
            poll = replace(
                poll, status=FetchStatus.SOFT, entries=(), error=f"could not store entries: {exc}"[:500]
            )
            new = apply_poll(conn, poll, settings.poll, now=now, run_id=run_id)
        counts["feeds"] += 1
        counts["new_entries"] += new
        if poll.status is FetchStatus.OK:
            counts["ok"] += 1
        elif poll.status is FetchStatus.NOT_MODIFIED:
            counts["not_modified"] += 1
        elif poll.status is FetchStatus.UNCHANGED:
            counts["unchanged"] += 1
        else:
            counts["errors"] += 1
            log.info("feed %s (%s): %s %s", poll.feed_id, poll.url, poll.status.value, poll.error)
    summary = PollSummary(**counts)
    log.info("polled %s feeds: %s", summary.feeds, summary.as_dict())
    return summary
