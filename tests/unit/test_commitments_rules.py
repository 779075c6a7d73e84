"""Commitment rules on hand-parsed sentences (UD Dutch analyses written out): no model needed.

Each sentence is given CoNLL-style (word, head, relation, UPOS, lemma, features), so these tests
pin the rules themselves; tests with the bundled pipeline live in test_commitments.py.
"""

from __future__ import annotations

from datetime import date

import spacy
from spacy.tokens import Doc

from newsdesk.analyze.commitments import EXTRACTOR_VERSION, find_commitments
from newsdesk.analyze.commitments.scorer import Scorer
from newsdesk.analyze.entities import make_ref
from newsdesk.models import Commitment, CommitmentKind, EntityLabel, Firmness, Mention, Polarity

_VOCAB = spacy.blank("nl").vocab
FIN = "VerbForm=Fin|Tense=Pres|Number=Sing"
FIN_PL = "VerbForm=Fin|Tense=Pres|Number=Plur"
INF = "VerbForm=Inf"
# Accepts every candidate the rules let through: tests of a rule, not of the trained scorer.
ACCEPT_ALL = Scorer(weights={}, bias=5.0, threshold=0.5)


def parsed(*sentences: str) -> Doc:
    """Sentences of rows "word head rel UPOS lemma [feats]" (head: 1-based within the sentence, 0 = root)."""
    words: list[str] = []
    heads: list[int] = []
    deps: list[str] = []
    pos: list[str] = []
    lemmas: list[str] = []
    morphs: list[str] = []
    starts: list[bool | int | None] = []  # spaCy's Doc takes this type
    for sentence in sentences:
        offset = len(words)
        for n, row in enumerate(line.split() for line in sentence.strip().splitlines()):
            word, head, dep, upos, lemma, *feats = row
            words.append(word)
            heads.append(offset + int(head) - 1 if int(head) else offset + n)
            deps.append("ROOT" if dep == "root" else dep)
            pos.append(upos)
            lemmas.append(lemma)
            morphs.append(feats[0] if feats else "")
            starts.append(n == 0)
    spaces = [not (i + 1 < len(words) and words[i + 1] in ",.") for i in range(len(words))]
    return Doc(
        _VOCAB,
        words=words,
        spaces=spaces,
        heads=heads,
        deps=deps,
        pos=pos,
        lemmas=lemmas,
        morphs=morphs,
        sent_starts=starts,
    )


def mention(doc: Doc, text: str, label: EntityLabel, sentence: int = 0) -> Mention:
    start = doc.text.index(text)
    return Mention(text, label, start, start + len(text), sentence, make_ref(text, label))


def only(items: list[Commitment]) -> Commitment:
    assert len(items) == 1, items
    return items[0]


def test_negated_future_is_a_negative_plan() -> None:
    doc = parsed(
        """
        Nederland 4 nsubj PROPN Nederland
        zal 4 aux AUX zullen """
        + FIN
        + """
        geen 5 det DET geen
        sturen 0 root VERB sturen """
        + INF
        + """
        troepen 4 obj NOUN troep
        . 4 punct PUNCT .
    """
    )
    c = only(find_commitments(doc, [mention(doc, "Nederland", EntityLabel.LOC)], published=date(2025, 3, 1)))
    assert (c.actor, c.kind, c.polarity) == ("Nederland", CommitmentKind.PLAN, Polarity.NEGATIVE)
    assert c.actor_entity_id is not None
    assert c.actor_as_written is None  # named as is
    assert c.extractor_version == EXTRACTOR_VERSION


def test_condition_is_kept_and_the_er_komt_inside_it_is_not_a_commitment() -> None:
    doc = parsed(
        """
        Als 5 mark SCONJ als
        er 5 expl ADV er
        een 4 det DET een
        bestand 5 nsubj NOUN bestand
        komt 10 advcl VERB komen """
        + FIN
        + """
        , 5 punct PUNCT ,
        zal 10 aux AUX zullen """
        + FIN
        + """
        het 9 det DET het
        kabinet 10 nsubj NOUN kabinet
        helpen 0 root VERB helpen """
        + INF
        + """
        . 10 punct PUNCT .
    """
    )
    c = only(find_commitments(doc, [], published=None, scorer=ACCEPT_ALL))
    assert c.actor == "het kabinet"
    assert c.conditional and c.condition == "Als er een bestand komt"
    assert c.firmness is Firmness.TENTATIVE
    assert "bestand" not in c.action


