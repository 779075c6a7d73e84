"""Backfill state: which archive files were read how far, and which archived record each page
came from. The caller commits; a file's progress is saved in the transaction that stores the
pages read before it, so a resumed backfill neither skips nor repeats a record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.types.json import Jsonb

from newsdesk.store.boundary import boundary, clean
from newsdesk.store.db import Conn


@dataclass(frozen=True, slots=True)
class FileState:
    file_id: int
    status: str  # running | done | failed
    next_offset: int  # where reading goes on
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class CapturedPage:
    page_id: int
    article_id: int | None  # the page is an article already (from a feed or an earlier backfill)


@boundary("starting a backfill file")
def open_file(conn: Conn, location: str, *, now: datetime, again: bool = False) -> FileState:
    """The file's row, created or taken up again: a running or failed file goes on from where it
    stopped; a finished one is left as it is unless ``again`` (then it is read from the start)."""
    row = conn.execute(
        """INSERT INTO backfill_files (location, started_at, updated_at) VALUES (%(loc)s, %(now)s, %(now)s)
           ON CONFLICT (location) DO UPDATE SET updated_at = EXCLUDED.updated_at
           RETURNING file_id, status, next_offset, counts""",
        {"loc": location, "now": now},
    ).fetchone()
    assert row is not None
    if row["status"] == "done" and not again:
        return FileState(row["file_id"], "done", row["next_offset"], dict(row["counts"]))
    if row["status"] == "done":  # again: from the start, a new pass
        conn.execute(
            """UPDATE backfill_files SET status = 'running', next_offset = 0, counts = '{}', reason = NULL,
                      passes = passes + 1, finished_at = NULL WHERE file_id = %s""",
            (row["file_id"],),
        )
        return FileState(row["file_id"], "running", 0, {})
    conn.execute("UPDATE backfill_files SET status = 'running' WHERE file_id = %s", (row["file_id"],))
    return FileState(row["file_id"], "running", row["next_offset"], dict(row["counts"]))


@boundary("saving backfill progress")
def save_progress(
    conn: Conn,
    file_id: int,
    *,
    next_offset: int,
    counts: dict[str, int],
    now: datetime,
    status: str = "running",
    reason: str | None = None,
) -> None:
    conn.execute(
        """UPDATE backfill_files
              SET next_offset = %(offset)s, counts = %(counts)s, updated_at = %(now)s, status = %(status)s,
                  reason = %(reason)s,
                  finished_at = CASE WHEN %(status)s = 'running' THEN NULL ELSE %(now)s END
            WHERE file_id = %(file)s""",
        {
            "file": file_id,
            "offset": next_offset,
            "counts": Jsonb(counts),
            "now": now,
            "status": status,
            "reason": (clean(reason) or "")[:2000] or None,
        },
    )


@boundary("looking up a page")
def known_article(conn: Conn, url: str) -> int | None:
    """The article a page URL already became, if any."""
    row = conn.execute("SELECT article_id FROM pages WHERE url = %s", (url,)).fetchone()
    return row["article_id"] if row else None


@boundary("recording an archived page")
def capture_page(
    conn: Conn,
    *,
    file_id: int,
    url: str,
    record_offset: int,
    record_id: str | None,
    captured_at: datetime | None,
    published_at: datetime | None,
    now: datetime,
) -> CapturedPage:
    """The page row for an archived record (created as source 'warc', never queued for a
    download), and the record's provenance."""
    row = conn.execute(
        """INSERT INTO pages (url, source, feed_published_at, first_seen_at, next_attempt_at)
           VALUES (%(url)s, 'warc', %(published)s, %(now)s, 'infinity')
           ON CONFLICT (url) DO UPDATE SET url = EXCLUDED.url
           RETURNING page_id, article_id""",
        {"url": clean(url), "published": published_at, "now": now},
    ).fetchone()
    assert row is not None
    conn.execute(
        """INSERT INTO warc_captures (file_id, record_offset, page_id, record_id, captured_at)
           VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
        (file_id, record_offset, row["page_id"], clean(record_id), captured_at),
    )
    return CapturedPage(row["page_id"], row["article_id"])


@boundary("parking an archived page")
def park_archived_page(conn: Conn, page_id: int) -> None:
    """An archived page that did not become an article is not downloaded instead: reading the
    file again retries it. (Pages a feed knows too stay in the feed's queue.)"""
    conn.execute("UPDATE pages SET next_attempt_at = 'infinity' WHERE page_id = %s AND source = 'warc'", (page_id,))
