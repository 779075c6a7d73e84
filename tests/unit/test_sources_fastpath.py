"""The lxml fast path and feedparser give the same entries for every feed both can read."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from newsdesk.sources.fastparse import fast_parse
from newsdesk.sources.parse import _parse_with_feedparser

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
URL = "https://feed.example.nl/rss"


def _bench_feed() -> bytes:
    spec = importlib.util.spec_from_file_location("bench_poll", ROOT / "bench" / "poll.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.feed_body(7, 50)


CASES = {
    "rss091.xml": (FEEDS / "rss091.xml").read_bytes(),
    "rss10.rdf": (FEEDS / "rss10.rdf").read_bytes(),
    "rss20.xml": (FEEDS / "rss20.xml").read_bytes(),
    "atom10.xml": (FEEDS / "atom10.xml").read_bytes(),
    "bench": _bench_feed(),
    "permalink-guid": b'<rss version="2.0"><channel><item><guid>https://x.nl/a?utm_source=1</guid>'
    b'<title>t</title></item><item><guid isPermaLink="false">id-2</guid><title>u</title></item>'
    b"</channel></rss>",
    "xhtml-atom": b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title type="xhtml">'
    b'<div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> title</div></title>'
    b'<link rel="enclosure" href="https://x.nl/e.mp3"/><link href="https://x.nl/1"/>'
    b"<author><email>a@x.nl</email></author><updated>2025-01-02T03:04:05Z</updated></entry></feed>",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_matches_feedparser(name):
    body = CASES[name]
    assert fast_parse(body, URL, "application/xml") is not None, "the fast path should take this feed"
    fast = _parse_with_feedparser(body, URL, "application/xml")
    slow = _parse_with_feedparser(body, URL, "application/xml", fast=False)
    assert fast.entries == slow.entries
    assert fast.format == slow.format
    assert len(fast.entries) > 0


@pytest.mark.parametrize(
    "body",
    [
        (FEEDS / "illformed.xml").read_bytes(),
        (FEEDS / "atom03.xml").read_bytes(),
        b'<!DOCTYPE rss [<!ENTITY e "x">]><rss version="2.0"><channel><item><title>&e;</title></item></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://b.nl/"><entry><id>1</id></entry></feed>',
        # elements feedparser reads into title/summary/link that the fast path does not know
        b'<rss version="2.0"><channel><item><guid>g1</guid><body xmlns="http://www.w3.org/1999/xhtml">'
        b"<p>Tekst</p></body></item></channel></rss>",
        b'<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item><guid>g1</guid>'
        b'<media:content url="https://x.nl/f.jpg"><media:title>Foto</media:title></media:content>'
        b"</item></channel></rss>",
        b'<rss version="2.0"><channel><item><guid>g1</guid><category>c<image><title>t</title></image>'
        b"</category></item></channel></rss>",
        b'<rss version="2.0"><channel><item><link href="https://x.nl/a"/></item></channel></rss>',
        b'<rss version="2.0"><channel><item><summary>s</summary><description>d</description></item></channel></rss>',
        # an Atom entry without a link (feedparser takes a URL-like id), base64 content
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>https://x.nl/1</id></entry></feed>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><link href="https://x.nl/1"/>'
        b'<title type="text/plain" mode="base64">VGl0ZWw=</title></entry></feed>',
        # Windows-1252 punctuation declared as something else (feedparser repairs it)
        b'<rss version="2.0"><channel><item><guid>g1</guid><description>don&#146;t</description></item>'
        b"</channel></rss>",
    ],
)
def test_fast_path_steps_aside(body):
    assert fast_parse(body, URL, None) is None
    parsed = _parse_with_feedparser(body, URL, None)
    assert parsed.entries == _parse_with_feedparser(body, URL, None, fast=False).entries


def test_charset_disagreement_goes_to_feedparser():
    body = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel/></rss>'
    assert fast_parse(body, URL, "text/xml; charset=windows-1252") is None
    assert fast_parse(body, URL, "text/xml; charset=UTF-8") is not None


DATES = [
    "Tue, 04 Mar 2025 10:17:00 +0100",
    "Tue, 04 Mar 2025 10:17 +0100",
    "tue, 4 mar 2025 23:59:59 -0930",
    "04 Mar 2025 10:17:00 GMT",
    "Sat, 01 Jan 2000 00:00:00 UT",
    "Sat, 01 Jan 2000 00:00:00 UTC",
    "Sat, 01 Jan 2000 00:00:00 Z",
    "Mon, 31 Feb 2025 10:00:00 +0000",
    "Mon, 01 Jan 0001 00:30:00 +0100",
    "Fri, 31 Dec 9999 23:59:59 -1400",
    "Tue,04 Mar 2025 10:17:00 +0100",
    "Xyz, 04 Mar 2025 10:17:00 +0100",
    "Tue, 04 Foo 2025 10:17:00 +0100",
    "Tue, 04 Mar 25 10:17:00 +0100",
    "Tue, 04 Mar 2025 10:17:00 EST",
    "Tue, 04 Mar 2025 24:00:00 +0000",
    "2025-03-04T10:17:00+01:00",
    "2025-03-04T10:17:00.123456Z",
    "2025-03-04T10:17:00-05:30",
    "2025-02-30T10:17:00Z",
    "2025-03-04t10:17:00Z",
    "2025-03-04T10:17Z",
    "2025-03-04",
    "0001-01-01T00:00:00+01:00",
]


@pytest.mark.parametrize("text", DATES)
def test_fast_dates_match_feedparser(text):
    from feedparser.datetimes import _parse_date

    from newsdesk.sources.fastparse import _date
    from newsdesk.sources.text import struct_to_utc

    assert _date(text) == struct_to_utc(_parse_date(text))
