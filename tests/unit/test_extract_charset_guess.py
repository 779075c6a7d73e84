"""A page whose declared charset does not fit its bytes is decoded in the code page of its
language, when that decodes it about as well as charset_normalizer's first guess (which, among
single-byte code pages that score alike, was Baltic for Latin-1 Dutch)."""

from __future__ import annotations

import pytest

from newsdesk.extract import extract_article
from newsdesk.extract.decode import decode_bytes

SAMPLES = {
    "nl": (
        "Eén café, één façade: de gemeente zegt dat het pand gerenoveerd wordt en dat de huurders blijven.",
        "latin-1",
    ),
    "fr": ("Le garçon du café sur la façade a dit à l'élève que la crème brûlée était prête.", "cp1252"),
    "de": ("Die Größe des Gebäudes überrascht; Bürger äußern Ärger über die Straße.", "cp1252"),
    "pl": ("Sejm przyjął ustawę, która wejdzie w życie na początku przyszłego roku.", "cp1250"),
    "cs": ("Poslanecká sněmovna schválila zákon, který vstoupí v platnost příští rok. Řekl, že účinnost.", "cp1250"),
    "ru": ("Государственная дума приняла закон, который вступит в силу в начале следующего года.", "cp1251"),
    "el": ("Η Βουλή ψήφισε τον νόμο που θα τεθεί σε ισχύ στις αρχές του επόμενου έτους.", "cp1253"),
    "tr": ("Meclis, gelecek yılın başında yürürlüğe girecek yasayı kabul etti; şöyle dedi.", "cp1254"),
    "lt": ("Lietuvos Respublikos Seimas priėmė įstatymą, kuris įsigalios ateinančių metų pradžioje.", "cp1257"),
}


def _page(text: str, lang: str = "") -> str:
    body = " ".join([text] * 8)
    return f"<html{lang}><head><title>t</title></head><body><nav>Home Sport</nav><p>{body}</p></body></html>"


@pytest.mark.parametrize("language", sorted(SAMPLES))
@pytest.mark.parametrize("declared", ["", ' lang="en"'])
def test_a_page_labelled_utf8_is_decoded_in_its_languages_code_page(language: str, declared: str) -> None:
    text, codepage = SAMPLES[language]
    decoded, encoding, notes = decode_bytes(_page(text, declared).encode(codepage), "utf-8")
    assert text in decoded, (encoding, decoded[80:200])
    assert notes and "did not fit" in notes[0]


def test_latin1_dutch_labelled_utf8_is_stored_as_written() -> None:
    body = " ".join(
        f"Alinea {i}: één café aan de façade kreeg een nieuwe eigenaar, en de buurt is blij met de crème brûlée."
        for i in range(6)
    )
    page = f"<html><head><title>Eén café</title></head><body><article><p>{body}</p></article></body></html>"
    article = extract_article(page.encode("latin-1"), url="https://nieuws.example/cafe", charset="utf-8")
    assert article.title == "Eén café"
    assert "één café aan de façade" in article.text
    assert "ķ" not in article.text and "ń" not in article.text
