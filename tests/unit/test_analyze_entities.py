"""Mentions and the entities they denote: catalog, link kinds, names within an article, stable ids.

The NER is played by the test: a blank Dutch tokenizer and the spans an NER would mark (as the
bundled pipeline does on these sentences), so each rule is checked on its own.
"""

from __future__ import annotations

import functools
import uuid
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc

from newsdesk.analyze.entities import (
    EntityResolver,
    entity_id,
    is_title,
    load_entity_catalog,
    normalise,
    surname_of,
)
from newsdesk.errors import ConfigError
from newsdesk.models import ENTITY_NAMESPACE, EntityLabel, LinkKind, Mention
from tests.conftest import not_none

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "seeds" / "entities.csv"
PER, ORG, LOC, MISC = EntityLabel.PER, EntityLabel.ORG, EntityLabel.LOC, EntityLabel.MISC


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


def table(mentions: list[Mention]) -> list[tuple[str, EntityLabel, str, LinkKind]]:
    return [(m.text, m.label, m.entity.canonical, m.link) for m in mentions]


def by_text(mentions: list[Mention]) -> dict[str, Mention]:
    return {m.text: m for m in mentions}


# -- the catalog -----------------------------------------------------------------------------------


def test_catalog_is_curated_and_big_enough() -> None:
    catalog = load_entity_catalog(CATALOG)
    assert len(catalog.entries) >= 300
    names = [(e.label, normalise(e.canonical)) for e in catalog.entries]
    assert len(names) == len(set(names))
    labels = {e.label for e in catalog.entries}
    assert labels == {EntityLabel.PER, EntityLabel.ORG, EntityLabel.LOC, EntityLabel.MISC}
    assert not_none(catalog.lookup("VK")).canonical == "Verenigd Koninkrijk"
    assert not_none(catalog.lookup("VS")).canonical == "Verenigde Staten"
    assert not_none(catalog.lookup("NATO")).canonical == "NAVO"
    assert not_none(catalog.lookup("EU")).canonical == "Europese Unie"
    assert not_none(catalog.lookup("Britse")).canonical == "Verenigd Koninkrijk"
    assert not_none(catalog.lookup("Nederland")).wikidata_id == "Q55"
    assert catalog.by_surname[normalise("Starmer")].canonical == "Keir Starmer"
    assert catalog.by_surname[normalise("von der Leyen")].canonical == "Ursula von der Leyen"
    # Kamala Harris and Simon Harris: a bare "Harris" is ambiguous and not a surname key.
    assert normalise("Harris") not in catalog.by_surname


def test_catalog_knows_how_each_surface_denotes_its_entry() -> None:
    uk = load_entity_catalog(CATALOG).lookup("Verenigd Koninkrijk")
    assert uk is not None
    assert {"Britse", "Britten"} <= set(uk.demonyms) and "VK" not in uk.demonyms
    # aliases lists every other surface, names and demonyms (what the entity typer's catalog reads)
    assert {"VK", "Groot-Brittannië", "Britse", "Britten"} <= set(uk.aliases)
    assert uk.link_for("Verenigd Koninkrijk") is LinkKind.SAME
    assert uk.link_for("VK") is LinkKind.ALIAS_OF
    assert uk.link_for("Britse") is LinkKind.DEMONYM_OF
    # "Holland" is another name of the Netherlands, "Nederlandse" a demonym
    nl = load_entity_catalog(CATALOG).lookup("Holland")
    assert nl is not None and nl.link_for("Holland") is LinkKind.ALIAS_OF
    assert nl.link_for("Nederlandse") is LinkKind.DEMONYM_OF


def test_catalog_without_a_demonyms_column_still_loads(tmp_path: Path) -> None:
    old = tmp_path / "entities.csv"
    old.write_text("canonical_name,label,aliases,wikidata_id\nBelgië,LOC,Belgische|Belgen,Q31\n", encoding="utf-8")
    entry = load_entity_catalog(old).lookup("Belgische")
    assert entry is not None and entry.canonical == "België"
    assert entry.demonyms == () and entry.link_for("Belgische") is LinkKind.ALIAS_OF


def test_bad_catalog_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "entities.csv"
    bad.write_text("canonical_name,label,aliases,wikidata_id\nFoo,THING,,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown label"):
        load_entity_catalog(bad)
    with pytest.raises(ConfigError):
        load_entity_catalog(tmp_path / "missing.csv")


