"""The bundled Dutch pipeline on the project's seed article: entities found and canonicalised."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from spacy.pipeline import EntityRecognizer

from newsdesk.analyze import analyze_docs, analyze_text, split_dated_text
from newsdesk.analyze.entities import entity_id
from newsdesk.analyze.nlp import BUNDLED_MODEL, load_nlp
from newsdesk.models import Analysis, EntityLabel, LinkKind
from tests.conftest import narrow

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "seed_article.txt"
CATALOG = ROOT / "seeds" / "entities.csv"


@pytest.fixture(scope="module")
def body() -> str:
    written, text = split_dated_text(SEED.read_text(encoding="utf-8"))
    assert written == "2025-03"
    return text


@pytest.fixture(scope="module")
def analysis(body: str) -> Analysis:
    return analyze_text(body, published=date(2025, 3, 2), catalog_path=CATALOG)


def surfaces(analysis: Analysis) -> dict[str, set[str]]:
    """canonical name -> the surface forms it was mentioned by."""
    found: dict[str, set[str]] = defaultdict(set)
    for m in analysis.mentions:
        found[m.entity.canonical].add(m.text)
    return found


def test_bundled_pipeline_loads_once_with_all_components() -> None:
    nlp = load_nlp()
    assert load_nlp() is nlp  # cached per process
    assert BUNDLED_MODEL.is_dir()
    assert nlp.lang == "nl"
    assert {"tok2vec", "morphologizer", "parser", "lemmatizer", "ner"} <= set(nlp.pipe_names)
    assert set(narrow(nlp.get_pipe("ner"), EntityRecognizer).labels) == {"PER", "ORG", "LOC", "MISC"}
    assert (BUNDLED_MODEL / "MODEL_CARD.md").read_text(encoding="utf-8").count("research") >= 1


def test_people_are_found_and_canonicalised(analysis: Analysis) -> None:
    found = surfaces(analysis)
    assert {"Keir Starmer", "Starmer"} <= found["Keir Starmer"]
    assert {"Dick Schoof", "Schoof"} <= found["Dick Schoof"]
    assert "Justin Trudeau" in found["Justin Trudeau"]
    assert "Ursula von der Leyen" in found["Ursula von der Leyen"]
    assert {"Mark Rutte", "Rutte"} <= found["Mark Rutte"]
    people = {m.entity.canonical for m in analysis.mentions if m.label is EntityLabel.PER}
    assert people == {"Keir Starmer", "Dick Schoof", "Justin Trudeau", "Ursula von der Leyen", "Mark Rutte"}


def test_places_and_organisations_are_found_and_canonicalised(analysis: Analysis) -> None:
    found = surfaces(analysis)
    assert {"Verenigd Koninkrijk", "VK", "Britse", "Britten"} <= found["Verenigd Koninkrijk"]
    assert {"Verenigde Staten", "Amerikaanse"} <= found["Verenigde Staten"]
    assert {"Europa", "Europese", "Europeanen"} <= found["Europa"]
    for name in (
        "Frankrijk",
        "Oekraïne",
        "Londen",
        "Nederland",
        "Washington",
        "Moskou",
        "Europese Commissie",
        "Europese Raad",
    ):
        assert name in found[name], name
    # "NAVO-landen", "NAVO-chef", "EU-lidstaten": compounds, MISC mentions of the organisation
    assert found["NAVO"] == {"NAVO-landen", "NAVO-chef"}
    assert found["Europese Unie"] == {"EU-lidstaten"}
    assert found["Canada"] == {"Canadese"}
    links = {(m.text, m.label, m.link) for m in analysis.mentions}
    assert {
        ("Britse", EntityLabel.MISC, LinkKind.DEMONYM_OF),
        ("Britten", EntityLabel.MISC, LinkKind.DEMONYM_OF),
        ("VK", EntityLabel.LOC, LinkKind.ALIAS_OF),
        ("Verenigd Koninkrijk", EntityLabel.LOC, LinkKind.SAME),
        ("NAVO-landen", EntityLabel.MISC, LinkKind.PART_OF_COMPOUND),
        ("Europese Commissie", EntityLabel.ORG, LinkKind.SAME),
        ("Schoof", EntityLabel.PER, LinkKind.SURNAME_OF),
    } <= links
    # The entity keeps its own type whatever the mention's: the UK is a place, NATO a body.
    types = {m.entity.canonical: m.entity.label for m in analysis.mentions}
    assert types["Verenigd Koninkrijk"] is EntityLabel.LOC
    assert types["NAVO"] is EntityLabel.ORG
    # Nothing but catalog entities in this article: no stray new entities.
    assert all(m.entity.entity_id == entity_id(m.entity.label, m.entity.canonical) for m in analysis.mentions)
    assert set(found) == {
        "Keir Starmer",
        "Dick Schoof",
        "Justin Trudeau",
        "Ursula von der Leyen",
        "Mark Rutte",
        "Verenigd Koninkrijk",
        "Verenigde Staten",
        "Europa",
        "Frankrijk",
        "Oekraïne",
        "Londen",
        "Nederland",
        "Washington",
        "Moskou",
        "NAVO",
        "Europese Commissie",
        "Europese Raad",
        "Europese Unie",
        "Canada",
    }


def test_offsets_sentences_and_order(body: str, analysis: Analysis) -> None:
    assert analysis.mentions
    starts = [m.start for m in analysis.mentions]
    assert starts == sorted(starts)
    for m in analysis.mentions:
        assert body[m.start : m.end] == m.text
        # The sentence a mention starts in (a small parser may split inside a name).
        s_start, s_end = analysis.sentences[m.sentence]
        assert s_start <= m.start < s_end
    assert 15 <= len(analysis.sentences) <= 30
    for (a_start, a_end), (b_start, _) in zip(analysis.sentences, analysis.sentences[1:], strict=False):
        assert a_start < a_end <= b_start
    first = analysis.mentions[0]
    assert (first.text, first.sentence) == ("Europese", 0)
    rutte = [m for m in analysis.mentions if m.text == "Rutte"][-1]
    last_real = max(i for i, (s, e) in enumerate(analysis.sentences) if body[s:e].strip())
    assert rutte.sentence == last_real


def test_ids_are_stable_and_version_names_model_and_rules(analysis: Analysis, body: str) -> None:
    again = analyze_text(body, catalog_path=CATALOG)
    assert [(m.start, m.entity.entity_id) for m in again.mentions] == [
        (m.start, m.entity.entity_id) for m in analysis.mentions
    ]
    schoof = next(m for m in analysis.mentions if m.text == "Schoof")
    assert schoof.entity.entity_id == entity_id("PER", "Dick Schoof")
    assert analysis.analyzer_version.startswith("nl_newsdesk-")
    assert "+rules" in analysis.analyzer_version


def test_analyze_docs_matches_analyze_text(body: str, analysis: Analysis) -> None:
    short = "Premier Dick Schoof sprak in Brussel met de Britse premier."
    results = list(analyze_docs([(body, date(2025, 3, 2)), (short, None)], catalog_path=CATALOG))
    assert len(results) == 2
    assert results[0] == analysis
    got = [(m.text, m.entity.canonical) for m in results[1].mentions]
    assert got == [("Dick Schoof", "Dick Schoof"), ("Brussel", "Brussel"), ("Britse", "Verenigd Koninkrijk")]
