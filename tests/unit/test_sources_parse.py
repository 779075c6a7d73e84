"""parse_feed on fixture feeds written for newsdesk: every format to the same FeedEntry shape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.sources import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
URL = "https://feed.example.nl/rss"


def parse(name: str, content_type: str | None = None):
    return parse_feed((FEEDS / name).read_bytes(), url=URL, content_type=content_type)


def test_rss091_latin1_relative_links_and_markup():
    feed = parse("rss091.xml")
    assert feed.error is None and feed.problem is None and feed.format == "rss091n"
    first, second = feed.entries
    assert first.guid == "https://gemeente.example.nl/nieuws/begroting"  # no guid: canonical link
    assert first.link.startswith("https://gemeente.example.nl/nieuws/begroting?utm_source=rss")
    assert second.link == "https://feed.example.nl/nieuws/fietsbrug"  # resolved against the feed URL
    assert second.summary == "De brug komt er vóór 2027."  # Latin-1 decoded, markup removed
    assert first.language == "nl"


def test_rss10_dc_fields():
    feed = parse("rss10.rdf", "application/rdf+xml")
    assert feed.format == "rss10" and feed.error is None
    motie = feed.entries[0]
    assert motie.authors == ("J. de Vries",)
    assert motie.published == datetime(2025, 3, 4, 9, 15, tzinfo=UTC)
    assert motie.published.tzinfo is UTC


def test_rss20_guids_dates_authors():
    feed = parse("rss20.xml", "application/rss+xml; charset=utf-8")
    assert feed.format == "rss20"
    by_title = {e.title: e for e in feed.entries}
    klimaat = by_title["Kabinet presenteert klimaatplan"]
    assert klimaat.guid == "nieuws-123"
    assert klimaat.summary == "Het kabinet wil in 2030 55 procent minder uitstoot."
    assert klimaat.published == datetime(2025, 3, 4, 13, 30, tzinfo=UTC)
    assert klimaat.authors == ("Anna Jansen",)
    assert klimaat.language == "nl-nl"
    minister = by_title["Minister: “We gaan dit oplossen”"]
    assert minister.summary == "Volledige tekst met link."  # content:encoded when no description
    assert minister.authors == ("Piet Bakker",)
    no_guid = by_title["Bericht zonder guid"]
    assert no_guid.guid == "https://nieuws.example.nl/artikel/125"  # tracking parameter not in the guid
    title_only = by_title["Alleen een titel"]
    assert title_only.link is None and title_only.guid.startswith("sha256:")


def test_atom03_and_atom10():
    old = parse("atom03.xml")
    assert old.format == "atom03"
    (entry,) = old.entries
    assert entry.guid == "tag:blog.example.nl,2004:1"
    assert entry.published == datetime(2004, 12, 13, 17, 30, 2, tzinfo=UTC)
    assert entry.updated == datetime(2004, 12, 14, 9, 0, tzinfo=UTC)
    new = parse("atom10.xml", "application/atom+xml")
    assert new.format == "atom10"
    ozb, english = new.entries
    assert ozb.title == "Gemeente verhoogt OZB"
    assert ozb.authors == ("Lisa de Boer", "Tom Smit")
    assert ozb.language == "nl"
    assert english.language == "en"
    assert english.link == "https://feed.example.nl/relative/item"
    assert english.summary == "Body"


def test_json_feed():
    feed = parse("feed.json", "application/feed+json")
    assert feed.format == "json11" and feed.error is None
    assert feed.problem == "1 items without id, url or title skipped"
    first, second, no_id, text_only = feed.entries
    assert first.guid == "1" and first.authors == ("Sara Visser",)
    assert first.summary == "Vanaf 2026 rijden er meer bussen."
    assert first.published == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    assert first.updated == datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert second.guid == "2" and second.language == "en" and second.authors == ("Redactie",)
    assert no_id.guid == "https://json.example.nl/artikel/3"
    assert text_only.link is None


def test_json_that_is_not_a_json_feed():
    result = parse_feed(b'{"hello": "world"}', url=URL, content_type="application/json")
    assert result.entries == () and "not a JSON Feed" in result.error
    assert "invalid JSON" in parse_feed(b"{not json", url=URL).error


def test_ill_formed_xml_recovers_entries_and_reports_problem():
    feed = parse("illformed.xml")
    assert feed.error is None
    assert "not well-formed" in feed.problem
    assert [e.guid for e in feed.entries] == ["kapot-1", "kapot-2"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("page.html", "HTML page"), ("empty.xml", "empty body"), ("binary.png", "binary content (PNG image)")],
)
def test_not_a_feed_is_an_error_without_entries(name, expected):
    result = parse(name, "text/html" if name.endswith("html") else None)
    assert result.entries == ()
    assert expected in result.error


def test_other_non_feeds():
    assert parse_feed(b"", url=URL).error == "empty body"
    assert "gzip" in parse_feed(b"\x1f\x8b\x08\x00garbage", url=URL).error
    assert "binary" in parse_feed(b"abc\x00\x01\x02" * 50, url=URL).error
    assert "not a recognised feed" in parse_feed(b"<note><to>x</to></note>", url=URL).error


def test_wrong_charset_header_is_corrected_and_recorded():
    feed = parse("wrong_charset.xml", "application/rss+xml; charset=ISO-8859-1")
    assert feed.entries[0].title == "Één café in Zoë’s straat"
    assert "contradicted by a valid UTF-8 body" in feed.problem


def test_nul_and_control_characters_are_removed():
    body = b'<rss version="2.0"><channel><item><title>a&#1;b</title><link>https://x.nl/1</link></item></channel></rss>'
    feed = parse_feed(body.replace(b"a&#1;b", b"a\x01b"), url=URL)
    assert all("\x01" not in (e.title or "") for e in feed.entries)


def test_long_guid_is_hashed():
    guid = "x" * 3000
    body = f'<rss version="2.0"><channel><item><guid>{guid}</guid><link>https://x.nl/1</link></item></channel></rss>'
    (entry,) = parse_feed(body.encode(), url=URL, content_type="application/rss+xml").entries
    assert entry.guid.startswith("sha256:") and len(entry.guid) < 100


# --- the urljoin fast path of make_entry ----------------------------------------------------------

TRICKY_LINKS = [
    "https://a.example/x",
    "http://a.example",
    "https://a.example/x?",
    "https://a.example/x#",
    "https://a.example/x?#",
    "https://a.example/x?a=1#",
    "https://a.example/x?a=1#f?g#h",
    "https://a.example/x;p",
    "https://a.example/x;p?q=1",
    "https://a.example/x?q=1;2",
    "https://a.example/a/../b/./c",
    "https://a.example//double//slash",
    "https://a.example/x y",
    "https://a.example/x\ty",
    "https://a.example/x\ny",
    "https://[::1]/x",
    "https://[::1/x",
    "https://a.example:99999/x",
    "https://a.example:abc/x",
    "https://user:pw@a.example/x",
    "https://bücher.example/x",
    "https://a.example/ü",
    "HTTPS://A.EXAMPLE/x",
    "http:///x",
    "http:/x",
    "http:x",
    "https:x",
    "//other.example/x",
    "/rooted?x=1",
    "relative/path",
    "?only=query",
    "#only-fragment",
    "mailto:a@b.example",
    "https://a.example?x",
    "https://a.example#f",
    "ftp://a.example/x",
]


@pytest.mark.parametrize("base", ["https://feeds.example/rss", "http://feeds.example/a/b/rss?x=1"])
def test_absolute_links_equal_urljoin(base):
    from urllib.parse import urljoin

    from newsdesk.sources.entry import _absolute

    for link in TRICKY_LINKS:
        try:
            want = urljoin(base, link)
        except ValueError:
            want = None
        assert _absolute(link, base) == want, link


def test_text_fast_path_equals_clean_text():
    import random

    from newsdesk.sources.entry import _text
    from newsdesk.sources.text import clean_text

    samples = [
        "Minister belooft actie",
        "Één café, één ‘quote’ — en meer",
        " leading",
        "trailing ",
        "double  space",
        "tab\there",
        "nbsp\xa0here",
        "line\u2028sep",
        "a < b",
        "AT&T",
        "ctrl\x07char",
        "del\x7fchar",
        "c1\x85next",
        "",
        " ",
        "x" * 1000,
        "x" * 1001,
        "<b>bold</b>",
        "&amp;",
        None,
        42,
    ]
    alphabet = ["a", "Z", " ", "  ", "\t", "\n", "\xa0", "<", ">", "&", ";", "é", "\x00", "\x1f", "\x85", "€"]
    rng = random.Random(7)
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for value in samples:
        for limit in (5, 1000):
            assert _text(value, limit) == clean_text(value, limit=limit), repr(value)


def test_language_cache_equals_clean_language():
    from newsdesk.sources.entry import _language
    from newsdesk.sources.text import clean_language

    for value in ["nl", "NL", "nl_NL", "en-US ", "bogus language", "", None, ["nl"], {"x": 1}, 5]:
        assert _language(value) == clean_language(value)
        assert _language(value) == clean_language(value)  # and again, from the cache


def test_a_reference_to_no_character_costs_only_that_character() -> None:
    """&#xD800; (a lone surrogate), &#0; or &#x110000; in one item: XML parsers refuse the whole
    document and feedparser's loose parser crashed; the reference becomes U+FFFD instead."""
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><guid>g1</guid><title>Kop &#xD800; en &#0; en &#x110000; en &#233;</title>"
        b"<link>https://x.example/1</link></item>"
        b"<item><guid>g2</guid><title>gewoon</title><link>https://x.example/2</link></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(rss, url="https://x.example/feed.xml", content_type="application/rss+xml")
    assert parsed.error is None
    assert [e.guid for e in parsed.entries] == ["g1", "g2"]
    assert parsed.entries[0].title == "Kop \ufffd en \ufffd en \ufffd en é"
    assert "3 character references" in (parsed.problem or "")


def test_json_feed_lone_surrogates_are_parsed_for_the_store_to_clean() -> None:
    import json

    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t\ud800",
            "items": [{"id": "a\ud800", "url": "https://x.example/a", "title": "Kop \ud800", "summary": "s\udfff"}],
        }
    ).encode()
    parsed = parse_feed(body, url="https://x.example/feed.json", content_type="application/feed+json")
    assert parsed.error is None and len(parsed.entries) == 1
    assert parsed.entries[0].link == "https://x.example/a"