def test_entity_ids_are_uuid5_of_label_and_normalised_name() -> None:
    expected = str(uuid.uuid5(ENTITY_NAMESPACE, "PER:dick schoof"))
    assert entity_id(EntityLabel.PER, "Dick Schoof") == expected
    assert entity_id("PER", "  dick   SCHOOF ") == expected
    assert entity_id(EntityLabel.ORG, "Dick Schoof") != expected
    catalog = load_entity_catalog(CATALOG)
    assert not_none(catalog.lookup("Dick Schoof")).ref.entity_id == expected


def test_surname_of_and_titles() -> None:
    assert surname_of("Dick Schoof") == "Schoof"
    assert surname_of("Ursula von der Leyen") == "von der Leyen"
    assert surname_of("Jan Peter Balkenende") == "Balkenende"
    assert surname_of("Rutte") is None
    for title in ("premier", "Staatssecretaris", "voorzitter", "VVD-fractievoorzitter", "NAVO-chef", "oud-premier"):
        assert is_title(title), title
    for name in ("Eddie", "Marum", "Schoof", "Koninkrijk"):
        assert not is_title(name), name


# -- link kinds and the mention's own type --------------------------------------------------------


def test_every_link_kind(resolver: EntityResolver) -> None:
    text = (
        "Het Verenigd Koninkrijk en de VS steunen de NAVO-landen. "
        "Premier Dick Schoof sprak met de Britse premier. "
        "De Europese Commissie zweeg. Schoof zei dat de Commissie moet beslissen."
    )
    doc = make_doc(
        text,
        [
            ("Verenigd Koninkrijk", "LOC"),
            ("VS", "LOC"),
            ("NAVO-landen", "MISC"),
            ("Dick Schoof", "PER"),
            ("Britse", "MISC"),
            ("Europese Commissie", "ORG"),
            ("Schoof", "PER"),
            ("Commissie", "ORG"),
        ],
    )
    assert table(resolver.mentions(doc)) == [
        ("Verenigd Koninkrijk", LOC, "Verenigd Koninkrijk", LinkKind.SAME),
        ("VS", LOC, "Verenigde Staten", LinkKind.ALIAS_OF),
        ("NAVO-landen", MISC, "NAVO", LinkKind.PART_OF_COMPOUND),
        ("Dick Schoof", PER, "Dick Schoof", LinkKind.SAME),
        ("Britse", MISC, "Verenigd Koninkrijk", LinkKind.DEMONYM_OF),
        ("Europese Commissie", ORG, "Europese Commissie", LinkKind.SAME),
        ("Schoof", PER, "Dick Schoof", LinkKind.SURNAME_OF),
        ("Commissie", ORG, "Europese Commissie", LinkKind.SHORT_FORM_OF),
    ]


