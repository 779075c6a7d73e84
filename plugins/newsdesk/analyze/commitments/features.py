"""The scorer's inputs: the decisions about one candidate as named numeric features.

Owns the feature names (the scorer's weights are keyed by them) and ``document_features``, the
few facts about the whole document that change how a clause reads (an interview or a review in
the first person, a quote-heavy report).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span

from newsdesk.analyze.commitments.actors import FIRST_PERSON, RELATIVE, Actor
from newsdesk.analyze.commitments.clauses import Candidate, lemma
from newsdesk.analyze.commitments.decisions import Deadline, Negation, Prediction, Tense
from newsdesk.analyze.commitments.lexicon import actor_nouns
from newsdesk.analyze.entities import doc_text
from newsdesk.models import EntityLabel


@dataclass(frozen=True, slots=True)
class DocumentFeatures:
    first_person: float  # share of segments with "ik"/"we"/"wij" outside quotes
    quotes: float  # share of segments with a quote mark
    segments: int


def document_features(segments: Sequence[Span]) -> DocumentFeatures:
    if not segments:
        return DocumentFeatures(0.0, 0.0, 0)
    text = doc_text(segments[0].doc)
    first = quotes = 0
    for s in segments:  # on the text, not token by token: this runs over the whole document
        part = text[s.start_char : s.end_char]
        first += _FIRST_PERSON_WORD.search(part) is not None
        quotes += any(c in part for c in '"“”„')
    return DocumentFeatures(first / len(segments), quotes / len(segments), len(segments))


_FIRST_PERSON_WORD = re.compile(r"(?<!\w)(?:" + "|".join(sorted(FIRST_PERSON)) + r")(?!\w)", re.IGNORECASE)


def candidate_features(
    cand: Candidate,
    *,
    tense: Tense,
    negation: Negation,
    obligation: str | None,
    prediction: Prediction,
    condition: bool,
    deadline: Deadline | None,
    past_time: bool,
    quoted: bool,
    speaker: bool,
    reported: bool,
    actors: Sequence[Actor],
    document: DocumentFeatures,
    announced: bool = False,
) -> dict[str, float]:
    source = cand.source
    if source == "aux" and cand.entry is not None:
        source = f"aux_{cand.entry.lemma}"
    subj = _subject_kind(cand, actors)
    f: dict[str, float] = {f"src_{source}": 1.0, f"subj_{subj}": 1.0}
    f.update(_cue_features(cand, source))
    if tense is not Tense.PRESENT:
        f[f"tense_{tense}"] = 1.0
    if source == "present":
        f[f"present_subj_{subj}"] = 1.0
    if source.startswith("aux"):
        f[f"aux_subj_{subj}"] = 1.0
    flags = {
        "negated": bool(negation.tokens) or negation.refusal,
        "refusal": negation.refusal,  # "wil niet", "heeft geen toezeggingen gedaan": an explicit refusal is firm
        "obligation": bool(obligation),
        "hedged": prediction.hedged,
        "belief": prediction.belief,
        "outcome": prediction.outcome,
        "copula": prediction.copula,
        "habitual": prediction.habitual,
        "condition": condition,
        "deadline": deadline is not None,
        "deadline_dated": deadline is not None and deadline.date is not None,
        "present_deadline": deadline is not None and source == "present",
        "past_time": past_time,
        "quoted": quoted,
        "speaker": speaker,
        "reported": reported,
        "no_content": cand.main.i == cand.cue.i and source not in ("present", "noun"),
        "passive": cand.passive,
        # "Het plan zal daarna worden voorgelegd aan ...": a scheduled act
        "future_passive": cand.passive and source.startswith("aux"),
        "er_komt_speaker": announced,  # "Er komt een onderzoek, zei de minister": the speaker's side commits
        "quoted_first_person": quoted and subj in ("pron_1sg", "pron_1pl"),
    }
    f.update({name: 1.0 for name, on in flags.items() if on})
    f.update(_actor_features(actors))
    f.update(_segment_features(cand.segment))
    f["doc_first_person"] = document.first_person
    f["doc_quotes"] = document.quotes
    return f


def _cue_features(cand: Candidate, source: str) -> dict[str, float]:
    entry = cand.entry
    if entry is None:
        return {}
    f = {f"kind_{entry.kind}": 1.0}
    if source == "present":
        f["present_action"] = 1.0
        if entry.pos == "decision":
            f["present_decision"] = 1.0  # "De gemeente stelt de uitbreiding uit": a decision, not a description
    if source == "passive":
        f["passive_action"] = 1.0  # "Het stelsel wordt uitgebreid": a measure, not a description
    if entry.speech:
        f["cue_speech"] = 1.0
    if entry.lemma in ("willen", "zullen", "gaan", "bereid", "besluiten", "beslissen", "beloven"):
        f[f"cue_{entry.lemma}"] = 1.0
    return f


def _actor_features(actors: Sequence[Actor]) -> dict[str, float]:
    if not actors:
        return {"no_actor": 1.0}
    actor = actors[0]
    f = {f"how_{actor.how}": 1.0}
    if actor.entity_id is not None:
        f["actor_entity"] = 1.0
    if actor.label is not None and actor.how != "subject":
        f[f"actor_{actor.label}"] = 1.0  # the subject's own type is in subj_*: this is the type found elsewhere
    return f


def _segment_features(seg: Span) -> dict[str, float]:
    text = seg.text
    f = {}
    if "?" in text:
        f["question"] = 1.0
    if not text.rstrip().endswith((".", "!", "?", '"', "”", "'")):
        f["headline"] = 1.0
    return f


def _subject_kind(cand: Candidate, actors: Sequence[Actor]) -> str:
    tokens = [t for t in cand.subject if not t.is_space]
    if cand.passive or not tokens:
        return "none"
    if actors and actors[0].how == "context":
        return "thing"
    if len(tokens) == 1:
        low = tokens[0].lower_
        if low == "ik":
            return "pron_1sg"
        if low in ("we", "wij"):
            return "pron_1pl"
        if low in RELATIVE or "Rel" in tokens[0].morph.get("PronType", []):
            return "relative"
        if tokens[0].pos_ == "PRON":
            return "pron_3"
    nouns = [lemma(t) for t in tokens if t.pos_ in ("NOUN", "PROPN")]
    if actors and actors[0].entity_id is not None and actors[0].how == "subject":
        label = actors[0].label
        if label is EntityLabel.LOC and any(actor_nouns().noun_class(n) is not None for n in nouns):
            return "actor_noun"  # "De gemeente Utrecht", "de provincie Limburg": a body, not a place
        return {EntityLabel.PER: "per", EntityLabel.ORG: "org", EntityLabel.LOC: "loc"}.get(label, "misc")  # type: ignore[arg-type]
    if any(actor_nouns().noun_class(n) is not None for n in nouns):
        return "actor_noun"
    if any(t.pos_ == "PROPN" for t in tokens):
        return "name"
    return "noun"
