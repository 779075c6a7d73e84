"""Each decision about a commitment, on news-shaped sentences through the bundled pipeline.

The decisions (tense, negation and refusal, obligation and demand, prediction, condition,
deadline) are read off ``judge_document``, before the scorer: these tests pin the rules. The
sentences are written for the project in the style of Dutch news; the quality measure is
bench/commitments_eval.py on text nobody here wrote.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from newsdesk.analyze.commitments import Judged, find_commitments, judge_document
from newsdesk.analyze.commitments.decisions import Tense, tense
from newsdesk.analyze.commitments.scorer import Scorer
from newsdesk.analyze.entities import EntityResolver
from newsdesk.models import CommitmentKind, DatePrecision, Firmness, Polarity

K = CommitmentKind
PUBLISHED = date(2026, 3, 3)
# Accepts every candidate the rules let through: what these tests check is the rules.
ACCEPT_ALL = Scorer(weights={}, bias=5.0, threshold=0.5)


def judged(nlp: Any, resolver: EntityResolver, text: str) -> list[Judged]:
    doc = nlp(text)
    return judge_document(doc, resolver.mentions(doc), published=PUBLISHED)


def cue(found: list[Judged], word: str) -> Judged:
    matches = [j for j in found if j.cand.cue.text == word]
    assert len(matches) == 1, [(j.cand.cue.text, j.cand.source) for j in found]
    return matches[0]


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Het kabinet heeft beloofd de accijns te verlagen.", "beloofd", Tense.PERFECT),
        ("Minister Jansen had beloofd de brug te bouwen.", "beloofd", Tense.PLUPERFECT),
        ("De regering beloofde vorig jaar dat de brug in 2027 klaar is.", "beloofde", Tense.PAST),
        ("De gemeente zal de grondprijs voor sociale huur verlagen.", "zal", Tense.FUTURE),
        ("De bond is niet bereid om te praten.", "bereid", Tense.PRESENT),
    ],
)
def test_tense_of_the_cue(nlp: Any, resolver: EntityResolver, text: str, word: str, expected: Tense) -> None:
    assert tense(cue(judged(nlp, resolver, text), word).cand) is expected


def test_a_reported_past_promise_counts_a_past_wish_does_not(nlp: Any, resolver: EntityResolver) -> None:
    promise = cue(judged(nlp, resolver, "De regering beloofde vorig jaar dat de brug in 2027 klaar is."), "beloofde")
    assert promise.veto is None and promise.kind is K.PLEDGE
    assert promise.deadline is not None and promise.deadline.text == "in 2027"
    wish = cue(judged(nlp, resolver, "Imperial Invest wou diversifiëren."), "wou")
    assert wish.veto == "a past wish"
    # a goal that was set is an act, like a decision; a goal that was had is a past wish
    text = "Omroep Noord stelde vorig jaar als doel om binnen drie jaar de grootste zender van de regio te worden."
    goal = cue(judged(nlp, resolver, text), "doel")
    assert goal.veto is None and goal.kind is K.INTENT
    had = cue(judged(nlp, resolver, "De gemeente had als doel om de wijk te vernieuwen."), "doel")
    assert had.veto == "a past wish"


@pytest.mark.parametrize(
    ("text", "word", "kind"),
    [
        ("De minister weigert de regeling te verlengen.", "weigert", K.REFUSAL),
        ("De bond is niet bereid om te praten.", "bereid", K.REFUSAL),
        ("Het kabinet zal de accijns op benzine volgend jaar niet verhogen.", "zal", K.PLAN),
        (
            "De provincie heeft beslist om voortaan geen subsidies meer toe te kennen aan nieuwe golfbanen.",
            "beslist",
            K.PLAN,
        ),
    ],
)
def test_negation_makes_the_commitment_negative(
    nlp: Any, resolver: EntityResolver, text: str, word: str, kind: CommitmentKind
) -> None:
    j = cue(judged(nlp, resolver, text), word)
    assert (j.veto, j.kind, j.negation.polarity) == (None, kind, Polarity.NEGATIVE)


@pytest.mark.parametrize(
    ("text", "word", "veto"),
    [
        (
            "Reizigersvereniging Rover vraagt de partijen om snel een akkoord te sluiten.",
            "akkoord",
            "a demand on others",
        ),
        ("Zij wil dat het kabinet de woningbouwimpuls voortzet.", "wil", "a wish on others"),
        ("De Kamerleden willen weten waarom de brug te laat is.", "willen", "a information on others"),
        ("Europa zal het zware werk moeten doen.", "zal", "an obligation"),
        ("De bank verwacht dat de prijzen volgend jaar zullen stijgen.", "zullen", "a forecast or hope"),
        ("De prijzen zullen volgend jaar stijgen.", "zullen", "a forecast: the subject cannot act"),
        # the tagger takes this "hoop" for a noun; it is the verb "hopen" all the same
        ("Ik hoop dat de burgemeester de brug snel zal openen.", "zal", "a forecast or hope"),
    ],
)
def test_demands_obligations_and_forecasts_are_not_commitments(
    nlp: Any, resolver: EntityResolver, text: str, word: str, veto: str
) -> None:
    found = judged(nlp, resolver, text)
    assert cue(found, word).veto == veto
    doc = nlp(text)
    assert find_commitments(doc, resolver.mentions(doc), published=PUBLISHED) == []


def test_a_threat_is_a_conditional_commitment(nlp: Any, resolver: EntityResolver) -> None:
    text = "Als de werkgevers niet vóór 12 maart met een beter bod komen, gaan de buschauffeurs staken, zegt de bond."
    j = cue(judged(nlp, resolver, text), "gaan")
    assert j.veto is None and j.cand.main.text == "staken"
    assert j.condition is not None and j.condition[0].startswith("Als de werkgevers niet vóór 12 maart")
    assert j.firmness is Firmness.TENTATIVE
    assert j.negation.polarity is Polarity.POSITIVE  # the "niet" belongs to the condition


def test_the_deadline_is_the_actions_not_the_day_of_the_promise(nlp: Any, resolver: EntityResolver) -> None:
    text = "Minister Jansen heeft dinsdag beloofd dat de nieuwe regeling voor 1 januari 2027 wordt ingevoerd."
    doc = nlp(text)
    (c,) = find_commitments(doc, resolver.mentions(doc), published=PUBLISHED, scorer=ACCEPT_ALL)
    assert (c.deadline_text, c.deadline, c.deadline_precision) == (
        "voor 1 januari 2027",
        date(2026, 12, 31),
        DatePrecision.DAY,
    )
    assert c.actor == "Jansen" and c.actor_as_written == "Minister Jansen"


def test_present_tense_with_future_meaning_is_a_plan(nlp: Any, resolver: EntityResolver) -> None:
    j = cue(judged(nlp, resolver, "Volgende week begint de gemeente met de bouw van het zwembad."), "begint")
    assert (j.cand.source, j.veto, j.kind, j.firmness) == ("present", None, K.PLAN, Firmness.FIRM)
    assert j.deadline is not None and j.deadline.text == "Volgende week"
    assert [a.text for a in j.actors] == ["de gemeente"]
    assert j.features.get("present_deadline") == 1.0


def test_the_bundled_scorer_takes_clear_commitments_and_leaves_descriptions(nlp: Any, resolver: EntityResolver) -> None:
    def found(text: str) -> list[tuple[str | None, CommitmentKind]]:
        doc = nlp(text)
        return [(c.actor, c.kind) for c in find_commitments(doc, resolver.mentions(doc), published=PUBLISHED)]

    assert found("De Europese Commissie zal op 6 maart een plan presenteren aan de Europese Raad.") == [
        ("Europese Commissie", K.PLAN)
    ]
    assert found("De minister weigert de regeling te verlengen.") == [("De minister", K.REFUSAL)]
    assert found("Het waterschap stelt de aanleg van de nieuwe dijk bij Kampen een jaar uit.") == [
        ("Het waterschap", K.PLAN)
    ]
    assert found("De expositie loopt van 12 maart tot 4 april.") == []


def test_a_free_relative_about_anyone_is_no_commitment(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "Het hotel is een goed adres voor wie in het centrum van Gent wil overnachten.")
    assert cue(found, "wil").veto == "a generic subject"
    named = judged(nlp, resolver, "De uitbater wil het hotel in het centrum van Gent volgend jaar uitbreiden.")
    assert cue(named, "wil").veto is None


def test_an_agreement_reached_is_no_outcome(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "De club heeft een akkoord bereikt met Ajax over de overgang van de spits.")
    j = cue(found, "akkoord")
    assert j.kind is K.AGREEMENT and "outcome" not in j.features


def test_a_finite_modal_makes_an_obligation(nlp: Any, resolver: EntityResolver) -> None:
    # the lemmatizer leaves an AUX "moet" as it is; the obligation is there all the same
    j = cue(judged(nlp, resolver, "De gemeenteraad moet daar op 20 maart nog mee instemmen."), "instemmen")
    assert j.cand.source == "lexical" and j.features["obligation"] == 1.0
    assert j.veto == "an obligation"  # an agreement the council still has to give is none yet
    allowed = cue(judged(nlp, resolver, "De minister kan de regeling toezeggen."), "toezeggen")
    assert allowed.veto is None  # "kunnen" beside a lexical cue is left to the scorer
    vetoed = cue(judged(nlp, resolver, "Het kabinet kan de wet volgend jaar invoeren."), "invoeren")
    assert vetoed.veto == "an obligation"


def test_what_someone_is_free_to_do_is_a_permission(nlp: Any, resolver: EntityResolver) -> None:
    text = "In alle buurlanden zijn de winkeliers vrij om zelf te beslissen wanneer ze hun prijzen verlagen."
    j = cue(judged(nlp, resolver, text), "beslissen")
    assert j.features["obligation"] == 1.0
    doc = nlp(text)
    assert find_commitments(doc, resolver.mentions(doc), published=PUBLISHED) == []


def test_a_modal_of_the_other_conjunct_is_no_obligation(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "Wij kunnen die eis niet aanvaarden en zullen dat ook nooit doen.")
    j = cue(found, "zullen")
    assert j.veto is None and j.negation.polarity is Polarity.NEGATIVE
    assert cue(judged(nlp, resolver, "Wij zullen dat nooit kunnen betalen."), "zullen").veto == "an obligation"


def test_a_wish_in_the_perfect_with_the_infinitive_is_past(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "In al die jaren als buschauffeur heb ik vaak een ander vak willen leren.")
    j = cue(found, "willen")
    assert tense(j.cand) is Tense.PERFECT and j.veto == "a past wish"
    reported = cue(
        judged(nlp, resolver, "De burgemeester heeft gezegd graag te willen overleggen met de buurt."), "willen"
    )
    assert reported.veto is None  # the infinitive of a te-clause: the wish holds


def test_er_komt_with_its_speaker_and_a_future_passive_are_features(nlp: Any, resolver: EntityResolver) -> None:
    announced = cue(judged(nlp, resolver, "Er komt een onafhankelijk onderzoek, zei minister Jetten dinsdag."), "komt")
    assert announced.features.get("er_komt_speaker") == 1.0
    weather = cue(judged(nlp, resolver, "Er komt morgen veel regen."), "komt")
    assert "er_komt_speaker" not in weather.features
    scheduled = cue(judged(nlp, resolver, "Het plan zal daarna worden voorgelegd aan de Verenigde Staten."), "zal")
    assert scheduled.features.get("future_passive") == 1.0


def test_the_weather_cannot_commit(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "Zondagnacht trekt de storm over het noorden van het land.")
    assert cue(found, "trekt").veto == "a forecast: the subject cannot act"
    team = judged(nlp, resolver, "Zondagnacht trekt het peloton over het noorden van het land.")
    assert cue(team, "trekt").veto is None


def test_a_participle_hanging_on_another_verb_is_no_cue(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "Als we opnieuw tellen, komen we beslist uit op meer dan vijfhonderd leden.")
    assert [j.cand.cue.text for j in found if j.cand.source == "lexical"] == []
    decided = judged(nlp, resolver, "De provincie heeft beslist om de subsidies af te schaffen.")
    assert cue(decided, "beslist").cand.source == "lexical"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Andere fabrikanten zullen wel volgen.", "zullen"),
        ("Het lijdt weinig twijfel dat de andere banken wel zullen volgen.", "zullen"),
        ("Laat ze maar begaan, de buurt zal er wel bij varen.", "zal"),
    ],
)
def test_an_unstressed_wel_beside_zullen_is_a_guess(nlp: Any, resolver: EntityResolver, text: str, word: str) -> None:
    assert "hedged" in cue(judged(nlp, resolver, text), word).features


def test_states_are_not_acts(nlp: Any, resolver: EntityResolver) -> None:
    shown = cue(judged(nlp, resolver, "De opera zal in veertig landen te zien zijn."), "zal")
    assert "copula" in shown.features  # what can be seen, not what anyone does
    means = cue(judged(nlp, resolver, "Dat wil zeggen dat de huren volgend jaar stijgen."), "wil")
    assert "copula" in means.features  # "wil zeggen": what something means
    goes_on = cue(judged(nlp, resolver, "De fabrikant zegt toe in de regio te blijven investeren."), "zegt")
    assert "copula" not in goes_on.features  # "te blijven investeren" is the act itself


def test_a_present_tense_with_nog_altijd_describes(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "De zender betaalt nog altijd de uitzendrechten van de competitie.")
    assert "habitual" in cue(found, "betaalt").features
    plan = judged(nlp, resolver, "De zender betaalt volgend seizoen de uitzendrechten van de competitie.")
    assert "habitual" not in cue(plan, "betaalt").features


def test_a_decision_verb_in_the_present_is_a_decision_and_a_yearly_habit_is_not(
    nlp: Any, resolver: EntityResolver
) -> None:
    found = judged(nlp, resolver, "Het waterschap stelt de aanleg van de nieuwe dijk bij Kampen een jaar uit.")
    decided = cue(found, "stelt")
    assert (decided.cand.source, decided.veto, decided.kind) == ("present", None, K.PLAN)
    assert decided.features.get("present_decision") == 1.0
    building = cue(judged(nlp, resolver, "Het waterschap bouwt een nieuwe dijk bij Kampen."), "bouwt")
    assert "present_action" in building.features and "present_decision" not in building.features
    yearly = judged(nlp, resolver, "Het waterschap trekt jaarlijks twee miljoen euro uit voor het onderhoud.")
    assert "habitual" in cue(yearly, "trekt").features


def test_a_past_refusal_with_willen_is_no_past_wish(nlp: Any, resolver: EntityResolver) -> None:
    refused = cue(judged(nlp, resolver, "Minister Vermeulen wilde daar gisteren niets over toezeggen."), "wilde")
    assert refused.veto is None and refused.negation.refusal


def test_a_present_passive_of_an_action_is_a_measure(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "Het aantal opvangplaatsen wordt volgend jaar uitgebreid.")
    measure = cue(found, "wordt")
    assert measure.cand.source == "passive" and "passive_action" in measure.features
    review = cue(judged(nlp, resolver, "Het ontbijt wordt in de tuin geserveerd."), "wordt")
    assert "passive_action" not in review.features


def test_a_town_with_its_body_noun_is_a_body_not_a_place(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "De gemeente Utrecht stelt de invoering van de milieuzone een jaar uit.")
    assert "subj_actor_noun" in cue(found, "stelt").features


def test_a_participle_with_liggen_is_no_decision(nlp: Any, resolver: EntityResolver) -> None:
    found = judged(nlp, resolver, "Het antwoord ligt in de oude archieven besloten.")
    assert not [j for j in found if j.cand.cue.text == "besloten"]
    decided = judged(nlp, resolver, "Het bestuur heeft besloten de vestiging te sluiten.")
    assert cue(decided, "besloten").veto is None


def test_a_present_tense_without_a_subject_is_no_commitment(nlp: Any, resolver: EntityResolver) -> None:
    doc = nlp("Vanaf morgen bouwt zich boven de Noordzee een gebied van hoge druk op.")
    judged = judge_document(doc, resolver.mentions(doc), published=date(2026, 3, 3))
    assert judged and all(j.veto is not None for j in judged)


def test_er_komt_is_an_announcement_even_where_no_subject_was_found(nlp: Any, resolver: EntityResolver) -> None:
    doc = nlp("De minister zei dat er dit voorjaar een wet komt die de bouw moet versnellen.")
    judged = judge_document(doc, resolver.mentions(doc), published=date(2026, 3, 3))
    komt = [j for j in judged if j.cand.cue.text == "komt"]
    assert komt and all(j.veto != "a present tense without a subject" for j in komt)
