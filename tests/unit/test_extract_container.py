"""The article container a page marks is handed to trafilatura alone; a thin one falls back to the page."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from lxml.html import HtmlElement

from newsdesk.extract import article as article_module
from newsdesk.extract import extract_article
from newsdesk.extract.article import ExtractionSettings, _article_container, _container_page
from newsdesk.extract.decode import parse_html
from newsdesk.models import ArticleStatus

PARAGRAPHS = [
    "De gemeenteraad van Zwolle heeft dinsdagavond ingestemd met de bouw van een nieuwe fietsbrug over het "
    "Zwarte Water, na een debat van ruim drie uur waarin vooral de kosten ter sprake kwamen.",
    "De brug moet in 2027 klaar zijn en verbindt de wijk Stadshagen met de binnenstad. Volgens de wethouder "
    "scheelt de nieuwe route fietsers uit het noorden van de stad gemiddeld acht minuten per rit.",
    "De oppositie vond de raming van 14 miljoen euro te optimistisch en wees op de forse prijsstijgingen in "
    "de bouw van de afgelopen jaren. Een motie om eerst een second opinion te laten maken haalde het niet.",
    "Omwonenden aan de kade maken zich zorgen over het uitzicht en over de drukte tijdens de bouw. De gemeente "
    "belooft een klankbordgroep en wil de werkzaamheden buiten de zomermaanden om plannen.",
    "Het college verwacht in het najaar een aannemer te kiezen. De provincie draagt vier miljoen euro bij uit "
    "het fonds voor regionale fietsroutes, het Rijk nog eens twee miljoen.",
    "Wie de plannen wil bekijken kan terecht in het stadskantoor, waar tot eind volgende maand een maquette "
    "van de brug staat, met tekeningen van de nieuwe aansluitingen op de kades.",
]
TEASERS = [
    "Nieuw zwembad in Kampen gaat later open dan gepland door een tekort aan personeel bij de aannemer.",
    "Provincie trekt extra geld uit voor het onderhoud van dijken langs de IJssel na de natte winter.",
    "Festival in het Engelse Werk verkoopt binnen een uur alle kaarten voor de zaterdag en de zondag.",
]


def _teaser_rail() -> str:
    return "".join(f"<article class='teaser'><a href='/t{i}'><p>{t}</p></a></article>" for i, t in enumerate(TEASERS))


def _page(main: str, after: str = "") -> bytes:
    return (
        "<html lang='nl'><head><title>Fietsbrug | Zwolle Nieuws</title>"
        "<meta property='og:type' content='article'></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/regio'>Regio</a></nav></header>"
        f"{main}{after}"
        "<footer><p>Copyright Zwolle Nieuws. Alle rechten voorbehouden. Over ons, contact en privacy.</p></footer>"
        "</body></html>"
    ).encode()


ARTICLE = (
    "<main><article><h1>Raad stemt in met fietsbrug over het Zwarte Water</h1>"
    "<div class='share'><a href='https://www.facebook.com/sharer'>Deel op Facebook</a>"
    " <a href='https://twitter.com/intent'>Deel op X</a></div>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    + "<aside class='related'><h3>Lees ook</h3><ul><li><a href='/a'>Eerder: brug kost meer</a></li>"
    "<li><a href='/b'>Fietsers willen snellere route</a></li></ul></aside>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    + "</article>"
    "<section class='more-news'><h2>Meer nieuws</h2>" + _teaser_rail() + "</section></main>"
)


def test_the_largest_marked_container_with_the_text_is_chosen() -> None:
    tree = parse_html(_page(ARTICLE).decode())
    assert tree is not None
    found = _article_container(tree)
    assert found is not None and found[0].tag == "main"


def test_boilerplate_inside_and_outside_the_container_stays_out_of_the_text() -> None:
    article = extract_article(_page(ARTICLE, _teaser_rail()), url="https://zwolle.example/fietsbrug")
    assert article.status is ArticleStatus.OK, article.reason
    assert article.text.split("\n\n") == PARAGRAPHS
    for chrome in ("Deel op", "Lees ook", "Eerder: brug", "Meer nieuws", "Copyright", "Home", *TEASERS):
        assert chrome not in article.text, chrome


def test_the_container_page_is_a_copy_without_chrome() -> None:
    tree = parse_html(_page(ARTICLE.replace("</article>", "<nav>Vorige | Volgende</nav>na de nav</article>")).decode())
    assert tree is not None
    before = etree.tostring(tree)
    found = _article_container(tree)
    assert found is not None
    page = _container_page(found[0])
    assert [child.tag for child in page] == ["body"] and page[0][0].tag == "main"
    assert not page.xpath("//nav") and "na de nav" in page.text_content()
    assert etree.tostring(tree) == before  # the page itself is untouched (the classification reads it)
    # every element keeps decode's plain element class
    assert {type(el).__name__ for el in page.iter(etree.Element)} == {"HtmlElement"}


def test_no_container_when_the_marked_elements_hold_little_of_the_text() -> None:
    # only teaser <article>s are marked; the article itself sits in plain divs
    body = "<div id='wrap'>" + "".join(f"<div><p>{p}</p></div>" for p in PARAGRAPHS) + "</div>" + _teaser_rail()
    tree = parse_html(_page(body).decode())
    assert tree is not None
    assert _article_container(tree) is None
    article = extract_article(_page(body), url="https://zwolle.example/fietsbrug")
    assert article.status is ArticleStatus.OK, article.reason
    # the whole page goes to trafilatura, which finds every paragraph (and, left to itself, the
    # teasers as well)
    assert all(paragraph in article.text.split("\n\n") for paragraph in PARAGRAPHS)


def test_no_container_on_a_page_with_little_paragraph_text() -> None:
    tree = parse_html(_page("<article><p>Kort bericht.</p></article>").decode())
    assert tree is not None
    assert _article_container(tree) is None


def test_a_thin_container_falls_back_to_the_whole_page(monkeypatch: pytest.MonkeyPatch) -> None:
    # <main> holds the first half of the article (enough of the page's text to be chosen), the
    # rest follows outside it: trafilatura gives too few blocks from <main> alone, so the whole
    # page is extracted as well.
    main = "<main>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + "</main>"
    rest = "<div class='vervolg'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:]) + "</div>"
    tree = parse_html(_page(main, rest).decode())
    assert tree is not None
    found = _article_container(tree)
    assert found is not None and found[0].tag == "main"

    seen: list[tuple[bool, bool]] = []
    extract = article_module._trafilatura_body

    def spy(page: HtmlElement, url: str, settings: ExtractionSettings, fast: bool) -> Any:
        seen.append((bool(page.xpath("//div[@class='vervolg']")), fast))
        return extract(page, url, settings, fast)

    monkeypatch.setattr(article_module, "_trafilatura_body", spy)
    article = extract_article(_page(main, rest), url="https://zwolle.example/fietsbrug")
    # the container alone in fast mode, then the whole page with the fallback extractors
    assert seen == [(False, True), (True, False)]
    assert article.status is ArticleStatus.OK, article.reason
    assert article.text.split("\n\n")[:3] == PARAGRAPHS[:3]


def test_a_full_container_is_extracted_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    extract = article_module._trafilatura_body

    def spy(page: HtmlElement, url: str, settings: ExtractionSettings, fast: bool) -> Any:
        calls.append(sum(1 for _ in page.iter()))
        return extract(page, url, settings, fast)

    monkeypatch.setattr(article_module, "_trafilatura_body", spy)
    article = extract_article(_page(ARTICLE, _teaser_rail()), url="https://zwolle.example/fietsbrug")
    assert article.status is ArticleStatus.OK, article.reason
    assert len(calls) == 1  # no second pass over the whole page


def test_a_container_whose_extraction_keeps_little_of_its_text_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # <main> holds the article and a long comment thread: trafilatura keeps the article and drops
    # the comments, less than CONTAINER_MIN_YIELD of the container's paragraph text, so the
    # container's result is not trusted and the whole page is extracted as well
    comments = "<div class='comments'>" + "".join(f"<p>{p} {p}</p>" for p in PARAGRAPHS * 4) + "</div>"
    main = "<main>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + comments + "</main>"
    seen: list[bool] = []
    extract = article_module._trafilatura_body

    def spy(page: HtmlElement, url: str, settings: ExtractionSettings, fast: bool) -> Any:
        seen.append(fast)
        return extract(page, url, settings, fast)

    monkeypatch.setattr(article_module, "_trafilatura_body", spy)
    article = extract_article(_page(main), url="https://zwolle.example/fietsbrug")
    assert seen == [True, False]  # the container in fast mode, then the whole page with the fallbacks
    assert article.status is ArticleStatus.OK, article.reason
    assert article.text.split("\n\n") == PARAGRAPHS
