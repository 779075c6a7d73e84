"""extract_article: one downloaded page in, one Article (or the reason it is not one) out.

The body comes from trafilatura's structured output (its XML tree keeps paragraph and heading
boundaries), rendered into the seed shape: paragraphs in order, one blank line between them,
subheadings on their own line. Declared metadata (JSON-LD, meta tags) wins over trafilatura's
heuristics. Pages that are not articles get a status and a reason; nothing here raises for a
bad page.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from newsdesk.extract import boilerplate
from newsdesk.extract.decode import BinaryContent, prepare
from newsdesk.extract.fingerprint import content_hash, minhash_signature
from newsdesk.extract.language import detect_language
from newsdesk.extract.metadata import ARTICLE_TYPES, LISTING_TYPES, LIVE_TYPES, PageMeta, read_page_meta
from newsdesk.models import Article, ArticleStatus

logger = logging.getLogger(__name__)

# Fewer words than this after cleaning: a stub, an error page or a photo page, not an article.
MIN_WORDS = 40
# A page with live-blog or paywall markers and less text than this is a shell/teaser.
SHELL_WORDS = 200
# Teaser blocks (<article> elements, teaser-classed items) that make a page without article
# metadata an index page.
INDEX_TEASERS = 4

_BLOCK_TAGS = {"p", "head", "quote", "list", "item", "code"}
_TEASER_COUNT = etree.XPath(
    "count(//body//article | //body//*[contains(concat(' ', normalize-space(@class), ' '), ' teaser ')])"
)
_SPACE = re.compile(r"\s+")
_LIVE_MARKER = re.compile(r"live-?blog|live-?ticker|liveupdates|live-updates", re.IGNORECASE)
_PAYWALL_MARKER = re.compile(r"paywall|premium-?wall|subscriber-?only|regwall|meter-?wall", re.IGNORECASE)


def _clean_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _blocks(body: etree._Element) -> list[str]:
    """Paragraph-level blocks of trafilatura's XML body, in document order."""
    out: list[str] = []
    for child in body:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "list":
            # each list item is its own line: bullet points read as short paragraphs
            for item in child.iter("item"):
                text = _clean_space("".join(item.itertext()))
                if text:
                    out.append(text)
        elif tag in _BLOCK_TAGS:
            text = _clean_space("".join(child.itertext()))
            if text:
                out.append(text)
        elif tag == "div":
            out.extend(_blocks(child))
    return out


def _word_count(text: str) -> int:
    return len(text.split())


def _attr_match(tree: HtmlElement, pattern: re.Pattern[str]) -> bool:
    for value in tree.xpath("//body//@class | //body//@id"):
        if pattern.search(value):
            return True
    return False


def _teasers(tree: HtmlElement) -> int:
    return int(_TEASER_COUNT(tree))


def _classify(tree: HtmlElement, meta: PageMeta, words: int) -> tuple[ArticleStatus, str] | None:
    """Decide whether the page is not an article; None means it is one."""
    is_article_type = bool(meta.types & ARTICLE_TYPES) or meta.og_type == "article"
    if meta.types & LIVE_TYPES or (words < SHELL_WORDS and _attr_match(tree, _LIVE_MARKER)):
        if words < SHELL_WORDS:
            return ArticleStatus.NOT_ARTICLE, f"live-blog shell: {words} words, updates are loaded by script"
    if words < SHELL_WORDS and (meta.accessible_for_free is False or _attr_match(tree, _PAYWALL_MARKER)):
        return ArticleStatus.PAYWALL, f"paywall stub: only a {words}-word teaser is public"
    if not is_article_type:
        teasers = _teasers(tree)
        if meta.types & LISTING_TYPES or teasers >= INDEX_TEASERS:
            return ArticleStatus.NOT_ARTICLE, f"index page: {teasers} teasers and no article metadata"
    if words == 0:
        return ArticleStatus.NO_TEXT, "no article text found on the page"
    if words < MIN_WORDS:
        return ArticleStatus.TOO_SHORT, f"near-empty page: {words} words of text (minimum {MIN_WORDS})"
    return None


