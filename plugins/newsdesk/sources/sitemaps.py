"""Sitemaps as a source: sitemap indexes, urlsets and Google News sitemaps, gzip'd or not.

A sitemap is read as a stream of elements (``lxml.etree.iterparse``, each element cleared once
read), so a 50,000-URL file costs a few megabytes. Entity expansion and network access are off
(an XML bomb or an external entity is refused, not expanded), a gzip'd body is inflated only up
to ``max_bytes`` (a gzip bomb is cut off), and a URL on another host than the sitemap's is never
taken: a sitemap speaks for its own site only.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsdesk.errors import NewsdeskError

# The protocol's own bounds (sitemaps.org): 50,000 URLs and 50 MB uncompressed per file.
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
# Where sites put their sitemaps when robots.txt names none.
USUAL_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")


class SitemapError(NewsdeskError):
    """The body is not a sitemap that can be read (not XML, a bomb, too large)."""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` of a urlset, or one ``<sitemap>`` of an index."""

    loc: str
    lastmod: datetime | None = None
    published: datetime | None = None  # news:publication_date
    title: str | None = None  # news:title
    keywords: tuple[str, ...] = ()  # news:keywords
    language: str | None = None  # news:language


@dataclass(slots=True)
class Sitemap:
    kind: str  # "index" or "urlset"
    entries: list[SitemapEntry] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # other_host, not_http, no_loc, over_limit


def entry_date(entry: SitemapEntry) -> datetime | None:
    """The publication date when the sitemap gives one, else the last modification."""
    return entry.published or entry.lastmod


def inflate(body: bytes, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The body, gunzipped when it is gzip (whatever the Content-Type says), at most ``max_bytes``."""
    if not body.startswith(b"\x1f\x8b"):
        if len(body) > max_bytes:
            raise SitemapError(f"sitemap larger than {max_bytes} bytes")
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise SitemapError(f"broken gzip: {exc}") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise SitemapError(f"gzip'd sitemap inflates beyond {max_bytes} bytes (a decompression bomb?)")
    return out


def parse_date(value: str | None) -> datetime | None:
    """W3C datetime (``2025-03-05``, ``2025-03-05T14:10:00+01:00``, ``…Z``) as an aware datetime."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".").removeprefix("www.")


def parse_sitemap(body: bytes, *, url: str, max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> Sitemap:
    """Parse a sitemap index or urlset fetched from ``url``.

    Entries on another host than ``url``'s (``www.`` aside) are skipped as ``other_host``;
    entries past ``max_urls`` as ``over_limit``. Raises SitemapError for what is not a sitemap.
    """
    data = inflate(body, max_bytes=max_bytes)
    root = data.find(b"<urlset")
    root = data.find(b"<sitemapindex") if root < 0 else root
    if b"<!ENTITY" in data[: root if root >= 0 else 65536]:
        raise SitemapError("entity declarations in a sitemap are refused (an XML bomb or an external entity)")
    own_host = _host(url)
    sitemap: Sitemap | None = None
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
    )
    try:
        for event, element in events:
            name = _local(element.tag)
            if event == "start":
                if sitemap is None:
                    if name == "sitemapindex":
                        sitemap = Sitemap("index")
                    elif name == "urlset":
                        sitemap = Sitemap("urlset")
                    else:
                        raise SitemapError(f"not a sitemap: the document is <{name}>")
                continue
            if name not in ("url", "sitemap") or sitemap is None:
                continue
            _take(sitemap, element, url, own_host, max_urls)
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:  # the elements read so far go too: constant memory
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        if sitemap is None or not sitemap.entries:
            raise SitemapError(f"not XML: {exc}") from exc
        sitemap.skipped["truncated"] += 1  # what came before the broken part is kept
    if sitemap is None:
        raise SitemapError("empty document")
    return sitemap


def _take(sitemap: Sitemap, element: etree._Element, base: str, own_host: str, max_urls: int) -> None:
    fields: dict[str, str] = {}
    for child in element.iter():
        name = _local(child.tag)
        if name in ("loc", "lastmod", "publication_date", "title", "keywords", "language") and name not in fields:
            fields[name] = (child.text or "").strip()
    loc = fields.get("loc")
    if not loc:
        sitemap.skipped["no_loc"] += 1
        return
    absolute = urljoin(base, loc)
    if urlsplit(absolute).scheme not in ("http", "https"):
        sitemap.skipped["not_http"] += 1
        return
    if _host(absolute) != own_host:
        sitemap.skipped["other_host"] += 1
        return
    if len(sitemap.entries) >= max_urls:
        sitemap.skipped["over_limit"] += 1
        return
    keywords = tuple(k.strip() for k in fields.get("keywords", "").split(",") if k.strip())
    sitemap.entries.append(
        SitemapEntry(
            loc=absolute,
            lastmod=parse_date(fields.get("lastmod")),
            published=parse_date(fields.get("publication_date")),
            title=fields.get("title") or None,
            keywords=keywords,
            language=(fields.get("language") or None),
        )
    )


def same_site(url: str, other: str) -> bool:
    """The two URLs are on one host (``www.`` aside)."""
    return _host(url) == _host(other)
