"""The sitemap reader: indexes, urlsets, Google News fields, gzip, and what it refuses."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.sources.sitemaps import SitemapError, entry_date, inflate, parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://www.krant.example/nieuws/1.html</loc><lastmod>2025-03-06</lastmod>
    <news:news><news:publication><news:name>Krant</news:name><news:language>nl</news:language></news:publication>
      <news:publication_date>2025-03-05T14:10:00+01:00</news:publication_date>
      <news:title>Kabinet &amp; Kamer akkoord</news:title><news:keywords>politiek, defensie</news:keywords>
    </news:news></url>
  <url><loc>/nieuws/2.html</loc><lastmod>2025-03-04T08:00:00Z</lastmod></url>
  <url><loc>https://elders.example/nieuws/3.html</loc></url>
  <url><loc>ftp://krant.example/4</loc></url>
  <url><lastmod>2025-03-04</lastmod></url>
</urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://krant.example/sitemap-2025-03.xml.gz</loc><lastmod>2025-03-31</lastmod></sitemap>
  <sitemap><loc>https://cdn.elders.example/sitemap.xml</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_gives_urls_with_their_evidence() -> None:
    sitemap = parse_sitemap(NEWS, url="https://krant.example/sitemap-news.xml")
    assert sitemap.kind == "urlset"
    first, second = sitemap.entries
    assert first.loc == "https://www.krant.example/nieuws/1.html"  # www. is the same site
    assert first.title == "Kabinet & Kamer akkoord" and first.keywords == ("politiek", "defensie")
    assert first.language == "nl"
    assert first.published == datetime(2025, 3, 5, 14, 10, tzinfo=timezone(timedelta(hours=1)))
    assert entry_date(first) == first.published  # the publication date before lastmod
    assert second.loc == "https://krant.example/nieuws/2.html"  # relative to the sitemap
    assert entry_date(second) == datetime(2025, 3, 4, 8, tzinfo=UTC)
    assert sitemap.skipped == {"other_host": 1, "not_http": 1, "no_loc": 1}


def test_index_lists_its_children_on_its_own_host_only() -> None:
    sitemap = parse_sitemap(gzip.compress(INDEX), url="https://krant.example/sitemap_index.xml")
    assert sitemap.kind == "index"
    assert [e.loc for e in sitemap.entries] == ["https://krant.example/sitemap-2025-03.xml.gz"]
    assert sitemap.entries[0].lastmod == datetime(2025, 3, 31, tzinfo=UTC)
    assert sitemap.skipped == {"other_host": 1}


def test_max_urls_bounds_a_sitemap() -> None:
    body = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + b"".join(b"<url><loc>https://krant.example/%d</loc></url>" % i for i in range(30))
        + b"</urlset>"
    )
    sitemap = parse_sitemap(body, url="https://krant.example/s.xml", max_urls=10)
    assert len(sitemap.entries) == 10 and sitemap.skipped == {"over_limit": 20}


def test_a_sitemap_cut_short_keeps_what_came_before() -> None:
    sitemap = parse_sitemap(NEWS[: NEWS.index(b"<url><loc>https://elders")], url="https://krant.example/s.xml")
    assert len(sitemap.entries) == 2 and sitemap.skipped["truncated"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Welkom</body></html>", "not a sitemap"),
        (b"Not Found", "not XML"),
        (b"", "not XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://k.example/&b;</loc></url></urlset>',
            "entity declarations",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url></urlset>',
            "entity declarations",
        ),
    ],
    ids=["html", "text", "empty", "xml-bomb", "external-entity"],
)
def test_what_is_not_a_sitemap_is_refused_with_a_reason(body: bytes, message: str) -> None:
    with pytest.raises(SitemapError, match=message):
        parse_sitemap(body, url="https://k.example/sitemap.xml")


def test_a_gzip_bomb_is_cut_off() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (8 * 1024 * 1024) + b"</urlset>")
    assert len(bomb) < 20_000
    with pytest.raises(SitemapError, match="decompression bomb"):
        inflate(bomb, max_bytes=1024 * 1024)
    with pytest.raises(SitemapError, match="broken gzip"):
        inflate(bomb[:12] + b"garbage" * 10 + bomb[82:])
