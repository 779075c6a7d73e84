"""Golden pages written for the project: page .html + expected .json (status, metadata, full text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.extract import extract_article
from newsdesk.models import ArticleStatus

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "extract" / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))

# Boilerplate of the golden outlet's template that must never reach the text.
BOILERPLATE = [
    "Lees ook",
    "Foto: Hollandse Hoogte",
    "Archiefbeeld",
    "Meld je aan voor onze nieuwsbrief",
    "Delen:",
    "Geplaatst op",
    "schreef:",
    "Geef een reactie",
    "maakt gebruik van cookies",
    "Vorig bericht",
    "Recente berichten",
    "WordPress",
]


def load(name: str) -> tuple[bytes, dict]:
    return (GOLDEN / f"{name}.html").read_bytes(), json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))


def test_the_golden_set_covers_every_kind() -> None:
    statuses = {load(name)[1]["status"] for name in CASES}
    assert statuses == {"ok", "not_article", "too_short", "no_text"}
    assert any(load(name)[1].get("paywalled") for name in CASES)
    assert len(CASES) >= 11


@pytest.mark.parametrize("name", CASES)
def test_golden_page(name: str) -> None:
    page, expected = load(name)
    article = extract_article(page, url=expected["url"], charset=expected.get("charset"))
    assert article.status == expected["status"], article.reason
    assert article.url == expected["url"]
    if expected["status"] != "ok":
        assert article.reason and article.text == "" and article.content_hash is None
        return
    assert article.text == expected["text"]
    assert article.title == expected["title"]
    assert list(article.authors) == expected["authors"]
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == expected["published"]
    assert article.language == expected["language"]
    assert article.site_name == expected.get("site_name", "Oost Nieuws")
    assert article.canonical_url == expected.get("canonical_url", expected["url"])
    assert (article.paywalled, article.partial) == (expected.get("paywalled", False), expected.get("partial", False))
    for marker in BOILERPLATE:
        assert marker not in article.text, marker


def test_multiple_authors_are_all_kept() -> None:
    page, expected = load("wp-multi-author-meta")
    article = extract_article(page, url=expected["url"])
    assert article.authors == ("Lisa Jansen", "Mark de Groot", "Ahmed Yilmaz")


def test_feed_date_is_only_a_fallback() -> None:
    from datetime import UTC, datetime

    feed_date = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    page, expected = load("wp-multi-author-meta")
    article = extract_article(page, url=expected["url"], feed_published=feed_date)
    assert article.published_at == datetime(2025, 3, 5, 13, 10, tzinfo=UTC)
    bare = (
        b"<html><body><article>" + b"<p>" + b"Een zin met genoeg woorden erin. " * 30 + b"</p></article></body></html>"
    )
    article = extract_article(bare, url="https://example.org/x", feed_published=feed_date)
    assert article.status is ArticleStatus.OK
    assert article.published_at == feed_date
