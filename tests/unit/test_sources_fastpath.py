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
        b'<!DOCTYPE rss [<!ENTITY e "x">]><rss version="2.0"><channel><item><title>&e;</title></item>'
        b"</channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://b.nl/"><entry><id>1</id></entry></feed>',
    ],
)
def test_fast_path_steps_aside(body):
    assert fast_parse(body, URL, None) is None


def test_charset_disagreement_goes_to_feedparser():
    body = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel/></rss>'
    assert fast_parse(body, URL, "text/xml; charset=windows-1252") is None
    assert fast_parse(body, URL, "text/xml; charset=UTF-8") is not None
