"""Canonical entities: catalog, aliases, demonyms, surname resolution, stable ids (no model)."""

from __future__ import annotations

import functools
import uuid
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from newsdesk.analyze.entities import (
    EntityResolver,
    entity_id,
    load_entity_catalog,
    normalise,
    surname_of,
)
from newsdesk.errors import ConfigError
from newsdesk.models import ENTITY_NAMESPACE, EntityLabel

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "seeds" / "entities.csv"


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(load_entity_catalog(CATALOG))


@functools.cache
def blank_nl() -> spacy.language.Language:
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    return nlp


def make_doc(text: str, ents: list[tuple[str, str]]) -> Doc:
    """A blank-tokenised Doc with the given (surface, label) entities marked, as an NER would."""
    doc = blank_nl()(text)
    spans = []
    pos = 0
    for surface, label in ents:
        start = text.index(surface, pos)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
        pos = start + len(surface)
    doc.ents = spans
    return doc


def by_text(mentions):  # type: ignore[no-untyped-def]
    return {m.text: m for m in mentions}


def test_catalog_is_curated_and_big_enough() -> None:
    catalog = load_entity_catalog(CATALOG)
    assert len(catalog.entries) >= 300
    names = [(e.label, normalise(e.canonical)) for e in catalog.entries]
    assert len(names) == len(set(names))
    labels = {e.label for e in catalog.entries}
    assert labels == {EntityLabel.PER, EntityLabel.ORG, EntityLabel.LOC, EntityLabel.MISC}
    assert catalog.lookup("VK").canonical == "Verenigd Koninkrijk"
    assert catalog.lookup("VS").canonical == "Verenigde Staten"
    assert catalog.lookup("NATO").canonical == "NAVO"
    assert catalog.lookup("EU").canonical == "Europese Unie"
    assert catalog.lookup("Britse").canonical == "Verenigd Koninkrijk"
    assert catalog.lookup("Nederland").wikidata_id == "Q55"
    assert catalog.by_surname[normalise("Starmer")].canonical == "Keir Starmer"
    assert catalog.by_surname[normalise("von der Leyen")].canonical == "Ursula von der Leyen"
    # Kamala Harris and Simon Harris: a bare "Harris" is ambiguous and not a surname key.
    assert normalise("Harris") not in catalog.by_surname


def test_entity_ids_are_uuid5_of_label_and_normalised_name() -> None:
    expected = str(uuid.uuid5(ENTITY_NAMESPACE, "PER:dick schoof"))
    assert entity_id(EntityLabel.PER, "Dick Schoof") == expected
    assert entity_id("PER", "  dick   SCHOOF ") == expected
    assert entity_id(EntityLabel.ORG, "Dick Schoof") != expected
    catalog = load_entity_catalog(CATALOG)
    assert catalog.lookup("Dick Schoof").ref.entity_id == expected


def test_surname_of() -> None:
    assert surname_of("Dick Schoof") == "Schoof"
    assert surname_of("Ursula von der Leyen") == "von der Leyen"
    assert surname_of("Jan Peter Balkenende") == "Balkenende"
    assert surname_of("Rutte") is None