def test_demonyms_and_compounds_are_misc_mentions_of_their_entity(resolver: EntityResolver) -> None:
    # The NER missed them all: the catalog finds them, with CoNLL-2002's label for what the text says.
    text = "De Britse premier sprak met de VS en de EU-lidstaten. NAVO-landen steunen het VK."
    mentions = resolver.mentions(make_doc(text, []))
    assert table(mentions) == [
        ("Britse", MISC, "Verenigd Koninkrijk", LinkKind.DEMONYM_OF),
        ("VS", LOC, "Verenigde Staten", LinkKind.ALIAS_OF),
        ("EU-lidstaten", MISC, "Europese Unie", LinkKind.PART_OF_COMPOUND),
        ("NAVO-landen", MISC, "NAVO", LinkKind.PART_OF_COMPOUND),
        ("VK", LOC, "Verenigd Koninkrijk", LinkKind.ALIAS_OF),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text
    assert [m.sentence for m in mentions] == [0, 0, 0, 1, 1]
    # the entity keeps its own type: "Britse" is a MISC mention of a LOC entity
    assert mentions[0].entity.label is LOC and mentions[2].entity.label is ORG


def test_catalog_corrects_the_type_only_when_the_mention_is_the_entity(resolver: EntityResolver) -> None:
    text = "Het Verenigd Koninkrijk, de Britten en de SBS-groep."
    doc = make_doc(text, [("Verenigd Koninkrijk", "ORG"), ("Britten", "LOC"), ("SBS-groep", "ORG")])
    got = table(resolver.mentions(doc))
    # the name of the entity: its type wins over the NER's
    assert got[0] == ("Verenigd Koninkrijk", LOC, "Verenigd Koninkrijk", LinkKind.SAME)
    # a demonym is not the country: MISC, whatever the NER said
    assert got[1] == ("Britten", MISC, "Verenigd Koninkrijk", LinkKind.DEMONYM_OF)
    # "SBS" is not in the catalog: the compound is the NER's own entity
    assert got[2] == ("SBS-groep", ORG, "SBS-groep", LinkKind.SAME)
    # a compound of a catalog name keeps the NER's label (the NER saw the whole word)
    doc = make_doc("De NAVO-top begon.", [("NAVO-top", "ORG")])
    assert table(resolver.mentions(doc)) == [("NAVO-top", ORG, "NAVO", LinkKind.PART_OF_COMPOUND)]


def test_ner_span_made_of_demonym_and_compound_is_split(resolver: EntityResolver) -> None:
    text = "De regeringsleiders van de Europese NAVO-landen en de Ronde van Frankrijk."
    doc = make_doc(text, [("Europese NAVO-landen", "MISC"), ("Ronde van Frankrijk", "MISC")])
    assert table(resolver.mentions(doc)) == [
        ("Europese", MISC, "Europa", LinkKind.DEMONYM_OF),
        ("NAVO-landen", MISC, "NAVO", LinkKind.PART_OF_COMPOUND),
        # a catalog name inside a longer name is not a mention of its own: the race is not France
        ("Ronde van Frankrijk", MISC, "Ronde van Frankrijk", LinkKind.SAME),
    ]


def test_catalog_name_replaces_the_shorter_ner_span_inside_it(resolver: EntityResolver) -> None:
    doc = make_doc("Het Verenigd Koninkrijk stemde.", [("Koninkrijk", "LOC")])
    assert table(resolver.mentions(doc)) == [("Verenigd Koninkrijk", LOC, "Verenigd Koninkrijk", LinkKind.SAME)]


# -- names within one article ---------------------------------------------------------------------


def test_surname_resolves_to_full_name_earlier_in_article(resolver: EntityResolver) -> None:
    text = "Minister Jan de Vries sprak. Later zei De Vries dat Pietersen gelijk had. Schoof zweeg."
    doc = make_doc(text, [("Jan de Vries", "PER"), ("De Vries", "PER"), ("Pietersen", "PER")])
    m = by_text(resolver.mentions(doc))
    # A new person: canonical name and id from the full name, shared by the surname mention.
    assert m["De Vries"].entity == m["Jan de Vries"].entity
    assert m["De Vries"].link is LinkKind.SURNAME_OF
    assert m["Jan de Vries"].entity.canonical == "Jan de Vries"
    assert m["Jan de Vries"].entity.entity_id == entity_id("PER", "Jan de Vries")
    # Unknown surname without a full name: its own entity.
    assert (m["Pietersen"].entity.canonical, m["Pietersen"].link) == ("Pietersen", LinkKind.SAME)
    # Missed by the NER and starting a sentence: not guessed from the catalog.
    assert "Schoof" not in m


def test_surname_the_ner_typed_otherwise_is_the_person(resolver: EntityResolver) -> None:
    text = "Piet Paulusma opende de zaak. Daarna sprak Paulusma met de pers."
    doc = make_doc(text, [("Piet Paulusma", "PER"), ("Paulusma", "ORG")])
    got = table(resolver.mentions(doc))
    assert got[1] == ("Paulusma", PER, "Piet Paulusma", LinkKind.SURNAME_OF)


def test_known_surname_typed_org_by_the_ner_is_the_person(resolver: EntityResolver) -> None:
    text = "Premier Schoof was in Londen. Starmer zei dat. Later zei Schoof niets."
    doc = make_doc(text, [("Schoof", "ORG"), ("Londen", "LOC"), ("Schoof", "ORG")])
    assert table(resolver.mentions(doc)) == [
        ("Schoof", PER, "Dick Schoof", LinkKind.SURNAME_OF),
        ("Londen", LOC, "Londen", LinkKind.SAME),
        # "Starmer" starts a sentence and was not mentioned before: not guessed from the catalog.
        ("Schoof", PER, "Dick Schoof", LinkKind.SURNAME_OF),
    ]


def test_catalog_surname_and_ner_miss(resolver: EntityResolver) -> None:
    text = "Dat zei premier Starmer. Ook Rutte was er, zei Dick Schoof. Daarna sprak Schoof."
    doc = make_doc(text, [("Dick Schoof", "PER")])  # the NER missed Starmer, Rutte and Schoof
    m = by_text(resolver.mentions(doc))
    assert (m["Starmer"].entity.canonical, m["Starmer"].link) == ("Keir Starmer", LinkKind.SURNAME_OF)
    assert m["Rutte"].entity.canonical == "Mark Rutte"
    assert m["Rutte"].entity.wikidata_id == "Q57792"
    assert m["Schoof"].entity == m["Dick Schoof"].entity


def test_sentence_initial_catalog_surname_once_mentioned(resolver: EntityResolver) -> None:
    text = "Dat zei Starmer zondag. Starmer ging daarna naar huis."
    got = [(m.text, m.sentence, m.entity.canonical) for m in resolver.mentions(make_doc(text, []))]
    assert got == [("Starmer", 0, "Keir Starmer"), ("Starmer", 1, "Keir Starmer")]


def test_short_forms_link_to_the_full_name_in_the_article(resolver: EntityResolver) -> None:
    text = (
        "De Koninklijke Commissie voor Monumenten en Landschappen (KCML) vergaderde. "
        "Volgens de Commissie is het pand beschermd. Ook de KCML in Gent zweeg. "
        "De Raad van State oordeelt later; de Raad wacht af."
    )
    doc = make_doc(
        text,
        [
            ("Koninklijke Commissie voor Monumenten en Landschappen", "ORG"),
            ("KCML", "LOC"),
            ("Commissie", "ORG"),
            ("KCML", "ORG"),
            ("Gent", "LOC"),
            ("Raad van State", "ORG"),
            ("Raad", "ORG"),
        ],
    )
    full = "Koninklijke Commissie voor Monumenten en Landschappen"
    got = table(resolver.mentions(doc))
    assert got == [
        (full, ORG, full, LinkKind.SAME),
        # the acronym it introduces in parentheses, whatever type the NER gave it
        ("KCML", ORG, full, LinkKind.SHORT_FORM_OF),
        # its head ("de Commissie") and the acronym again later
        ("Commissie", ORG, full, LinkKind.SHORT_FORM_OF),
        ("KCML", ORG, full, LinkKind.SHORT_FORM_OF),
        ("Gent", LOC, "Gent", LinkKind.SAME),
        ("Raad van State", ORG, "Raad van State", LinkKind.SAME),
        # the leading words of "Raad van State"
        ("Raad", ORG, "Raad van State", LinkKind.SHORT_FORM_OF),
    ]


def test_short_form_links_to_the_closest_name_before_it(resolver: EntityResolver) -> None:
    text = "De Europese Commissie en de Koninklijke Commissie spraken. De Commissie van Brussel zweeg."
    doc = make_doc(text, [("Europese Commissie", "ORG"), ("Koninklijke Commissie", "ORG"), ("Commissie", "ORG")])
    got = table(resolver.mentions(doc))
    assert got[2] == ("Commissie", ORG, "Koninklijke Commissie", LinkKind.SHORT_FORM_OF)


def test_a_person_and_a_party_in_parentheses_are_not_an_acronym(resolver: EntityResolver) -> None:
    text = "Volgens Pieter de Donnea (PRL) is dat zo."
    doc = make_doc(text, [("Pieter de Donnea", "PER"), ("PRL", "ORG")])
    got = table(resolver.mentions(doc))
    assert got[1] == ("PRL", ORG, "PRL", LinkKind.SAME)


def test_the_article_agrees_on_a_name_it_types_in_different_ways(resolver: EntityResolver) -> None:
    text = "De Koninklijke Commissie vergaderde. De Commissie besliste. Toen zweeg de Commissie."
    doc = make_doc(text, [("Koninklijke Commissie", "PER"), ("Commissie", "ORG"), ("Commissie", "ORG")])
    got = table(resolver.mentions(doc))
    # two of three NER labels say ORG: the name, and every mention that names it, is ORG
    assert got == [
        ("Koninklijke Commissie", ORG, "Koninklijke Commissie", LinkKind.SAME),
        ("Commissie", ORG, "Koninklijke Commissie", LinkKind.SHORT_FORM_OF),
        ("Commissie", ORG, "Koninklijke Commissie", LinkKind.SHORT_FORM_OF),
    ]
    assert len({m.entity.entity_id for m in resolver.mentions(doc)}) == 1


def test_a_name_found_once_is_found_where_it_is_repeated(resolver: EntityResolver) -> None:
    text = "Het station 4FM zendt uit. Luisteraars van 4FM klagen, zei de directeur van 4FM."
    doc = make_doc(text, [("4FM", "ORG")])
    got = table(resolver.mentions(doc))
    assert [(t, lab) for t, lab, _, _ in got] == [("4FM", ORG), ("4FM", ORG), ("4FM", ORG)]


def test_the_catalog_knows_the_organisations_dutch_news_names(resolver: EntityResolver) -> None:
    # clubs, grid operators, unions: names a model trained on Belgian news of 2000 has not seen
    text = "Feyenoord speelt tegen FC Twente. TenneT en het Havenbedrijf Rotterdam tekenden. De FNV staakt."
    assert table(resolver.mentions(make_doc(text, []))) == [
        ("Feyenoord", ORG, "Feyenoord", LinkKind.SAME),
        ("FC Twente", ORG, "FC Twente", LinkKind.SAME),
        ("TenneT", ORG, "TenneT", LinkKind.SAME),
        ("Havenbedrijf Rotterdam", ORG, "Havenbedrijf Rotterdam", LinkKind.SAME),
        ("FNV", ORG, "FNV", LinkKind.SAME),
    ]


# -- titles, functions and other words that are not part of a name --------------------------------


def test_titles_and_functions_never_enter_a_canonical_name(resolver: EntityResolver) -> None:
    text = (
        "Dat zei Staatssecretaris Eddie van Marum zondag. Ook voorzitter Marieke van den Berg was er. Van Marum knikte."
    )
    # what the bundled NER marks: the title taken along, the name cut at its particles
    doc = make_doc(text, [("Staatssecretaris Eddie", "PER"), ("voorzitter Marieke", "PER"), ("Van Marum", "PER")])
    assert table(resolver.mentions(doc)) == [
        ("Eddie van Marum", PER, "Eddie van Marum", LinkKind.SAME),
        ("Marieke van den Berg", PER, "Marieke van den Berg", LinkKind.SAME),
        ("Van Marum", PER, "Eddie van Marum", LinkKind.SURNAME_OF),
    ]


def test_a_given_name_the_ner_left_out_makes_the_span_after_it_a_surname(nlp: Any, resolver: EntityResolver) -> None:
    # the bundled NER marks only "Marum", as a place (it is also a village); "Eddie" is a common
    # given name in the pipeline's knowledge vectors, so "Eddie van Marum" is a person
    doc = nlp("Staatssecretaris Eddie van Marum belooft snellere schadeafhandeling.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Marum", "LOC")]
    assert table(resolver.mentions(doc)) == [("Eddie van Marum", PER, "Eddie van Marum", LinkKind.SAME)]
    # a capitalised particle at a sentence start is no given name
    doc = nlp("Van de Cubaanse suiker blijft weinig over.")
    assert all(m.label is not PER for m in resolver.mentions(doc))


