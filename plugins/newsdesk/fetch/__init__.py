"""fetch stage: bounded, polite, SSRF-guarded HTTP downloads of feeds and pages."""

from newsdesk.fetch.fetcher import CUT_OFF, Fetcher, body_hash

__all__ = ["CUT_OFF", "Fetcher", "body_hash"]
