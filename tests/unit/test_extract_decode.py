"""decode's fast paths give exactly what they replaced: strip_heavy_blocks the regex, parse_html
trafilatura's load_html (the same tree), on tricky, random and golden input."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from lxml import etree
from trafilatura.utils import load_html

from newsdesk.extract.decode import _CONTROL, _looks_binary, decode_bytes, parse_html, prepare, strip_heavy_blocks

# The specification: the single regex prepare() used before the scanner (slow on big scripts).
REFERENCE = re.compile(
    r"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>|<svg[^>]*>.*?</svg\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "extract" / "golden"

TRICKY = [
    "",
    "no tags at all",
    "<p>a</p><script>var x = 1;</script><p>b</p>",
    "<SCRIPT TYPE='text/javascript'>x()</SCRIPT><Style>p{}</STYLE>",
    "<script>a</script ><script>b</script\n\t>c",
    '<script type="application/ld+json">{"a": "<!-- kept? -->"}</script><p>x</p>',
    '<script type="APPLICATION/LD+JSON">{"@type": "NewsArticle"}</script>',
    "<script>unclosed script and <p>text</p> to the end",
    "<script>one</script><script>unclosed <!-- comment --> tail",
    "<style>unclosed style <svg><path/></svg> tail",
    "<!-- unclosed comment <script>x</script> tail",
    "<!--> not closed yet --> after",
    "<!---->empty<!-- -- -->",
    "<scripts>not a script tag?</scripts></script>",
    "<svgfoo>x</svg><svg viewBox='0 0 1 1'><g>y</g></SVG >z",
    "<script src=x.js></script><script\n  async\n>y</script>",
    "<script>document.write('<script>inner</' + 'script>')</script>after",
    "<script>if (a < b && c > d) {}</script>ok",
    "<script type='ld+json'",  # an opening tag that never ends
    "<style>a</style <style>b</style>",
    "<<script>>x</script>>",
    "text <!-- a --> text <!-- b -->",
    "<ſcript>long s folds to s under IGNORECASE</ſcript>",
    "<script>é ü 中文 🙂</script>é ü 中文 🙂",
]


@pytest.mark.parametrize("text", TRICKY)
def test_same_output_as_the_regex_on_tricky_input(text: str) -> None:
    assert strip_heavy_blocks(text) == REFERENCE.sub(" ", text)


def test_same_output_as_the_regex_on_random_tag_soup() -> None:
    pieces = [
        "<script>",
        "<SCRIPT type=x>",
        "</script>",
        "</script >",
        "</Script\n>",
        '<script type="application/ld+json">',
        "<style>",
        "</style>",
        "<svg>",
        "</svg>",
        "<!--",
        "-->",
        "<",
        ">",
        "--",
        "a",
        "text ",
        "\n",
        "é",
        "<p>",
    ]
    rng = random.Random(20250302)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert strip_heavy_blocks(text) == REFERENCE.sub(" ", text), text


def test_same_output_as_the_regex_on_the_golden_pages() -> None:
    pages = sorted(GOLDEN.glob("*.html"))
    assert pages
    for path in pages:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert strip_heavy_blocks(text) == REFERENCE.sub(" ", text), path.name


def test_prepare_keeps_json_ld_and_drops_scripts() -> None:
    page = prepare(
        b'<html><head><script type="application/ld+json">{"headline": "Kop"}</script>'
        b"<script>var state = 1;</script><style>p {}</style></head><body><!-- x --><p>Tekst</p></body></html>"
    )
    assert '{"headline": "Kop"}' in page.text
    assert "var state" not in page.text and "p {}" not in page.text and "<!--" not in page.text
    assert "<p>Tekst</p>" in page.text


def test_many_unclosed_tags_stay_fast() -> None:
    # each unclosed opener would rescan to the end of the text without the memo of missing closers
    text = "<script>" * 20_000 + "<!--" * 20_000
    assert strip_heavy_blocks(text) == text


def _serialised(tree: etree._Element | None) -> bytes | None:
    return None if tree is None else etree.tostring(tree)


PARSE_CASES = [
    "",
    "tekst",
    "gewone tekst zonder html " * 3,
    "<p>Kort.</p>",
    "<div>a</div><div>b</div>",
    "<html>",
    "<html><body></body></html>",
    "<<<>>><!-- <div <p <<",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/x.dtd">\n<html><p>a</p>',
    "<!DOCTYPE html/>\n<html/>\n<body><p>a</p></body>",
    "<html lang='nl' />\n<body><p>x</p><p>y</p></body>",
    "<form><input name=q><select><option>a</select><textarea>t</textarea><label>l</label></form>",
    # parse_html hands lxml UTF-8 bytes first: declared charsets and wide characters
    "<html><head><meta charset='iso-8859-1'></head><body><p>caf\u00e9 \u4e2d\u6587 \U0001f642</p></body></html>",
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><p>\u20ac</p>',
    "<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>\u00e9\u00e8</p></body></html>",
    "<p>\u0645\u0631\u062d\u0628\u0627</p><p>\u00a0\u2003</p>",
]


@pytest.mark.parametrize("text", PARSE_CASES)
def test_parse_html_builds_the_tree_load_html_builds(text: str) -> None:
    assert _serialised(parse_html(text)) == _serialised(load_html(text))


def test_parse_html_on_the_golden_pages() -> None:
    for path in sorted(GOLDEN.glob("*.html")):
        text = prepare(path.read_bytes()).text
        tree = parse_html(text)
        assert tree is not None, path.name
        assert etree.tostring(tree) == etree.tostring(load_html(text)), path.name
        # every element is a plain HtmlElement: no per-element lookup through Python
        assert {type(el).__name__ for el in tree.iter(etree.Element)} == {"HtmlElement"}


# Enough ordinary text around the control characters that the page does not read as binary.
_FILLER = "<p>" + "Gewone tekst van een nieuwsbericht. " * 10 + "</p>"
CONTROL_CASES = [
    ((_FILLER + "<p>a\x00b\x08c\x0bd\x1fe\x7ff\tg\nh\ri</p>").encode(), None),
    ((_FILLER + "<p>caf\u00e9 \ufffe x \uffff y</p>").encode(), "utf-8"),
    ((_FILLER + "<p>na\u00efve\x0c en \x1b</p>").encode("cp1252"), "windows-1252"),
    ((_FILLER + "<p>\u00e9\x01</p>").encode("latin-1"), "iso-8859-1"),
    (_FILLER.encode(), None),
    ((_FILLER + "<p>\u4e2d\u6587\x01\u3002</p>").encode("utf-16"), None),  # BOM: not ASCII-compatible
]


@pytest.mark.parametrize(("raw", "charset"), CONTROL_CASES)
def test_prepare_drops_control_characters_whatever_the_encoding(raw: bytes, charset: str | None) -> None:
    text, _encoding, _notes = decode_bytes(raw, charset)
    page = prepare(raw, charset)
    assert page.text == _CONTROL.sub("", strip_heavy_blocks(text))
    assert _CONTROL.search(page.text) is None


def _looks_binary_by_count(head: bytes) -> bool:
    """The byte-by-byte count _looks_binary replaced with bytes.translate."""
    if not head:
        return False
    if head.count(0) > len(head) // 100 and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return sum(1 for byte in head if byte < 9 or 13 < byte < 32) > len(head) // 20


def test_binary_sniffing_counts_control_bytes_as_before() -> None:
    rng = random.Random(20250302)
    alphabet = [0, 1, 8, 9, 10, 13, 14, 27, 31, 32, 65, 0xC3, 0xFE, 0xFF]
    heads = [bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    heads += [b"\xff\xfe" + b"\x00a" * 40, b"<html>" + b"\x1b" * 5 + b"x" * 60]
    verdicts = {_looks_binary(head) for head in heads}
    assert verdicts == {True, False}
    for head in heads:
        assert _looks_binary(head) == _looks_binary_by_count(head), head
