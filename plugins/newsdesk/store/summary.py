"""Warehouse counts for the demo and ``newsdesk summary``."""

from __future__ import annotations

from newsdesk.store.db import Conn

_COUNTS = {
    "feeds": "SELECT count(*) FROM feeds",
    "feeds_polled": "SELECT count(DISTINCT feed_id) FROM feed_fetches",
    "feed_polls": "SELECT count(*) FROM feed_fetches",
    "pages_known": "SELECT count(*) FROM pages",
    "pages_not_articles": "SELECT count(*) FROM pages WHERE article_id IS NULL AND status <> 'pending'",
    "articles": "SELECT count(*) FROM articles",
    "article_sources": "SELECT count(*) FROM article_sources",
    "near_duplicates": "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL",
    "entities": "SELECT count(*) FROM entities",
    "mentions": "SELECT count(*) FROM mentions",
    "commitments": "SELECT count(*) FROM commitments",
}


def warehouse_summary(conn: Conn) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, query in _COUNTS.items():
        row = conn.execute(query).fetchone()
        assert row is not None  # an aggregate always returns a row
        out[name] = int(next(iter(row.values())))
    return out