def test_passive_without_agent_takes_the_actor_the_text_is_about() -> None:
    doc = parsed(
        """
        Het 2 det DET het
        kabinet 3 nsubj NOUN kabinet
        gaat 0 root VERB gaan """
        + FIN
        + """
        een 5 det DET een
        plan 6 obj NOUN plan
        maken 3 xcomp VERB maken """
        + INF
        + """
        . 3 punct PUNCT .
        """,
        """
        Het 2 det DET het
        plan 5 nsubj:pass NOUN plan
        zal 5 aux AUX zullen """
        + FIN
        + """
        worden 5 aux:pass AUX worden """
        + INF
        + """
        voorgelegd 0 root VERB voorleggen VerbForm=Part
        aan 8 case ADP aan
        de 8 det DET de
        VS 5 obl PROPN VS
        . 5 punct PUNCT .
        """,
    )
    found = find_commitments(doc, [], published=None, scorer=ACCEPT_ALL)
    assert [(c.sentence, c.actor, c.kind) for c in found] == [
        (0, "Het kabinet", CommitmentKind.PLAN),
        (1, "Het kabinet", CommitmentKind.PLAN),
    ]
    assert "voorgelegd" in found[1].action


def test_speaker_after_the_clause_and_a_vague_deadline() -> None:
    doc = parsed(
        """
        De 2 det DET de
        coalitie 3 nsubj NOUN coalitie
        gaat 0 root VERB gaan """
        + FIN
        + """
        meteen 3 advmod ADV meteen
        aan 7 case ADP aan
        de 7 det DET de
        slag 3 obl NOUN slag
        , 9 punct PUNCT ,
        zei 3 parataxis VERB zeggen VerbForm=Fin|Tense=Past
        Starmer 9 nsubj PROPN Starmer
        . 3 punct PUNCT .
    """
    )
    starmer = mention(doc, "Starmer", EntityLabel.PER)
    c = only(find_commitments(doc, [starmer], published=date(2025, 3, 1), scorer=ACCEPT_ALL))
    assert (c.actor, c.kind, c.speaker) == ("De coalitie", CommitmentKind.PLAN, "Starmer")
    assert c.speaker_entity_id == starmer.entity.entity_id
    assert (c.deadline_text, c.deadline) == ("meteen", None)
    assert c.action == "aan de slag gaan"


def test_pronoun_resolves_to_the_reporting_subject_and_no_commitments_is_a_refusal() -> None:
    doc = parsed(
        """
        Premier 2 nmod NOUN premier
        Schoof 4 nsubj PROPN Schoof
        was 4 cop AUX zijn VerbForm=Fin|Tense=Past
        daar 0 root ADV daar
        . 4 punct PUNCT .
        """,
        """
        Schoof 2 nsubj PROPN Schoof
        benadrukte 0 root VERB benadrukken VerbForm=Fin|Tense=Past
        dat 9 mark SCONJ dat
        hij 9 nsubj PRON hij
        geen 7 det DET geen
        concrete 7 amod ADJ concreet
        toezeggingen 9 obj NOUN toezegging
        heeft 9 aux AUX hebben """
        + FIN
        + """
        gedaan 2 ccomp VERB doen VerbForm=Part
        . 2 punct PUNCT .
        """,
    )
    mentions = [
        mention(doc, "Premier Schoof", EntityLabel.PER),
    ]
    second = doc.text.index("Schoof", doc.text.index("."))
    mentions.append(Mention("Schoof", EntityLabel.PER, second, second + 6, 1, mentions[0].entity))
    c = only(find_commitments(doc, mentions, published=None, scorer=ACCEPT_ALL))
    assert c.sentence == 1
    assert (c.kind, c.polarity) == (CommitmentKind.REFUSAL, Polarity.NEGATIVE)
    assert c.actor_entity_id == mentions[0].entity.entity_id
    assert c.actor_as_written == "hij"  # what the sentence says, next to whom it was resolved to
    # the speaker is the entity, named as the entity is ("Premier Schoof" is this test's entity)
    assert (c.speaker, c.speaker_entity_id) == ("Premier Schoof", mentions[0].entity.entity_id)


def test_demand_on_others_is_not_a_commitment() -> None:
    doc = parsed(
        """
        EU-lidstaten 4 nsubj NOUN lidstaat Number=Plur
        moeten 4 aux AUX moeten """
        + FIN_PL
        + """
        meer 4 obj PRON meer
        investeren 0 root VERB investeren """
        + INF
        + """
        , 6 punct PUNCT ,
        zei 4 parataxis VERB zeggen VerbForm=Fin|Tense=Past
        Rutte 6 nsubj PROPN Rutte
        . 4 punct PUNCT .
    """
    )
    assert find_commitments(doc, [], published=None, scorer=ACCEPT_ALL) == []


