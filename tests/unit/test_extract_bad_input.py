"""Bad input is data: truncated, mis-encoded, huge, binary or empty pages get a status, never an exception."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from newsdesk.extract import extract_article
from newsdesk.models import ArticleStatus

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "extract" / "golden"
URL = "https://www.oostnieuws.example/x/"


def golden(name: str) -> tuple[bytes, dict]:
    return (GOLDEN / f"{name}.html").read_bytes(), json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))


def test_five_megabyte_page_is_cut_and_still_extracted() -> None:
    page, expected = golden("wp-multi-author-meta")
    head, rest = page.split(b"</head>", 1)
    # a framework state blob before </head> and a mega menu after the article, as on real sites
    blob = b"<script>window.__STATE__=" + json.dumps(["x" * 100] * 25_000).encode() + b"</script>"
    menu = b"<ul class='mega-menu'>" + b"<li><a href='/t'>Onderwerp</a></li>" * 80_000 + b"</ul>"
    body_end = rest.rindex(b"</body>")
    big = head + blob + b"</head>" + rest[:body_end] + menu + rest[body_end:]
    assert len(big) > 5_000_000
    article = extract_article(big, url=expected["url"])
    assert article.status is ArticleStatus.OK
    assert article.text == expected["text"]
    assert article.reason and "cut to" in article.reason


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_binary_junk_is_an_error_not_a_crash(seed: int) -> None:
    junk = random.Random(seed).randbytes(200_000)
    article = extract_article(junk, url=URL, charset="utf-8")
    assert article.status is ArticleStatus.ERROR
    assert article.reason and "binary" in article.reason


def test_png_served_as_html() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 50
    article = extract_article(png, url=URL, charset="text/html")
    assert article.status is ArticleStatus.ERROR


@pytest.mark.parametrize(
    ("html", "status"),
    [
        (b"", ArticleStatus.NO_TEXT),
        ("", ArticleStatus.NO_TEXT),
        (b"   \n  ", ArticleStatus.NO_TEXT),
        (b"<html>", ArticleStatus.NO_TEXT),
        (b"<html><body></body></html>", ArticleStatus.NO_TEXT),
        (b"<p>Kort.</p>", ArticleStatus.TOO_SHORT),
        (b"gewone tekst zonder html " * 3, ArticleStatus.TOO_SHORT),
        (b"<<<>>><!-- <div <p <<", ArticleStatus.NO_TEXT),
    ],
)
def test_empty_and_broken_documents(html: bytes | str, status: ArticleStatus) -> None:
    article = extract_article(html, url=URL)
    assert article.status in (status, ArticleStatus.ERROR, ArticleStatus.NO_TEXT, ArticleStatus.TOO_SHORT)
    assert article.status is not ArticleStatus.OK
    assert article.reason


def test_unknown_charset_name_falls_back() -> None:
    page, expected = golden("utf8-declared-latin1")
    article = extract_article(page, url=expected["url"], charset="x-no-such-charset")
    assert article.status is ArticleStatus.OK
    assert article.text == expected["text"]


def test_str_input_and_nul_bytes() -> None:
    page, expected = golden("wp-jsonld-comments")
    text = page.decode("utf-8").replace("<p>", "<p>\x00", 3)
    article = extract_article(text, url=expected["url"])
    assert article.status is ArticleStatus.OK
    assert article.text == expected["text"]


def test_control_characters_in_json_ld_metadata_are_dropped():
    from newsdesk.extract import extract_article

    body = " ".join(["De minister belooft de Kamer voor de zomer een brief over de begroting."] * 12)
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Kop\\u0000 met NUL", "author": {"name": "Anna\\u0000 de Vries"}, '
        '"publisher": {"name": "De\\u0001 Krant"}, "datePublished": "2025-03-04T10:00:00+01:00"}</script>'
        f"</head><body><article><h1>Kop met NUL</h1><p>{body}</p><p>{body}</p></article></body></html>"
    )
    article = extract_article(page.encode(), url="https://krant.example/a")
    assert article.title == "Kop met NUL"
    assert article.authors == ("Anna de Vries",)
    assert "\x00" not in (article.site_name or "") and "\x01" not in (article.site_name or "")
