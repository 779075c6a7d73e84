"""Polling feeds: fetch (conditional GET) -> unchanged-body check -> parse -> canonical links ->
apply the polling policy and store new entries.

Downloads are parsed as they finish; the outcomes are recorded in batches (``apply_polls``: one
transaction and a handful of set-based statements per batch) by a writer thread, so that the
database works while the next downloads are parsed. A batch is written when it reaches
``BATCH_FEEDS`` feeds or ``BATCH_ENTRIES`` entries, or ``BATCH_SECONDS`` after its first poll.

A feed's failure is data (a status and reason in its fetch-log row); only a database that
cannot record anything at all stops the run, so that Airflow retries it.

A worker that lost its network (no DNS, no route) sees every feed fail at once. That is not the
feeds' failure: polls that reached no server are held back until some server answers in the
same run (then they are ordinary failures); when none does and they name at least
``NETWORK_WIDE_MIN_HOSTS`` hosts, they are recorded as a network-wide outage that does not count
against the feeds (``store.feeds.record_network_outage``). A feed polled alone, or only with
feeds of its own host, is judged on its own: one dead host must still be disabled in the end.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import psycopg

from newsdesk.config import Settings
from newsdesk.errors import DatabaseError, StoreConflictError, UnstorableError
from newsdesk.fetch import Fetcher, body_hash
from newsdesk.models import ALL_FEEDS, FeedDownload, FeedEntry, FeedPoll, FeedSelection, FeedState, FetchStatus
from newsdesk.sources import canonicalize_url, parse_feed
from newsdesk.sources.entry import is_plain_absolute
from newsdesk.store.feeds import apply_poll, apply_polls, due_feeds, record_network_outage

log = logging.getLogger(__name__)

BATCH_FEEDS = 100
BATCH_ENTRIES = 5_000
BATCH_SECONDS = 2.0
# Distinct hosts that must all be unreachable, with no server answering, before a run's failures
# are the worker's network rather than the feeds'.
NETWORK_WIDE_MIN_HOSTS = 2


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
        link = entry.link
        if link:
            stripped = link.strip()
            # The parser already joined links with the feed URL; a plain absolute link would come
            # out of urljoin unchanged, so it skips the second join.
            if is_plain_absolute(stripped):
                link = canonicalize_url(stripped)
            else:
                link = canonicalize_url(link, base=feed_url)
            if not link.startswith(("http://", "https://")):
                link = None  # mailto:, javascript: ... can never become a page
        else:
            link = None
        if link != entry.link:  # built directly: dataclasses.replace costs more than the rest
            entry = FeedEntry(
                guid=entry.guid,
                link=link,
                title=entry.title,
                summary=entry.summary,
                authors=entry.authors,
                published=entry.published,
                updated=entry.updated,
                language=entry.language,
            )
        out.append(entry)
    return tuple(out)


def poll_from_download(download: FeedDownload, state: FeedState) -> FeedPoll:
    """Turn a download into a poll outcome: unchanged by hash, parsed, or failed."""
    # Every FeedFetch field, copied by name (cheaper than reading fields() per feed; the unit
    # test holds the two lists equal).
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
        moved_to=download.moved_to,
        unreachable=download.unreachable,
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


def _processed(download: FeedDownload, state: FeedState) -> FeedPoll:
    try:
        return poll_from_download(download, state)
    except Exception as exc:  # a parser bug on one feed is that feed's soft failure
        log.exception("could not process the download of feed %s (%s)", download.feed_id, download.url)
        return FeedPoll(
            download.feed_id,
            download.url,
            FetchStatus.SOFT,
            download.started_at,
            download.http_status,
            error=f"processing failed: {type(exc).__name__}: {exc}"[:500],
        )


def _record(
    conn: psycopg.Connection[Any],
    polls: Sequence[FeedPoll],
    settings: Settings,
    now: datetime,
    run_id: int | None,
) -> list[tuple[FeedPoll, int]]:
    """Record a batch of polls; on failure, feed by feed (a failing feed loses only its entries)."""
    try:
        return list(zip(polls, apply_polls(conn, polls, settings.poll, now=now, run_id=run_id), strict=True))
    except Exception as exc:  # noqa: BLE001 - one feed's data (or a bug it reaches): found below
        log.warning("storing a batch of %s polls failed, storing them one by one: %s", len(polls), exc)
    return [_record_one(conn, poll, settings, now, run_id) for poll in polls]


def _record_one(
    conn: psycopg.Connection[Any], poll: FeedPoll, settings: Settings, now: datetime, run_id: int | None
) -> tuple[FeedPoll, int]:
    """Record one poll; if this feed's data is refused (or reaches a bug), record the failure
    without its entries, and if even the poll's own fields are refused, with nothing but the
    reason. A database that refuses that too is the problem: the error propagates, the run fails."""
    try:
        return poll, apply_poll(conn, poll, settings.poll, now=now, run_id=run_id)
    except DatabaseError as exc:
        if not isinstance(exc, UnstorableError | StoreConflictError):
            raise  # the database itself: the run fails and Airflow retries it
        failure: Exception = exc
    except Exception as exc:  # noqa: BLE001 - a bug this feed's data reaches is this feed's failure
        log.exception("storing the poll of feed %s (%s) failed unexpectedly", poll.feed_id, poll.url)
        failure = exc
    log.error("storing the poll of feed %s (%s) failed: %s", poll.feed_id, poll.url, failure)
    poll = replace(poll, status=FetchStatus.SOFT, entries=(), error=f"could not store entries: {failure}"[:500])
    try:
        return poll, apply_poll(conn, poll, settings.poll, now=now, run_id=run_id)
    except (UnstorableError, StoreConflictError) as again:
        reason = f"could not store: {again}"[:500]
        bare = FeedPoll(poll.feed_id, poll.url, FetchStatus.SOFT, poll.started_at, error=reason)
        return bare, apply_poll(conn, bare, settings.poll, now=now, run_id=run_id)


class _Writer:
    """A thread that records batches of polls while the caller keeps parsing downloads.

    It is the only user of the connection while it runs. At most two batches wait for it, so
    memory stays bounded when the database is slower than the network.
    """

    def __init__(self, record: Callable[[Sequence[FeedPoll]], list[tuple[FeedPoll, int]]]) -> None:
        self._record = record
        self._queue: queue.Queue[list[FeedPoll] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.counts = {"feeds": 0, "ok": 0, "not_modified": 0, "unchanged": 0, "errors": 0, "new_entries": 0}
        self._thread = threading.Thread(target=self._run, name="newsdesk-poll-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the run is failing anyway
            try:
                recorded = self._record(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self.error = exc
                continue
            for poll, new in recorded:
                self.count(poll, new)

    def count(self, poll: FeedPoll, new: int) -> None:
        counts = self.counts
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
            # the reason belongs in the task log where operators look (it is also on the feed's row)
            log.warning("feed %s (%s) failed: %s: %s", poll.feed_id, poll.url, poll.status.value, poll.error)

    def submit(self, batch: list[FeedPoll]) -> None:
        while True:
            if self.error is not None:
                raise self.error
            try:
                self._queue.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Wait for every submitted batch to be recorded; raise the writer's error, if any."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error


def network_wide(polls: Sequence[FeedPoll]) -> bool:
    """Whether unreachable polls, with no server answering in their run, are the worker's outage."""
    hosts = {urlsplit(poll.url).hostname for poll in polls}
    return len(hosts) >= NETWORK_WIDE_MIN_HOSTS


