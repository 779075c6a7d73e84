"""The decisions about one candidate, one function per concern.

* ``tense``: when the cue is set (present, past, perfect, pluperfect, future, conditional).
* ``negation``: polarity, and whether the commitment is a refusal.
* ``obligation``: an obligation, a permission or a demand ("moet", "vrij om te", "vraagt ... om",
  "wil dat X") is not a commitment; ``must``: "moeten" vetoes even a lexical cue.
* ``prediction``: hedges, belief verbs, outcome verbs and copulas mark forecasts and states.
* ``condition``: the condition stated in the same sentence, if any.
* ``deadline``: the time expression of the committed action — not one that dates the speech act
  ("heeft dinsdag beloofd ... voor 1 januari" has the deadline 1 January).

Each returns plain values; ``features`` turns them into the scorer's inputs and ``record`` into
the stored fields. None of them decides alone whether a candidate is a commitment, except where
the guidelines are categorical (a demand on others, a cue inside its own condition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from spacy.tokens import Doc, Span, Token

from newsdesk.analyze.commitments.clauses import Candidate, is_finite, is_past, is_reporting, lemma
from newsdesk.analyze.commitments.lexicon import (
    BELIEF_NOUN_FORMS,
    BELIEF_VERBS,
    CLAUSE_JOINS,
    CONDITION_MARKERS,
    DEMAND_VERBS,
    HABITUAL,
    HEDGE_PHRASES,
    HEDGES,
    INFORMATION_VERBS,
    MODAL_FORMS,
    NEGATIONS,
    OBLIGATION_MODALS,
    OUTCOME_VERBS,
    QUOTE_CHARS,
    STATE_VERBS,
    actor_nouns,
)
from newsdesk.analyze.deadlines import find_deadline, resolve_deadline
from newsdesk.analyze.entities import doc_text
from newsdesk.models import CommitmentKind, DatePrecision, Polarity

K = CommitmentKind


class Tense(StrEnum):
    PRESENT = "present"
    PAST = "past"
    PERFECT = "perfect"  # "heeft beloofd"
    PLUPERFECT = "pluperfect"  # "had beloofd"
    FUTURE = "future"  # "zal", "gaat"
    CONDITIONAL = "conditional"  # "zou"


_PERFECT_AUX = frozenset("heeft hebben heb is zijn ben bent".split())
_PLUPERFECT_AUX = frozenset("had hadden was waren".split())


def tense(cand: Candidate) -> Tense:
    """The tense of the clause that carries the cue."""
    fin = cand.finite
    low = fin.lower_
    if low in ("zou", "zouden"):
        return Tense.CONDITIONAL
    if cand.source == "aux" and not is_past(fin) and low not in ("ging", "gingen"):
        return Tense.FUTURE
    entry = cand.entry
    participle = "Part" in cand.cue.morph.get("VerbForm", []) or (entry is not None and cand.cue.lower_ in entry.forms)
    if low in _PLUPERFECT_AUX and participle and fin.i != cand.cue.i:
        return Tense.PLUPERFECT
    if low in _PERFECT_AUX and participle and fin.i != cand.cue.i:
        return Tense.PERFECT
    if low in _PERFECT_AUX and _ipp(fin, cand.cue):
        return Tense.PERFECT  # "heb ik vaak iets anders willen doen": the infinitive stands for the participle
    if is_past(fin):
        return Tense.PAST
    return Tense.PRESENT


def _ipp(fin: Token, cue: Token) -> bool:
    """``cue`` is an infinitive standing for a participle after the perfect auxiliary ``fin`` ("heb ...
    willen doen"), not the infinitive of a te-clause ("heeft gezegd best te willen praten")."""
    if fin.i >= cue.i or "Inf" not in cue.morph.get("VerbForm", []) or cue.doc[cue.i - 1].lower_ == "te":
        return False
    return not any(t.pos_ in ("VERB", "AUX") for t in cue.doc[fin.i + 1 : cue.i])


# --------------------------------------------------------------------------- negation


@dataclass(frozen=True, slots=True)
class Negation:
    polarity: Polarity
    tokens: tuple[Token, ...]  # the negating words (left out of the action text)
    refusal: bool  # the commitment is a refusal ("weigert", "wil niet", "niet van plan")


def negation(cand: Candidate, clause: list[Token], condition_span: tuple[int, int] | None) -> Negation:
    """Negation in the committed clause (not in its condition) or on the cue itself."""
    found = [
        t
        for t in clause
        if t.lower_ in NEGATIONS and not (condition_span and condition_span[0] <= t.idx < condition_span[1])
    ]
    found += [c for c in cand.cue.children if c.lower_ in NEGATIONS and c not in found]
    entry = cand.entry
    refusal = bool(entry and entry.negative)
    if (
        not refusal
        and found
        and entry is not None
        and (entry.kind in (K.INTENT, K.WILLINGNESS) or entry.pos == "phrase")
    ):
        refusal = True  # "wil niet", "niet bereid", "niet van plan"; "besloot geen ... meer" is a negative plan
    if not refusal and found and cand.source == "noun" and entry is not None and entry.kind is K.PLEDGE:
        refusal = True  # "heeft geen toezeggingen gedaan": declining to commit
    negative = refusal or bool(found)
    return Negation(Polarity.NEGATIVE if negative else Polarity.POSITIVE, tuple(found), refusal)


# --------------------------------------------------------------------------- obligation and demand


def obligation(cand: Candidate) -> str | None:
    """Why the clause is an obligation or a demand on others rather than a commitment, or None."""
    main, cue = cand.main, cand.cue
    if cand.finite.lower_ in ("zou", "zouden"):
        return None  # "zou ... moeten": a tentative commitment, not an obligation
    chain = [main, cue, *[c for c in main.children if c.dep_ == "xcomp"]]
    # "zal ... kunnen volgen" is a possibility; "kunnen" beside a lexical cue is left alone
    modals = OBLIGATION_MODALS if cand.source in ("aux", "passive", "present") else OBLIGATION_MODALS - {"kunnen"}
    for verb in chain:
        for c in verb.children:
            if c.dep_ in ("aux", "xcomp") and _modal(c) in modals and not _other_conjunct(c, cue):
                return "modal"
    if _modal(main) in modals or _modal(cand.finite) in modals:
        return "modal"
    if cand.source in ("aux", "passive"):
        between = cand.segment.doc[min(cue.i, main.i) : max(cue.i, main.i) + 1]
        if any(_modal(t) in modals and t.pos_ in ("AUX", "VERB") for t in between):
            return "modal"
        before = [t for t in cand.segment if t.i < cue.i and t.pos_ in ("AUX", "VERB")]
        if before and _modal(before[-1]) in modals and not _other_conjunct(before[-1], cue):
            return "modal"  # "moet er een structuur op poten gezet worden"
    if _permitted(cue) or _permitted(main):
        return "modal"  # "zijn vrij om zelf te beslissen", "het staat hen vrij om ...": a permission
    if any(a.i < cue.i and lemma(a) in DEMAND_VERBS for a in _governors(cand)) or introduced_by(cand, DEMAND_VERBS):
        return "demand"
    seg = cand.segment
    if cand.entry is not None and cand.entry.lemma == "willen":
        if lemma(main) in INFORMATION_VERBS:
            return "information"  # "willen weten waarom"
        nxt = next((t for t in cue.doc[cue.i + 1 : seg.end] if t.pos_ != "ADV" and not t.is_space), None)
        if nxt is not None and nxt.lower_ == "dat":
            return "wish"  # "wil dat het college ... komt": a wish about others
        if any(c.lower_ == "dat" and c.dep_ == "mark" for c in main.children) and main.i != cue.i:
            return "wish"
    return None


def must(cand: Candidate) -> bool:
    """ "De gemeenteraad moet nog instemmen": "moeten" on the cue itself. A commitment someone still
    has to make is none yet, even for a lexical cue (whose other modals the scorer weighs)."""
    return any(c.dep_ == "aux" and _modal(c) == "moeten" for c in cand.cue.children)


def _permitted(main: Token) -> bool:
    """The clause is what someone is free to do: an "om te" clause of "vrij" ("vrij om te ...",
    "staat ... vrij om te ...")."""
    head = main.head
    if main.dep_ not in ("advcl", "xcomp", "csubj") or head.i == main.i:
        return False
    return lemma(head) == "vrij" or any(c.dep_ == "compound:prt" and c.lower_ == "vrij" for c in head.children)


def _modal(t: Token) -> str:
    """The lemma of ``t``, a finite modal included: spaCy's Dutch lemmatizer leaves an AUX "moet",
    "kan" or "mag" as it is (it looks auxiliaries up in tables that only have verbs)."""
    return MODAL_FORMS.get(t.lower_, lemma(t)) if t.pos_ == "AUX" else lemma(t)


def _other_conjunct(modal: Token, cue: Token) -> bool:
    """A modal before the cue with a comma or a clause conjunction between them belongs to another
    clause: "Wij kunnen dat niet en zullen dat nooit doen"."""
    if modal.i > cue.i:
        return False
    return any(x.text in ",;:" or x.lower_ in CLAUSE_JOINS for x in cue.doc[modal.i : cue.i])


def inert_subject(cand: Candidate) -> bool:
    """The subject is something that cannot act ("het koufront", "een rug van hogedruk", "de
    inflatie"): what it "will do" is a forecast, never a commitment."""
    return cand.source in ("present", "aux") and any(
        t.pos_ == "NOUN" and actor_nouns().is_inert(lemma(t)) for t in cand.subject
    )


def generic(cand: Candidate) -> bool:
    """The cue stands in a free relative clause about anyone: "een oord voor wie in de stad wil
    overnachten", "Wie een ver land wil zien, ...". Nobody in particular commits."""
    doc, cue = cand.segment.doc, cand.cue
    for t in reversed(doc[cand.segment.start : cue.i]):
        if t.lower_ == "wie":
            return True
        if t.text in ";:" or (t.i != cue.i and is_finite(t) and lemma(t) != lemma(cue)):
            return False  # another clause's verb stands between ("wil overnachten, in een bed wil slapen")
    return False


# --------------------------------------------------------------------------- prediction and state


@dataclass(frozen=True, slots=True)
class Prediction:
    hedged: bool  # "waarschijnlijk", "naar verwachting"
    belief: bool  # under "verwacht", "hoopt", "denkt"
    outcome: bool  # "stijgen", "winnen", "duren": the subject undergoes the event
    copula: bool  # "zal ... zijn", "wordt ... adres", "is te zien": a state, not an act
    habitual: bool = False  # a present tense with "nog altijd", "telkens": how things go, no decided act


def prediction(cand: Candidate, clause: list[Token]) -> Prediction:
    words = {t.lower_ for t in clause}
    text = cand.segment.text.lower()
    hedged = bool(words & HEDGES) or any(p in text for p in HEDGE_PHRASES) or _epistemic_wel(cand)
    belief = (
        lemma(cand.finite) in BELIEF_VERBS
        or any(_verb_lemma(a) in BELIEF_VERBS for a in _governors(cand))
        or introduced_by(cand, BELIEF_VERBS)
    )
    main = cand.main
    light = cand.source == "noun" and cand.entry is not None and lemma(main) in cand.entry.light
    # "een akkoord bereiken": the verb the cue noun takes is no outcome ("de omzet bereikt 2 miljoen" is)
    outcome = (lemma(main) in OUTCOME_VERBS and not light) or (cand.source == "present" and lemma(main) in STATE_VERBS)
    copula = lemma(main) in ("zijn", "worden", "blijven") or any(c.dep_ == "cop" for c in main.children)
    if (
        copula
        and lemma(main) == "blijven"
        and any(c.pos_ == "VERB" and c.dep_ in ("xcomp", "ccomp") for c in main.children)
    ):
        copula = False  # "te blijven uitbreiden": an aspect of the act, not a state
    # "dat wil zeggen", "wil zeggen dat": what something means, a state and no act
    means = cand.entry is not None and cand.entry.lemma == "willen" and lemma(main) == "zeggen"
    # "zal in 125 landen te zien zijn": "zijn" with a "te" infinitive says what can be, not what anyone does
    te_zijn = any(lemma(c) == "zijn" and c.dep_ in ("aux", "aux:pass", "cop") for c in main.children) and any(
        c.lower_ == "te" and c.dep_ == "mark" for c in main.children
    )
    clause_text = " " + " ".join(t.lower_ for t in clause) + " "
    habitual = cand.source == "present" and any(f" {h} " in clause_text for h in HABITUAL)
    return Prediction(hedged, belief, outcome, copula or means or te_zijn, habitual)


def _epistemic_wel(cand: Candidate) -> bool:
    """ "zullen wel volgen", "zal er wel bij varen", "dat ze wel zullen volgen": an unstressed "wel"
    beside "zullen" (a pronoun or "er" between) makes the future a guess."""
    if cand.source != "aux":
        return False
    doc, seg = cand.cue.doc, cand.segment
    lo, hi = min(cand.cue.i, cand.main.i), max(cand.cue.i, cand.main.i)
    return any(_wel_beside(doc, t.i, seg) for t in doc[lo : hi + 1] if lemma(t) == "zullen")


def _wel_beside(doc: Doc, i: int, seg: Span) -> bool:
    if i > seg.start and doc[i - 1].lower_ == "wel":
        return True  # "dat andere merken wel zullen volgen"
    for t in doc[i + 1 : min(i + 4, seg.end)]:
        if t.lower_ == "wel":
            return True
        if t.pos_ not in ("PRON", "ADV") or t.lower_ in ("niet", "nooit", "ook"):
            return False
    return False


def introduced_by(cand: Candidate, verbs: frozenset[str]) -> bool:
    """By word order: a verb of ``verbs`` before the cue, then "dat" or "om", and no sentence
    boundary in between ("hoop ik dat Branko ... zal reageren", "vraagt de partijen om ...")."""
    doc, seg = cand.cue.doc, cand.segment
    for t in doc[seg.start : cand.cue.i]:
        if t.pos_ in ("VERB", "AUX", "NOUN") and _verb_lemma(t) in verbs and _verbal(t):
            rest = doc[t.i + 1 : cand.cue.i]
            if any(x.lower_ in ("dat", "om") for x in rest) and not any(x.text in ".;:" for x in rest):
                return True
    return False


def _governors(cand: Candidate) -> list[Token]:
    """The verbs whose complement the cue's clause is ("verwacht dat ...", "zei dat ..."), inside its segment."""
    out: list[Token] = []
    cur = cand.cue
    seg = cand.segment
    for _ in range(4):
        if cur.head.i == cur.i or cur.dep_ not in ("ccomp", "xcomp", "advcl", "obj", "aux", "aux:pass", "cop", "acl"):
            break
        cur = cur.head
        if not (seg.start <= cur.i < seg.end):
            break
        if _verbal(cur):
            out.append(cur)
    return out


def _verbal(t: Token) -> bool:
    """A verb, or a word the tagger took for a noun although it has a subject ("Ik hoop/NOUN dat")."""
    return t.pos_ in ("VERB", "AUX") or (t.pos_ == "NOUN" and any(c.dep_ == "nsubj" for c in t.children))


def _verb_lemma(t: Token) -> str:
    """The lemma of ``t`` as a verb: "hoop" tagged as a noun is a form of "hopen"."""
    return BELIEF_NOUN_FORMS.get(t.lower_, lemma(t)) if t.pos_ == "NOUN" else lemma(t)


# --------------------------------------------------------------------------- speech


def reporting_verb(cand: Candidate) -> Token | None:
    """A reporting verb that governs the cue ("zei dat ... zal"), or that stands beside it (", zei X")."""
    seg = cand.segment
    for a in _governors(cand):
        if is_reporting(a):
            return a
    for t in seg:
        if t.i != cand.cue.i and is_reporting(t) and not (cand.main.i == t.i):
            return t
    return None


def in_quote(cand: Candidate) -> bool:
    """The cue stands inside a quotation (an odd number of quote marks before it in its sentence, or
    a quote mark opened at the end of the sentence before)."""
    seg = cand.segment
    before = doc_text(seg.doc)[seg.sent.start_char : cand.cue.idx]
    straight = before.count('"')
    curly = sum(before.count(q) for q in "“„«") - sum(before.count(q) for q in "”»")
    if curly > 0:
        return True
    opened = doc_text(seg.doc)[max(0, seg.sent.start_char - 6) : seg.sent.start_char].rstrip()
    if opened[-1:] in ("“", "„") or (opened[-1:] == '"' and opened[:-1].rstrip().endswith(":")):
        return True  # 'Moerman: "' closed the sentence before; the quote opens this one
    return straight % 2 == 1 or (seg.text.lstrip()[:1] in QUOTE_CHARS and seg.text.count('"') == 1)


# --------------------------------------------------------------------------- condition

CONDITION_RX = re.compile(
    r"(?:^\s*|[,;:.!?]\s+|\n\s*|\b(?:en|maar)\s+)"
    r"(?P<cond>(?:als|indien|mits|tenzij|wanneer|zodra|op voorwaarde dat)\s[^,;:]+)",
    re.IGNORECASE,
)


def condition(seg: Span) -> tuple[str, int, int] | None:
    """A condition clause (als/mits/indien/op voorwaarde dat ...) in the segment, with its offsets."""
    for m in CONDITION_RX.finditer(seg.text):
        cond = m.group("cond").strip().rstrip(".!?\"'”")
        if cond.lower().startswith("als ") and len(cond.split()) < 3:
            continue  # "als derde"
        start = seg.start_char + m.start("cond")
        return cond, start, start + len(cond)
    doc = seg.doc
    for t in seg:  # no comma before it: "naar de rechter te stappen als het kabinet ... uitstelt"
        if t.lower_ not in CONDITION_MARKERS or t.pos_ != "SCONJ" or t.i == seg.start:
            continue
        end = t.i + 1
        while end < seg.end and doc[end].text not in ",;:.!?" and doc[end].text not in QUOTE_CHARS:
            end += 1
        if (
            end - t.i < 3
            or doc[t.i + 1].pos_ not in ("DET", "PRON", "PROPN")
            or doc[t.i - 1].lower_ in ("zolang", "zo", "net", "dan", "even")
            or not any(x.pos_ in ("VERB", "AUX") for x in doc[t.i + 2 : end])
        ):
            continue  # "als lening doorgeven", "zolang als nodig is": no clause with a subject
        last = doc[end - 1]
        return doc_text(doc)[t.idx : last.idx + len(last.text)], t.idx, last.idx + len(last.text)
    return None


# --------------------------------------------------------------------------- deadline

_PAST_TIME = re.compile(
    r"\b(?:gisteren|eergisteren|vorig(?:e)? (?:jaar|week|maand|eeuw|seizoen)|verleden (?:jaar|week|maand)"
    r"|vorige (?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)|toen|destijds|eerder al|al eerder)\b",
    re.IGNORECASE,
)


def past_time(clause_text: str) -> bool:
    """The clause is dated in the past ("gisteren", "vorig jaar", "toen")."""
    return _PAST_TIME.search(clause_text) is not None


@dataclass(frozen=True, slots=True)
class Deadline:
    text: str
    start: int
    end: int
    date: date | None
    precision: DatePrecision | None


def deadline(
    cand: Candidate, span: tuple[int, int], masks: list[tuple[int, int]], published: date | None
) -> Deadline | None:
    """The first time expression of the committed action in ``span`` (document offsets).

    ``masks`` hide the condition, the speaker and the reporting verb. For a speech-act cue
    (beloven, aankondigen ...) a time phrase before the cue or between the cue and its complement
    dates the promise, not the action: it is skipped.
    """
    doc = cand.cue.doc
    start, end = span
    chars = list(doc_text(doc)[start:end])
    for s, e in masks:
        for i in range(max(s - start, 0), min(e - start, len(chars))):
            chars[i] = " "
    speech_until = _speech_act_end(cand)
    for _ in range(4):
        found = find_deadline("".join(chars))
        if found is None:
            return None
        abs_start, abs_end = start + found.start, start + found.end
        if speech_until is not None and abs_start < speech_until:
            for i in range(found.start, found.end):
                chars[i] = " "
            continue
        text = doc_text(doc)[abs_start:abs_end]
        resolved, precision = resolve_deadline(text, published)
        return Deadline(text, abs_start, abs_end, resolved, precision)
    return None


def _speech_act_end(cand: Candidate) -> int | None:
    """Offset where the complement of a speech-act cue starts: time phrases before it date the speech."""
    entry = cand.entry
    if entry is None or not entry.speech or cand.main.i == cand.cue.i:
        return None
    doc, seg = cand.cue.doc, cand.segment
    for t in doc[cand.cue.i + 1 : seg.end]:
        if t.lower_ in ("dat", "om", "te") or t.i == cand.main.i or t.text in ",:":
            return t.idx
        if t.pos_ in ("VERB", "AUX") and is_finite(t):
            return t.idx
    return cand.main.idx
