"""Sitemaps as a source on real PostgreSQL and a local site: discovery through robots.txt, an
index and a news sitemap into the page queue under their feed, re-reading only what changed,
the date window, and hostile sitemaps (another host, a gzip bomb, not XML)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from newsdesk.config import PROJECT_DIR, HttpSettings, Settings
from newsdesk.fetch import Fetcher
from newsdesk.models import Feed
from newsdesk.pipeline.articles import fetch_and_store_pages
from newsdesk.pipeline.sitemaps import read_sitemaps
from newsdesk.sample import SampleSite
from newsdesk.store.db import connect
from newsdesk.store.feeds import sync_feeds
from newsdesk.store.sitemaps import sync_sitemaps

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
SAMPLE = PROJECT_DIR / "seeds" / "sample" / "site"


def _settings(site: SampleSite) -> Settings:
    host_port = site.base_url.split("//", 1)[1]
    http = HttpSettings(allow_private=(host_port,), per_host_delay_s=0.0, per_host_concurrency=4)
    return Settings(http=http)


def _rows(url: str, query: str) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query).fetchall()


def _read(url: str, site: SampleSite, feeds: list[Feed], now: datetime = NOW) -> dict[str, int]:
    settings = _settings(site)
    with connect(url) as conn, Fetcher(settings.http) as fetcher:
        sync_feeds(conn, feeds)
        sync_sitemaps(conn, feeds)
        conn.commit()
        return read_sitemaps(conn, fetcher, settings, now=now)


def test_sample_site_sitemaps_queue_the_articles_under_their_feed(clean_db: str) -> None:
    with SampleSite(SAMPLE) as site:
        feed = Feed(f"{site.base_url}/feeds/binnenland.xml", "Binnenland", sitemap="auto")
        counts = _read(clean_db, site, [feed])
        # robots.txt names the index; the index names the news sitemap; it lists 16 articles
        assert counts["sitemaps_read"] == 2 and counts["urls_listed"] == 16 and counts["urls_new"] == 16
        pages = _rows(
            clean_db,
            """SELECT p.url, p.source, p.feed_published_at, fe.title, f.url AS feed
                 FROM pages p JOIN feed_entries fe USING (page_id) JOIN feeds f ON f.feed_id = p.feed_id""",
        )
        assert len(pages) == 16 and {p["feed"] for p in pages} == {feed.url}
        assert all(p["source"] == "sitemap" for p in pages)
        seed = next(p for p in pages if "coalitie-vredesplan-oekraine" in p["url"])
        assert seed["title"] == "Europese coalitie gaat eigen vredesplan voor Oekraïne opstellen"
        assert seed["feed_published_at"] == datetime(2025, 3, 2, 18, 45, tzinfo=UTC)
        state = _rows(clean_db, "SELECT url, kind, status, parent_id IS NULL AS root FROM sitemaps ORDER BY url")
        assert [(s["kind"], s["status"], s["root"]) for s in state] == [("urlset", "ok", False), ("index", "ok", True)]

        # Not due again within the hour; after it, the index says its child did not change.
        assert _read(clean_db, site, [feed], NOW + timedelta(minutes=30)) == {}
        again = _read(clean_db, site, [feed], NOW + timedelta(hours=2))
        assert again["sitemaps_read"] == 1 and again["children_unchanged"] == 1 and "urls_new" not in again

        # The queued pages are fetched like feed entries and become articles of that feed.
        settings = _settings(site)
        with connect(clean_db) as conn, Fetcher(settings.http) as fetcher:
            stored = fetch_and_store_pages(conn, fetcher, settings, now=NOW + timedelta(hours=2))
        assert stored.new + stored.duplicates >= 14
        sources = _rows(clean_db, "SELECT count(*) AS n FROM article_sources WHERE entry_guid LIKE 'sitemap:%'")
        assert sources[0]["n"] == stored.new + stored.duplicates + stored.changed + stored.unchanged


def test_date_window_and_declared_url(clean_db: str) -> None:
    with SampleSite(SAMPLE) as site:
        feed = Feed(
            f"{site.base_url}/feeds/politiek.atom",
            "Politiek",
            sitemap=f"{site.base_url}/sitemap-news.xml",
            sitemap_since=datetime(2025, 3, 5, tzinfo=UTC),
            sitemap_until=datetime(2025, 3, 7, tzinfo=UTC),
        )
        counts = _read(clean_db, site, [feed])
    published = [p["feed_published_at"] for p in _rows(clean_db, "SELECT feed_published_at FROM pages")]
    assert counts["urls_new"] == len(published) > 0
    assert all(datetime(2025, 3, 5, tzinfo=UTC) <= d < datetime(2025, 3, 7, tzinfo=UTC) for d in published)
    assert counts["skipped_outside_window"] + counts.get("skipped_undated", 0) == 16 - len(published)


def test_hostile_sitemaps_are_recorded_and_nothing_foreign_is_queued(clean_db: str, tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text(
        "User-agent: *\nAllow: /\nSitemap: {{BASE_URL}}/index.xml\nSitemap: https://elders.example/s.xml\n"
    )
    (tmp_path / "index.xml").write_text(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>{{BASE_URL}}/foreign.xml</loc></sitemap>"
        "<sitemap><loc>{{BASE_URL}}/bomb.xml.gz</loc></sitemap>"
        "<sitemap><loc>{{BASE_URL}}/page.html</loc></sitemap>"
        "<sitemap><loc>{{BASE_URL}}/missing.xml</loc></sitemap>"
        "<sitemap><loc>https://169.254.169.254/latest/sitemap.xml</loc></sitemap>"
        "</sitemapindex>"
    )
    (tmp_path / "foreign.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://elders.example/a.html</loc></url><url><loc>{{BASE_URL}}/own.html</loc></url></urlset>"
    )
    (tmp_path / "bomb.xml.gz").write_bytes(gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>"))
    (tmp_path / "page.html").write_text("<html><body>Geen sitemap</body></html>")
    with SampleSite(tmp_path) as site:
        feed = Feed(f"{site.base_url}/feed.xml", "Vijandig", sitemap="auto")
        counts = _read(clean_db, site, [feed])
    assert counts["skipped_other_host"] == 2  # the metadata address in the index and elders.example
    assert counts["urls_new"] == 1
    assert [p["url"] for p in _rows(clean_db, "SELECT url FROM pages")] == [f"{site.base_url}/own.html"]
    failed = {
        r["url"].rsplit("/", 1)[1]: (r["status"], r["reason"])
        for r in _rows(clean_db, "SELECT url, status, reason FROM sitemaps WHERE status <> 'ok'")
    }
    assert failed["bomb.xml.gz"][0] in ("not_a_sitemap", "soft")  # refused: a decompression bomb
    assert failed["page.html"] == ("not_a_sitemap", "not a sitemap: the document is <html>")
    assert failed["missing.xml"][0] == "hard" and "404" in (failed["missing.xml"][1] or "")


def _index(tmp_path: Path, children: list[str]) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: {{BASE_URL}}/index.xml\n")
    entries = "".join(
        f"<sitemap><loc>{{{{BASE_URL}}}}/{name}</loc><lastmod>2025-03-31</lastmod></sitemap>" for name in children
    )
    (tmp_path / "index.xml").write_text(
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def _urlset(path: Path, *pages: str) -> None:
    urls = "".join(f"<url><loc>{{{{BASE_URL}}}}/{page}</loc></url>" for page in pages)
    path.write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def test_a_child_that_failed_is_read_again_though_the_index_did_not_change(clean_db: str, tmp_path: Path) -> None:
    _index(tmp_path, ["a.xml"])
    with SampleSite(tmp_path) as site:
        feed = Feed(f"{site.base_url}/feed.xml", "F", sitemap="auto")
        first = _read(clean_db, site, [feed])
        assert first["failed"] == 1 and "urls_new" not in first  # a.xml is not there yet
        _urlset(tmp_path / "a.xml", "één.html", "twee.html")
        again = _read(clean_db, site, [feed], NOW + timedelta(hours=2))
    assert again["urls_new"] == 2 and "children_unchanged" not in again


def test_children_over_the_cap_are_read_at_the_next_reading(
    clean_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsdesk.pipeline.sitemaps as pipeline_sitemaps

    monkeypatch.setattr(pipeline_sitemaps, "MAX_CHILDREN", 1)
    _index(tmp_path, ["a.xml", "b.xml"])
    _urlset(tmp_path / "a.xml", "a.html")
    _urlset(tmp_path / "b.xml", "b.html")
    with SampleSite(tmp_path) as site:
        feed = Feed(f"{site.base_url}/feed.xml", "F", sitemap="auto")
        first = _read(clean_db, site, [feed])
        second = _read(clean_db, site, [feed], NOW + timedelta(hours=2))
    assert (first["urls_new"], first["children_left_for_later"]) == (1, 1)
    assert second["urls_new"] == 1 and second["children_unchanged"] == 1
    assert len(_rows(clean_db, "SELECT url FROM pages")) == 2