def _record_unreachable(
    conn: psycopg.Connection[Any],
    held: list[FeedPoll],
    settings: Settings,
    now: datetime,
    run_id: int | None,
    writer: _Writer,
) -> None:
    if not network_wide(held):
        recorded = _record(conn, held, settings, now, run_id)
    else:
        hosts = len({urlsplit(poll.url).hostname for poll in held})
        log.warning(
            "no server reachable for any of the %s feeds (%s hosts) polled in this run: the network of "
            "this worker is down, not the feeds; recorded without counting against them (first: %s)",
            len(held),
            hosts,
            held[0].error,
        )
        note = f"network-wide: none of the {len(held)} feeds on {hosts} hosts in this run reachable; not counted"
        record_network_outage(conn, held, settings.poll, now=now, run_id=run_id, note=note)
        recorded = [(poll, 0) for poll in held]
    for poll, new in recorded:
        writer.count(poll, new)


def poll_feeds(
    conn: psycopg.Connection[Any],
    fetcher: Fetcher,
    states: Sequence[FeedState],
    settings: Settings,
    *,
    now: datetime,
    run_id: int | None = None,
    budget_s: float | None = None,
) -> PollSummary:
    """Poll ``states`` concurrently and record every outcome; return the run's counts.

    Within ``budget_s`` seconds of wall time (default ``settings.fetch_budget_s``): polls still
    downloading then are recorded as cut off (temporary), feeds not polled yet stay due.
    """
    budget = settings.fetch_budget_s if budget_s is None else budget_s
    deadline = time.monotonic() + budget if budget and budget > 0 else None
    by_id = {state.feed_id: state for state in states}
    writer = _Writer(lambda polls: _record(conn, polls, settings, now, run_id))
    batch: list[FeedPoll] = []
    entries = 0
    opened = 0.0
    held: list[FeedPoll] = []  # unreachable polls while no server has answered in this run
    answered = False
    downloads = fetcher.fetch_feeds(list(by_id.values()), now=now, deadline=deadline)
    try:
        for download in downloads:
            poll = _processed(download, by_id[download.feed_id])
            if not answered:
                if poll.unreachable:
                    held.append(poll)
                    continue
                if poll.http_status is not None:  # the network works: held polls are ordinary
                    answered = True
                    ready, held = [*held, poll], []
                else:
                    ready = [poll]  # blocked, cut off: says nothing about the network
            else:
                ready = [poll]
            for poll in ready:
                if not batch:
                    opened = time.monotonic()
                batch.append(poll)
                entries += len(poll.entries)
            if len(batch) >= BATCH_FEEDS or entries >= BATCH_ENTRIES or time.monotonic() - opened >= BATCH_SECONDS:
                writer.submit(batch)
                batch, entries = [], 0
    finally:
        downloads.close()  # stops what is still downloading when the writer failed
        # Also when the downloads stop with an error: what was fetched is recorded first.
        if batch and writer.error is None:
            writer.submit(batch)
        writer.close()
    if held:
        _record_unreachable(conn, held, settings, now, run_id, writer)
    summary = PollSummary(**writer.counts)
    log.info("polled %s feeds: %s", summary.feeds, summary.as_dict())
    return summary


def poll_due_feeds(
    conn: psycopg.Connection[Any],
    fetcher: Fetcher,
    settings: Settings,
    *,
    now: datetime,
    selection: FeedSelection = ALL_FEEDS,
    run_id: int | None = None,
) -> PollSummary:
    """Poll the feeds ``selection`` takes that are due (all of them with its ``force``), record
    every outcome and commit: one ingest task's unit of work."""
    states = due_feeds(conn, now, **selection.narrowing())
    conn.commit()
    summary = poll_feeds(conn, fetcher, states, settings, now=now, run_id=run_id)
    conn.commit()
    return summary
