"""Who commits: titles, coordination, pronouns, relative pronouns, datelines, passives, "we".

News-shaped sentences through the bundled pipeline; ``ACCEPT_ALL`` lets every candidate the rules
keep through, so the tests pin actor resolution, not the trained scorer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import spacy
from spacy.tokens import Doc

from newsdesk.analyze.commitments import find_commitments, judge_document
from newsdesk.analyze.commitments.actors import DocumentContext, resolve_subject
from newsdesk.analyze.commitments.clauses import subject_of
from newsdesk.analyze.commitments.scorer import Scorer
from newsdesk.analyze.entities import EntityResolver
from newsdesk.models import Commitment, CommitmentKind
from tests.conftest import not_none

ACCEPT_ALL = Scorer(weights={}, bias=5.0, threshold=0.5)


def commitments(nlp: Any, resolver: EntityResolver, text: str) -> list[Commitment]:
    doc = nlp(text)
    return find_commitments(doc, resolver.mentions(doc), published=date(2026, 3, 3), scorer=ACCEPT_ALL)


def test_titles_and_functions_are_not_part_of_the_actor(nlp: Any, resolver: EntityResolver) -> None:
    (c,) = commitments(nlp, resolver, "Staatssecretaris Eddie van Marum belooft dat de schadeafhandeling sneller gaat.")
    assert c.actor == "Eddie van Marum"
    assert c.actor_as_written == "Staatssecretaris Eddie van Marum"


def test_coordinated_actors_are_separate_commitments(nlp: Any, resolver: EntityResolver) -> None:
    found = commitments(nlp, resolver, "Picqué en Gabriëls zullen binnenkort besluiten wat er moet gebeuren.")
    assert sorted(not_none(c.actor) for c in found) == ["Gabriëls", "Picqué"]
    assert len({c.action for c in found}) == 1


def test_a_collective_agreement_has_one_group_actor(nlp: Any, resolver: EntityResolver) -> None:
    text = "Havenbedrijf Rotterdam en netbeheerder TenneT hebben een akkoord gesloten om de stroomnetten te ontlasten."
    (c,) = commitments(nlp, resolver, text)
    assert (c.actor, c.kind, c.actor_entity_id) == ("Havenbedrijf Rotterdam en TenneT", CommitmentKind.AGREEMENT, None)
    assert c.actor_as_written == "Havenbedrijf Rotterdam en netbeheerder TenneT"


def test_names_in_a_modifier_are_not_the_actor(nlp: Any, resolver: EntityResolver) -> None:
    text = "Premier Dick Schoof zei dat militaire planners uit het VK en Frankrijk bij elkaar zullen komen."
    (c,) = [c for c in commitments(nlp, resolver, text) if "planners" in (c.actor or "")]
    assert not_none(c.actor).startswith("militaire planners")
    assert c.speaker == "Dick Schoof"


def test_a_pronoun_resolves_to_the_person_who_says_it(nlp: Any, resolver: EntityResolver) -> None:
    text = "Premier Dick Schoof was in Londen. Hij zei dat hij namens Nederland geen toezeggingen heeft gedaan."
    (c,) = commitments(nlp, resolver, text)
    assert (c.actor, c.actor_as_written, c.speaker) == ("Dick Schoof", "hij", "Dick Schoof")
    assert c.actor_entity_id == c.speaker_entity_id is not None


def test_a_relative_pronoun_is_its_antecedent(nlp: Any, resolver: EntityResolver) -> None:
    text = "Het pand wordt de nieuwe thuisbasis van de Blauwe Zaal, die vanaf 2027 ook concerten wil organiseren."
    (c,) = commitments(nlp, resolver, text)
    assert (c.actor, c.actor_as_written) == ("Blauwe Zaal", "die")


def test_a_dateline_is_never_the_actor(nlp: Any, resolver: EntityResolver) -> None:
    (c,) = commitments(
        nlp, resolver, "DEN HAAG (ANP) - Het kabinet zal de accijns op benzine volgend jaar niet verhogen."
    )
    assert c.actor == "Het kabinet"
    assert c.action == "de accijns op benzine verhogen" and c.polarity.value == "negative"


def test_quoted_we_is_the_organisation_the_speaker_speaks_for(nlp: Any, resolver: EntityResolver) -> None:
    text = '"We gaan in maart een plan presenteren", zei Ursula von der Leyen, de voorzitter van de Europese Commissie.'
    (c,) = commitments(nlp, resolver, text)
    assert (c.actor, c.actor_as_written, c.speaker) == ("Europese Commissie", "We", "Ursula von der Leyen")


def test_a_passive_plan_takes_the_actor_the_context_names(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "De gemeente Utrecht stelt de uitbreiding van de milieuzone uit. "
        "De strengere regels worden pas op 1 juli 2026 ingevoerd."
    )
    doc = nlp(text)
    (passive,) = [j for j in judge_document(doc, resolver.mentions(doc), published=None) if j.cand.passive]
    assert [(a.text, a.how) for a in passive.actors] == [("Utrecht", "context")]


def test_a_plan_nobody_is_named_for_keeps_its_clause_without_an_actor(nlp: Any, resolver: EntityResolver) -> None:
    found = commitments(nlp, resolver, "Er wordt volgend jaar 12 miljoen euro vrijgemaakt voor de renovatie.")
    (c,) = [c for c in found if "vrijmaken" in c.action]
    assert c.actor is None and c.actor_entity_id is None
    assert c.deadline_text == "volgend jaar"


def test_a_description_stands_for_the_organisation_the_text_is_about(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "De FNV eist 7 procent loonsverhoging. Volgens de FNV zijn de werkgevers te laat. "
        "Ook CNV Vakmensen steunt het ultimatum. De bond wil volgende week opnieuw met de werkgevers praten."
    )
    bond = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "De bond"]
    assert [c.actor for c in bond] == ["FNV"]  # the union the text is about, not the last one named


def test_we_in_a_signed_column_is_its_author(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Door Sanne de Vries\n"
        "De buurt klaagt al jaren over het lawaai van de ringweg.\n"
        "Wij hebben besloten om volgend voorjaar zelf geluidsmetingen te doen.\n"
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "Wij"]
    assert [c.actor for c in found] == ["Sanne de Vries"]


def test_we_of_a_quote_credited_elsewhere_is_the_documents_main_speaker(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Door Sanne de Vries\n"
        "Directeur Pieter Jansen zei dinsdag dat de zender groeit.\n"
        '"In het najaar gaan we meer investeren in eigen programma\'s."\n'
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "we"]
    assert [c.actor for c in found] == ["Pieter Jansen"]  # the speaker, not the author of the byline


def test_a_name_and_a_colon_credit_the_quote_after_them(nlp: Any, resolver: EntityResolver) -> None:
    text = 'Burgemeester Moerman: "We willen de binnenstad autovrij maken tegen 2028."'
    (c,) = commitments(nlp, resolver, text)
    assert c.speaker == "Moerman" and c.actor == "Moerman"


def test_a_function_before_the_name_in_a_compound_is_no_part_of_the_actor(nlp: Any, resolver: EntityResolver) -> None:
    found = commitments(nlp, resolver, "Volgende week pakt RTL-concurrent Net5 uit met een nieuwe quiz.")
    assert [c.actor for c in found] == ["Net5"]


def test_a_plural_of_people_is_an_actor_as_written(nlp: Any, resolver: EntityResolver) -> None:
    found = commitments(nlp, resolver, "De dermatologen organiseren maandag een gratis screeningsdag.")
    assert [c.actor for c in found] == ["De dermatologen"]


def test_he_is_the_person_the_document_is_about_rather_than_one_named_in_passing(
    nlp: Any, resolver: EntityResolver
) -> None:
    text = (
        "Jan Peeters leidt de organisatie sinds 1995. Peeters is streng voor de renners. "
        "Volgens Peeters is de test betrouwbaar. Vorig jaar won Marco Pantani nog een etappe. "
        "Hij wil de strijd tegen doping tot het einde voeren."
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "Hij"]
    assert [c.actor for c in found] == ["Jan Peeters"]


def test_the_name_after_an_inverted_reporting_verb_is_the_speaker(nlp: Any, resolver: EntityResolver) -> None:
    text = "Dat plan komt te laat, zei Nilis rustig. Luc Nilis speelt bij PSV. Ik zal alles doen om de rust te bewaren."
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "Ik"]
    assert [c.actor for c in found] == ["Luc Nilis"]


def test_ik_is_a_person_never_the_paper_that_reports_it(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "De man had de buren maandenlang lastiggevallen, meldt het Zweedse boulevardblad Aftonbladet.\n"
        "Volgens Hans Berg is de maat nu vol.\n"
        "Ik zal ook een brief schrijven naar de burgemeester.\n"
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "Ik"]
    assert [c.actor for c in found] == ["Hans Berg"]


def test_a_credited_agency_is_not_what_the_text_is_about(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Belga / Eigen berichtgeving\n"
        "Het ACV vraagt meer koopkracht (Belga).\n"
        "De vakbond zal zich inzetten voor hogere lonen (Belga).\n"
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "De vakbond"]
    assert [c.actor for c in found] == ["ACV"]


def test_our_event_is_the_speakers_side(nlp: Any, resolver: EntityResolver) -> None:
    text = "Door Sanne de Vries\nOnze eerste open dag zal in juni plaatsvinden.\n"
    found = [c for c in commitments(nlp, resolver, text) if "plaatsvinden" in c.action]
    assert [(c.actor, c.actor_as_written) for c in found] == [("Sanne de Vries", "Onze eerste open dag")]


def test_a_coordinated_name_the_entities_miss_is_still_an_actor(nlp: Any, resolver: EntityResolver) -> None:
    found = commitments(nlp, resolver, "Zangeres Lotte Verbeke en schrijver Pieter Daems hadden eerder al toegezegd.")
    assert sorted(not_none(c.actor) for c in found) == ["Lotte Verbeke", "Pieter Daems"]
    ministers = commitments(nlp, resolver, "De minister van Economie en Financiën zal de regels aanpassen.")
    assert all(c.actor != "Financiën" for c in ministers)


def test_a_name_that_opens_a_quote_with_a_colon_is_its_speaker(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        'Jan Peeters straalt van enthousiasme: "Vorig jaar was het crisis.\n'
        "' Als de uitslag morgen binnen is, gaan we overmorgen alle renners opnieuw testen.\n"
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "we"]
    assert [c.actor for c in found] == ["Jan Peeters"]


def test_a_quoted_we_is_the_organisation_not_the_byline(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Door Pieter Claes\n"
        "Greenpeace voert al maanden actie tegen de nieuwe kolencentrale.\n"
        "Greenpeace heeft daarvoor veel steun gekregen.\n"
        '"We gaan volgende maand opnieuw naar de rechter."\n'
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "We"]
    assert [c.actor for c in found] == ["Greenpeace"]


def test_a_passive_measure_is_the_government_the_document_names(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "De Vlaamse regering keurde gisteren het nieuwe mobiliteitsplan goed.\n"
        "De tarieven van het openbaar vervoer blijven gelijk.\n"
        "Over de uitbreiding van het tramnet met De Lijn wordt een werkgroep samengesteld.\n"
    )
    found = [c for c in commitments(nlp, resolver, text) if "werkgroep" in c.action]
    assert [c.actor for c in found] == ["Vlaamse regering"]


def test_what_stands_in_brackets_after_a_name_is_not_the_actor(nlp: Any, resolver: EntityResolver) -> None:
    text = "Wethouder Anna de Vries (Wonen) belooft dat er voor de zomer driehonderd woningen bij komen."
    found = [c for c in commitments(nlp, resolver, text) if c.kind.value == "pledge"]
    assert [c.actor for c in found] == ["Anna de Vries"]


def test_the_college_is_the_town_the_document_is_about(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Utrecht voert betaald parkeren in rond het station.\n"
        "De bewoners van Utrecht krijgen een vergunning.\n"
        "Daarvoor trekt het college volgend jaar twee miljoen euro uit.\n"
    )
    found = [c for c in commitments(nlp, resolver, text) if c.actor_as_written == "het college"]
    assert [c.actor for c in found] == ["Utrecht"]


def test_a_ministry_after_a_ministers_name_is_not_part_of_it(nlp: Any, resolver: EntityResolver) -> None:
    text = "Minister Femke Wiersma van Landbouw komt volgend jaar met een nieuwe regeling voor boeren."
    (c,) = commitments(nlp, resolver, text)
    assert (c.actor, c.actor_as_written) == ("Femke Wiersma", "Minister Femke Wiersma van Landbouw")
    # also where the entities do not know the portfolio as a name of its own
    text = "Minister Lotte Kramer van Volkshuisvesting belooft volgend jaar meer sociale huurwoningen te bouwen."
    (c,) = commitments(nlp, resolver, text)
    assert c.actor == "Lotte Kramer"


def test_a_description_followed_by_a_name_is_that_person(nlp: Any, resolver: EntityResolver) -> None:
    # the subject phrase as a weak parse leaves it when it tags the name a verb: the description only
    doc = nlp("Max Verstappen won zondag in Monaco. De Spaanse titelverdediger Alonso had zijn contract verlengd.")
    next(t for t in doc if t.text == "Alonso").pos_ = "VERB"  # the tagger's error on an unknown name
    ctx = DocumentContext.build(doc, resolver.mentions(doc))
    start = next(t.i for t in doc if t.text == "De")
    cue = next(t for t in doc if t.text == "contract")
    found = resolve_subject(doc[start : start + 3], cue=cue, ctx=ctx, sentence=1, speaker=None, quoted=False)
    assert [a.text for a in found] == ["Alonso"]  # the name beside the description, not the one named before


def test_a_subject_hung_on_the_auxiliary_is_the_verbs_subject() -> None:
    # "Häkkinen had ... hernieuwd" parsed with the subject under "had", the participle the root
    words = ["Häkkinen", "had", "zijn", "verbintenis", "hernieuwd", "."]
    heads = [1, 4, 3, 4, 4, 4]
    deps = ["nsubj", "aux", "nmod:poss", "obj", "ROOT", "punct"]
    doc = Doc(spacy.blank("nl").vocab, words=words, heads=heads, deps=deps)
    assert not_none(subject_of(doc[4])).text == "Häkkinen"
    assert subject_of(doc[3]) is None


def test_the_subject_of_a_passive_cue_undergoes_it_and_is_not_the_actor(nlp: Any, resolver: EntityResolver) -> None:
    (c,) = commitments(nlp, resolver, "Het contract van de trainer werd begin dit jaar niet verlengd door de club.")
    assert c.actor == "de club"  # the agent; neither "Het contract" nor "begin dit jaar"


def test_a_relative_pronoun_before_an_adverb_is_the_subject(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Het museum krijgt een vleugel voor de Kameropera, "
        "die er vanaf het najaar kleine producties brengt maar ook masterclasses wil geven."
    )
    found = commitments(nlp, resolver, text)
    assert any("masterclasses" in c.action for c in found)
    assert {c.actor for c in found} == {"de Kameropera"}  # not "Het museum", not "masterclasses"


def test_the_subject_follows_the_word_that_opens_a_relative_clause(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "De subsidie, waarmee Peeters vanaf volgend jaar kleine clubs een extra trainer wil bezorgen, "
        "staat ter discussie."
    )
    (c,) = [c for c in commitments(nlp, resolver, text) if "trainer" in c.action]
    assert c.actor == "Peeters"  # not "De subsidie", not "kleine clubs"


def test_who_receives_a_contract_is_not_who_commits(nlp: Any, resolver: EntityResolver) -> None:
    (c,) = commitments(nlp, resolver, "De spits krijgt van Ajax een contract van drie jaar aangeboden.")
    assert c.actor == "Ajax"


def test_an_adverb_that_opens_a_sentence_is_never_an_actor(nlp: Any, resolver: EntityResolver) -> None:
    doc = nlp("Nochtans was eerder aangekondigd dat de snelheid omlaag zou gaan.")
    ctx = DocumentContext.build(doc, resolver.mentions(doc))
    cue = next(t for t in doc if t.text == "aangekondigd")
    assert resolve_subject(doc[0:1], cue=cue, ctx=ctx, sentence=0, speaker=None, quoted=False) == []


def test_a_plan_for_a_building_is_the_towns_not_the_buildings(nlp: Any, resolver: EntityResolver) -> None:
    text = (
        "Het nieuwe museum komt in de Lakenhal in Leiden. De Lakenhal is een pand uit de zeventiende eeuw. "
        "Rond de Lakenhal ligt een park."
    )
    (c,) = commitments(nlp, resolver, text)
    assert c.actor == "Leiden"  # a town can act through its council; a building cannot


def test_the_object_after_the_subject_is_not_part_of_it(nlp: Any, resolver: EntityResolver) -> None:
    (c,) = commitments(nlp, resolver, "Premier Dick Schoof zei dat het kabinet het plan eerst wil bestuderen.")
    assert (c.actor, c.speaker) == ("het kabinet", "Dick Schoof")  # not "het kabinet het plan"
