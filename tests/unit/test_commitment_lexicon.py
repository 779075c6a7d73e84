"""The cue lexicon and the actor nouns are data: rows parse, bad rows are refused, a row is a cue."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from newsdesk.analyze.commitments.clauses import candidates, segments
from newsdesk.analyze.commitments.lexicon import (
    CUES_FILE,
    actor_nouns,
    lexicon,
    parse_actor_nouns,
    parse_lexicon,
)
from newsdesk.errors import ConfigError
from newsdesk.models import CommitmentKind, Firmness
from tests.conftest import not_none

_VOCAB = spacy.blank("nl").vocab


def test_the_bundled_lexicon_has_every_kind_and_the_guidelines_cues() -> None:
    lex = lexicon()
    kinds = {c.kind for table in (lex.verbs, lex.auxiliaries, lex.adjectives, lex.nouns) for c in table.values()}
    assert kinds == set(CommitmentKind)
    assert lex.verbs["toezeggen"].particle == "toe" and lex.verbs["toezeggen"].speech
    assert lex.verbs["weigeren"].negative and lex.verbs["weigeren"].kind is CommitmentKind.REFUSAL
    assert lex.verbs["voornemen"].reflexive  # "we hebben ons voorgenomen"
    assert lex.auxiliaries["zullen"].firmness is Firmness.FIRM and lex.auxiliaries["zullen"].agentive
    assert lex.adjectives["bereid"].kind is CommitmentKind.WILLINGNESS
    assert lex.noun("principeovereenkomst") is lex.nouns["overeenkomst"]  # a compound counts by its head
    assert lex.actions["uitstellen"].kind is CommitmentKind.PLAN  # "stelt ... uit" in the present tense
    assert lex.actions["uitstellen"].pos == "decision" and lex.actions["bouwen"].pos == "action"
    assert lex.actions["uitbreiden"].particle == "uit"  # "wordt uitgebreid": a measure in the passive too
    assert lex.actions["uittrekken"].kind is CommitmentKind.PLEDGE  # "trekt 4 miljoen euro uit"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("beloven\tverb\tpledge\tfirm\t-\tno\tno\tyes\tno\t-", "columns"),
        ("beloven\tverb\tpromise\tfirm\t-\tno\tno\tyes\tno\t-\tno\t-", "promise"),
        ("beloven\tverbum\tpledge\tfirm\t-\tno\tno\tyes\tno\t-\tno\t-", "unknown pos"),
        ("beloven\tverb\tpledge\tfirm\t-\tmaybe\tno\tyes\tno\t-\tno\t-", "yes or no"),
    ],
)
def test_a_malformed_row_is_refused_with_its_line(row: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        parse_lexicon("# a comment\n" + row + "\n", "test.tsv")
    assert "test.tsv:2" in str(err.value)


def test_a_cue_listed_twice_is_refused() -> None:
    row = "beloven\tverb\tpledge\tfirm\t-\tno\tno\tyes\tno\t-\tno\t-"
    with pytest.raises(ConfigError, match="twice"):
        parse_lexicon(row + "\n" + row + "\n")


def _doc(words: list[tuple[str, int, str, str, str, str]]) -> Doc:
    """A hand-parsed sentence: (word, head (1-based, 0 = root), relation, UPOS, lemma, features)."""
    return Doc(
        _VOCAB,
        words=[w[0] for w in words],
        spaces=[i + 1 < len(words) and words[i + 1][0] not in ".," for i in range(len(words))],
        heads=[w[1] - 1 if w[1] else i for i, w in enumerate(words)],
        deps=[w[2] if w[2] != "root" else "ROOT" for w in words],
        pos=[w[3] for w in words],
        lemmas=[w[4] for w in words],
        morphs=[w[5] for w in words],
        sent_starts=[i == 0 for i in range(len(words))],
    )


FIN = "VerbForm=Fin|Tense=Pres|Number=Sing"


def test_adding_a_cue_verb_is_one_row() -> None:
    # "De minister zweert toe dat de brug in 2027 klaar is": no cue today, one row makes it one.
    doc = _doc(
        [
            ("De", 2, "det", "DET", "de", ""),
            ("minister", 3, "nsubj", "NOUN", "minister", ""),
            ("zweert", 0, "root", "VERB", "zweren", FIN),
            ("toe", 3, "compound:prt", "ADP", "toe", ""),
            ("dat", 10, "mark", "SCONJ", "dat", ""),
            ("de", 7, "det", "DET", "de", ""),
            ("brug", 10, "nsubj", "NOUN", "brug", ""),
            ("in", 9, "case", "ADP", "in", ""),
            ("2027", 10, "obl", "NUM", "2027", ""),
            ("klaar", 3, "ccomp", "ADJ", "klaar", ""),
            ("is", 10, "cop", "AUX", "zijn", FIN),
            (".", 3, "punct", "PUNCT", ".", ""),
        ]
    )
    seg = segments(doc)[0][0]
    assert not [c for c in candidates(seg) if c.source == "lexical"]
    text = CUES_FILE.read_text(encoding="utf-8") + "toezweren\tverb\tpledge\tfirm\ttoe\tno\tno\tyes\tno\t-\tno\t-\n"
    found = [c for c in candidates(seg, parse_lexicon(text)) if c.source == "lexical"]
    assert len(found) == 1
    assert (found[0].cue.text, not_none(found[0].entry).lemma, found[0].main.text) == ("zweert", "toezweren", "klaar")
    assert [t.text for t in found[0].subject] == ["De", "minister"]


def test_actor_nouns_classes_titles_and_people() -> None:
    nouns = actor_nouns()
    assert nouns.noun_class("regering") == "government"
    assert nouns.noun_class("coalitiepartij") == "organisation"  # the head of a compound
    assert nouns.noun_class("kunstencentrum") is None
    assert nouns.is_title("VVD-fractievoorzitter") and nouns.is_title("Staatssecretaris")
    assert not nouns.is_title("regering")
    assert nouns.can_act("dermatologen", plural=True)  # a plural of people
    assert not nouns.can_act("werken", plural=True)  # "De werken beginnen in augustus": not an actor
    with pytest.raises(ConfigError, match="class"):
        parse_actor_nouns("minister\tpolitician\tyes\n")


def test_inert_nouns_never_act_and_count_by_their_head() -> None:
    from newsdesk.analyze.commitments.lexicon import parse_actor_nouns

    nouns = parse_actor_nouns("front\tinert\tno\npartij\torganisation\tno\n")
    assert nouns.is_inert("koufront") and nouns.is_inert("front")
    assert not nouns.is_inert("partij") and nouns.noun_class("front") is None
