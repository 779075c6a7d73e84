"""Turn a downloaded page (bytes + a possibly lying charset) into bounded text, then one tree.

Everything that can go wrong before HTML parsing is decided here: binary junk, wrong or
missing encodings, control characters that lxml refuses, and pages too large to parse in
bounded time. parse_html parses the result once; the tree is handed to trafilatura as well.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

import charset_normalizer
import lxml.html
from charset_normalizer.md import mess_ratio
from lxml import etree

logger = logging.getLogger(__name__)

# Real news pages reach ~2.2 MB (inline scripts, JSON state); without script and style blocks
# they stay far below HARD_LIMIT, where the rest is cut so parsing time stays bounded.
HARD_LIMIT = 2_000_000
# Bytes sniffed for a <meta charset> declaration and for the binary-junk test.
_SNIFF = 4096

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Script (except JSON-LD: it carries the dates and authors), style and inline SVG blocks and
# comments, found by strip_heavy_blocks; the opening tokens are searched for, each closer with its
# own pattern from the end of the opening tag. Same output as the single regex
#   <script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>|<svg[^>]*>.*?</svg\s*>|<!--.*?-->
# (IGNORECASE | DOTALL, tests/unit/test_extract_decode.py), ~4x faster: the lazy `.*?` stepped
# through every character of big inline scripts. The "<" stands outside the alternation: as a
# literal prefix it lets the regex engine jump from "<" to "<" instead of trying the pattern at
# every character (~2 -> ~0.3 ms per page on bench/extraction.py's pages).
_HEAVY_OPEN = re.compile(r"<(?:(?P<script>script)|(?P<style>style)|(?P<svg>svg)|(?P<comment>!--))", re.IGNORECASE)
_HEAVY_TAG = {
    "script": re.compile(r"<script(?![^>]*ld\+json)[^>]*>", re.IGNORECASE),
    "style": re.compile(r"<style[^>]*>", re.IGNORECASE),
    "svg": re.compile(r"<svg[^>]*>", re.IGNORECASE),
}
_HEAVY_CLOSE = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
    "svg": re.compile(r"</svg\s*>", re.IGNORECASE),
    "comment": re.compile(r"-->"),
}
# C0 controls except tab/newline/carriage return (lxml rejects them, junk pages are full of
# them) and the noncharacters U+FFFE/U+FFFF, which trafilatura's load_html also removes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"}
# Encodings (codecs names) in which every byte below 0x80 is that ASCII character, and the
# _CONTROL characters below 0x80 as bytes.
_ASCII_COMPATIBLE = {"utf-8", *_SINGLE_BYTE}
# Bytes below 9 and from 14 to 31: many of them make a page binary junk.
_BINARY_CONTROLS = bytes([*range(0, 9), *range(14, 32)])
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """The page as text, with what was done to it (for the article's reason/log)."""

    text: str
    encoding: str | None
    notes: tuple[str, ...] = ()
    cut: bool = False  # the text was cut to HARD_LIMIT: what follows is missing


class BinaryContent(ValueError):
    """The bytes are not a text document at all."""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if head.count(0) > len(head) // 100 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    return controls > len(head) // 20


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str, list[str]]:
    """Decode with the declared charset when it holds, else the page's own, else a guess."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8", notes
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16", notes
    if _looks_binary(data[:_SNIFF]):
        raise BinaryContent("binary content, not an HTML page")
    declared = _codec(charset)
    match = _META_CHARSET.search(data[: _SNIFF * 4])
    in_page = _codec(match.group(1).decode("ascii", "ignore")) if match else None
    # UTF-8 that decodes strictly is almost never really Latin-1: servers that say
    # "iso-8859-1" by default while sending UTF-8 are the most common lie.
    candidates = [c for c in (declared, in_page) if c]
    if not candidates or any(c in _SINGLE_BYTE for c in candidates):
        candidates.insert(0, "utf-8")
    for encoding in dict.fromkeys(candidates):
        text = _try(data, encoding)
        if text is not None:
            if declared and encoding != declared:
                notes.append(f"declared charset {charset!r} did not fit; decoded as {encoding}")
            return text, encoding, notes
    encoding = _guess(data) or "cp1252"
    if declared:
        notes.append(f"declared charset {charset!r} did not fit; decoded as {encoding}")
    return data.decode(encoding, errors="replace"), encoding, notes


# The single-byte code page of each language (rules as data): where charset_normalizer scores
# several code pages the same, the page's language decides.
_LANGUAGE_CODEPAGE = {
    **dict.fromkeys(
        (
            "nl",
            "en",
            "fr",
            "de",
            "es",
            "it",
            "pt",
            "da",
            "sv",
            "no",
            "nb",
            "nn",
            "fi",
            "is",
            "ga",
            "ca",
            "eu",
            "gl",
            "af",
            "id",
            "ms",
            "sw",
            "lb",
            "fy",
        ),
        "cp1252",
    ),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "sl", "hr", "bs", "ro", "sq"), "cp1250"),
    **dict.fromkeys(("ru", "uk", "be", "bg", "sr", "mk"), "cp1251"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    "el": "cp1253",
    "tr": "cp1254",
    "az": "cp1254",
    "he": "cp1255",
    "ar": "cp1256",
    "fa": "cp1256",
    "vi": "cp1258",
}
_HTML_LANG = re.compile(rb"""<html[^>]*\slang\s*=\s*["']?\s*([A-Za-z]{2,3})""", re.IGNORECASE)
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&[#\w]+;")
# The page language's code page is taken when its decoding is at most this much messier
# (charset_normalizer's mess ratio, 0 to 1) than the best guess's: the guesses of single-byte
# Western text differ by a few hundredths, Cyrillic or Greek decoded as Latin by tenths.
_MESS_MARGIN = 0.1


def _page_language(data: bytes) -> str | None:
    """The language of the page's ASCII words (which no code page changes), else the language it
    declares (templates often declare the wrong one): enough to choose between code pages that
    decode the rest about equally well."""
    from newsdesk.extract.language import detect_language

    declared = _HTML_LANG.search(data[: _SNIFF * 4])
    text = _TAG_OR_ENTITY.sub(" ", data[:200_000].decode("ascii", "ignore"))
    return detect_language(
        " ".join(text.split())[:5000], fallback=declared.group(1).decode("ascii").lower() if declared else None
    )


def _guess(data: bytes) -> str | None:
    """The code page of the page's language when it decodes the page about as well as
    charset_normalizer's guess, else that guess.

    Western text in a single-byte encoding scores nearly the same in cp1250, cp1252, cp1257,
    iso8859-10 and Mac code pages (the letters differ, the statistics barely do), and the first
    of them is not the likeliest: a Latin-1 Dutch page labelled UTF-8 came out as Baltic mojibake
    ("ķķn cafķ fańade").
    """
    sample = data[:200_000]
    best = charset_normalizer.from_bytes(sample).best()
    guess = _codec(best.encoding) if best is not None else None
    preferred = _codec(_LANGUAGE_CODEPAGE.get(_page_language(data) or "", ""))
    if preferred is None or preferred == guess:
        return guess
    text = _try(sample, preferred)
    if text is None:
        return guess
    if best is None or mess_ratio(text, maximum_threshold=1.0) <= best.chaos + _MESS_MARGIN:
        return preferred
    return guess


def strip_heavy_blocks(text: str) -> str:
    """Replace script (not JSON-LD), style and svg blocks and comments with one space each.

    An opening token without its closer is left as it is (the scan moves on one character), as
    the regex would; once a closer is known to be missing for the rest of the text it is not
    searched for again, so unclosed tags cost linear, not quadratic, time.
    """
    parts: list[str] = []
    kept = pos = 0
    missing: set[str] = set()
    while (found := _HEAVY_OPEN.search(text, pos)) is not None:
        start = found.start()
        kind = found.lastgroup or "comment"
        body_start: int | None = start + 4
        if kind != "comment":
            opened = _HEAVY_TAG[kind].match(text, start)
            body_start = opened.end() if opened is not None else None
        closed = None
        if body_start is not None and kind not in missing:
            closed = _HEAVY_CLOSE[kind].search(text, body_start)
            if closed is None:
                missing.add(kind)
        if closed is None:
            pos = start + 1
            continue
        parts.append(text[kept:start])
        parts.append(" ")
        kept = pos = closed.end()
    if not parts:
        return text
    parts.append(text[kept:])
    return "".join(parts)


def prepare(html: bytes | str, charset: str | None = None) -> DecodedPage:
    """Decode and bound the input; raises BinaryContent for non-text bytes."""
    notes: list[str] = []
    if isinstance(html, bytes):
        text, encoding, notes = decode_bytes(html, charset)
    else:
        text, encoding = html, None
        if _looks_binary(text[:_SNIFF].encode("utf-8", "replace")):
            raise BinaryContent("binary content, not an HTML page")
    size = len(text)
    # Scripts, styles, inline SVG and comments are never article text; dropping them before
    # parsing halves the parse and cleaning work on a typical news page.
    text = strip_heavy_blocks(text)
    cut = len(text) > HARD_LIMIT
    if cut:
        text = text[:HARD_LIMIT]
        notes.append(f"page of {size} characters cut to {HARD_LIMIT} before parsing")
        logger.info("page of %s characters cut to %s", size, HARD_LIMIT)
    if not (isinstance(html, bytes) and _control_free(html, text, encoding)):
        text = _CONTROL.sub("", text)
    return DecodedPage(text=text, encoding=encoding, notes=tuple(notes), cut=cut)


def _control_free(data: bytes, text: str, encoding: str | None) -> bool:
    """True when the text decoded from data holds none of the _CONTROL characters.

    The regex pass costs ~0.4 ms per page and finds nothing on almost every page; where each
    byte below 0x80 is its own character, a count of the control bytes decides first (~0.05 ms).
    """
    return (
        encoding in _ASCII_COMPATIBLE
        and len(data.translate(None, _CONTROL_BYTES)) == len(data)
        and "\ufffe" not in text
        and "\uffff" not in text
    )


# trafilatura's HTML_PARSER settings, with one difference: every element is a plain HtmlElement.
# lxml.html's own lookup calls back into Python for each element proxy (to hand out form and
# input subclasses, which neither newsdesk nor trafilatura use): ~2,000 calls per page, ~5% of
# the extraction time. Copies of the tree (trafilatura copies what it is given) keep the parser.
PARSER = etree.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
# The two repairs of trafilatura.utils.repair_faulty_html (its control-character pass is done
# by prepare): libxml2 chokes on a DOCTYPE with a slash (lxml bug 1955915) and on <html ... />.
_DOCTYPE_WITH_SLASH = re.compile("^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSING_HTML = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)


def _parse(text: str | bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(text, parser=PARSER)


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """Parse prepared text as trafilatura.utils.load_html does; None when it is not HTML."""
    beginning = text[:50].lower()
    if "doctype" in beginning:
        first_line, _, rest = text.partition("\n")
        text = _DOCTYPE_WITH_SLASH.sub("", first_line, count=1) + "\n" + rest
    for line in text[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            text = _SELF_CLOSING_HTML.sub(r"\1>", text, count=1)
            break
    # UTF-8 bytes first, the str only when they give nothing (load_html's order is the other
    # way round): libxml2 reads UTF-8 as it is, a str (UCS-2 for most pages) it converts first.
    # ~25% less parse time, the same tree on all 258 bench pages and the golden pages.
    tree = None
    try:
        tree = _parse(text.encode("utf-8", "surrogatepass"))
    except (ValueError, TypeError, etree.LxmlError) as exc:
        logger.debug("lxml could not parse the bytes: %s", exc)
    if tree is None or len(tree) < 1:
        try:
            tree = _parse(text)
        except (ValueError, TypeError, etree.LxmlError) as exc:  # ValueError: a declared encoding
            logger.debug("lxml could not parse the text: %s", exc)
    # a fragment without the word "html" near its start must at least have some structure
    if tree is not None and "html" not in beginning and len(tree) < 2:
        return None
    return tree
