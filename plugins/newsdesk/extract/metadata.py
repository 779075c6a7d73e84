"""Page metadata the publisher declares: JSON-LD, Open Graph/article meta tags, rel=canonical.

Declared metadata is preferred over trafilatura's heuristics because publishers fill it for
search engines and it is usually exact; the heuristics are the fallback (see article.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "blogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
    "satiricalarticle",
}
LIVE_TYPES = {"liveblogposting"}
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage"}

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl")
_URLISH = re.compile(r"^(https?:)?//|^www\.|facebook\.com|twitter\.com|/")


@dataclass(slots=True)
class PageMeta:
    """What the page declares about itself; every field optional."""

    types: set[str] = field(default_factory=set)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    og_type: str | None = None
    accessible_for_free: bool | None = None
    html_lang: str | None = None
    meta_authors: list[str] = field(default_factory=list)


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 (and a few near-misses) to aware UTC; naive times are taken as UTC."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    text = re.sub(r"\s+", " ", text)
    # common near-misses: "2024-05-03 15:47:42 +0200", "...+0200", "Z"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace(" +", "+").replace(" -0", "-0"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
        if not match:
            return None
        try:
            parsed = datetime(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1995 <= parsed.year <= 2100:
        return None
    return parsed.astimezone(UTC)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in node:
                yield from _walk(node[key])


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", ())
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values if isinstance(v, str)}


def _names(value: Any) -> list[str]:
    """Author values: "A", {"name": "A"}, ["A", {"name": "B"}], "A, B"."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            out.extend(_names(name))
        elif isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            # some sites append a stray ";" or wrap in comments; one retry, then give up quietly
            try:
                data = json.loads(raw.strip("; \n\t").removeprefix("<!--").removesuffix("-->"))
            except ValueError:
                logger.debug("unparseable JSON-LD block skipped")
                continue
        nodes.extend(_walk(data))
    return nodes


def read_page_meta(tree: HtmlElement, url: str) -> PageMeta:
    """Collect the declared metadata of a parsed page.

    JSON-LD article nodes come first; meta tags fill what they left open (the site name and the
    Open Graph type they decide); a date in the visible page is the last resort for publication.
    """
    meta = PageMeta()
    root = tree.getroottree().getroot()
    meta.html_lang = (root.get("lang") or root.get("xml:lang") or "").split("-")[0].lower() or None

    for node in _json_ld(tree):
        types = _types(node)
        meta.types |= types
        if types & (ARTICLE_TYPES | LIVE_TYPES):
            _read_article_node(meta, node)

    metas, meta.meta_authors = _meta_tags(tree)
    meta.og_type = metas.get("og:type", "").lower() or None
    meta.site_name = metas.get("og:site_name") or meta.site_name
    if meta.published is None:
        meta.published = _declared_date(metas, _PUBLISHED_META)
    if meta.modified is None:
        meta.modified = _declared_date(metas, _MODIFIED_META)
    if meta.published is None:
        meta.published = _visible_published(tree)
    meta.canonical_url = _canonical_url(tree, metas, url)
    return meta


def _read_article_node(meta: PageMeta, node: dict[str, Any]) -> None:
    """Fill what is still open in ``meta`` from one JSON-LD article node (the first one wins)."""
    meta.title = meta.title or _text(node.get("headline"))
    if not meta.authors:
        meta.authors = _names(node.get("author") or node.get("creator"))
    meta.published = meta.published or parse_datetime(node.get("datePublished"))
    meta.modified = meta.modified or parse_datetime(node.get("dateModified"))
    meta.site_name = meta.site_name or _text(node.get("publisher"))
    free = node.get("isAccessibleForFree")
    if free is not None and meta.accessible_for_free is None:
        meta.accessible_for_free = str(free).strip().lower() not in ("false", "0", "no")


def _meta_tags(tree: HtmlElement) -> tuple[dict[str, str], list[str]]:
    """The page's meta tags by lower-case name (the first of a name wins) and every author tag
    that names a person rather than a profile URL."""
    metas: dict[str, str] = {}
    authors: list[str] = []
    for el in tree.iterfind(".//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if not key or not content:
            continue
        if key in _AUTHOR_META and not _URLISH.search(content):
            authors.append(content)
        metas.setdefault(key, content)
    return metas, authors


def _declared_date(metas: dict[str, str], keys: tuple[str, ...]) -> datetime | None:
    """The first of ``keys`` whose meta tag holds a readable date."""
    for key in keys:
        if key in metas and (parsed := parse_datetime(metas[key])):
            return parsed
    return None


def _visible_published(tree: HtmlElement) -> datetime | None:
    """<time datetime> / itemprop=datePublished in the visible page (the first three looked at)."""
    for el in tree.xpath('.//*[@itemprop="datePublished"]|.//time[@datetime]')[:3]:
        parsed = parse_datetime(el.get("datetime") or el.get("content"))
        if parsed:
            return parsed
    return None


def _canonical_url(tree: HtmlElement, metas: dict[str, str], url: str) -> str | None:
    """rel=canonical, else og:url, made absolute against the page's URL."""
    canonical = None
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href", "").strip()
            break
    canonical = canonical or metas.get("og:url")
    if not canonical:
        return None
    try:
        return urljoin(url, canonical)
    except ValueError:
        return None
