"""extract_article: one downloaded page in, one Article (or the reason it is not one) out.

The body comes from trafilatura's structured output (its XML tree keeps paragraph and heading
boundaries), rendered into the seed shape: paragraphs in order, one blank line between them,
subheadings on their own line. Declared metadata (JSON-LD, meta tags) wins over trafilatura's
heuristics. Pages that are not articles get a status and a reason; nothing here raises for a
bad page. A paywalled or partial article keeps the text the page shows, flagged.
"""

from __future__ import annotations

import functools
import html as html_lib
import logging
import re
from copy import copy, deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, Extractor, set_date_params

from newsdesk.extract import boilerplate
from newsdesk.extract.decode import PARSER, BinaryContent, parse_html, prepare
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
# Median paragraph length (characters) below which a teaser-rich page reads as a list of teasers.
INDEX_PARAGRAPH_CHARS = 120

_BLOCK_TAGS = {"p", "head", "quote", "list", "item", "code"}
_TEASER_COUNT = etree.XPath(
    "count(//body//article | //body//*[contains(concat(' ', normalize-space(@class), ' '), ' teaser ')])"
)
_ELEMENT_COUNT = etree.XPath("count(//*)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Control characters (NUL among them, which PostgreSQL text refuses) and lone surrogates (which
# have no UTF-8 form) arrive in metadata through JSON-LD escapes ("\u0000", "\ud800") even when
# the page's own bytes were cleaned; bidirectional overrides and isolates make a title or byline
# display as something it is not. The store removes the same characters (store.boundary).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LIVE_MARKER = re.compile(r"live-?blog|live-?ticker|liveupdates|live-updates", re.IGNORECASE)
_PAYWALL_MARKER = re.compile(r"paywall|premium-?wall|subscriber-?only|regwall|meter-?wall", re.IGNORECASE)


def _clean_space(text: str) -> str:
    # str.split() splits on exactly the characters regex \s matches; half the time of a sub
    return " ".join(_CONTROL.sub("", text).split())


def _blocks(body: etree._Element) -> list[str]:
    """Paragraph-level blocks of trafilatura's XML body, in document order.

    Text between blocks (the tail of a heading, of a line break, a body that starts with bare
    text) is a block of its own: pages that separate paragraphs with <br> in one container put
    most of the article there (WinFuture on bench/extraction.py lost half its text without it).
    """
    out: list[str] = []
    if body.text and (text := _clean_space(body.text)):
        out.append(text)
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
        if child.tail and (tail := _clean_space(child.tail)):
            out.append(tail)
    return out


def _word_count(text: str) -> int:
    """Words, with Chinese/Japanese characters counted two to a word (those scripts use no spaces)."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return len(_CJK.sub(" ", text).split()) + cjk // 2


def _attr_match(tree: HtmlElement, pattern: re.Pattern[str]) -> bool:
    for value in tree.xpath("//body//@class | //body//@id"):
        if pattern.search(value):
            return True
    return False


def _teasers(tree: HtmlElement) -> int:
    return int(_TEASER_COUNT(tree))


def _median_len(paragraphs: list[str]) -> int:
    lengths = sorted(len(p) for p in paragraphs)
    return lengths[len(lengths) // 2] if lengths else 0


def _paywalled(tree: HtmlElement, meta: PageMeta) -> bool:
    """The page marks its article as for subscribers (isAccessibleForFree false, paywall markup)."""
    return meta.accessible_for_free is False or _attr_match(tree, _PAYWALL_MARKER)


def _classify(
    tree: HtmlElement, meta: PageMeta, words: int, paragraphs: list[str], *, paywalled: bool = False
) -> tuple[ArticleStatus, str] | None:
    """Decide whether the page is not an article; None means it is one.

    A paywalled page is an article with whatever text is public (flagged by the caller): the
    markup says so on complete articles too, and a teaser is still the article's beginning.
    """
    is_article_type = bool(meta.types & ARTICLE_TYPES) or meta.og_type == "article"
    if meta.types & LIVE_TYPES or (words < SHELL_WORDS and _attr_match(tree, _LIVE_MARKER)):
        if words < SHELL_WORDS:
            return ArticleStatus.NOT_ARTICLE, f"live-blog shell: {words} words, updates are loaded by script"
    if not is_article_type:
        teasers = _teasers(tree)
        # Articles carry teaser blocks too (sidebars, "more news"); an index page's own text is
        # only teaser-sized: short, or made of short paragraphs.
        if meta.types & LISTING_TYPES or (
            teasers >= INDEX_TEASERS and (words < SHELL_WORDS or _median_len(paragraphs) < INDEX_PARAGRAPH_CHARS)
        ):
            return ArticleStatus.NOT_ARTICLE, f"index page: {teasers} teasers and no article metadata"
    if words == 0:
        return ArticleStatus.NO_TEXT, "no article text found on the page"
    if words < MIN_WORDS and not paywalled:
        return ArticleStatus.TOO_SHORT, f"near-empty page: {words} words of text (minimum {MIN_WORDS})"
    return None


def _strip_site_suffix(title: str | None, site_name: str | None) -> str | None:
    """'Headline | Site' -> 'Headline' when the suffix is the site's own name (og:title habit)."""
    if not title or not site_name:
        return title
    for separator in (" | ", " - ", " – ", " — ", " :: "):
        head, _, tail = title.rpartition(separator)
        if head and tail.strip().casefold() == site_name.strip().casefold():
            return head.strip()
    return title


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
        # A day without a time is kept as noon UTC: the same calendar day from UTC-11 to UTC+11.
        return datetime.strptime(value[:10], "%Y-%m-%d").replace(hour=12, tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """trafilatura knobs, chosen by measurement with bench/extraction.py (see the module notes)."""

    fast: bool = False
    favor_precision: bool = False
    favor_recall: bool = False
    # Tables in news pages are mostly scoreboards, election grids and layout; they do not read
    # as paragraphs.
    include_tables: bool = False


DEFAULT_SETTINGS = ExtractionSettings()
# Parsed pages with more elements than this are extracted in trafilatura's fast mode (no
# readability/justext comparison): those fallbacks grow worse than linearly with page size.
MAX_ELEMENTS_FULL = 15_000
# A fast-mode result with fewer paragraphs than this is retried with the fallbacks. Measured on
# bench/extraction.py: the retry changed the text on 6 of the 13 such pages (5 of them from a
# wrong or partial container to the article), and on none of the 8 pages that fast mode gave
# 5 or more paragraphs of a short (< 250 words) article -- retried until then, at ~55 ms each.
FULL_RETRY_BLOCKS = 5
# Page chrome that trafilatura's tree_cleaning deletes anyway, but only after its raw-tree XPath
# prunes have walked every element of it. Deleted first (on a copy: the classification reads the
# whole page), the extraction costs ~7% less, with the same text on all 258 bench pages. Not
# <aside>: the article itself is an aside on some sites (washingtontimes.com on the bench).
_CHROME = ("nav", "footer", "iframe", "noscript")
# The article container a page marks (<article>, <main>, itemprop=articleBody) is handed to
# trafilatura alone when it holds at least this share of the page's paragraph text: trafilatura
# looks for the article inside it anyway, and its whole-tree passes (raw-tree prunes, comment
# prunes, cleaning, container XPaths, copies) then walk a quarter of the elements. The largest
# such container wins (usually <main> or the outer <article>): the smallest (an articleBody
# div) loses the lead paragraph on pages that put it above the body. Measured on
# bench/extraction.py: 221 of 258 pages have such a container (6 of them give too few blocks
# and fall back to the page), trafilatura's time on them falls from ~12 to ~7 ms per page, and
# 8 texts change (6 gain, 2 keep their F1: teaser rails and related boxes outside the
# container no longer leak in).
CONTAINER_SHARE = 0.4
# Below this much paragraph text on the whole page the share says little: the page is used.
CONTAINER_MIN_CHARS = 500
# trafilatura on the container alone must keep at least this share of the container's own
# paragraph text, else the page is extracted whole (with the fallbacks): a container whose
# extraction throws most of its paragraphs away has lost the article, not boilerplate. On
# bench/extraction.py the lowest share of a container that was right is 0.38 (Dagbladet, where
# the whole page gives F1 0.46 against the container's 0.98); none is below this.
CONTAINER_MIN_YIELD = 0.25
_ARTICLE_BODY = etree.XPath("//body//*[@itemprop='articleBody']")
_SIZE = etree.XPath("count(descendant-or-self::*)")


@functools.cache
def _options(settings: ExtractionSettings, fast: bool) -> Extractor:
    # Built once per settings: Extractor() reads its config file values and formats today's date
    # on every call (~0.3 ms), the copy in _trafilatura_body costs ~0.01 ms.
    # Comments off: never article text. Output "xml": the body tree is all we read, and the
    # "python" format would render it to text as well.
    return Extractor(
        output_format="xml",
        fast=fast or settings.fast,
        precision=settings.favor_precision,
        recall=settings.favor_recall,
        comments=False,
        tables=settings.include_tables,
        images=False,
        links=False,
        formatting=False,
        with_metadata=False,
    )


def _trafilatura_body(tree: HtmlElement, url: str, settings: ExtractionSettings, fast: bool) -> Any:
    # Our tree, not the text: trafilatura deep-copies a tree it is handed (ours stays intact for
    # the classification), and the copy costs less than its load_html (~1 ms against ~3 ms per
    # page on bench/extraction.py); the copy keeps decode's cheaper element lookup as well.
    options = copy(_options(settings, fast))
    options.url = options.source = url
    return bare_extraction(tree, url=url, options=options)


def _drop_chrome(tree: HtmlElement) -> HtmlElement:
    """Delete the _CHROME elements in place (the caller's copy), keeping the text after each."""
    for element in list(tree.iter(*_CHROME)):
        parent = element.getparent()
        if parent is None:
            continue
        if element.tail:  # the text after the element stays, as trafilatura's delete_element keeps it
            previous = element.getprevious()
            if previous is None:
                parent.text = (parent.text or "") + element.tail
            else:
                previous.tail = (previous.tail or "") + element.tail
        parent.remove(element)
    return tree


def _without_chrome(tree: HtmlElement) -> HtmlElement:
    return _drop_chrome(deepcopy(tree))


def _paragraph_chars(tree: HtmlElement, candidates: list[HtmlElement]) -> tuple[int, dict[HtmlElement, int]]:
    """Characters of <p> text on the whole page and inside each candidate, in one walk."""
    inside = dict.fromkeys(candidates, 0)
    total = 0
    for paragraph in tree.iter("p"):
        chars = len(paragraph.text_content())
        if not chars:
            continue
        total += chars
        for ancestor in paragraph.iterancestors():
            if ancestor in inside:
                inside[ancestor] += chars
    return total, inside


def _largest_with_text(tree: HtmlElement, candidates: list[HtmlElement]) -> tuple[HtmlElement, int] | None:
    """The largest candidate holding CONTAINER_SHARE of the page's paragraph text, if any, and
    the characters of paragraph text it holds."""
    if not candidates:
        return None
    total, inside = _paragraph_chars(tree, candidates)
    if total < CONTAINER_MIN_CHARS:
        return None
    sized = [(_SIZE(element), element) for element, chars in inside.items() if chars >= CONTAINER_SHARE * total]
    if not sized:
        return None
    element = max(sized, key=lambda pair: pair[0])[1]
    return element, inside[element]


def _article_container(tree: HtmlElement) -> tuple[HtmlElement, int] | None:
    """The container of the article text, when the page marks one (see CONTAINER_SHARE), and the
    characters of paragraph text it holds."""
    body = tree.find("body")
    if body is None:
        return None
    # Not trafilatura's own container expressions (BODY_XPATH: classes such as article-body,
    # #content) on pages that mark none: 12 more bench pages took the container path with the
    # same texts, but the expressions' regex tests on every element of the raw page (~6.5 ms on
    # each page without a marked container) cost more than the container path saved.
    return _largest_with_text(tree, [*body.iter("article", "main"), *_ARTICLE_BODY(tree)])


def _container_page(container: HtmlElement) -> HtmlElement:
    """A page of the container alone: <html><body>copy</body></html>, built by decode's parser
    so the copy keeps its plain-element lookup."""
    root = PARSER.makeelement("html")
    body = etree.SubElement(root, "body")
    body.append(deepcopy(container))
    body[0].tail = None
    return _drop_chrome(root)


def _body_blocks(document: Any) -> list[str]:
    return _blocks(document.body) if document is not None else []


def _extract_body(url: str, tree: HtmlElement, settings: ExtractionSettings) -> tuple[list[str], str | None]:
    """trafilatura in fast mode first, on the article container alone when the page marks one,
    else on the whole page; the whole page with the fallback extractors when that result looks
    partial.

    Measured on bench/extraction.py: the fallbacks (readability, jusText) change the result on
    few pages, all of which show the same signature in fast mode (few paragraphs: the wrong or
    a partial container), and they cost ~40% of the time on every page.
    """
    found = _article_container(tree)
    container = found[0] if found is not None else None
    if found is not None:
        blocks = _body_blocks(_trafilatura_body(_container_page(found[0]), url, settings, fast=True))
        if len(blocks) >= FULL_RETRY_BLOCKS and sum(len(b) for b in blocks) >= CONTAINER_MIN_YIELD * found[1]:
            return blocks, None
    trimmed = _without_chrome(tree)
    elements = int(_ELEMENT_COUNT(tree))
    fallbacks = not settings.fast and elements <= MAX_ELEMENTS_FULL
    # A thin container result (a teaser <article>, a container holding part of the text) goes
    # straight to the whole page with the fallback extractors: fast mode on the whole page gave
    # the container's blocks again on all 6 such bench pages, at 5-50 ms each.
    if container is None or not fallbacks:
        blocks = _body_blocks(_trafilatura_body(trimmed, url, settings, fast=True))
        if settings.fast or len(blocks) >= FULL_RETRY_BLOCKS:
            return blocks, None
        if not fallbacks:
            return blocks, f"{elements} elements: extracted without fallback extractors"
    retry = _trafilatura_body(trimmed, url, settings, fast=False)
    return (_body_blocks(retry) if retry is not None else blocks), None


def _heuristic_meta(tree: HtmlElement, url: str, *, title: bool, author: bool, date: bool, site_name: bool) -> Document:
    """trafilatura's metadata heuristics (title from <title>/h1, bylines, htmldate), for the
    fields the page does not declare.

    The steps of trafilatura.metadata.extract_metadata, in its order, without the ones whose
    result would not be used: its author search (~3 ms), htmldate (~3 ms) and categories, tags
    and licence (~2.4 ms, never used) ran on every page that lacked any one field (34 of 258
    bench pages, 15 of them only the title). Same values for the fields asked for (compared on
    those pages). htmldate's extensive search (dates in the visible text) runs when the date is
    asked for: only then is its result used.
    """
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as exc:  # noqa: BLE001 - trafilatura's JSON-LD reader has bugs of its own
        logger.debug("trafilatura's JSON-LD metadata failed: %s", exc)
    if title and not metadata.title:
        metadata.title = extract_title(tree)
    if author and not metadata.author:
        metadata.author = extract_author(tree)
    if (date or site_name) and not metadata.url:
        metadata.url = extract_url(tree, url)
    if date:
        metadata.date = find_date(tree, **{**set_date_params(True), "url": metadata.url})
    if site_name:
        if not metadata.sitename:
            metadata.sitename = extract_sitename(tree)
        if metadata.sitename:
            metadata.sitename = metadata.sitename.lstrip("@")
            if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
                metadata.sitename = metadata.sitename.title()
        elif metadata.url and (host := META_URL.match(metadata.url)):
            metadata.sitename = host[1]
    metadata.clean_and_trim()
    return metadata


def extract_article(
    html: bytes | str,
    *,
    url: str,
    charset: str | None = None,
    feed_published: datetime | None = None,
    feed_title: str | None = None,
    settings: ExtractionSettings = DEFAULT_SETTINGS,
) -> Article:
    """Extract one page; never raises for bad input (the status and reason say what happened).

    ``settings``: trafilatura's knobs (the defaults were chosen by measurement)."""
    try:
        return _extract(
            html, url=url, charset=charset, feed_published=feed_published, feed_title=feed_title, settings=settings
        )
    except BinaryContent as exc:
        return Article(url=url, status=ArticleStatus.ERROR, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a bad page is data, whatever library fails on it
        logger.warning("extraction failed for %s: %s", url, exc, exc_info=True)
        return Article(url=url, status=ArticleStatus.ERROR, reason=f"extraction failed: {type(exc).__name__}: {exc}")


def _extract(
    html: bytes | str,
    *,
    url: str,
    charset: str | None,
    feed_published: datetime | None,
    feed_title: str | None,
    settings: ExtractionSettings,
) -> Article:
    if html is None or len(html) == 0:
        return Article(url=url, status=ArticleStatus.NO_TEXT, reason="empty response body")
    page = prepare(html, charset)
    if not page.text.strip():
        return Article(url=url, status=ArticleStatus.NO_TEXT, reason="empty document")
    try:
        tree = parse_html(page.text)
    except (ValueError, TypeError, etree.LxmlError) as exc:
        return Article(url=url, status=ArticleStatus.ERROR, reason=f"unparseable HTML: {exc}")
    if tree is None:
        return Article(url=url, status=ArticleStatus.ERROR, reason="unparseable HTML: not an HTML document")

    meta = read_page_meta(tree, url)
    # Declared metadata first; trafilatura's heuristics (the slowest part: htmldate) only for
    # what the page does not declare.
    heuristic = None
    if not (meta.title and meta.published and (meta.authors or meta.meta_authors)):
        heuristic = _heuristic_meta(
            tree,
            url,
            title=not meta.title,
            author=not (meta.authors or meta.meta_authors),
            date=meta.published is None,
            site_name=not meta.site_name,
        )
    notes = list(page.notes)
    blocks, fallback_note = _extract_body(url, tree, settings)
    if fallback_note:
        notes.append(fallback_note)

    title = meta.title or (heuristic.title if heuristic is not None else None) or feed_title
    # JSON-LD headlines often carry HTML entities (&uuml;) that JSON does not decode
    title = _clean_space(html_lib.unescape(title)) if title else None
    byline = heuristic.author if heuristic is not None else None
    authors = _dedupe(meta.authors or meta.meta_authors or _split_authors(byline))
    blocks = boilerplate.clean(blocks, title=title, authors=authors)
    text = "\n\n".join(blocks)
    words = _word_count(text)

    published = meta.published or _day(heuristic.date if heuristic is not None else None) or feed_published
    published = published.astimezone(UTC) if published and published.tzinfo else published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    updated = meta.modified
    site_name = meta.site_name or (heuristic.sitename if heuristic is not None else None)
    site_name = _clean_space(site_name) or None if site_name else None
    title = _strip_site_suffix(title, site_name)

    paywalled = _paywalled(tree, meta)
    # Likely incomplete: a paywalled text of teaser length, or a page cut before parsing.
    partial = page.cut or (paywalled and words < SHELL_WORDS)
    verdict = _classify(tree, meta, words, blocks, paywalled=paywalled)
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
        paywalled=paywalled,
        partial=partial,
    )
