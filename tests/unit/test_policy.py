"""The polling and retry policy: pure functions (newsdesk.policy), tested without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdesk.config import PollSettings
from newsdesk.models import FeedEntry, FeedPoll, FetchStatus
from newsdesk.policy import FeedRow, adaptive_interval, backoff_delay, decide

POLICY = PollSettings(
    min_interval_s=300,
    max_interval_s=6 * 3600,
    default_interval_s=900,
    max_backoff_s=24 * 3600,
    disable_after_failures=3,
)
NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def row(**changes: Any) -> FeedRow:
    base = FeedRow(
        poll_interval_s=900,
        configured_interval_s=None,
        consecutive_failures=0,
        consecutive_hard_failures=0,
        etag='"old"',
        last_modified="Mon, 03 Mar 2025 10:00:00 GMT",
        last_body_hash="h0",
        last_new_entry_at=None,
    )
    return replace(base, **changes)


def poll(status: FetchStatus, **changes) -> FeedPoll:
    return FeedPoll(feed_id=1, url="https://x.nl/rss", status=status, started_at=NOW, **changes)


def entries_every(minutes: int, count: int) -> tuple[FeedEntry, ...]:
    return tuple(
        FeedEntry(guid=str(i), link=f"https://x.nl/{i}", published=NOW - timedelta(minutes=minutes * i))
        for i in range(count)
    )


def test_adaptive_interval_follows_the_publishing_rate():
    times = [e.published for e in entries_every(40, 10)]
    assert adaptive_interval(900, new_entries=3, entry_times=times, now=NOW, policy=POLICY) == 40 * 60
    busy = [e.published for e in entries_every(1, 10)]
    assert adaptive_interval(900, new_entries=3, entry_times=busy, now=NOW, policy=POLICY) == 300  # floor
    slow = [e.published for e in entries_every(24 * 60, 10)]
    assert adaptive_interval(900, new_entries=1, entry_times=slow, now=NOW, policy=POLICY) == 6 * 3600  # ceiling


def test_adaptive_interval_without_dates_or_without_news():
    assert adaptive_interval(900, new_entries=2, entry_times=[], now=NOW, policy=POLICY) == 450
    assert adaptive_interval(900, new_entries=0, entry_times=[], now=NOW, policy=POLICY) == 1350
    assert adaptive_interval(20_000, new_entries=0, entry_times=[], now=NOW, policy=POLICY) == 6 * 3600
    future = [NOW + timedelta(days=3), NOW - timedelta(minutes=10), NOW - timedelta(minutes=30)]
    assert adaptive_interval(900, new_entries=1, entry_times=future, now=NOW, policy=POLICY) == 1200


def test_backoff_is_exponential_capped_and_respects_retry_after():
    assert [backoff_delay(n, interval_s=900, retry_after_s=None, policy=POLICY) for n in (1, 2, 3, 4)] == [
        900,
        1800,
        3600,
        7200,
    ]
    assert backoff_delay(40, interval_s=900, retry_after_s=None, policy=POLICY) == 24 * 3600
    assert backoff_delay(1, interval_s=60, retry_after_s=None, policy=POLICY) == 300  # never below the floor
    assert backoff_delay(1, interval_s=900, retry_after_s=7200, policy=POLICY) == 7200
    assert backoff_delay(4, interval_s=900, retry_after_s=60, policy=POLICY) == 7200  # not shortened
    assert backoff_delay(1, interval_s=900, retry_after_s=10**9, policy=POLICY) == 24 * 3600


def test_success_resets_failures_and_keeps_validators_right():
    ok = decide(
        row(consecutive_failures=4, consecutive_hard_failures=2),
        poll(FetchStatus.OK, etag='"new"', body_hash="h1", entries=entries_every(20, 5)),
        new_entries=5,
        now=NOW,
        policy=POLICY,
    )
    assert (ok.consecutive_failures, ok.consecutive_hard_failures, ok.success) == (0, 0, True)
    assert (ok.etag, ok.last_modified, ok.last_body_hash) == ('"new"', None, "h1")
    assert ok.poll_interval_s == 1200 and ok.next_poll_at == NOW + timedelta(seconds=1200)
    not_modified = decide(row(), poll(FetchStatus.NOT_MODIFIED, http_status=304), new_entries=0, now=NOW, policy=POLICY)
    assert (not_modified.etag, not_modified.last_body_hash) == ('"old"', "h0")
    assert not_modified.poll_interval_s == 1350


def test_configured_interval_wins():
    decision = decide(
        row(configured_interval_s=3600),
        poll(FetchStatus.OK, entries=entries_every(1, 10)),
        new_entries=10,
        now=NOW,
        policy=POLICY,
    )
    assert decision.poll_interval_s == 3600 and decision.next_poll_at == NOW + timedelta(hours=1)


def test_failures_back_off_and_hard_ones_disable():
    temporary = decide(
        row(consecutive_failures=1),
        poll(FetchStatus.TEMPORARY, retry_after_s=120),
        new_entries=0,
        now=NOW,
        policy=POLICY,
    )
    assert (temporary.consecutive_failures, temporary.consecutive_hard_failures) == (2, 0)
    assert temporary.next_poll_at == NOW + timedelta(seconds=1800)
    assert temporary.etag == '"old"' and temporary.disabled_reason is None
    hard = decide(
        row(consecutive_failures=5, consecutive_hard_failures=2),
        poll(FetchStatus.HARD, http_status=404, error="HTTP 404"),
        new_entries=0,
        now=NOW,
        policy=POLICY,
    )
    assert hard.disabled_reason == "3 consecutive hard failures; last: HTTP 404"
    soft = decide(
        row(consecutive_hard_failures=2),
        poll(FetchStatus.SOFT, error="HTML page"),
        new_entries=0,
        now=NOW,
        policy=POLICY,
    )
    assert soft.disabled_reason is None and soft.consecutive_hard_failures == 2
    gone = decide(row(), poll(FetchStatus.HARD, http_status=410), new_entries=0, now=NOW, policy=POLICY)
    assert gone.disabled_reason.startswith("410 Gone")
    blocked = decide(
        row(consecutive_hard_failures=2),
        poll(FetchStatus.BLOCKED, error="refused"),
        new_entries=0,
        now=NOW,
        policy=POLICY,
    )
    assert blocked.disabled_reason is not None


def test_page_failure_backs_off_and_gives_up_on_retryable_statuses_only() -> None:
    from newsdesk.models import PageStatus
    from newsdesk.policy import PAGE_MAX_BACKOFF_S, page_failure

    policy = PollSettings(page_retry_s=1800, page_max_attempts=4)
    delays = [page_failure(PageStatus.FETCH_FAILED, attempts=n, retry_after_s=None, policy=policy) for n in range(4)]
    assert [r.delay_s for r in delays] == [1800, 3600, 7200, 14400]
    assert [r.status for r in delays] == [PageStatus.FETCH_FAILED] * 3 + [PageStatus.GAVE_UP]
    # not retryable: never "gave up", whatever the count
    assert page_failure(PageStatus.BLOCKED, attempts=9, retry_after_s=None, policy=policy).status is PageStatus.BLOCKED
    # a server's Retry-After is honoured, up to the page's cap
    assert page_failure(PageStatus.FETCH_FAILED, attempts=0, retry_after_s=7200, policy=policy).delay_s == 7200
    assert page_failure(PageStatus.ERROR, attempts=0, retry_after_s=10**9, policy=policy).delay_s == PAGE_MAX_BACKOFF_S
    assert page_failure(PageStatus.ERROR, attempts=40, retry_after_s=None, policy=policy).delay_s == PAGE_MAX_BACKOFF_S
