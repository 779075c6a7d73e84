"""A page that fails once and is fetched on a later attempt must end up stored exactly as if it had
never failed: a transient fault may delay work, never change its result.

The sample's wire story is published by Het Dagblad at 13:40 and republished by Regio Courant at
15:02; the regional copy is a near-duplicate that must point at the original (``duplicate_of``).
Whichever of the two pages times out first, the stored links must be the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from faultkit import PROJECT_DIR

from newsdesk.config import HttpSettings, Settings
from newsdesk.fetch import Fetcher
from newsdesk.models import Feed
from newsdesk.pipeline.articles import fetch_and_store_pages
from newsdesk.pipeline.polling import poll_feeds
from newsdesk.sample import render
from newsdesk.store.feeds import due_feeds, sync_feeds

SITE = PROJECT_DIR / "seeds" / "sample" / "site"
PAGES = {
    "original": "/nieuws/2025/03/brussel-presenteert-defensieplan.html",
    "copy": "/regio/2025/03/europa-trekt-beurs-voor-defensie.html",
}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _fails_once(fs, body: bytes):
    """503 on the first request, the page on every later one."""
    calls = []

    def handler(conn, request):
        calls.append(request.path)
        status, payload = (503, b"busy") if len(calls) == 1 else (200, body)
        fs.respond(status, payload, HTML)(conn, request)

    return handler


@pytest.mark.parametrize("flaky", ["original", "copy"])
def test_a_transient_failure_does_not_decide_which_article_is_the_original(clean_db, fs, flaky) -> None:
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    with fs.FaultServer() as server:
        for name, path in PAGES.items():
            body = render((SITE / path.lstrip("/")).read_text(encoding="utf-8"), server.url("")).encode()
            server.route(path, _fails_once(fs, body) if name == flaky else fs.respond(200, body, HTML))
        items = "".join(f"<item><guid>{name}</guid><link>{server.url(p)}</link></item>" for name, p in PAGES.items())
        rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        feed = server.route("/feed.xml", fs.respond(200, rss.encode(), {"Content-Type": "application/rss+xml"}))
        http = HttpSettings(allow_private=(server.host_port,), per_host_delay_s=0.0, read_timeout_s=5.0)
        settings = Settings(http=http)
        with psycopg.connect(clean_db, row_factory=psycopg.rows.dict_row) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, [Feed(feed, "wire")])
            conn.commit()
            poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
            first = fetch_and_store_pages(conn, fetcher, settings, now=now)
            assert (first.failed, first.stored) == (1, 1)  # the flaky page is queued for a retry
            later = now + timedelta(seconds=settings.poll.page_retry_s + 1)
            second = fetch_and_store_pages(conn, fetcher, settings, now=later)
            assert (second.pages, second.stored) == (1, 1)
            links = conn.execute(
                """SELECT a.url AS article, o.url AS original
                     FROM articles a LEFT JOIN articles o ON o.article_id = a.duplicate_of ORDER BY a.url"""
            ).fetchall()
    # whichever page came late, the regional copy points at the earlier original
    assert [(r["article"], r["original"]) for r in links] == [
        (server.url(PAGES["original"]), None),
        (server.url(PAGES["copy"]), server.url(PAGES["original"])),
    ]
