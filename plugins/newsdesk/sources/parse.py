"""Feed bodies -> normalised FeedEntry records.

RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 go through feedparser, JSON Feed through our own reader
(feedparser does not read it). Whatever the input, the outcome is a ParsedFeed value: entries
that could be recovered plus a ``problem`` text for ill-formed input, or an ``error`` text
(and no entries) when the body is not a feed at all. Nothing here raises on bad input.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser

from newsdesk.models import FeedEntry
from newsdesk.sources.entry import make_entry
from newsdesk.sources.fastparse import fast_parse
from newsdesk.sources.text import CHARSET_PARAM, XML_ENCODING, iso_to_utc, struct_to_utc

log = logging.getLogger(__name__)


_BINARY_MAGIC = (
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "zip archive"),
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x00\x00\x01\x00", "icon"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
_FEED_ROOT = re.compile(rb"<(?:[a-z0-9_-]+:)?(?:rss|feed|rdf)\b", re.I)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html\b|head\b|body\b)", re.I)
_SINGLE_BYTE = re.compile(r"^(us-ascii|ascii|iso-?8859-\d+|latin-?\d|windows-125\d|cp125\d)$", re.I)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """Entries recovered from one body; ``problem`` for ill-formed input, ``error`` for non-feeds."""

    entries: tuple[FeedEntry, ...] = ()
    problem: str | None = None
    error: str | None = None
    format: str | None = None  # "rss20", "atom10", "json11" ...: feedparser's version names


def _sniff_binary(head: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    if b"\x00" in head[:1024] and not head.startswith(_BOMS):
        # UTF-16/32 XML without a BOM still starts with "<" padded by NULs
        if not head[:4].replace(b"\x00", b"").startswith(b"<"):
            return "binary data"
    return None


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset_fix(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """Correct a single-byte charset header contradicted by a valid UTF-8 body.

    A multi-byte UTF-8 sequence is very unlikely in genuine Latin-1 text, while servers that
    label every response ISO-8859-1 are common; the body wins and the override is recorded.
    """
    if not content_type:
        return content_type, None
    match = CHARSET_PARAM.search(content_type)
    if not match or not _SINGLE_BYTE.match(match.group(1)):
        return content_type, None
    declared = XML_ENCODING.match(body[:200])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return content_type, None
    if body.isascii():
        return content_type, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return content_type, None
    fixed = content_type[: match.start()] + "; charset=utf-8" + content_type[match.end() :]
    return fixed, f"charset header {match.group(1)} contradicted by a valid UTF-8 body; decoded as UTF-8"


# --- feedparser (RSS, Atom) -------------------------------------------------------------------


def _fp_authors(entry: Mapping[str, Any]) -> list[object]:
    found: list[object] = []
    for author in entry.get("authors") or ():
        if isinstance(author, Mapping):
            found.append(author.get("name") or author.get("email"))
    if not found and entry.get("author"):
        found.append(entry.get("author"))
    return found


def _fp_summary(entry: Mapping[str, Any]) -> object:
    if entry.get("summary"):
        return entry.get("summary")
    for content in entry.get("content") or ():
        if isinstance(content, Mapping) and content.get("value"):
            return content.get("value")
    return None


def _fp_entries(parsed: Any, url: str) -> tuple[list[FeedEntry], int]:
    feed_language = (parsed.get("feed") or {}).get("language")
    entries: list[FeedEntry] = []
    skipped = 0
    for raw in parsed.get("entries") or ():
        try:
            detail = raw.get("title_detail") or {}
            entry = make_entry(
                url=url,
                guid=raw.get("id"),
                link=raw.get("link"),
                title=raw.get("title"),
                summary=_fp_summary(raw),
                authors=_fp_authors(raw),
                # RSS 1.0's dc:date arrives as "updated": for a feed entry it is the publication date
                # dict.get: FeedParserDict.get maps missing keys onto each other (with a warning)
                published=struct_to_utc(
                    dict.get(raw, "published_parsed")
                    or dict.get(raw, "created_parsed")
                    or dict.get(raw, "updated_parsed")
                ),
                updated=struct_to_utc(dict.get(raw, "updated_parsed")),
                language=detail.get("language") or feed_language,
            )
        except Exception:  # feedparser hands back loosely typed data; one odd entry is skipped
            log.debug("skipping an unreadable entry in %s", url, exc_info=True)
            entry = None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return entries, skipped


def _parse_with_feedparser(body: bytes, url: str, content_type: str | None, *, fast: bool = True) -> ParsedFeed:
    content_type, charset_note = _charset_fix(body, content_type)
    if fast and charset_note is None:
        quick = fast_parse(body, url, content_type)
        if quick is not None:
            entries, fmt, skipped = quick
            problem = f"{skipped} entries without id, link or title skipped" if skipped else None
            return ParsedFeed(tuple(entries), problem, None, fmt)
    # No content-location: feedparser would resolve guids against it as if they were links.
    headers = {"content-type": content_type or "application/xml"}
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser should not raise, but its parsers are third-party code
        return ParsedFeed(error=f"feed parser failed: {type(exc).__name__}: {exc}")
    version = parsed.get("version") or ""
    entries, skipped = _fp_entries(parsed, url)
    problems = [note for note in (charset_note,) if note]
    bozo = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(bozo, feedparser.NonXMLContentType):  # a label, not damage
        problems.append(f"{type(bozo).__name__}: {bozo}" if bozo else "ill-formed feed")
    if skipped:
        problems.append(f"{skipped} entries without id, link or title skipped")
    problem = "; ".join(problems)[:1000] or None
    if not version and not entries:
        return ParsedFeed(problem=problem, error=f"not a recognised feed ({problem or 'unknown format'})")
    return ParsedFeed(tuple(entries), problem, None, version or None)


# --- JSON Feed ---------------------------------------------------------------------------------


def _json_authors(item: Mapping[str, Any]) -> list[object]:
    raw = item.get("authors")
    if not isinstance(raw, list):
        raw = [item.get("author")] if item.get("author") else []
    return [a.get("name") for a in raw if isinstance(a, Mapping) and a.get("name")]


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        doc = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        return ParsedFeed(error=f"invalid JSON: {exc}")
    if not isinstance(doc, dict):
        return ParsedFeed(error="JSON document is not a JSON Feed (not an object)")
    version = str(doc.get("version") or "")
    if "jsonfeed.org/version/" not in version:
        return ParsedFeed(error="JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        return ParsedFeed(error="JSON Feed without an items list")
    feed_language = doc.get("language")
    entries: list[FeedEntry] = []
    skipped = 0
    for item in items:
        if not isinstance(item, Mapping):
            skipped += 1
            continue
        guid = item.get("id")
        entry = make_entry(
            url=url,
            guid=None if guid is None or isinstance(guid, (dict, list)) else guid,
            link=item.get("url") or item.get("external_url"),
            title=item.get("title"),
            summary=item.get("summary") or item.get("content_text") or item.get("content_html"),
            authors=_json_authors(item) or _json_authors(doc),
            published=iso_to_utc(item.get("date_published")),
            updated=iso_to_utc(item.get("date_modified")),
            language=item.get("language") or feed_language,
        )
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    problem = f"{skipped} items without id, url or title skipped" if skipped else None
    fmt = "json" + version.rsplit("/", 1)[-1].replace(".", "")
    return ParsedFeed(tuple(entries), problem, None, fmt)


# --- entry point -------------------------------------------------------------------------------


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed body; never raises on bad input (the outcome is in ``problem``/``error``)."""
    if not body or not body.strip():
        return ParsedFeed(error="empty body")
    head = body[:2048]
    binary = _sniff_binary(head)
    if binary:
        return ParsedFeed(error=f"binary content ({binary}), not a feed")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    media = _media_type(content_type)
    if stripped.startswith((b"{", b"[")) or media in ("application/feed+json", "application/json"):
        if stripped.startswith((b"{", b"[")):
            return _parse_json_feed(body, url)
    # An HTML page, unless a feed root follows (some feeds carry an HTML doctype)
    if _HTML_ROOT.search(head) and not _FEED_ROOT.search(head):
        return ParsedFeed(error="HTML page, not a feed")
    body, replaced = _replace_bad_charrefs(body)
    parsed = _parse_with_feedparser(body, url, content_type)
    if replaced and not parsed.error:
        note = f"{replaced} character references to no character (e.g. &#xD800;) replaced by U+FFFD"
        problem = f"{parsed.problem}; {note}" if parsed.problem else note
        parsed = ParsedFeed(parsed.entries, problem, None, parsed.format)
    return parsed


# A numeric character reference: &#1234; or &#x4D2;
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _bad_codepoint(value: int) -> bool:
    """Not a character XML allows: lone surrogates, C0 controls but tab and line breaks, U+FFFE/F."""
    return (
        value > 0x10FFFF
        or 0xD800 <= value <= 0xDFFF
        or value in (0xFFFE, 0xFFFF)
        or (value < 0x20 and value not in (0x9, 0xA, 0xD))
    )


def _replace_bad_charrefs(body: bytes) -> tuple[bytes, int]:
    """Replace references to code points that are no character (``&#xD800;``) by U+FFFD.

    An XML parser refuses the whole document for one of them, and feedparser's loose parser
    crashed encoding it; one bad item title then cost the feed every entry.
    """
    if b"&#" not in body:
        return body, 0
    replaced = 0

    def repl(match: re.Match[bytes]) -> bytes:
        nonlocal replaced
        hex_digits, digits = match.groups()
        value = int(hex_digits, 16) if hex_digits else int(digits)
        if not _bad_codepoint(value):
            return match.group(0)
        replaced += 1
        return b"&#xFFFD;"

    return _CHARREF.sub(repl, body), replaced