def test_a_particle_led_surname_takes_in_the_span_the_ner_typed_otherwise(resolver: EntityResolver) -> None:
    text = "Staatssecretaris Eddie van Marum sprak. Van Marum wil meer experts. Van Gent tot Brugge is het ver."
    doc = make_doc(text, [("Eddie van Marum", "PER"), ("Marum", "LOC"), ("Gent", "LOC"), ("Brugge", "LOC")])
    assert table(resolver.mentions(doc)) == [
        ("Eddie van Marum", PER, "Eddie van Marum", LinkKind.SAME),
        ("Van Marum", PER, "Eddie van Marum", LinkKind.SURNAME_OF),
        ("Gent", LOC, "Gent", LinkKind.SAME),
        ("Brugge", LOC, "Brugge", LinkKind.SAME),
    ]


def test_surname_particles_join_a_surname_whatever_the_ner_typed_it(resolver: EntityResolver) -> None:
    # "te", "ten", "ter" begin surnames only: the NER's own span on the surname gives way
    # and a double particle introduces no place: "van den Berg" where the NER typed "Berg" LOC
    text = (
        "Directeur Pieter te Wierde zei het. Trainer Anna ter Veld knikte. Ook Jansen van de VVD sprak. "
        "Voorzitter Karin van den Berg en Kees van Zwolle zwegen."
    )
    ents = [
        ("Pieter", "PER"),
        ("Wierde", "MISC"),
        ("Anna", "PER"),
        ("Veld", "ORG"),
        ("Jansen", "PER"),
        ("VVD", "ORG"),
        ("Karin", "PER"),
        ("Berg", "LOC"),
        ("Kees", "PER"),
        ("Zwolle", "LOC"),
    ]
    assert table(resolver.mentions(make_doc(text, ents))) == [
        ("Pieter te Wierde", PER, "Pieter te Wierde", LinkKind.SAME),
        ("Anna ter Veld", PER, "Anna ter Veld", LinkKind.SAME),
        ("Jansen", PER, "Jansen", LinkKind.SAME),  # "van de VVD" is his party, not his name
        ("VVD", ORG, "VVD", LinkKind.SAME),
        ("Karin van den Berg", PER, "Karin van den Berg", LinkKind.SAME),
        ("Kees", PER, "Kees", LinkKind.SAME),  # "van Zwolle": where he is from, as far as a reader can tell
        ("Zwolle", LOC, "Zwolle", LinkKind.SAME),
    ]


