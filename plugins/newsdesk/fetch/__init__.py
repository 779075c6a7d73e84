"""fetch stage: bounded, polite, SSRF-guarded HTTP downloads of feeds and pages."""

from newsdesk.fetch.fetcher import Fetcher, body_hash

__all__ = ["Fetcher", "body_hash"]
