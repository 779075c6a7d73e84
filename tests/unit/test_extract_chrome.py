"""Page chrome is deleted before trafilatura sees the page, on a copy, keeping the text after it."""

from __future__ import annotations

from lxml import etree

from newsdesk.extract.article import _without_chrome
from newsdesk.extract.decode import parse_html

PAGE = (
    "<html><body><nav><a href='/'>Home</a></nav>tail after nav"
    "<article><p>Eerste alinea.</p><iframe src='x'></iframe>na iframe<p>Tweede.</p></article>"
    "<aside><p>Kan het artikel zijn.</p></aside><noscript>zet javascript aan</noscript>"
    "<footer><nav>voet</nav></footer>einde</body></html>"
)


def test_chrome_goes_text_after_it_stays_and_the_page_is_untouched() -> None:
    tree = parse_html(PAGE)
    assert tree is not None
    before = etree.tostring(tree)
    trimmed = _without_chrome(tree)
    text = trimmed.text_content()
    assert "Home" not in text and "javascript" not in text and "voet" not in text
    assert "tail after nav" in text and "na iframe" in text and "einde" in text
    assert "Eerste alinea." in text and "Kan het artikel zijn." in text  # <aside> is kept
    assert not trimmed.xpath("//nav | //footer | //iframe | //noscript")
    assert etree.tostring(tree) == before