def test_roles_before_a_name_are_compounds_not_part_of_it(resolver: EntityResolver) -> None:
    text = "NAVO-chef Rutte en premier Schoof spraken."
    doc = make_doc(text, [("NAVO-chef Rutte", "PER"), ("premier Schoof", "PER")])
    assert table(resolver.mentions(doc)) == [
        ("NAVO-chef", MISC, "NAVO", LinkKind.PART_OF_COMPOUND),
        ("Rutte", PER, "Mark Rutte", LinkKind.SURNAME_OF),
        ("Schoof", PER, "Dick Schoof", LinkKind.SURNAME_OF),
    ]


def test_a_capitalised_title_inside_a_sentence_names_a_thing(resolver: EntityResolver) -> None:
    doc = make_doc("De match in het Koning Boudewijnstadion begint.", [("Koning Boudewijnstadion", "LOC")])
    assert table(resolver.mentions(doc))[0][:2] == ("Koning Boudewijnstadion", LOC)


def test_an_abbreviated_title_and_a_players_function_stay_outside_the_name(resolver: EntityResolver) -> None:
    text = "Dat zegt Dr. Kerruish. Reservekeeper Francesco Toldo en regisseur Stijn Coninx kwamen."
    doc = make_doc(
        text, [("Dr. Kerruish", "PER"), ("Reservekeeper Francesco Toldo", "PER"), ("regisseur Stijn Coninx", "PER")]
    )
    assert [row[:2] for row in table(resolver.mentions(doc))] == [
        ("Kerruish", PER),
        ("Francesco Toldo", PER),
        ("Stijn Coninx", PER),
    ]


