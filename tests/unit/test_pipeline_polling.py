"""pipeline/polling.py's poll_from_download: what a download hands on to the poll it becomes."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from newsdesk.models import FeedDownload, FeedFetch, FeedPoll, FeedState, FetchStatus
from newsdesk.pipeline.polling import poll_from_download

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>a</title><link>https://x.nl/a</link><guid>a</guid></item></channel></rss>"
)


def download(status: FetchStatus, body: bytes = b"") -> FeedDownload:
    return FeedDownload(
        feed_id=7,
        url="https://x.nl/rss",
        status=status,
        started_at=NOW,
        http_status=503 if status is FetchStatus.TEMPORARY else 200,
        duration_ms=12,
        bytes=345,
        etag='"e"',
        last_modified="Mon, 03 Mar 2025 10:00:00 GMT",
        error="HTTP 503 Service Unavailable" if status is FetchStatus.TEMPORARY else None,
        retry_after_s=60,
        moved_to="https://x.nl/feed",
        unreachable=status is FetchStatus.TEMPORARY,
        content_type="application/rss+xml",
        body=body,
    )


def fetch_fields(record: FeedFetch) -> dict[str, object]:
    return {f.name: getattr(record, f.name) for f in fields(FeedFetch)}


def test_a_failed_download_hands_on_every_field_of_the_fetch() -> None:
    got = download(FetchStatus.TEMPORARY)
    poll = poll_from_download(got, FeedState(feed_id=7, url=got.url))
    assert isinstance(poll, FeedPoll)
    assert fetch_fields(poll) == fetch_fields(got)


def test_a_parsed_download_keeps_the_fetch_and_adds_the_entries() -> None:
    got = download(FetchStatus.OK, RSS)
    poll = poll_from_download(got, FeedState(feed_id=7, url=got.url))
    assert fetch_fields(poll) == fetch_fields(got)
    assert [e.guid for e in poll.entries] == ["a"]
    assert poll.body_hash is not None
