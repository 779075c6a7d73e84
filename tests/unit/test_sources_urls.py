"""canonicalize_url: one spelling per resource."""

from __future__ import annotations

import pytest

from newsdesk.sources import canonicalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://WWW.NOS.NL/artikel/1", "https://www.nos.nl/artikel/1"),
        ("https://nos.nl:443/a", "https://nos.nl/a"),
        ("http://nos.nl:80/a", "http://nos.nl/a"),
        ("http://nos.nl:8080/a", "http://nos.nl:8080/a"),
        ("https://nos.nl", "https://nos.nl/"),
        ("https://nos.nl/a#comments", "https://nos.nl/a"),
        ("https://nos.nl/a?utm_source=rss&utm_medium=feed", "https://nos.nl/a"),
        ("https://nos.nl/a?fbclid=1&gclid=2&id=7&UTM_Campaign=x", "https://nos.nl/a?id=7"),
        ("https://nos.nl/a?b=2&a=1&b=1", "https://nos.nl/a?a=1&b=2&b=1"),  # sorted, repeats keep order
        ("https://nos.nl/a?q=a+b&x=%2f", "https://nos.nl/a?q=a+b&x=%2F"),  # not re-encoded
        ("https://nos.nl/%7euser/./x/../y", "https://nos.nl/~user/y"),
        ("https://nos.nl./a", "https://nos.nl/a"),
        ("  https://nos.nl/a  ", "https://nos.nl/a"),
        ("https://nos.nl/a?", "https://nos.nl/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
    ],
)
def test_canonical_forms(raw, expected):
    assert canonicalize_url(raw) == expected


def test_relative_links_resolve_against_base():
    assert canonicalize_url("/artikel/2?utm_source=x", base="https://NOS.nl/feed") == "https://nos.nl/artikel/2"


def test_non_http_schemes_are_returned_unchanged():
    assert canonicalize_url(" mailto:redactie@nos.nl ") == "mailto:redactie@nos.nl"
    assert canonicalize_url("javascript:void(0)") == "javascript:void(0)"


def test_idempotent_and_unparseable():
    once = canonicalize_url("HTTPS://Nos.nl:443/a/?z=1&a=2&utm_term=q#f")
    assert canonicalize_url(once) == once
    assert canonicalize_url("http://[::1") == "http://[::1"  # invalid: left alone, no exception


def test_poll_canonical_links_equal_canonicalize_with_base():
    """The poller skips the second urljoin for plain absolute links: same canonical links."""
    from newsdesk.models import FeedEntry
    from newsdesk.pipeline.polling import _canonical_entries
    from newsdesk.sources.entry import _absolute

    base = "https://feeds.example/a/rss?x=1"
    raw = [
        "https://a.example/x?utm_source=rss&b=2&a=1",
        "https://a.example/x? ",
        "https://a.example/x#frag ",
        "HTTPS://A.EXAMPLE:443/./x/../y",
        "/rooted?fbclid=1",
        "relative",
        "mailto:a@b.example",
        "https://a.example/x;p",
        "https://[::1]/x",
        "",
    ]
    entries = [FeedEntry(guid=str(i), link=_absolute(link, base) or link or None) for i, link in enumerate(raw)]
    got = [e.link for e in _canonical_entries(entries, base)]
    want = []
    for e in entries:
        link = canonicalize_url(e.link, base=base) if e.link else None
        want.append(link if link and link.startswith(("http://", "https://")) else None)
    assert got == want


@pytest.mark.parametrize(
    "raw",
    [
        "https://nos.nl/artikel/1-a.html?id=7&utm_source=rss",
        "https://nos.nl",
        "https://nos.nl/a/./b/../c/.",
        "https://nos.nl/a/.hidden/b",
        "https://nos.nl/a/..",
        "http://a-b.c-d.example/x?b=1&&a=%7e&utm_medium=x#frag",
        "https://nos.nl/a?",
        "https://nos.nl/a?#x",
        "https://nos.nl/a?q=%2f&UTM_source=1",
        "https://nos.nl/a b",
        "https://nos.nl/a?x=1 2",
        "https://nos.nl/a#x y",
        "https://nos.nl/ümlaut?ä=1",
        "https://nos.nl/a;p=1?x",
        "https://1.2.3.4/a",
        "https://-nos.nl/a",
    ],
)
def test_simple_path_equals_general_path(raw):
    from newsdesk.sources.urls import _canonicalize

    assert canonicalize_url(raw) == _canonicalize(raw)
