"""Retry policy as pure functions: how long a feed or a page waits after a failure, and when a
page is given up. The store saves what these decide; nothing here reads a database or a clock.

(The feed-polling decisions — adaptive interval and ``decide`` — live in ``store.feeds`` beside
the row they read; they use ``exponential_backoff`` from here.)
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.config import PollSettings
from newsdesk.models import RETRYABLE_PAGE_STATUSES, PageStatus

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