def _split_authors(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in re.split(r";|\s+\|\s+", value) if part.strip()]


def _dedupe(names: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        name = _clean_space(html_lib.unescape(name))
        name = _clean_space(re.sub(r"^(door|by|von|par|por|di|av|af)\s+", "", name, flags=re.IGNORECASE))
        if name and len(name) < 100:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _trafilatura(tree: HtmlElement, url: str) -> Any:
    # include_tables off: tables in news pages are mostly scoreboards, election grids and
    # layout; they do not read as paragraphs. Comments off: never article text.
    return bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
    )


def extract_article(
    html: bytes | str,
    *,
    url: str,
    charset: str | None = None,
    feed_published: datetime | None = None,
    feed_title: str | None = None,
) -> Article:
    """Extract one page; never raises for bad input (the status and reason say what happened)."""
    try:
        return _extract(html, url=url, charset=charset, feed_published=feed_published, feed_title=feed_title)
    except BinaryContent as exc:
        return Article(url=url, status=ArticleStatus.ERROR, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a bad page is data, whatever library fails on it
        logger.warning("extraction failed for %s: %s", url, exc, exc_info=True)
        return Article(
            url=url, status=ArticleStatus.ERROR, reason=f"extraction failed: {type(exc).__name__}: {exc}"
        )


def _extract(
    html: bytes | str,
    *,
    url: str,
    charset: str | None,
    feed_published: datetime | None,
    feed_title: str | None,
) -> Article:
    if html is None or len(html) == 0:
        return Article(url=url, status=ArticleStatus.NO_TEXT, reason="empty response body")
    page = prepare(html, charset)
    if not page.text.strip():
        return Article(url=url, status=ArticleStatus.NO_TEXT, reason="empty document")
    try:
        tree = load_html(page.text)
    except (ValueError, TypeError, etree.LxmlError) as exc:
        return Article(url=url, status=ArticleStatus.ERROR, reason=f"unparseable HTML: {exc}")
    if tree is None:
        return Article(url=url, status=ArticleStatus.ERROR, reason="unparseable HTML: not an HTML document")

    meta = read_page_meta(tree, url)
    document = _trafilatura(tree, url)

    blocks = _blocks(document.body) if document is not None else []
    title = meta.title or (document.title if document is not None else None) or feed_title
    # JSON-LD headlines often carry HTML entities (&uuml;) that JSON does not decode
    title = _clean_space(html_lib.unescape(title)) if title else None
    authors = _dedupe(meta.authors or meta.meta_authors or _split_authors(document and document.author))
    blocks = boilerplate.clean(blocks, title=title, authors=authors)
    text = "\n\n".join(blocks)
    words = _word_count(text)

    published = meta.published or _day(document.date if document is not None else None) or feed_published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    published = published.astimezone(UTC) if published else None
    updated = meta.modified
    site_name = meta.site_name or (document.sitename if document is not None else None)
    notes = list(page.notes)

    verdict = _classify(tree, meta, words)
    if verdict is not None:
        status, reason = verdict
        return Article(
            url=url,
            status=status,
            canonical_url=meta.canonical_url,
            title=title,
            authors=authors,
            published_at=published,
            updated_at=updated,
            site_name=site_name,
            reason="; ".join([reason, *notes]),
        )

    return Article(
        url=url,
        status=ArticleStatus.OK,
        canonical_url=meta.canonical_url,
        title=title,
        authors=authors,
        published_at=published,
        updated_at=updated,
        language=detect_language(text, fallback=meta.html_lang),
        site_name=site_name,
        text=text,
        content_hash=content_hash(text),
        minhash=minhash_signature(text),
        reason="; ".join(notes) or None,
    )
