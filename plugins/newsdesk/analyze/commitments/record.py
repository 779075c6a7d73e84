"""The committed clause and its record: word span, action text, action key.

Owns how a judged candidate becomes a ``Commitment``: which words are the committed clause (by
word order, whatever attachment errors the parser made inside it), the action as a short Dutch
predicate ("een plan presenteren aan de Europese Raad") with the finite verb moved to the end as
an infinitive, and the content-word key that tracks the same action across articles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from newsdesk.analyze.commitments.clauses import Candidate, is_reporting, lemma, noun_phrase
from newsdesk.analyze.commitments.lexicon import QUOTE_CHARS

_CLAUSE_END = frozenset(",;:.!?") | set(QUOTE_CHARS)
_NOMINAL = ("NOUN", "PROPN", "PRON", "NUM", "ADJ", "X", "DET")
_PARTICLES = frozenset("toe af aan bekend overeen in voor uit".split())
_CLAUSE_OPENERS = frozenset(", ; : dat die om zodat omdat terwijl want maar en".split()) | set(QUOTE_CHARS)


def clause_start(cand: Candidate) -> int:
    """Token index where the cue's clause begins (after the last boundary before subject and cue)."""
    doc, seg = cand.cue.doc, cand.segment
    first = min([cand.cue.i, *(t.i for t in cand.subject)])
    j = first - 1
    while j >= seg.start and doc[j].lower_ not in _CLAUSE_OPENERS and not doc[j].is_space:
        j -= 1
    return j + 1


def word_span(cand: Candidate) -> list[Token]:
    """The committed clause by word order: from the subject (or the cue) to the clause boundary.

    Dutch puts the verb cluster at the clause end, so the span from the subject (verb-final and
    verb-second clauses) or from the cue (inversion) to the next comma, "en dat" or reporting verb
    is the clause.
    """
    cue, main = cand.cue, cand.main
    doc, seg = cue.doc, cand.segment
    subj = [] if cand.passive else list(cand.subject)
    left = cue.i + 1
    if subj and subj[-1].i < cue.i and not any(t.text == "," for t in doc[subj[-1].i + 1 : cue.i]):
        left = subj[-1].i + 1
    elif subj and cue.i < subj[0].i <= cue.i + 2:
        left = subj[-1].i + 1
    if cand.passive or cand.source == "present":
        left = min(left, cue.i)
    last = max(main.i, cue.i)
    i = left
    while i < seg.end:
        t = doc[i]
        if i > last:
            if t.text == "," and _list_comma(doc, i, seg.end):
                i += 1  # "in woningen, wegen en onderwijs": a list goes on
                continue
            if t.text in _CLAUSE_END or t.is_space:
                break
            if t.lower_ in ("en", "maar", "of") and i + 1 < seg.end and doc[i + 1].lower_ in ("dat", "die", "om"):
                break
            if (
                is_reporting(t)
                and t.i != main.i
                and (doc[i - 1].text in _CLAUSE_END or (i + 1 < seg.end and doc[i + 1].pos_ in _NOMINAL))
            ):
                break  # ", zei X" / "zei X"
        elif t.is_space:
            break
        i += 1
    return [t for t in doc[left:i] if not t.is_space]


def _list_comma(doc: Doc, i: int, end: int) -> bool:
    """The comma at ``i`` separates items of a noun list ("woningen, wegen en onderwijs")."""
    j = i + 1
    seen_noun = False
    while j < end and doc[j].pos_ in ("NOUN", "PROPN", "ADJ", "DET", "NUM"):
        seen_noun |= doc[j].pos_ in ("NOUN", "PROPN")
        j += 1
    return seen_noun and j < end and doc[j].lower_ in ("en", "of") and doc[i - 1].pos_ in ("NOUN", "PROPN")


def action_text(
    cand: Candidate,
    clause: Sequence[Token],
    skip_spans: Sequence[tuple[int, int]],
    negations: Sequence[Token],
    *,
    subject_is_content: bool = False,
) -> tuple[str, str]:
    """The committed predicate phrase and its key (sorted content lemmas).

    ``subject_is_content``: the subject is what is committed, not who commits ("Er komt een
    fonds", "De werken beginnen in augustus"): it stays in the action.
    """
    main = cand.main
    skip = _skipped(cand, clause, skip_spans, negations, subject_is_content)
    words = _complement(cand, clause, [t for t in clause if t.i not in skip])
    speech = cand.entry is not None and cand.entry.speech
    if not words or (speech and all(t.i == main.i or (t.dep_ == "compound:prt" and t.head.i == main.i) for t in words)):
        return "", ""  # "maakte minister Keijzer bekend": a report with nothing it commits to
    action = _predicate(words, main)
    if subject_is_content and lemma(main) == "komen" and any(t.lower_ == "er" for t in clause):
        action = "er komt " + action
    content = sorted(
        {
            lemma(t)
            for t in words
            if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM") and lemma(t) not in ("zullen", "gaan")
        }
    )
    return action, " ".join(content)


