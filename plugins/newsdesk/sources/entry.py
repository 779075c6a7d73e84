"""One feed entry from raw fields, whichever parser read them (the fast lxml path or feedparser):
links made absolute, text cleaned and bounded, a guid for entries without one."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from newsdesk.models import FeedEntry
from newsdesk.sources.text import clean_language, clean_text, clean_token
from newsdesk.sources.urls import canonicalize_url

TITLE_LIMIT = 1_000
SUMMARY_LIMIT = 5_000  # a summary is a teaser; full content belongs to the article fetch
GUID_LIMIT = 512  # longer ids are hashed: PostgreSQL btree keys must stay well under 2.7 kB


def _fallback_guid(link: str | None, title: str | None, summary: str | None) -> str | None:
    if link:
        return canonicalize_url(link)
    if title or summary:
        digest = hashlib.sha256(f"{title or ''}\n{link or ''}\n{summary or ''}".encode()).hexdigest()
        return f"sha256:{digest[:40]}"
    return None


def _bounded_guid(guid: str) -> str:
    if len(guid) <= GUID_LIMIT:
        return guid
    return "sha256:" + hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()


# An absolute http(s) URL that urljoin would hand back unchanged whatever the (valid) base:
# a host without brackets, no params (";" in the path), no empty "?" or "#", no tab or line
# break (urlsplit deletes those). Most feed links are; they skip urljoin's parsing.
_PLAIN_ABSOLUTE = re.compile(r"https?://[^/?#;\[\]\t\r\n]+(?:/[^?#;\t\r\n]*)?(?:\?[^#\t\r\n]+)?(?:#[^\t\r\n]+)?")


def is_plain_absolute(link: str) -> bool:
    """True if ``urljoin(base, link) == link`` for any valid http(s) base (a fast-path test)."""
    return link.isascii() and _PLAIN_ABSOLUTE.fullmatch(link) is not None


@functools.lru_cache(maxsize=1024)
def _valid_base(url: str) -> bool:
    try:
        urljoin(url, "x")
    except ValueError:
        return False
    return True


def _absolute(link: str | None, url: str) -> str | None:
    if not link:
        return None
    if is_plain_absolute(link) and _valid_base(url):
        return link
    try:
        return urljoin(url, link)
    except ValueError:
        return None


# Text that clean_text would return unchanged: words of characters that are neither markup,
# entity, control nor any whitespace, separated by single spaces. Most titles and author names.
_PLAIN_TEXT = re.compile(
    "[^<&\x00-\x1f\x7f\\s\u202a-\u202e\u2066-\u2069\ud800-\udfff]+"
    "(?: [^<&\x00-\x1f\x7f\\s\u202a-\u202e\u2066-\u2069\ud800-\udfff]+)*"
)


def _text(value: object, limit: int) -> str | None:
    """clean_text, with a fast path for text it would hand back unchanged."""
    if type(value) is str and len(value) <= limit and _PLAIN_TEXT.fullmatch(value):
        return value
    return clean_text(value, limit=limit)


@functools.lru_cache(maxsize=256)
def _cached_language(value: str) -> str | None:
    return clean_language(value)


def _language(value: object) -> str | None:
    """clean_language, remembered: a feed repeats its language on every entry."""
    return _cached_language(value) if type(value) is str else clean_language(value)


def make_entry(
    *,
    url: str,
    guid: object,
    link: object,
    title: object,
    summary: object,
    authors: Iterable[object],
    published: Any,
    updated: Any,
    language: object,
) -> FeedEntry | None:
    """One normalised entry from raw fields; None when nothing identifies it."""
    clean_link = _absolute(clean_token(link), url)
    clean_title = _text(title, TITLE_LIMIT)
    clean_summary = _text(summary, SUMMARY_LIMIT)
    ident = clean_token(guid) or _fallback_guid(clean_link, clean_title, clean_summary)
    if ident is None:
        return None
    names: list[str] = []
    for author in authors:
        name = _text(author, 200)
        if name and name not in names:
            names.append(name)
    return FeedEntry(
        guid=_bounded_guid(ident),
        link=clean_link,
        title=clean_title,
        summary=clean_summary,
        authors=tuple(names),
        published=published,
        updated=updated,
        language=_language(language),
    )
