"""The offline sample website extracts into the seed's shape: every article page OK, clean text."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from newsdesk.extract import extract_article
from newsdesk.models import ArticleStatus

PROJECT = Path(__file__).resolve().parents[2]
SITE = PROJECT / "seeds" / "sample" / "site"
EXPECTED = json.loads((PROJECT / "tests/fixtures/extract/sample_site_expected.json").read_text(encoding="utf-8"))
BASE = "http://127.0.0.1:43123"
SEED_PAGE = "nieuws/2025/03/coalitie-vredesplan-oekraine.html"

# Text that appears around the articles on the sample site and must never reach Article.text.
BOILERPLATE = [
    "Deel dit artikel",
    "Lees ook",
    "gebruikt cookies",
    "Klik op Akkoord",
    "Meld je aan voor de nieuwsbrief",
    "Word abonnee",
    "Reacties",
    "Henk uit Zwolle",
    "Foto: ANP",
    "Kruimelpad",
    "Alle rechten voorbehouden",
    "Inloggen",
    "Meer nieuws",
    "Meest gelezen",
    "Onderwerpen:",
    "Delen op",
    "Het weer",
]


def served(path: str) -> bytes:
    return (SITE / path).read_text(encoding="utf-8").replace("{{BASE_URL}}", BASE).encode("utf-8")


def seed_body() -> str:
    text = (PROJECT / "seeds/seed_article.txt").read_text(encoding="utf-8").strip()
    assert text.startswith("date 2025-03 ")
    return text.removeprefix("date 2025-03 ")


def test_seed_page_extracts_to_the_seed_text() -> None:
    article = extract_article(served(SEED_PAGE), url=f"{BASE}/{SEED_PAGE}")
    assert article.status is ArticleStatus.OK
    assert article.text.split("\n\n") == seed_body().split("\n\n")
    assert article.text == seed_body()
    assert "Vrede helpen verdedigen" in article.text.split("\n\n")
    assert article.title == "Europese coalitie gaat eigen vredesplan voor Oekraïne opstellen"
    assert article.published_at is not None and article.published_at.date() == date(2025, 3, 2)
    assert article.published_at.utcoffset() is not None
    assert article.language == "nl"
    assert article.canonical_url == f"{BASE}/{SEED_PAGE}"
    assert article.site_name == "Het Dagblad"
    assert article.authors == ("Sanne de Wit",)
    assert len(article.content_hash or "") == 64
    assert len(article.minhash) == 128


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_sample_page(path: str) -> None:
    expected = EXPECTED[path]
    article = extract_article(served(path), url=f"{BASE}/{path}")
    assert article.status == expected["status"], article.reason
    if expected["status"] != "ok":
        assert article.reason
        assert article.text == ""
        return
    assert article.text == expected["text"]
    assert article.title == expected["title"]
    assert list(article.authors) == expected["authors"]
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == expected["published"]
    assert article.language == "nl"
    assert article.canonical_url == f"{BASE}/{path}"
    assert (article.paywalled, article.partial) == (expected.get("paywalled", False), expected.get("partial", False))
    for line in article.text.split("\n\n"):
        assert line.strip() == line and line, "empty or padded paragraph"
        for marker in BOILERPLATE:
            assert marker.casefold() not in line.casefold(), (marker, line)


def test_every_article_page_of_the_site_is_covered() -> None:
    pages = {p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")}
    assert pages == set(EXPECTED)
    assert sum(1 for e in EXPECTED.values() if e["status"] == "ok") >= 12


def test_feed_link_with_tracking_parameters_has_a_clean_canonical() -> None:
    rss = (SITE / "feeds/binnenland.xml").read_text(encoding="utf-8")
    atom = (SITE / "feeds/politiek.atom").read_text(encoding="utf-8")
    assert "coalitie-vredesplan-oekraine.html?utm_source=rss&amp;utm_medium=feed" in rss
    assert 'href="{{BASE_URL}}/nieuws/2025/03/coalitie-vredesplan-oekraine.html"' in atom
    url = f"{BASE}/{SEED_PAGE}?utm_source=rss&utm_medium=feed"
    article = extract_article(served(SEED_PAGE), url=url)
    assert article.url == url
    assert article.canonical_url == f"{BASE}/{SEED_PAGE}"
