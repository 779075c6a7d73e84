"""Commitments: who commits (or refuses) to do what, by when, under which condition, per whom.

Definition (newsdesk follows the annotation guidelines of its real-news evaluation set,
``commitments-nl/GUIDELINES.md``, summarised in the README): a commitment is a statement that an
actor commits, promises, agrees, decides, intends or declares itself willing to do something in
the future — or explicitly refuses or rules it out. Demands on others, advice, predictions, hopes,
opinions, descriptions of states and completed actions are not commitments. Present tense with
future meaning counts ("De werken beginnen in augustus"), so do decisions, passive and impersonal
plans whose actor the context names, and reported commitments whose content lies in the future.

How a document is read, one module per step:

1. ``clauses``: sentence segments, and every place a commitment may be stated — a cue of the
   lexicon (``cues.tsv``: one row per word, with its kind, firmness and constraints), a future
   auxiliary, a present passive, a present-tense content verb — with its main verb and subject.
2. ``decisions``: one function per concern — tense, negation and refusal, obligation and demand,
   prediction and state, condition, deadline.
3. ``actors``: the subject (or, for passives and impersonal plans, the context) resolved to the
   entities it stands for; the speaker.
4. ``features`` + ``scorer``: the decisions as features of a small logistic regression trained on
   real news (``scorer.json``; ``nlp/commitments/train_scorer.py``), which says which candidates
   are commitments. Categorical exclusions of the guidelines (a demand on others, a cue inside its
   own condition, a forecast under "verwacht"/"hoopt") are applied before it.
5. ``record``: the committed clause, the action text and key, the ``Commitment``.

``judge_document`` exposes steps 1–4 for training and evaluation; ``find_commitments`` is the
product path.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from newsdesk.analyze.commitments import decisions as decide
from newsdesk.analyze.commitments.actors import (
    FIRST_PERSON_OWNERS,
    Actor,
    DocumentContext,
    agent_of,
    context_actor,
    giver_of,
    is_government,
    is_thing,
    phrase_actors,
    receiving_verbs,
    resolve_subject,
    speaker_of,
)
from newsdesk.analyze.commitments.clauses import (
    Candidate,
    candidates,
    lemma,
    noun_phrase,
    segments,
    subject_of,
)
from newsdesk.analyze.commitments.features import DocumentFeatures, candidate_features, document_features
from newsdesk.analyze.commitments.record import action_text, clause_start, word_span
from newsdesk.analyze.commitments.scorer import Scorer, load_scorer
from newsdesk.analyze.entities import doc_text
from newsdesk.models import Commitment, CommitmentKind, Firmness, Mention

log = logging.getLogger(__name__)

__all__ = ["EXTRACTOR_VERSION", "Judged", "find_commitments", "judge_document"]

# Bump when the rules, the lexicon or the scorer change behaviour; part of every analyzer_version.
EXTRACTOR_VERSION = "commitments-12"

K = CommitmentKind


@dataclass(slots=True)
class Judged:
    """A candidate with every decision about it, its actors and its features."""

    cand: Candidate
    sentence: int
    clause: list
    actors: list[Actor]
    speaker: Actor | None
    kind: CommitmentKind
    firmness: Firmness
    negation: decide.Negation
    condition: tuple[str, int, int] | None
    deadline: decide.Deadline | None
    features: dict[str, float]
    veto: str | None  # a categorical exclusion of the guidelines, or None
    subject_is_content: bool = False  # "Er komt een fonds": the subject is what is committed

    @property
    def start(self) -> int:
        return self.clause[0].idx if self.clause else self.cand.cue.idx

    @property
    def end(self) -> int:
        last = self.clause[-1] if self.clause else self.cand.cue
        return last.idx + len(last.text)


def find_commitments(
    doc: Doc, mentions: Sequence[Mention], *, published: date | None, scorer: Scorer | None = None
) -> list[Commitment]:
    """Commitments in ``doc``; offsets are into ``doc.text``, sentences are ``doc.sents`` indices."""
    return select(judge_document(doc, mentions, published=published), scorer or load_scorer())


def select(judged: Sequence[Judged], model: Scorer) -> list[Commitment]:
    """The records of the candidates ``model`` accepts (no veto, probability at its threshold).

    A candidate inside the content of another accepted one with the same actors is what that one
    commits to ("Hij belooft dat de sector de uitstoot vermindert", "heeft aangekondigd dat het een
    fabriek gaat bouwen"): only the outer one, whose cue says what kind of commitment it is, is
    recorded. A coordinated clause ("wil geen schulden, maar is wel bereid om ...") is no content.
    A headline that states a commitment the body states too ("McLaren verlengt contract
    Coulthard") is that commitment: GUIDELINES records it once, on the body's sentence.
    """
    accepted = [(j, p) for j in judged if j.veto is None and (p := model.probability(j.features)) >= model.threshold]
    out: list[Commitment] = []
    for j, p in accepted:
        if not any(o is not j and (_content_of(j, o) or _headline_of(j, o)) for o, _ in accepted):
            out.extend(_records(j, p))
    return _dedupe(out)


def _headline_of(headline: Judged, body: Judged) -> bool:
    """``headline`` is a headline saying what ``body``, a sentence of the text, commits to: the same
    action verb, and actors that share an entity or a word of their names."""
    if "headline" not in headline.features or "headline" in body.features:
        return False
    if not _same_stem(lemma(headline.cand.main), lemma(body.cand.main)):
        return False
    ids = {a.entity_id for a in headline.actors if a.entity_id is not None}
    if ids & {a.entity_id for a in body.actors}:
        return True
    return bool(_name_words(headline.actors) & _name_words(body.actors))


def _same_stem(a: str, b: str) -> bool:
    """Two lemmas of one verb, also where the tagger missed it ("verlengen" and "verleng", a NOUN)."""
    shared = len(os.path.commonprefix((a, b)))
    return a == b or shared >= max(4, min(5, len(a) - 1, len(b) - 1))


def _name_words(actors: Sequence[Actor]) -> set[str]:
    """The words of the actors' names as resolved and as written ("Overijssel", "De provincie Overijssel")."""
    names = " ".join(f"{a.text} {a.written or ''}" for a in actors).casefold()
    return {w for w in _WORD.findall(names) if len(w) > 2 and w not in _ARTICLES}


_WORD = re.compile(r"\w+")
_ARTICLES = frozenset(("het", "een", "der", "den"))


_CONTENT_ARCS = frozenset(("ccomp", "xcomp", "csubj", "aux", "aux:pass"))


def _content_of(inner: Judged, outer: Judged) -> bool:
    """``inner``'s cue lies in the complement of ``outer``'s cue (through complements and
    auxiliaries only: no coordination, relative or adverbial clause on the way), and both name the
    same actors."""
    if inner.sentence != outer.sentence or not inner.actors:
        return False
    if {a.text.casefold() for a in inner.actors} != {a.text.casefold() for a in outer.actors}:
        return False
    tok = inner.cand.cue
    for _ in range(8):
        # a clause opened by the conjunction "dat"/"om" is a complement whatever the parser calls it
        complement = any(c.dep_ == "mark" and c.lower_ in ("dat", "om") for c in tok.children)
        if (tok.dep_ not in _CONTENT_ARCS and not complement) or tok.head.i == tok.i:
            return False
        tok = tok.head
        if tok.i in (outer.cand.cue.i, outer.cand.main.i):
            return True
    return False


def judge_document(doc: Doc, mentions: Sequence[Mention], *, published: date | None) -> list[Judged]:
    """Every candidate of ``doc`` with its decisions, actors and features (no scorer applied)."""
    ctx = DocumentContext.build(doc, mentions)
    by_sentence = segments(doc)
    docf = document_features([seg for segs in by_sentence for seg in segs])
    found = [(s_index, seg, candidates(seg)) for s_index, segs in enumerate(by_sentence) for seg in segs]
    seg_speakers = [speaker_of(seg, set(), ctx, s_index)[0] for s_index, seg, _ in found]
    ctx.all_speakers = [a for a in seg_speakers if a is not None]
    for s_index, _, cands in found:  # first pass: who the document's clauses are about
        for cand in cands:
            if cand.passive or not cand.subject or cand.subject[0].pos_ == "PRON" or is_thing(cand.subject, ctx):
                continue
            for actor in phrase_actors(doc, cand.subject, ctx, s_index, "subject"):
                if actor.entity_id is not None or is_government(actor.text):
                    ctx.note_topic(actor)
    out: list[Judged] = []
    for (s_index, _, cands), seg_speaker in zip(found, seg_speakers, strict=True):
        for cand in cands:
            judged = _judge(cand, s_index, ctx, docf, published)
            out.append(judged)
            ctx.actors.extend(a for a in judged.actors if a.how == "subject")
        if seg_speaker is not None:
            ctx.speakers.append(seg_speaker)
    return out


def _judge(
    cand: Candidate, s_index: int, ctx: DocumentContext, docf: DocumentFeatures, published: date | None
) -> Judged:
    seg: Span = cand.segment
    clause = word_span(cand)
    ids = {t.i for t in clause} | {cand.cue.i}
    veto: str | None = None
    cond = decide.condition(seg)
    if cond is not None and cond[1] <= cand.cue.idx < cond[2]:
        veto = "inside its condition"
    why = decide.obligation(cand)
    if why in ("demand", "wish", "information"):
        veto = f"a {why} on others"
    elif why == "modal" and (cand.source != "lexical" or decide.must(cand)):
        veto = "an obligation"  # "Europa zal het zware werk moeten doen"
    rep = decide.reporting_verb(cand)
    matrix = _matrix_subject(rep, ids)
    speaker, _ = speaker_of(seg, ids, ctx, s_index)
    quoted = decide.in_quote(cand)
    if speaker is None and quoted and ctx.speakers:
        speaker = ctx.speakers[-1]
    if decide.generic(cand):
        veto = veto or "a generic subject"  # "voor wie ... wil overnachten"
    if cand.source == "present" and not cand.subject and not _er_komt(cand, ctx):
        # "Vanaf morgen bouwt zich een rug van hogedruk op"; not "dat er dit voorjaar een wet komt"
        veto = veto or "a present tense without a subject"
    pred = decide.prediction(cand, clause)
    if pred.belief:
        veto = veto or "a forecast or hope"
    tense = decide.tense(cand)
    if _past_wish(cand, tense, clause):
        veto = veto or "a past wish"
    actors, subject_is_content = _actors(cand, s_index, ctx, speaker, quoted, matrix)
    if (pred.outcome and cand.source in ("aux", "present") and (not cand.subject or is_thing(cand.subject, ctx))) or (
        decide.inert_subject(cand)
    ):
        veto = veto or "a forecast: the subject cannot act"  # "De prijzen zullen stijgen", "Het koufront trekt ..."
    if subject_is_content and _er_komt(cand, ctx) and (speaker is None or speaker.sentence != s_index):
        veto = veto or "a forecast: nobody announces it"  # "Er komt veel regen"
    neg = decide.negation(cand, clause, (cond[1], cond[2]) if cond else None)
    start = seg.doc[clause_start(cand)].idx
    end = max(clause[-1].idx + len(clause[-1].text) if clause else cand.cue.idx + len(cand.cue.text), start + 1)
    dl = decide.deadline(cand, (start, end), _masks(cond, speaker, s_index, rep), published)
    past = decide.past_time(doc_text(seg.doc)[start:end])
    kind = cand.entry.kind if cand.entry is not None else K.PLAN
    if neg.refusal:
        kind = K.REFUSAL
    firm = cand.entry.firmness if cand.entry is not None else Firmness.FIRM
    if cond is not None or tense is decide.Tense.CONDITIONAL:
        firm = Firmness.TENTATIVE
    features = candidate_features(
        cand,
        tense=tense,
        negation=neg,
        obligation=why,
        prediction=pred,
        condition=cond is not None,
        deadline=dl,
        past_time=past,
        quoted=quoted,
        speaker=speaker is not None,
        reported=rep is not None,
        actors=actors,
        document=docf,
        announced=subject_is_content and _er_komt(cand, ctx) and speaker is not None and speaker.sentence == s_index,
    )
    return Judged(cand, s_index, clause, actors, speaker, kind, firm, neg, cond, dl, features, veto, subject_is_content)


def _actors(
    cand: Candidate, s_index: int, ctx: DocumentContext, speaker: Actor | None, quoted: bool, matrix: list
) -> tuple[list[Actor], bool]:
    """The actors of the candidate, and whether its subject is what is committed rather than who."""
    if cand.passive:
        agent = agent_of(cand.main, ctx, s_index) or context_actor(cand.segment, ctx, s_index, speaker)
        return ([agent] if agent is not None else []), False
    owned = bool(cand.subject) and cand.subject[0].lower_ in FIRST_PERSON_OWNERS  # "Onze open dag zal ..."
    impersonal = not owned and (
        (len(cand.subject) == 1 and cand.subject[0].lower_ == "men")
        or (not cand.subject and cand.source in ("lexical", "noun"))  # "Op de vergadering is afgesproken om"
        or (cand.source in ("present", "aux") and is_thing(cand.subject, ctx))  # "De werken beginnen in augustus"
    )
    if impersonal or _er_komt(cand, ctx):
        # "Er komt een onderzoek": what comes is the subject; the speaker's side commits
        context = context_actor(cand.segment, ctx, s_index, speaker)
        thing = bool(cand.subject) and cand.subject[0].lower_ != "men"
        return ([context] if context is not None else []), thing
    received = {"noun": receiving_verbs(cand.main), "lexical": receiving_verbs(cand.cue)}.get(cand.source, [])
    if received:  # "Hij krijgt een contract aangeboden": the subject receives; who gives commits
        giver = giver_of(received, ctx, s_index) or context_actor(cand.segment, ctx, s_index, speaker)
        return ([giver] if giver is not None else []), False
    named = resolve_subject(
        cand.subject, cue=cand.cue, ctx=ctx, sentence=s_index, speaker=speaker, quoted=quoted, matrix=matrix
    )
    return named, False


def _matrix_subject(rep: Token | None, ids: set[int]) -> list[Token]:
    """The subject of the reporting verb that governs the clause ("Hij zei dat hij ..."), if outside it."""
    if rep is None or rep.i in ids:
        return []
    subj = subject_of(rep)
    return noun_phrase(subj) if subj is not None and subj.i not in ids else []


def _masks(
    cond: tuple[str, int, int] | None, speaker: Actor | None, s_index: int, rep: Token | None
) -> list[tuple[int, int]]:
    """Where no deadline of the action is: its condition, its speaker, its reporting verb."""
    masks = [(cond[1], cond[2])] if cond else []
    if speaker is not None and speaker.sentence == s_index:
        masks.append((speaker.start, speaker.end))
    if rep is not None:
        masks.append((rep.idx, rep.idx + len(rep.text)))
    return masks


def _past_wish(cand: Candidate, tense: decide.Tense, clause: list) -> bool:
    """ "Imperial Invest wou diversifiëren", "heb ik altijd iets anders willen doen": a past wish.

    A reported promise or decision ("beloofde vorig jaar dat ...", "besloot te ...") keeps its
    future content, "we hebben ons voorgenomen om ..." still holds, a goal that was set ("stelde
    vorig jaar als doel om ...") is an act like a decision, and a refusal stays one.
    """
    wished = tense in (decide.Tense.PAST, decide.Tense.PLUPERFECT) or (
        tense is decide.Tense.PERFECT and "Inf" in cand.cue.morph.get("VerbForm", [])
    )
    set_goal = cand.source == "noun" and lemma(cand.main) == "stellen"
    return (
        wished
        and cand.entry is not None
        and cand.entry.kind is K.INTENT
        and not set_goal
        and not _negated_will(cand, clause)
    )


def _negated_will(cand: Candidate, clause: list) -> bool:
    """ "wilde daar niets over toezeggen": a refusal at the time, not a past wish (the scorer weighs it)."""
    return lemma(cand.cue) == "willen" and decide.negation(cand, clause, None).refusal


def _er_komt(cand: Candidate, ctx: DocumentContext) -> bool:
    """ "Er komt een fonds": what comes is the subject, whatever noun it is."""
    return (
        cand.source in ("present", "aux")
        and lemma(cand.main) == "komen"
        and any(t.lower_ == "er" for t in cand.segment)
        and not any(t.pos_ == "PROPN" or ctx.named(t) for t in cand.subject)
    )


def _records(j: Judged, confidence: float) -> list[Commitment]:
    cand = j.cand
    skips = [(j.condition[1], j.condition[2])] if j.condition else []
    if j.speaker is not None and j.speaker.sentence == j.sentence:
        skips.append((j.speaker.start, j.speaker.end))
    if j.deadline is not None:
        skips.append((j.deadline.start, j.deadline.end))
    action, key = action_text(cand, j.clause, skips, j.negation.tokens, subject_is_content=j.subject_is_content)
    if not action:
        return []
    seg_start = cand.segment.start_char
    out: list[Commitment] = []
    named: list[Actor | None] = list(j.actors) or [None]  # no actor named: kept, its actor left open
    if j.kind is K.AGREEMENT and len(j.actors) > 1 and all(a.how == "subject" for a in j.actors):
        named = [_group(j.actors)]  # "Havenbedrijf Rotterdam en TenneT hebben een akkoord gesloten"
    for actor in named:
        start = j.start
        if actor is not None and actor.sentence == j.sentence and seg_start <= actor.start < start:
            start = actor.start
        out.append(
            Commitment(
                actor=actor.text if actor else None,
                action=action,
                kind=j.kind,
                polarity=j.negation.polarity,
                firmness=j.firmness,
                sentence=j.sentence,
                start=start,
                end=max(j.end, start + 1),
                confidence=round(max(0.01, min(confidence, 0.99)), 2),
                extractor_version=EXTRACTOR_VERSION,
                actor_entity_id=actor.entity_id if actor else None,
                speaker=j.speaker.text if j.speaker else None,
                speaker_entity_id=j.speaker.entity_id if j.speaker else None,
                conditional=j.condition is not None,
                condition=j.condition[0] if j.condition else None,
                deadline_text=j.deadline.text if j.deadline else None,
                deadline=j.deadline.date if j.deadline else None,
                deadline_precision=j.deadline.precision if j.deadline else None,
                action_key=key,
                actor_as_written=actor.written if actor else None,
            )
        )
    return out


def _group(actors: Sequence[Actor]) -> Actor:
    """The parties of a collective agreement as one actor (GUIDELINES: "a collective agreement has
    one group actor"): their names joined, no single entity."""
    names = [a.text for a in actors]
    text = " en ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 2 else " en ".join(names)
    first = min(actors, key=lambda a: a.start)
    written = list(dict.fromkeys(a.written or a.text for a in actors))  # often the whole phrase, for each
    return Actor(
        text,
        first.start,
        max(a.end for a in actors),
        plural=True,
        sentence=first.sentence,
        how="subject",
        written=" en ".join(written),
    )


def _dedupe(items: list[Commitment]) -> list[Commitment]:
    """One record per (sentence, actor, action): the most confident one. Actions are compared by
    their key, so the announcement and the plan it announces ("heeft aangekondigd dat het een
    fabriek gaat bouwen") are one commitment."""
    best: dict[tuple[int, str, str], Commitment] = {}
    for c in items:
        key = (c.sentence, (c.actor or "").casefold(), c.action_key or c.action)
        if key not in best or c.confidence > best[key].confidence:
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.start, c.end, c.actor or ""))