def test_a_catalog_surname_inside_a_longer_name_is_someone_else(resolver: EntityResolver) -> None:
    doc = make_doc("Dat zei Jacoba de Jonge gisteren. Minister De Jonge sprak.", [])
    # "Jacoba de Jonge" is not Hugo de Jonge; after a title the surname is the catalog's person
    assert table(resolver.mentions(doc)) == [("De Jonge", PER, "Hugo de Jonge", LinkKind.SURNAME_OF)]


def test_a_listings_abbreviation_is_no_name(resolver: EntityResolver) -> None:
    doc = make_doc(
        "Tot 27 augustus in het Markiezenhof.\nTel. 02 / 245.97.00", [("Markiezenhof", "LOC"), ("Tel", "PER")]
    )
    assert [row[:2] for row in table(resolver.mentions(doc))] == [("Markiezenhof", LOC)]


def test_a_persons_name_does_not_start_with_the_sentences_first_word(resolver: EntityResolver) -> None:
    text = "Gisteren Jan Peeters zag het. Volgens Peeters klopt dat."
    doc = make_doc(text, [("Gisteren Jan Peeters", "PER"), ("Volgens Peeters", "PER")])
    assert table(resolver.mentions(doc)) == [
        ("Jan Peeters", PER, "Jan Peeters", LinkKind.SAME),
        ("Peeters", PER, "Jan Peeters", LinkKind.SURNAME_OF),
    ]
    # a name that starts with a particle keeps it ("De Vries")
    doc = make_doc("De Vries zag het.", [("De Vries", "PER")])
    assert table(resolver.mentions(doc)) == [("De Vries", PER, "De Vries", LinkKind.SAME)]


