"""Compose the warehouse's upkeep: retention pruning and the daily feed-health report (each a
committed unit of work)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from newsdesk.config import Settings
from newsdesk.store import articles as article_store
from newsdesk.store import feeds as feed_store
from newsdesk.store import health as health_store
from newsdesk.store.db import Conn


def prune_raw_html(conn: Conn, settings: Settings, *, now: datetime) -> dict[str, int]:
    """Drop raw HTML older than ``raw_html_retention_days``; committed."""
    pruned = article_store.prune_raw_html(conn, older_than=now - timedelta(days=settings.raw_html_retention_days))
    conn.commit()
    return {"pruned": pruned}


def prune_fetch_log(conn: Conn, settings: Settings, *, now: datetime) -> dict[str, int]:
    """Delete fetch-log rows older than ``fetch_log_retention_days``; committed."""
    pruned = feed_store.prune_fetch_log(conn, older_than=now - timedelta(days=settings.fetch_log_retention_days))
    conn.commit()
    return {"pruned": pruned}


def feed_health_report(conn: Conn, day: date) -> list[health_store.FeedHealth]:
    """Write the day's feed-health report (dead, failing, silent, slow feeds); committed. Its rows."""
    rows = health_store.write_health_report(conn, day)
    conn.commit()
    return rows
