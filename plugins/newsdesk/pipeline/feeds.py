"""Compose sources → store for the feeds file: its feeds and their sitemaps into the warehouse
(one transaction), and the feed a manual poll names."""

from __future__ import annotations

from pathlib import Path

from newsdesk.errors import ConfigError
from newsdesk.sources import FeedsFile, read_feeds_file
from newsdesk.store import feeds as feed_store
from newsdesk.store import sitemaps as sitemap_store
from newsdesk.store.db import Conn


def sync_feeds_file(conn: Conn, path: Path) -> tuple[FeedsFile, dict[str, int]]:
    """Read the feeds file at ``path`` and make the feeds of its set, and the sitemaps they declare,
    follow it; committed. ConfigError for a file that is not valid."""
    feeds_file = read_feeds_file(path)
    counts = dict(
        feed_store.sync_feeds(conn, feeds_file.feeds, feed_set=feeds_file.feed_set, source=str(feeds_file.path))
    )
    counts.update(sitemap_store.sync_sitemaps(conn, feeds_file.feeds, feed_set=feeds_file.feed_set))
    conn.commit()
    return feeds_file, counts


def feed_to_poll(conn: Conn, name_or_url: str) -> int:
    """The id of the one enabled feed ``name_or_url`` names; ConfigError saying why otherwise."""
    found = feed_store.find_feeds(conn, name_or_url)
    conn.commit()
    if not found:
        raise ConfigError(f"no feed is named or at {name_or_url!r} (the Newsdesk page lists them)")
    if len(found) > 1:
        urls = ", ".join(f.url for f in found)
        raise ConfigError(f"{len(found)} feeds are named {name_or_url!r}: give the URL of one ({urls})")
    if not found[0].enabled:
        raise ConfigError(
            f"feed {found[0].name!r} is disabled ({found[0].disabled_reason or 'disabled'}); "
            "enable it in its feeds file first"
        )
    return found[0].feed_id