def _skipped(
    cand: Candidate,
    clause: Sequence[Token],
    skip_spans: Sequence[tuple[int, int]],
    negations: Sequence[Token],
    subject_is_content: bool,
) -> set[int]:
    """The token indices of ``clause`` that are not part of the action."""
    main, cue = cand.main, cand.cue
    skip = {t.i for t in negations}
    if cand.source != "noun" and cue.i != main.i:
        skip.add(cue.i)
    if cand.subject and not cand.passive and not subject_is_content:
        skip |= {t.i for t in cand.subject}
        head = next((t for t in cand.subject if t.head.i not in {x.i for x in cand.subject}), None)
        if head is not None and head.i < cue.i:
            skip |= {t.i for t in noun_phrase(head, keep_appos=True)}
    for t in clause:
        if _not_action_word(t, cand, skip_spans, subject_is_content):
            skip.add(t.i)
        if (
            t.dep_ == "advcl"
            and t.i != main.i
            and any(c.dep_ == "mark" and c.lower_ != "te" for c in t.children)
            and not any(x.i == main.i for x in t.subtree)
        ):  # conditions and time clauses are reported apart
            skip |= {x.i for x in t.subtree}
    return skip


_SKIPPED_FORMS = frozenset("zal zullen zult is zijn heeft hebben had hadden".split())
_SKIPPED_WORDS = frozenset("er dat daarna ook al volgens aldus toe af".split())


def _not_action_word(
    t: Token, cand: Candidate, skip_spans: Sequence[tuple[int, int]], subject_is_content: bool
) -> bool:
    """Auxiliaries, fillers, quote marks, the cue's particle, what the skip spans cover."""
    main, cue = cand.main, cand.cue
    if t.i != main.i and (
        (t.dep_ in ("aux", "aux:pass", "cop", "punct", "expl") and t.i > main.i - 4)
        or t.lower_ in _SKIPPED_FORMS
        or t.lower_ in _SKIPPED_WORDS
    ):
        return True
    if subject_is_content and t.i == main.i and lemma(t) == "komen" and t.pos_ == "VERB":
        return True  # "er komt" is put in front
    if t.text in QUOTE_CHARS:
        return True
    if t.head.i == cue.i and t.dep_ == "compound:prt" and cue.i != main.i:
        return True  # "kondigt aan dat ...": the cue's particle is not part of the action ("stelt ... uit" is)
    if t.i > cue.i and t.lower_ in _PARTICLES and t.head.i == cue.i and cue.i != main.i:
        return True
    return any(s <= t.idx < e for s, e in skip_spans)


def _complement(cand: Candidate, clause: Sequence[Token], words: list[Token]) -> list[Token]:
    """ "afgesproken dat ze Oekraïne blijven steunen": after a lexical or noun cue, the complement
    clause is the action."""
    cue, main = cand.cue, cand.main
    dat = next((t for t in clause if t.lower_ == "dat" and cue.i < t.i < main.i), None)
    if dat is None or cand.source not in ("lexical", "noun"):
        return words
    words = [t for t in words if t.i > dat.i]
    if words and words[0].pos_ == "PRON" and words[0].lower_ in ("ze", "zij", "hij", "we", "wij", "ik", "het"):
        words = words[1:]
    return words


def _predicate(words: Sequence[Token], main: Token) -> str:
    """The words as a Dutch predicate: the finite verb moved to the end as an infinitive."""
    texts: list[str] = []
    tail: list[str] = []
    for t in words:  # Dutch main clauses put the finite verb second
        if t.i == main.i and t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm", []):
            tail.append(lemma(t))
        elif t.dep_ == "compound:prt" and t.head.i == main.i and tail:
            tail[0] = t.text + tail[0]  # "stelt ... uit" -> "uitstellen"
        else:
            texts.append(t.text)
    action = " ".join(texts + tail)
    action = re.sub(r"\s+([,.;:!?)])", r"\1", action)
    action = re.sub(r"([(])\s+", r"\1", action).strip(" ,.;:")
    action = re.sub(r"^(?:om|dat|van)\s+", "", action)
    # the complement's own infinitive ends the phrase: "troepen te sturen" -> "troepen sturen",
    # "bij te dragen" -> "bijdragen"
    action = re.sub(
        r"\b(uit|aan|op|af|toe|bij|mee|in|door|terug|over|samen|voor|vast|weg)\s+te\s+(\w+)$", r"\1\2", action
    )
    return re.sub(r"\bte\s+(\w+)$", r"\1", action)
