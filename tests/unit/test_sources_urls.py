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
    assert (
        canonicalize_url("/artikel/2?utm_source=x", base="https://NOS.nl/feed") == "https://nos.nl/artikel/2"
    )


def test_non_http_schemes_are_returned_unchanged():
    assert canonicalize_url(" mailto:redactie@nos.nl ") == "mailto:redactie@nos.nl"
    assert canonicalize_url("javascript:void(0)") == "javascript:void(0)"


def test_idempotent_and_unparseable():
    once = canonicalize_url("HTTPS://Nos.nl:443/a/?z=1&a=2&utm_term=q#f")
    assert canonicalize_url(once) == once
    assert canonicalize_url("http://[::1") == "http://[::1"  # invalid: left alone, no exception
