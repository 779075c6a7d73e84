"""A page whose store deadlocks with another writer while its batch is open.

Two shards store the same two stories in opposite order: this batch holds story Y and waits for
story X, which the other shard holds while it waits for Y. PostgreSQL aborts one of them. Tried
again at once inside the batch, the page would wait for X while the batch still holds Y, and
deadlock again; it is put off and stored once the batch has committed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime

from newsdesk.config import Settings
from newsdesk.models import Article, ArticleStatus, FetchStatus, PageFetch
from newsdesk.pipeline.articles import PUT_OFF, store_fetched
from newsdesk.store.articles import store_article
from newsdesk.store.db import Conn, connect
from newsdesk.store.pages import PageTodo
from tests.conftest import one

NOW = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)
SITE = "https://nieuws.example"


def _page(conn: Conn, url: str) -> int:
    return one(conn.execute("INSERT INTO pages (url) VALUES (%s) RETURNING page_id", (url,)))["page_id"]


def _article(url: str) -> Article:
    text = f"Het verhaal achter {url}, zoals het op de site staat."
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Article(url=url, status=ArticleStatus.OK, title="Titel", language="nl", text=text, content_hash=digest)


def _fetched(url: str) -> PageFetch:
    return PageFetch(url=url, status=FetchStatus.OK, final_url=url, http_status=200, body=b"<html></html>")


def _other_shard_stores(other: Conn, page_id: int, story: str) -> None:
    """The other shard stores ``story`` from a page of its own, in its open transaction."""
    store_article(
        other, page_id=page_id, article=_article(story), canonical_url=story, bands=[], duplicate_of=None, now=NOW
    )


def test_a_page_that_deadlocks_inside_its_batch_is_stored_after_the_batch_commits(clean_db: str) -> None:
    settings = Settings()
    with connect(clean_db) as batch, connect(clean_db) as other:
        pages = {name: _page(batch, f"{SITE}/{name}") for name in ("y", "x", "other-x", "other-y")}
        batch.commit()
        # This worker waits first, so PostgreSQL's deadlock check picks it, not the other one.
        batch.execute("SET deadlock_timeout = '200ms'")
        other.execute("SET deadlock_timeout = '10s'")
        # The other shard has stored story X and not committed yet.
        _other_shard_stores(other, pages["other-x"], f"{SITE}/x")
        later: list = []
        outcomes: list[str] = []
        with batch.transaction():  # the batch
            y = PageTodo(pages["y"], f"{SITE}/y", 0, None, None)
            got = store_fetched(batch, y, _fetched(y.url), settings, now=NOW, article=_article(y.url), later=later)
            outcomes.append(got)

            def other_takes_y() -> None:  # the other shard goes on to story Y, held by this batch
                time.sleep(0.1)
                _other_shard_stores(other, pages["other-y"], f"{SITE}/y")

            thread = threading.Thread(target=other_takes_y)
            thread.start()
            x = PageTodo(pages["x"], f"{SITE}/x", 0, None, None)
            got = store_fetched(batch, x, _fetched(x.url), settings, now=NOW, article=_article(x.url), later=later)
            outcomes.append(got)
        batch.commit()
        thread.join(timeout=30)
        assert not thread.is_alive()
        other.commit()
        assert outcomes == ["new", PUT_OFF]  # story X met the other writer: put off, not deferred
        assert [todo.page_id for todo, _, _ in later] == [pages["x"]]
        status = one(batch.execute("SELECT status, reason FROM pages WHERE page_id = %s", (pages["x"],)))
        assert status["status"] == "pending" and status["reason"] is None
        # after the batch's commit its locks are gone: stored again, it joins the other shard's article
        todo, fetched, article = later[0]
        assert store_fetched(batch, todo, fetched, settings, now=NOW, article=article) == "unchanged"
        batch.commit()
        rows = batch.execute(
            "SELECT a.canonical_url, count(*) AS pages FROM pages p JOIN articles a USING (article_id) "
            "GROUP BY a.canonical_url ORDER BY 1"
        ).fetchall()
        assert [(r["canonical_url"], r["pages"]) for r in rows] == [(f"{SITE}/x", 2), (f"{SITE}/y", 2)]
