"""Articles: one row per canonical URL, versions on changed text, sources per feed entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.models import Article, ArticleStatus
from newsdesk.store.articles import duplicate_candidates, store_article
from newsdesk.store.db import Conn, connect
from tests.conftest import not_none, one

NOW = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)


def _page(conn: Conn, url: str, feeds: list[tuple[int, str]]) -> int:
    page_id = one(conn.execute("INSERT INTO pages (url) VALUES (%s) RETURNING page_id", (url,)))["page_id"]
    for feed_id, guid in feeds:
        conn.execute(
            "INSERT INTO feed_entries (feed_id, entry_guid, page_id, title) VALUES (%s, %s, %s, 'T')",
            (feed_id, guid, page_id),
        )
    return page_id


def _feed(conn: Conn, url: str) -> int:
    return one(conn.execute("INSERT INTO feeds (url, name) VALUES (%s, %s) RETURNING feed_id", (url, url)))["feed_id"]


def _article(text: str, url: str = "https://nieuws.example/a") -> Article:
    import hashlib

    return Article(
        url=url,
        status=ArticleStatus.OK,
        title="Titel",
        authors=("A", "B"),
        language="nl",
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        minhash=(1, 2, 3),
    )


def test_one_article_two_sources_and_versions(clean_db: str) -> None:
    with connect(clean_db) as conn:
        f1, f2 = _feed(conn, "https://a/feed"), _feed(conn, "https://b/feed")
        page = _page(conn, "https://nieuws.example/a", [(f1, "g1"), (f2, "g2")])
        conn.commit()
        first = store_article(
            conn,
            page_id=page,
            article=_article("Eerste tekst."),
            canonical_url="https://nieuws.example/a",
            bands=[11, 12],
            duplicate_of=None,
            now=NOW,
            raw_html=b"<html>",
        )
        assert first.created and not first.changed
        again = store_article(
            conn,
            page_id=page,
            article=_article("Eerste tekst."),
            canonical_url="https://nieuws.example/a",
            bands=[11, 12],
            duplicate_of=None,
            now=NOW + timedelta(hours=1),
        )
        assert not again.created and not again.changed
        changed = store_article(
            conn,
            page_id=page,
            article=_article("Bijgewerkte tekst."),
            canonical_url="https://nieuws.example/a",
            bands=[13],
            duplicate_of=None,
            now=NOW + timedelta(days=1),
        )
        assert changed.changed and changed.article_id == first.article_id
        row = one(conn.execute("SELECT version, change_count, text, authors FROM articles"))
        assert (row["version"], row["change_count"], row["text"]) == (2, 1, "Bijgewerkte tekst.")
        assert row["authors"] == ["A", "B"]
        versions = conn.execute("SELECT version, text FROM article_versions ORDER BY version").fetchall()
        assert [v["text"] for v in versions] == ["Eerste tekst.", "Bijgewerkte tekst."]
        sources = conn.execute("SELECT feed_id FROM article_sources ORDER BY feed_id").fetchall()
        assert [s["feed_id"] for s in sources] == [f1, f2]
        bands = conn.execute("SELECT band FROM article_bands").fetchall()
        assert [b["band"] for b in bands] == [13]
        page_row = one(conn.execute("SELECT status, article_id, raw_html IS NOT NULL AS raw FROM pages"))
        assert page_row["status"] == "ok" and page_row["article_id"] == first.article_id


def test_duplicate_candidates_by_hash_and_band(clean_db: str) -> None:
    with connect(clean_db) as conn:
        page = _page(conn, "https://nieuws.example/a", [])
        stored = store_article(
            conn,
            page_id=page,
            article=_article("Zelfde tekst."),
            canonical_url="https://nieuws.example/a",
            bands=[42],
            duplicate_of=None,
            now=NOW,
        )
        art = _article("Zelfde tekst.")
        by_hash = duplicate_candidates(
            conn, content_hash=not_none(art.content_hash), bands=[], exclude_url="https://b/x"
        )
        by_band = duplicate_candidates(conn, content_hash="other", bands=[42], exclude_url="https://b/x")
        itself = duplicate_candidates(
            conn, content_hash=not_none(art.content_hash), bands=[42], exclude_url="https://nieuws.example/a"
        )
    assert [c.article_id for c in by_hash] == [stored.article_id]
    assert [c.article_id for c in by_band] == [stored.article_id]
    assert by_band[0].minhash == (1, 2, 3)
    assert itself == []


def test_near_duplicate_is_not_cut_off_by_chance_candidates(clean_db: str) -> None:
    """Sixty older articles share one band each by chance; the near-duplicate shares many."""
    bands = list(range(1000, 1064))
    with connect(clean_db) as conn:
        ids = [
            one(
                conn.execute(
                    """INSERT INTO articles (canonical_url, url, text, content_hash)
                   VALUES (%(u)s, %(u)s, 't', %(h)s) RETURNING article_id""",
                    {"u": f"https://toeval.example/{i}", "h": f"h{i}"},
                )
            )["article_id"]
            for i in range(61)
        ]
        chance, twin = ids[:60], ids[60]
        for i, article_id in enumerate(chance):
            conn.execute("INSERT INTO article_bands VALUES (%s, %s)", (bands[i % 64], article_id))
        for band in bands[:20]:
            conn.execute("INSERT INTO article_bands VALUES (%s, %s)", (band, twin))
        found = duplicate_candidates(conn, content_hash="other", bands=bands, exclude_url="https://new.example/")
        assert found[0].article_id == twin and len(found) == 50
        same_text = duplicate_candidates(conn, content_hash="h5", bands=bands, exclude_url="https://new.example/")
        assert same_text[0].article_id == chance[5]  # the same text comes before any band count
