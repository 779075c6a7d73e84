"""The polling and retry policy as pure functions: when a feed is polled next (its adaptive
interval, backoff after failures, Retry-After, disabling), how long a page waits after a failure
and when it is given up. The store saves what these decide; nothing here reads a database or a
clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsdesk.config import PollSettings
from newsdesk.models import RETRYABLE_PAGE_STATUSES, FeedPoll, FetchStatus, PageStatus

SUCCESS = frozenset({FetchStatus.OK, FetchStatus.NOT_MODIFIED, FetchStatus.UNCHANGED})
# Failures that say "this URL is wrong" rather than "try again": they count towards disabling.
HARD_FAILURES = frozenset({FetchStatus.HARD, FetchStatus.BLOCKED})
RATE_SAMPLE = 20  # newest dated entries used to estimate a feed's publishing rate

# A page is retried at most a week after its last attempt, however often it failed.
PAGE_MAX_BACKOFF_S = 7 * 86400


def exponential_backoff(failures: int, *, base_s: float, cap_s: int, retry_after_s: int | None) -> int:
    """Seconds until the next attempt after ``failures`` consecutive failures (>= 1): ``base_s``
    doubled per failure after the first, at most ``cap_s``; a server's Retry-After is never
    undercut (up to the same cap, so a bogus value cannot park an item for good)."""
    delay = min(cap_s, base_s * 2 ** min(max(failures - 1, 0), 30))
    if retry_after_s is not None and retry_after_s > 0:
        delay = max(delay, min(retry_after_s, cap_s))
    return int(delay)


@dataclass(frozen=True, slots=True)
class PageRetry:
    status: PageStatus  # the status to save: the failure's, or gave_up
    delay_s: int  # until the next attempt


def page_failure(status: PageStatus, *, attempts: int, retry_after_s: int | None, policy: PollSettings) -> PageRetry:
    """A page's failure after ``attempts`` earlier attempts: retried later with backoff, or given
    up once a retryable failure has used ``page_max_attempts``. A status that is not retryable
    (blocked, not an article) keeps the same schedule, which only a changed page would use."""
    failures = attempts + 1
    if status in RETRYABLE_PAGE_STATUSES and failures >= policy.page_max_attempts:
        status = PageStatus.GAVE_UP
    delay = exponential_backoff(
        failures, base_s=policy.page_retry_s, cap_s=PAGE_MAX_BACKOFF_S, retry_after_s=retry_after_s
    )
    return PageRetry(status, delay)


# --- feeds ---------------------------------------------------------------------------------------


def _clamp(value: float, policy: PollSettings) -> int:
    return int(min(max(value, policy.min_interval_s), policy.max_interval_s))


def adaptive_interval(
    previous_s: int,
    *,
    new_entries: int,
    entry_times: Sequence[datetime],
    now: datetime,
    policy: PollSettings,
) -> int:
    """The next poll interval of a feed without a configured one, within the policy's bounds.

    With new entries, the interval is the feed's observed mean gap between its newest dated
    entries (so a poll finds about one new item); undated feeds halve the interval instead.
    Without new entries (including 304 and unchanged bodies) the interval grows by half, so a
    feed that went quiet is polled less and less often, down to ``max_interval_s``.
    """
    if new_entries <= 0:
        return _clamp(previous_s * 1.5, policy)
    horizon = now + timedelta(hours=1)  # entries dated in the future are publisher clock errors
    dated = sorted((t for t in entry_times if t <= horizon), reverse=True)[:RATE_SAMPLE]
    if len(dated) >= 2:
        span = (dated[0] - dated[-1]).total_seconds()
        if span > 0:
            return _clamp(span / (len(dated) - 1), policy)
    return _clamp(previous_s / 2, policy)


def backoff_delay(failures: int, *, interval_s: int, retry_after_s: int | None, policy: PollSettings) -> int:
    """Seconds until the next attempt after ``failures`` consecutive failures (>= 1).

    Exponential from the feed's normal interval, capped at ``max_backoff_s``; a server's
    Retry-After is never undercut (up to the same cap, so a bogus value cannot park a feed).
    """
    base = max(interval_s, policy.min_interval_s)
    return exponential_backoff(failures, base_s=base, cap_s=policy.max_backoff_s, retry_after_s=retry_after_s)


@dataclass(frozen=True, slots=True)
class FeedRow:
    """The part of a feeds row the policy reads."""

    poll_interval_s: int
    configured_interval_s: int | None
    consecutive_failures: int
    consecutive_hard_failures: int
    etag: str | None
    last_modified: str | None
    last_body_hash: str | None
    last_new_entry_at: datetime | None


@dataclass(frozen=True, slots=True)
class Decision:
    """The feed's state after a poll."""

    poll_interval_s: int
    next_poll_at: datetime
    consecutive_failures: int
    consecutive_hard_failures: int
    etag: str | None
    last_modified: str | None
    last_body_hash: str | None
    success: bool
    disabled_reason: str | None


def decide(row: FeedRow, poll: FeedPoll, *, new_entries: int, now: datetime, policy: PollSettings) -> Decision:
    """Apply the polling policy to one poll outcome."""
    if poll.status in SUCCESS:
        if row.configured_interval_s:
            interval = row.configured_interval_s  # the feeds file wins over the adaptive schedule
        else:
            times = [t for e in poll.entries if (t := e.published or e.updated) is not None]
            interval = adaptive_interval(
                row.poll_interval_s,
                new_entries=new_entries,
                entry_times=times,
                now=now,
                policy=policy,
            )
        fresh_body = poll.status is not FetchStatus.NOT_MODIFIED
        return Decision(
            poll_interval_s=interval,
            next_poll_at=now + timedelta(seconds=interval),
            consecutive_failures=0,
            consecutive_hard_failures=0,
            # a 200 replaces the validators (a server may stop sending them); a 304 may omit them
            etag=poll.etag if fresh_body else (poll.etag or row.etag),
            last_modified=poll.last_modified if fresh_body else (poll.last_modified or row.last_modified),
            last_body_hash=(poll.body_hash or row.last_body_hash) if fresh_body else row.last_body_hash,
            success=True,
            disabled_reason=None,
        )
    failures = row.consecutive_failures + 1
    # Temporary and soft trouble neither counts towards disabling nor resets the hard count.
    hard = row.consecutive_hard_failures + (1 if poll.status in HARD_FAILURES else 0)
    reason = None
    if poll.status is FetchStatus.HARD and poll.http_status == 410:
        reason = "410 Gone: the feed was removed permanently"
    elif poll.status in HARD_FAILURES and hard >= policy.disable_after_failures:
        reason = f"{hard} consecutive hard failures; last: {poll.error or poll.status.value}"[:500]
    delay = backoff_delay(failures, interval_s=row.poll_interval_s, retry_after_s=poll.retry_after_s, policy=policy)
    return Decision(
        poll_interval_s=row.poll_interval_s,
        next_poll_at=now + timedelta(seconds=delay),
        consecutive_failures=failures,
        consecutive_hard_failures=hard,
        # validators and hash stay: a failed poll says nothing about the last good body
        etag=row.etag,
        last_modified=row.last_modified,
        last_body_hash=row.last_body_hash,
        success=False,
        disabled_reason=reason,
    )
