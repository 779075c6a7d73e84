"""_heuristic_meta runs only the asked-for steps of trafilatura's extract_metadata, with its values."""

from __future__ import annotations

from pathlib import Path

import pytest
from trafilatura.metadata import extract_metadata

from newsdesk.extract.article import _heuristic_meta
from newsdesk.extract.decode import parse_html, prepare

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "extract" / "golden"
FIELDS = {"title": "title", "author": "author", "date": "date", "site_name": "sitename"}

# No JSON-LD, no meta tags: every field comes from the visible page.
BARE = b"""<html><head><title>Dijkversterking begint in maart | Rivierenland Nu</title></head><body>
<header><a href="/">rivierenlandnu</a></header>
<h1>Dijkversterking begint in maart</h1>
<p class="byline">Door <span class="author">Sanne de Wit</span></p>
<p>Gepubliceerd op 12 februari 2025</p>
<article><p>Het waterschap begint in maart met de versterking van de dijk tussen Tiel en Zaltbommel.</p></article>
</body></html>"""


def _pages() -> list[tuple[str, bytes]]:
    pages = [(path.name, path.read_bytes()) for path in sorted(GOLDEN.glob("*.html"))]
    return [*pages, ("bare", BARE)]


@pytest.mark.parametrize(("name", "page"), _pages())
def test_every_field_asked_for_equals_extract_metadata(name: str, page: bytes) -> None:
    tree = parse_html(prepare(page).text)
    assert tree is not None
    expected = extract_metadata(parse_html(prepare(page).text), default_url="https://example.org/a", extensive=True)
    found = _heuristic_meta(tree, "https://example.org/a", title=True, author=True, date=True, site_name=True)
    for attr in FIELDS.values():
        assert getattr(found, attr) == getattr(expected, attr), (name, attr)


def test_the_bare_page_gives_every_field() -> None:
    tree = parse_html(prepare(BARE).text)
    assert tree is not None
    found = _heuristic_meta(tree, "https://example.org/a", title=True, author=True, date=True, site_name=True)
    assert found.title and found.author and found.date and found.sitename


@pytest.mark.parametrize("asked", list(FIELDS))
def test_fields_not_asked_for_are_not_searched(asked: str) -> None:
    tree = parse_html(prepare(BARE).text)
    assert tree is not None
    flags = {field: field == asked for field in FIELDS}
    found = _heuristic_meta(tree, "https://example.org/a", **flags)
    assert getattr(found, FIELDS[asked])
    for field, attr in FIELDS.items():
        if field != asked:
            assert getattr(found, attr) is None, attr