def test_articles_lower_case_out_capitalised_in(resolver: EntityResolver) -> None:
    text = "Dat schreef de krant De Morgen. Ook de Europese Commissie las het."
    doc = make_doc(text, [("De Morgen", "ORG"), ("de Europese Commissie", "ORG")])
    assert [m.text for m in resolver.mentions(doc)] == ["De Morgen", "Europese Commissie"]


def test_names_do_not_run_over_a_line_break_or_into_function_words(resolver: EntityResolver) -> None:
    text = "Sectie Groningen\nTent\nDe aandelen van Cobepa van het fonds stegen."
    doc = make_doc(text, [("Groningen\nTent", "PER"), ("Cobepa van", "ORG")])
    got = [(m.text, m.label) for m in resolver.mentions(doc)]
    assert got == [("Groningen", LOC), ("Cobepa", ORG)]  # Groningen: the catalog's place


def test_a_person_the_ner_cut_in_two_is_one(resolver: EntityResolver) -> None:
    text = "Columnist Thomas L. Friedman schreef het."
    doc = make_doc(text, [("Thomas", "PER"), ("L. Friedman", "PER")])
    assert [(m.text, m.label) for m in resolver.mentions(doc)] == [("Thomas L. Friedman", PER)]


def test_ner_spans_running_on_past_a_catalog_name(resolver: EntityResolver) -> None:
    text = (
        "Dat zei voorzitter van de Europese Commissie Von der Leyen aan de Europese Raad van "
        "regeringsleiders. NAVO-secretaris-generaal Rutte was er ook, net als de Amsterdam Airport-baas. "
        "Kijkers van Nederland 3 zagen het."
    )
    doc = make_doc(
        text,
        [
            ("Europese Commissie Von der Leyen", "ORG"),
            ("Europese Raad van regeringsleiders", "ORG"),
            ("NAVO-secretaris-generaal Rutte", "ORG"),
            ("Nederland 3", "ORG"),
        ],
    )
    assert table(resolver.mentions(doc)) == [
        ("Europese Commissie", ORG, "Europese Commissie", LinkKind.SAME),
        ("Von der Leyen", PER, "Ursula von der Leyen", LinkKind.SURNAME_OF),
        ("Europese Raad", ORG, "Europese Raad", LinkKind.SAME),
        ("NAVO-secretaris-generaal", MISC, "NAVO", LinkKind.PART_OF_COMPOUND),
        ("Rutte", PER, "Mark Rutte", LinkKind.SURNAME_OF),
        ("Amsterdam", LOC, "Amsterdam", LinkKind.SAME),
        # a number after a catalog name makes another name (a channel, an edition)
        ("Nederland 3", ORG, "Nederland 3", LinkKind.SAME),
    ]


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


def test_a_name_longer_than_any_name_is_no_mention() -> None:
    """A capitalised run of a hostile page is not stored as a name the entity index would refuse."""
    from newsdesk.analyze.entities import MAX_NAME_CHARS, EntityResolver, load_entity_catalog
    from newsdesk.analyze.nlp import load_nlp
    from tests.conftest import PROJECT_DIR

    nlp = load_nlp(None)
    resolver = EntityResolver(load_entity_catalog(PROJECT_DIR / "seeds" / "entities.csv"))
    run = " ".join(f"Van{chr(65 + i % 26)}naam" for i in range(60))
    doc = nlp(f"Gisteren sprak {run} met Dick Schoof in Den Haag.")
    mentions = resolver.mentions(doc)
    assert all(len(m.text) <= MAX_NAME_CHARS for m in mentions)
    assert any(m.entity.canonical == "Dick Schoof" for m in mentions)
