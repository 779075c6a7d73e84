"""robots.txt rules per origin, fetched once and cached for the Fetcher's lifetime.

RFC 9309 semantics: a 4xx robots.txt means no rules (allow all); 5xx, a timeout or a network
failure means "unreachable": disallow for now and ask again after ``UNREACHABLE_RETRY_S``. A host
the download policy refuses (the SSRF guard: a private or metadata address) is no robots.txt
question at all: its pages are blocked, with the guard's reason.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from newsdesk.models import FetchStatus

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
UNREACHABLE_RETRY_S = 600
CACHE_TTL_S = 24 * 3600


@dataclass(slots=True)
class RobotsRules:
    parser: RobotFileParser | None  # None: no rules, everything allowed
    unreachable: str | None  # reason the rules could not be read (temporary disallow)
    expires: float
    refused: str | None = None  # the host itself may not be reached (the download policy's reason)

    def verdict(self, agent: str, url: str) -> tuple[FetchStatus | None, str | None]:
        """(None, None) when allowed; otherwise the status and reason for the page."""
        if self.refused:
            return FetchStatus.BLOCKED, self.refused
        if self.unreachable:
            return FetchStatus.TEMPORARY, f"robots.txt unavailable ({self.unreachable}); not fetching for now"
        if self.parser is not None and not self.parser.can_fetch(agent, url):
            return FetchStatus.BLOCKED, "disallowed by robots.txt"
        return None, None

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        try:
            delay = self.parser.crawl_delay(agent)
        except (ValueError, TypeError):
            return None
        return float(delay) if delay is not None else None


def rules_from_response(
    status: FetchStatus, http_status: int | None, body: bytes, error: str | None, *, same_origin: bool = True
) -> RobotsRules:
    """The rules of an origin from its robots.txt response; ``same_origin``: the response (or the
    refusal) concerns the origin itself, not a redirect target."""
    now = time.monotonic()
    if status is FetchStatus.BLOCKED and same_origin:
        return RobotsRules(None, None, now + CACHE_TTL_S, refused=error or "refused by the download policy")
    if status is FetchStatus.OK:
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", "replace").splitlines())
        return RobotsRules(parser, None, now + CACHE_TTL_S)
    if http_status is not None and 400 <= http_status < 500 and http_status != 429:
        return RobotsRules(None, None, now + CACHE_TTL_S)
    if status is FetchStatus.HARD and error and "redirect" in error:
        return RobotsRules(None, None, now + CACHE_TTL_S)  # RFC 9309: too many redirects = unavailable
    reason = error or (f"HTTP {http_status}" if http_status else status.value)
    return RobotsRules(None, reason, now + UNREACHABLE_RETRY_S)