def test_aliases_demonyms_and_hyphen_compounds(resolver: EntityResolver) -> None:
    text = "De Britse premier sprak met de VS en de EU-lidstaten. NAVO-landen steunen het VK."
    doc = make_doc(text, [])
    mentions = resolver.mentions(doc)
    got = [(m.text, m.label, m.entity.canonical) for m in mentions]
    assert got == [
        ("Britse", EntityLabel.LOC, "Verenigd Koninkrijk"),
        ("VS", EntityLabel.LOC, "Verenigde Staten"),
        ("EU", EntityLabel.ORG, "Europese Unie"),
        ("NAVO", EntityLabel.ORG, "NAVO"),
        ("VK", EntityLabel.LOC, "Verenigd Koninkrijk"),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text
    assert [m.sentence for m in mentions] == [0, 0, 0, 1, 1]


def test_catalog_corrects_ner_type_and_wins_over_misc_span(resolver: EntityResolver) -> None:
    text = "Het Verenigd Koninkrijk en de Europese NAVO-landen overleggen."
    doc = make_doc(text, [("Verenigd Koninkrijk", "ORG"), ("Europese NAVO-landen", "MISC")])
    got = [(m.text, m.label, m.entity.canonical) for m in resolver.mentions(doc)]
    assert got == [
        ("Verenigd Koninkrijk", EntityLabel.LOC, "Verenigd Koninkrijk"),
        ("Europese", EntityLabel.LOC, "Europa"),
        ("NAVO", EntityLabel.ORG, "NAVO"),
    ]


def test_surname_resolves_to_full_name_earlier_in_article(resolver: EntityResolver) -> None:
    text = "Minister Jan de Vries sprak. Later zei De Vries dat Pietersen gelijk had. Schoof zweeg."
    doc = make_doc(text, [("Jan de Vries", "PER"), ("De Vries", "PER"), ("Pietersen", "PER")])
    m = by_text(resolver.mentions(doc))
    # A new person: canonical name and id from the full name, shared by the surname mention.
    assert m["De Vries"].entity == m["Jan de Vries"].entity
    assert m["Jan de Vries"].entity.canonical == "Jan de Vries"
    assert m["Jan de Vries"].entity.entity_id == entity_id("PER", "Jan de Vries")
    # Unknown surname without a full name: its own entity.
    assert m["Pietersen"].entity.canonical == "Pietersen"
    # Missed by the NER, not sentence-initial? "Schoof" here starts a sentence, so it is not guessed.
    assert "Schoof" not in m


def test_catalog_surname_and_ner_miss(resolver: EntityResolver) -> None:
    text = "Dat zei premier Starmer. Ook Rutte was er, zei Dick Schoof. Daarna sprak Schoof."
    doc = make_doc(text, [("Dick Schoof", "PER")])  # the NER missed Starmer, Rutte and Schoof
    m = by_text(resolver.mentions(doc))
    assert m["Starmer"].entity.canonical == "Keir Starmer"
    assert m["Rutte"].entity.canonical == "Mark Rutte"
    assert m["Rutte"].entity.wikidata_id == "Q57792"
    assert m["Schoof"].entity == m["Dick Schoof"].entity


def test_titles_and_roles_are_not_part_of_names(resolver: EntityResolver) -> None:
    text = "NAVO-chef Rutte en premier Schoof spraken."
    doc = make_doc(text, [("NAVO-chef Rutte", "PER"), ("premier Schoof", "PER")])
    got = [(m.text, m.entity.canonical) for m in resolver.mentions(doc)]
    assert got == [("NAVO", "NAVO"), ("Rutte", "Mark Rutte"), ("Schoof", "Dick Schoof")]


def test_same_name_same_id_across_resolvers() -> None:
    text = "Piet Paulusma bezocht Hoogeveen."
    first = EntityResolver(load_entity_catalog(CATALOG)).mentions(
        make_doc(text, [("Piet Paulusma", "PER"), ("Hoogeveen", "LOC")])
    )
    second = EntityResolver(load_entity_catalog(CATALOG)).mentions(
        make_doc(text, [("Piet Paulusma", "PER"), ("Hoogeveen", "LOC")])
    )
    assert [m.entity for m in first] == [m.entity for m in second]
    assert first[1].entity.entity_id == str(uuid.uuid5(ENTITY_NAMESPACE, "LOC:hoogeveen"))


def test_bad_catalog_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "entities.csv"
    bad.write_text("canonical_name,label,aliases,wikidata_id\nFoo,THING,,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown label"):
        load_entity_catalog(bad)
    with pytest.raises(ConfigError):
        load_entity_catalog(tmp_path / "missing.csv")


def test_known_surname_typed_org_by_the_ner_is_the_person(resolver: EntityResolver) -> None:
    text = "Premier Schoof was in Londen. Starmer zei dat. Later zei Schoof niets."
    doc = make_doc(text, [("Schoof", "ORG"), ("Londen", "LOC"), ("Schoof", "ORG")])
    got = [(m.text, m.label, m.entity.canonical) for m in resolver.mentions(doc)]
    assert got == [
        ("Schoof", EntityLabel.PER, "Dick Schoof"),
        ("Londen", EntityLabel.LOC, "Londen"),
        # "Starmer" starts a sentence and was not mentioned before: not guessed from the catalog.
        ("Schoof", EntityLabel.PER, "Dick Schoof"),
    ]


def test_sentence_initial_catalog_surname_once_mentioned(resolver: EntityResolver) -> None:
    text = "Dat zei Starmer zondag. Starmer ging daarna naar huis."
    got = [(m.text, m.sentence, m.entity.canonical) for m in resolver.mentions(make_doc(text, []))]
    assert got == [("Starmer", 0, "Keir Starmer"), ("Starmer", 1, "Keir Starmer")]


def test_ner_spans_running_on_past_a_catalog_name(resolver: EntityResolver) -> None:
    text = (
        "Dat zei voorzitter van de Europese Commissie Von der Leyen aan de Europese Raad van "
        "regeringsleiders. NAVO-secretaris-generaal Rutte was er ook, net als de Amsterdam Airport-baas."
    )
    doc = make_doc(
        text,
        [
            ("Europese Commissie Von der Leyen", "ORG"),
            ("Europese Raad van regeringsleiders", "ORG"),
            ("NAVO-secretaris-generaal Rutte", "ORG"),
        ],
    )
    got = [(m.text, m.label, m.entity.canonical) for m in resolver.mentions(doc)]
    assert got == [
        ("Europese Commissie", EntityLabel.ORG, "Europese Commissie"),
        ("Von der Leyen", EntityLabel.PER, "Ursula von der Leyen"),
        ("Europese Raad", EntityLabel.ORG, "Europese Raad"),
        ("NAVO", EntityLabel.ORG, "NAVO"),
        ("Rutte", EntityLabel.PER, "Mark Rutte"),
        ("Amsterdam", EntityLabel.LOC, "Amsterdam"),
    ]