def test_prediction_with_zullen_is_not_a_pledge() -> None:
    doc = parsed(
        """
        De 2 det DET de
        prijzen 4 nsubj NOUN prijs Number=Plur
        zullen 4 aux AUX zullen """
        + FIN_PL
        + """
        stijgen 0 root VERB stijgen """
        + INF
        + """
        . 4 punct PUNCT .
    """
    )
    assert find_commitments(doc, [], published=None, scorer=ACCEPT_ALL) == []


def test_dated_pledge_resolves_against_the_article_date() -> None:
    doc = parsed(
        """
        De 3 det DET de
        Europese 3 amod ADJ Europees
        Commissie 10 nsubj PROPN Commissie
        zal 10 aux AUX zullen """
        + FIN
        + """
        op 6 case ADP op
        6 10 obl NUM 6
        maart 6 flat NOUN maart
        een 9 det DET een
        plan 10 obj NOUN plan
        presenteren 0 root VERB presenteren """
        + INF
        + """
        . 10 punct PUNCT .
    """
    )
    c = only(find_commitments(doc, [], published=date(2025, 3, 1)))
    assert (c.deadline_text, c.deadline, str(c.deadline_precision)) == ("op 6 maart", date(2025, 3, 6), "day")
    assert c.action == "een plan presenteren"
    assert c.action_key == "plan presenteren"


def test_er_komt_with_volgens_speaker_credits_the_speaker() -> None:
    doc = parsed(
        """
        Volgens 2 case ADP volgens
        Rutte 3 obl PROPN Rutte
        komt 0 root VERB komen """
        + FIN
        + """
        er 3 expl ADV er
        een 6 det DET een
        fonds 3 nsubj NOUN fonds
        . 3 punct PUNCT .
    """
    )
    rutte = mention(doc, "Rutte", EntityLabel.PER)
    c = only(find_commitments(doc, [rutte], published=None, scorer=ACCEPT_ALL))
    assert (c.actor, c.speaker, c.kind) == ("Rutte", "Rutte", CommitmentKind.PLAN)
    assert c.action.startswith("er komt") and "fonds" in c.action


def test_er_komt_without_anyone_announcing_it_is_a_forecast() -> None:
    doc = parsed(
        """
        Er 2 expl ADV er
        komt 0 root VERB komen """
        + FIN
        + """
        veel 4 det DET veel
        regen 2 nsubj NOUN regen
        . 2 punct PUNCT .
    """
    )
    assert find_commitments(doc, [], published=None, scorer=ACCEPT_ALL) == []


def test_first_person_in_a_quote_is_the_speaker() -> None:
    doc = parsed(
        """
        " 4 punct PUNCT "
        We 4 nsubj PRON we
        gaan 4 aux AUX gaan VerbForm=Fin|Tense=Pres|Number=Plur
        bouwen 0 root VERB bouwen """
        + INF
        + """
        " 4 punct PUNCT "
        , 7 punct PUNCT ,
        zei 4 parataxis VERB zeggen VerbForm=Fin|Tense=Past
        Jansen 7 nsubj PROPN Jansen
        . 4 punct PUNCT .
    """
    )
    jansen = mention(doc, "Jansen", EntityLabel.PER)
    c = only(find_commitments(doc, [jansen], published=None, scorer=ACCEPT_ALL))
    assert (c.actor, c.actor_entity_id, c.speaker) == ("Jansen", jansen.entity.entity_id, "Jansen")


def test_wanting_something_of_others_is_not_a_commitment() -> None:
    doc = parsed(
        """
        De 2 det DET de
        demonstranten 3 nsubj NOUN demonstrant Number=Plur
        willen 0 root VERB willen """
        + FIN_PL
        + """
        dat 7 mark SCONJ dat
        de 6 det DET de
        regering 7 nsubj NOUN regering
        aftreedt 3 ccomp VERB aftreden """
        + FIN
        + """
        . 3 punct PUNCT .
    """
    )
    assert find_commitments(doc, [], published=None, scorer=ACCEPT_ALL) == []


def test_refusal_verb_is_negative() -> None:
    doc = parsed(
        """
        China 2 nsubj PROPN China
        weigert 0 root VERB weigeren """
        + FIN
        + """
        de 4 det DET de
        export 6 obj NOUN export
        te 6 mark ADP te
        hervatten 2 xcomp VERB hervatten """
        + INF
        + """
        . 2 punct PUNCT .
    """
    )
    c = only(find_commitments(doc, [], published=None, scorer=ACCEPT_ALL))
    assert (c.actor, c.kind, c.polarity, c.action) == (
        "China",
        CommitmentKind.REFUSAL,
        Polarity.NEGATIVE,
        "de export hervatten",
    )
