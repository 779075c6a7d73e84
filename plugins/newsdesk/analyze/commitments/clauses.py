"""Clause candidates: where in a parsed sentence a commitment may be stated.

Owns segmentation (a spaCy sentence cut where the parser ran across a sentence end or a line
break) and ``candidates(segment)``: every cue of the lexicon, every future auxiliary, every
present-tense passive and every present-tense content verb becomes a ``Candidate`` with the verb
that heads the committed action and the subject phrase. Candidates are generous on purpose:
the decisions and the scorer say which of them are commitments.

Works on UD Dutch labels and lemmas; where the parse is unhelpful it falls back to Dutch word
order (verb second in main clauses, verb last in subordinate ones), never to a bare keyword.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from newsdesk.analyze.commitments.lexicon import (
    BELIEF_VERBS,
    OBLIGATION_MODALS,
    QUOTE_CHARS,
    REPORTING_FORMS,
    REPORTING_VERBS,
    TIME_WORDS,
    Cue,
    Lexicon,
    lexicon,
)

# Where a candidate comes from; the order is the preference when two share a main verb.
SOURCES = ("lexical", "phrase", "adj", "noun", "aux", "passive", "present")

_HARD_END = frozenset(".!?")
_SEGMENTS_KEY = "newsdesk_commitment_segments"
_BOUNDS_KEY = "newsdesk_commitment_segment_bounds"
_NOMINAL = ("NOUN", "PROPN", "PRON", "NUM", "ADJ", "X")
_AUX_FORMS = frozenset(
    "heeft hebben had hadden is zijn was waren ben bent zal zullen zult zou zouden wordt worden werd werden".split()
)
_ZULLEN_FORMS = frozenset("zal zullen zult zou zouden".split())
_VERB_ENDINGS = ("t", "de", "te", "den", "ten", "d")
_GAAN_FORMS = frozenset("ga gaat gaan ging gingen".split())
_REFLEXIVES = frozenset("zich me mij ons zichzelf je".split())
_BOUNDARY = frozenset(", ; : - – — dat die om zodat omdat terwijl want".split()) | set(QUOTE_CHARS)
_NP_ADP = frozenset("van uit".split())
# Introducers of a verb-final clause whose subject is the first noun phrase after them.
_SUBORDINATING = frozenset("dat die omdat zodat terwijl".split())
_PRONOMINAL_ADVERBS = frozenset(
    "waar waarmee waardoor waarin waarop waarvoor waarbij waarna waaraan waarover waaruit waarvan".split()
)
_TITLE_HEADS = ("minister", "staatssecretaris", "commissaris", "schepen")
_PREPOSITIONS = frozenset("aan af in uit voor op mee door over om bij na tegen".split())
_AFTER_PARTICLE = frozenset("dat , . om te van met voor ; : \" '".split())
# "gaan" + one of these is an announced action without an infinitive ("gaat in gesprek met ...").
GAAN_IDIOMS = (
    "aan de slag",
    "aan het werk",
    "in gesprek",
    "in overleg",
    "om tafel",
    "in staking",
    "in beroep",
    "naar de rechter",
    "in zee",
)
# Present-tense verbs that never state an action of their own.
_NOT_ACTIONS = frozenset("zijn hebben worden zullen gaan blijken lijken heten betekenen".split())


@dataclass(slots=True)
class Candidate:
    """A place where a commitment may be stated."""

    cue: Token  # the cue word; for "present"/"passive" candidates the finite verb
    source: str  # one of SOURCES
    entry: Cue | None  # the lexicon row (for "present" and "passive": an action's, or None)
    main: Token  # the verb (or noun) heading the committed action
    segment: Span
    subject: list[Token] = field(default_factory=list)  # the subject phrase, possibly empty
    passive: bool = False

    @property
    def finite(self) -> Token:
        return finite_of(self.cue)


# --------------------------------------------------------------------------- segments


def segments(doc: Doc) -> list[list[Span]]:
    """Each spaCy sentence cut at line breaks and at sentence ends the parser ran across.

    The bundled parser sometimes joins a narrated sentence and the quote after it; a commitment,
    its action and its speaker never cross a '.', '!' or '?' followed by a capital, nor a line
    break (a headline, a subheading, a paragraph).
    """
    cached = doc.user_data.get(_SEGMENTS_KEY)
    if cached is None:
        cached = []
        for sent in doc.sents:
            cuts = [sent.start]
            for t in sent:
                if t.is_space and "\n" in t.text and sent.start < t.i + 1 < sent.end:
                    cuts.append(t.i + 1)
                    continue
                if t.text not in _HARD_END or t.i + 1 >= sent.end:
                    continue
                nxt = t.i + 1
                while nxt < sent.end and doc[nxt].is_space:
                    nxt += 1
                if nxt >= sent.end:
                    continue
                first = doc[nxt]
                if first.text in QUOTE_CHARS and nxt + 1 < sent.end:
                    first = doc[nxt + 1]
                if first.text[:1].isupper():
                    cuts.append(nxt)
            cuts.append(sent.end)
            cached.append([(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a])
        doc.user_data[_SEGMENTS_KEY] = cached
    return [[doc[a:b] for a, b in spans] for spans in cached]


def segment_of(tok: Token) -> Span:
    """The segment (see ``segments``) holding ``tok``."""
    doc = tok.doc
    bounds = doc.user_data.get(_BOUNDS_KEY)
    if bounds is None:
        segments(doc)
        bounds = [(0, 0)] * len(doc)
        for spans in doc.user_data[_SEGMENTS_KEY]:
            for a, b in spans:
                for i in range(a, b):
                    bounds[i] = (a, b)
        doc.user_data[_BOUNDS_KEY] = bounds
    a, b = bounds[tok.i]
    return doc[a:b] if b > a else tok.sent


# --------------------------------------------------------------------------- token helpers


def lemma(t: Token) -> str:
    return (t.lemma_ or t.text).lower()


def is_past(t: Token) -> bool:
    return "Past" in t.morph.get("Tense", [])


def is_finite(t: Token) -> bool:
    return "Fin" in t.morph.get("VerbForm", [])


def is_infinitive(t: Token) -> bool:
    return "Inf" in t.morph.get("VerbForm", [])


def subject_of(t: Token) -> Token | None:
    """The subject of ``t``; also one the parser hung on its auxiliary ("Häkkinen had ... hernieuwd")."""
    for c in t.children:
        if c.dep_ in ("nsubj", "nsubj:pass") and not c.is_space:
            return c
    for aux in t.children:
        if aux.dep_ in ("aux", "aux:pass") and aux.i < t.i:
            found = next((c for c in aux.children if c.dep_ in ("nsubj", "nsubj:pass") and not c.is_space), None)
            if found is not None:
                return found
    return None


def subject_up(t: Token) -> Token | None:
    """The subject of ``t``, or of the verbs it depends on through xcomp/aux/conj (shared subjects)."""
    cur: Token | None = t
    for _ in range(4):
        if cur is None:
            return None
        s = subject_of(cur)
        if s is not None:
            return s
        if cur.dep_ in ("xcomp", "aux", "aux:pass", "cop", "conj") and cur.head.i != cur.i:
            cur = cur.head
        else:
            return None
    return None


def finite_of(cue: Token) -> Token:
    """The finite verb that carries the cue's clause (the cue itself, its auxiliary or copula)."""
    seg = segment_of(cue)
    for t in cue.children:  # "heeft beloofd", "is bereid"
        if t.dep_ in ("aux", "aux:pass", "cop") and t.lower_ in _AUX_FORMS and is_finite(t):
            return t
    if cue.head.i < cue.i and cue.head.lower_ in _AUX_FORMS and cue.lower_ not in _ZULLEN_FORMS | _GAAN_FORMS:
        return cue.head  # "heeft ... beloofd" attached the other way round
    if cue.pos_ in ("VERB", "AUX") and is_finite(cue):
        return cue
    for t in cue.children:
        if t.dep_ in ("aux", "aux:pass", "cop") and t.pos_ in ("VERB", "AUX"):
            return t
    for t in cue.doc[cue.i + 1 : min(cue.i + 3, seg.end)]:  # "(niet van plan) is", "(gedaan) heeft"
        if t.lower_ in ("is", "zijn", "was", "waren", "ben", "bent", "heeft", "hebben", "had", "hadden"):
            return t
    for t in reversed(cue.doc[max(seg.start, cue.i - 2) : cue.i]):  # "is bereid", "zijn het eens"
        if t.lower_ in ("is", "zijn", "was", "waren", "ben", "bent", "heeft", "hebben", "had", "hadden"):
            return t
    for t in reversed(cue.doc[seg.start : cue.i]):
        if t.pos_ in ("VERB", "AUX") and is_finite(t):
            return t
    return cue


def infinitive_complement(t: Token) -> Token | None:
    """The verb of ``t``'s infinitival or clausal complement ("belooft te komen", "wil maken")."""
    for c in t.children:
        if (
            c.dep_ in ("xcomp", "ccomp", "advcl", "obj")
            and c.pos_ in ("VERB", "AUX")
            and (
                is_infinitive(c)
                or any(g.lower_ == "te" for g in c.children)
                or (
                    c.dep_ in ("xcomp", "ccomp")
                    and c.i > t.i
                    and not any(g.dep_ == "mark" for g in c.children)
                    and c.lower_.endswith("n")
                )
            )
        ):
            return c
    for c in t.children:  # an infinitive the tagger took for a plural noun ("opstellen/NOUN/xcomp")
        if c.dep_ in ("xcomp", "ccomp", "advcl") and c.pos_ == "NOUN" and c.text.islower() and c.text.endswith("en"):
            return c
    return None


def next_infinitive(tok: Token) -> Token | None:
    """Word-order fallback: the first infinitive after ``tok`` in its clause ("bereid ... te sturen")."""
    doc = tok.doc
    seg = segment_of(tok)
    for t in doc[tok.i + 1 : seg.end]:
        if (t.text in ",;:" and t.i > tok.i + 1) or t.is_space:
            return None
        if t.lower_ in ("zijn", "worden", "hebben", "is", "wordt", "heeft"):
            continue  # the copula of "bereid zijn", not the committed verb
        if t.pos_ in ("VERB", "AUX") and is_infinitive(t):
            return t
        prev = doc[t.i - 1]
        if (  # a mis-tagged infinitive: lower-case -en word not after a determiner
            t.text.islower()
            and t.text.endswith("en")
            and len(t.text) > 4
            and t.pos_ in ("NOUN", "VERB", "AUX")
            and prev.pos_ not in ("DET", "ADJ", "NUM")
            and prev.lower_ not in ("om", "meer", "veel", "geen")
            and (
                t.pos_ == "VERB"
                or t.i + 1 >= seg.end
                or doc[t.i + 1].pos_ in ("PUNCT", "ADP", "SCONJ", "CCONJ", "SPACE")
            )
        ):
            return t
    return None


def final_infinitive(tok: Token) -> Token | None:
    """The infinitive closing ``tok``'s clause, across parenthetical commas ("zullen X, met Y, besluiten")."""
    doc, seg = tok.doc, segment_of(tok)
    for t in doc[tok.i + 1 : seg.end]:
        if t.text in ";:" or t.lower_ in ("dat", "omdat", "want") or t.is_space:
            return None
        prev = doc[t.i - 1]
        if is_infinitive(t) and t.pos_ in ("VERB", "AUX"):
            return t
        last = t.i + 1 >= seg.end or doc[t.i + 1].pos_ in ("PUNCT", "SPACE")
        if (
            t.text.islower()
            and t.text.endswith("en")
            and len(t.text) > 4
            and t.pos_ in ("NOUN", "VERB")
            and (prev.text in (",", "te") or last)
            and prev.pos_ not in ("DET", "ADJ")
        ):
            return t  # an infinitive the tagger took for a plural noun, closing the clause
    return None


def particle_of(tok: Token, particles: frozenset[str]) -> str | None:
    """The separable particle of ``tok``: attached by the parser, or loose later in its clause."""
    for c in tok.children:
        if c.dep_ == "compound:prt":
            return c.lower_
    if tok.pos_ not in ("VERB", "AUX") or not is_finite(tok):
        return None
    doc, seg = tok.doc, segment_of(tok)
    for t in doc[tok.i + 1 : seg.end]:
        if t.lower_ in ("dat", ",", ".", "om", ";", ":") or (t.pos_ in ("VERB", "AUX") and t.lower_ != "te"):
            return None
        if t.lower_ not in particles:
            continue
        # a particle that is also a preposition counts only at the clause's end ("kondigde ... aan dat")
        if t.lower_ not in _PREPOSITIONS or t.i + 1 >= seg.end or doc[t.i + 1].lower_ in _AFTER_PARTICLE:
            return t.lower_
    return None


def is_reporting(t: Token) -> bool:
    """A verb that reports speech ("zei", "meldt", "laat weten", "kondigt aan")."""
    if t.lower_ in REPORTING_FORMS:
        return True
    if t.pos_ not in ("VERB", "AUX"):
        return False
    lem = lemma(t)
    if lem == "laten":  # "laten weten", not "laten rijden"
        return any(x.lower_ == "weten" for x in t.doc[t.i : segment_of(t).end])
    prt = next((c.lower_ for c in t.children if c.dep_ == "compound:prt"), "")
    return lem in REPORTING_VERBS or (prt + lem) in REPORTING_VERBS


def has_reflexive(tok: Token) -> bool:
    doc, seg = tok.doc, segment_of(tok)
    window = doc[max(seg.start, tok.i - 4) : min(seg.end, tok.i + 5)]
    return any(t.lower_ in _REFLEXIVES for t in window)


# --------------------------------------------------------------------------- subjects by word order


def np_after(doc: Doc, i: int, end: int) -> list[Token]:
    """A noun phrase by word order from token ``i``: determiners, adjectives, names, nouns, 'en', 'van'."""
    out: list[Token] = []
    while i < end:
        t = doc[i]
        if t.is_space:
            break
        after_noun = bool(out) and (out[-1].pos_ in ("NOUN", "PROPN") or out[-1].text == ")")
        if after_noun and t.pos_ in ("DET", "NUM"):
            break  # "de gemeente | de huren": a second noun phrase starts
        if after_noun and t.pos_ == "ADJ" and not (i + 1 < end and doc[i + 1].pos_ in ("NOUN", "PROPN")):
            break  # "het VK | bereid": a predicate adjective, not part of the name
        if not out and t.pos_ in ("PRON", "DET") and "Yes" in t.morph.get("Poss", []):
            return []  # "hun defensie-uitgaven": an object, not a subject
        if t.pos_ in ("DET", "ADJ", "NUM", "PROPN", "NOUN", "X") or (t.pos_ == "PRON" and not out):
            out.append(t)
        elif (
            t.lower_ == "voor"
            and out
            and out[-1].lower_.endswith(_TITLE_HEADS)
            and i + 1 < end
            and doc[i + 1].pos_ in ("PROPN", "NOUN", "X")
        ):
            out.append(t)  # "Minister voor Kmo's Jaak Gabriëls": a title with its portfolio
        elif t.pos_ == "PRON" and t.text[:1].isupper() and t.i > doc[i].sent.start and out:
            out.append(t)  # "netbeheerder TenneT": a capitalised name mis-tagged as a pronoun
        elif t.lower_ in ("en", "of") and out and i + 1 < end and doc[i + 1].pos_ in ("DET", "PROPN", "NOUN", "ADJ"):
            out.append(t)
        elif t.lower_ in _NP_ADP and out and i + 1 < end and doc[i + 1].pos_ in ("DET", "PROPN", "NOUN", "ADJ"):
            out.append(t)
        elif t.text == "(" and out:  # "Waardig Ouder Worden (WOW)": an abbreviation in brackets
            close = next((j for j in range(i + 1, min(i + 5, end)) if doc[j].text == ")"), None)
            if close is None:
                break
            out.extend(doc[i : close + 1])
            i = close
        else:
            break
        if t.pos_ == "PRON" and len(out) == 1:
            break
        i += 1
    while out and (out[-1].pos_ in ("DET", "CCONJ", "ADP") or out[-1].lower_ in ("en", "of", "van", "uit")):
        out.pop()
    return out if any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in out) else []


def word_order_subject(finite: Token) -> list[Token]:
    """Subject by Dutch word order: the noun phrase before the finite verb, or right after it."""
    doc, seg = finite.doc, segment_of(finite)
    shared = _coordinated_subject(finite)
    if shared is not None:
        return shared
    j = finite.i - 1
    while j >= seg.start and doc[j].lower_ not in _BOUNDARY and not doc[j].is_space:
        j -= 1
    if (
        j >= seg.start
        and doc[j].lower_ in ("die", "dat")
        and doc[j].pos_ == "PRON"
        and (j == seg.start or doc[j - 1].text in QUOTE_CHARS or doc[j - 1].is_space)
    ):
        return [doc[j]]  # "Die heeft Simonet beloofd ...": a demonstrative opening the sentence
    if (
        seg.start < j < finite.i - 1
        and doc[j].lower_ in ("die", "dat")
        and doc[j].pos_ == "PRON"
        and doc[j - 1].text == ","
        and doc[j + 1].pos_ in ("ADV", "ADP")
    ):
        return [doc[j]]  # "de Gele Zaal, die hier ook coproducties wil opzetten": the relative pronoun
    before = _subject_before(finite, j)
    if before is not None:
        return before
    if j >= seg.start and doc[j].text == ",":
        opening = _opening_phrase(finite)
        if opening is not None:
            return opening
    if not is_finite(finite) and finite.lower_ not in _ZULLEN_FORMS | _GAAN_FORMS:
        return []
    return _subject_after(finite)


def _coordinated_subject(finite: Token) -> list[Token] | None:
    """ "Ontex verwacht beterschap en wil ...": a coordinated verb shares the first verb's subject."""
    doc, seg = finite.doc, segment_of(finite)
    k = finite.i - 1
    while k >= seg.start and doc[k].pos_ == "ADV":
        k -= 1
    if not (k > seg.start and doc[k].lower_ in ("en", "maar", "of")):
        return None
    earlier = next((t for t in reversed(doc[seg.start : k]) if t.pos_ in ("VERB", "AUX") and is_finite(t)), None)
    if earlier is not None and not any(t.text == "," or t.lower_ in ("dat", "die") for t in doc[earlier.i : k]):
        return word_order_subject(earlier)
    return None


def _subject_before(finite: Token, boundary: int) -> list[Token] | None:
    """The noun phrase between the clause boundary at ``boundary`` and the finite verb, if it is the subject."""
    doc, seg = finite.doc, segment_of(finite)
    start = boundary + 1
    while start < finite.i and (doc[start].pos_ in ("CCONJ", "ADV") and doc[start].lower_ not in ("er",)):
        start += 1  # "Maar wij", "Ook de regering"
    if start >= finite.i:
        return None
    np = np_after(doc, start, finite.i)
    between = list(doc[np[-1].i + 1 : finite.i]) if np else []
    if np and _is_time_phrase(np):
        np = []  # "Volgend jaar kom ik terug": the subject follows the verb
    elif np and all(t.pos_ in ("AUX", "PUNCT") or t.lower_ in _AUX_FORMS for t in between):
        return np
    elif (
        np
        and between
        and between[0].pos_ == "ADP"
        and all(
            t.pos_ in ("ADP", "DET", "ADJ", "NOUN", "PROPN", "NUM", "AUX") or t.lower_ in _AUX_FORMS for t in between
        )
    ):
        return np  # "De gemeente en de corporaties in de stad hebben ...": a PP on the subject
    if np and doc[start].pos_ != "ADV" and boundary >= seg.start and doc[boundary].lower_ in _SUBORDINATING:
        return np
    if np and boundary + 1 < start and doc[boundary + 1].lower_ in _PRONOMINAL_ADVERBS:
        return np  # "waarmee Vanderpoorten ... jonge leerkrachten ... wil geven": first after the introducer
    return None


def _opening_phrase(finite: Token) -> list[Token] | None:
    """ "Johan Sauwens, de Vlaamse minister van Sport, wil": the phrase before the first comma."""
    doc, seg = finite.doc, segment_of(finite)
    first = next((t.i for t in seg if not t.is_space and t.text not in QUOTE_CHARS), seg.start)
    np = np_after(doc, first, finite.i)
    if np and np[-1].i + 1 < seg.end and doc[np[-1].i + 1].text == ",":
        if doc[first].lower_ not in ("als", "indien", "mits", "wanneer", "zodra", "volgens", "nadat", "toen"):
            return np
    return None


def _subject_after(finite: Token) -> list[Token]:
    """Inversion: "Volgend jaar kom ik terug", "zullen in elk geval ook het VK ..."."""
    doc, seg = finite.doc, segment_of(finite)
    i = finite.i + 1
    while i < seg.end:
        words = " ".join(t.lower_ for t in doc[i : min(i + 3, seg.end)])
        if words.startswith(("in elk geval", "in ieder geval", "op hun beurt")):
            i += 3
        elif (doc[i].pos_ == "ADV" and doc[i].lower_ not in ("er", "niet")) or doc[i].lower_ == "zich":
            i += 1  # "bouwt zich ... op": a reflexive is never the subject
        else:
            break
    np = np_after(doc, i, seg.end)
    if np and (_is_time_phrase(np) or (len(np) == 1 and np[0].lower_ in ("dat", "die", "dit", "deze", "het"))):
        return []  # "kondigde vorig jaar aan", "zullen dat nooit doen": no subject after the verb
    return np


def _is_time_phrase(np: Sequence[Token]) -> bool:
    words = [t.lower_ for t in np if t.pos_ not in ("DET", "ADJ", "NUM")]
    return bool(words) and all(w in TIME_WORDS for w in words)


def noun_phrase(token: Token, *, keep_appos: bool = False) -> list[Token]:
    """The token's subtree without relative clauses, parentheticals or (by default) appositions."""
    drop = {"acl:relcl", "acl", "parataxis", "punct"} | (set() if keep_appos else {"appos"})
    keep: list[Token] = []

    def walk(t: Token) -> None:
        keep.append(t)
        for child in t.children:
            if child.dep_ in drop and child.i != token.i:
                continue
            if child.is_space or child.pos_ in ("VERB", "AUX"):
                continue  # ", aangevoerd door ...": a participle clause is not part of the name
            if any(g.dep_ == "case" and g.lower_ not in ("van", "uit", "voor") for g in child.children):
                continue  # a PP of the verb the parser hung on the noun
            walk(child)

    walk(token)
    keep.sort(key=lambda t: t.i)
    span: list[Token] = []
    for t in keep:  # a contiguous run around the head
        if span and t.i != span[-1].i + 1:
            if t.i > token.i and span[-1].i >= token.i:
                break
            span = []
        span.append(t)
    return span or [token]


def subject_phrase(anchor: Token, parsed: Token | None) -> list[Token]:
    """The subject: Dutch word order around the finite verb, checked against the parser's arc.

    Word order places the subject reliably (before a verb-second finite verb, right after it in
    inversion, first after "dat"); it beats a weak parser's nsubj arc, whose fuller phrase is kept
    when the two agree.
    """
    span = word_order_subject(finite_of(anchor))
    span = [t for t in span if t.i != anchor.i]
    if parsed is None:
        return span
    if not span:
        return noun_phrase(parsed)
    if parsed.i in {t.i for t in span}:  # they agree: the fuller of the two phrases
        fuller = noun_phrase(parsed)
        # not where the parser ran on into the object: "het kabinet | het plan"
        two = any(a.pos_ in ("NOUN", "PROPN") and b.pos_ == "DET" for a, b in zip(fuller, fuller[1:], strict=False))
        return fuller if len(fuller) > len(span) and not two else span
    return span


# --------------------------------------------------------------------------- candidates


def candidates(seg: Span, lex: Lexicon | None = None) -> list[Candidate]:
    """Every place in ``seg`` where a commitment may be stated, one per main verb (``lex``: the
    bundled lexicon unless another is given)."""
    lex = lex or lexicon()
    found: list[Candidate] = []
    for tok in seg:
        if tok.is_space or tok.pos_ in ("PUNCT", "SPACE"):
            continue
        cand = (
            _verb_cue(tok, seg, lex)
            or _phrase_cue(tok, seg, lex)
            or _adj_cue(tok, seg, lex)
            or _noun_cue(tok, seg, lex)
            or _aux_cue(tok, seg, lex)
            or _passive(tok, seg, lex)
            or _present(tok, seg, lex)
        )
        if cand is not None:
            found.append(cand)
    best: dict[int, Candidate] = {}
    for cand in found:  # one candidate per main verb: the most specific source
        if not (seg.start <= cand.main.i < seg.end):
            continue
        other = best.get(cand.main.i)
        if other is None or SOURCES.index(cand.source) < SOURCES.index(other.source):
            best[cand.main.i] = cand
    kept = sorted(best.values(), key=lambda c: c.cue.i)
    for cand in kept:
        if not cand.subject:
            cand.subject = _subject_for(cand)
    return kept


def _subject_for(cand: Candidate) -> list[Token]:
    if cand.source == "noun":
        anchor = cand.main if cand.main.pos_ in ("VERB", "AUX") else cand.cue
    else:
        anchor = cand.cue
    parsed = subject_up(cand.main) if cand.source in ("aux", "passive") else subject_up(anchor)
    return subject_phrase(anchor, parsed)


def _content_verb(tok: Token) -> Token | None:
    comp = next((c for c in tok.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX")), None)
    if comp is None:
        comp = next((c for c in tok.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("ADJ", "NOUN")), None)
        later = next_infinitive(tok)
        if comp is not None and later is not None and later.pos_ in ("VERB", "AUX"):
            comp = later  # "willen studenten ... bezetten": the verb, not the noun the parser hung there
    if comp is None:  # "belooft dat ... gaat" attached as advcl/obl: a later verb with its own clause
        comp = next(
            (
                c
                for c in tok.children
                if c.i > tok.i and c.pos_ in ("VERB", "AUX") and c.dep_ not in ("aux", "cop", "parataxis", "conj")
            ),
            None,
        )
    comp = comp or next_infinitive(tok)
    if comp is not None and lemma(comp) in ("worden", "zijn", "hebben", "kunnen", "zullen"):
        # "kondigde aan dat de sperperiode afgeschaft kon worden": the participle is the action
        part = next(
            (t for t in tok.doc[tok.i + 1 : comp.i] if "Part" in t.morph.get("VerbForm", []) and t.pos_ == "VERB"),
            None,
        )
        comp = part or comp
    return comp


# The forms of the passive auxiliary: the lemmatizer leaves an AUX "werd" or "wordt" as it is.
_WORDEN_FORMS = frozenset("word wordt worden werd werden".split())
# The auxiliaries a participle needs to be a verb: the perfect ("heeft beloofd") and the passive ("werd beslist").
_PERFECT_LEMMAS = frozenset("hebben heb hebt heeft had hadden zijn ben bent is was waren".split()) | _WORDEN_FORMS


def _bare_participle(tok: Token, seg: Span) -> bool:
    """A participle that hangs on another verb with no auxiliary in its clause: no perfect, no
    passive, so no verb at all ("komen we beslist uit", "besloten ligt"; not "heeft beslist")."""
    if "Part" not in tok.morph.get("VerbForm", []):
        return False
    auxiliaries = [c for c in tok.children if c.dep_ in ("aux", "aux:pass")]
    if auxiliaries and not any(t.lower_ in _PERFECT_LEMMAS or lemma(t) in _PERFECT_LEMMAS for t in auxiliaries):
        return True  # "die in de boeken besloten ligt": "liggen" makes no perfect and no passive
    if tok.head.i == tok.i or tok.head.pos_ not in ("VERB", "AUX"):
        return False
    # its own clause: its auxiliaries, the verb it hangs on and that verb's auxiliaries
    clause = [*tok.children, tok.head, *tok.head.children]
    return not any(t.lower_ in _PERFECT_LEMMAS or lemma(t) in _PERFECT_LEMMAS for t in clause if t.i != tok.i)


def _verb_cue(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    entry: Cue | None = None
    if tok.pos_ in ("VERB", "AUX"):
        lem = lemma(tok)
        prt = particle_of(tok, lex.particles)
        if prt:
            entry = lex.verbs.get(prt + lem)
        if entry is None:
            plain = lex.verbs.get(lem)
            # "zegt" without "toe" is not "toezeggen"; "toegezegd" has the particle in its lemma
            if plain is not None and (not plain.particle or lem == plain.lemma and lem.startswith(plain.particle)):
                entry = plain
    if entry is None and tok.pos_ in ("NOUN", "ADJ") and tok.text.islower():
        # "dat zij de eis afwijst" with "afwijst" tagged as a noun: the lemmatizer still knows the verb
        plain = lex.verbs.get(lemma(tok))
        if plain is not None and tok.lower_ != plain.lemma and tok.lower_.endswith(_VERB_ENDINGS):
            entry = plain
    if entry is None:
        entry = lex.forms.get(tok.lower_)  # "beloofd" tagged as a noun
    if entry is None:
        return None
    if tok.lower_.endswith("nde") or tok.lower_.endswith("nden") or tok.pos_ == "ADJ" and tok.lower_ not in entry.forms:
        return None  # "een beslissende wedstrijd": a participle used as an adjective
    if entry.reflexive and not has_reflexive(tok):
        return None  # "X verplicht Y": an obligation on others; "zich verplichten" is a pledge
    if _bare_participle(tok, seg):
        return None  # "komen we beslist uit op", "die in de boeken besloten ligt": an adverb, an adjective
    main = _content_verb(tok) or tok  # "hadden eerder al toegezegd": the promise without its content
    return Candidate(tok, "lexical", entry, main, seg, passive=passive_voice(tok))


def passive_voice(verb: Token) -> bool:
    """ "werd niet verlengd", "worden uitgesloten": the subject undergoes it; the agent commits."""
    return any(c.dep_ in ("aux", "aux:pass") and c.lower_ in _WORDEN_FORMS for c in verb.children)


def _aux_cue(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    low = tok.lower_
    if low in _ZULLEN_FORMS:
        entry = lex.auxiliaries.get("zullen")
    elif low in _GAAN_FORMS and lemma(tok) == "gaan":
        entry = lex.auxiliaries.get("gaan")
    else:
        return None
    if entry is None:
        return None
    head = tok.head
    crosses = head.i < tok.i and any(t.text in ",;:" for t in tok.doc[head.i : tok.i])
    if (
        tok.dep_ in ("aux", "aux:pass")
        and head.pos_ in ("VERB", "AUX", "ADJ", "NOUN")
        and head.i != tok.i
        and not crosses
    ):
        main: Token | None = head
    else:
        main = infinitive_complement(tok)
        if main is not None and main.i < tok.i and any(t.text in ",;:" for t in tok.doc[main.i : tok.i]):
            main = None  # "Als ... komen, gaan de chauffeurs staken": the verb of another clause
        main = main or next_infinitive(tok) or final_infinitive(tok)
    if main is not None and main.pos_ not in ("VERB", "AUX") and not main.text.endswith("en"):
        main = final_infinitive(tok) or main  # "zullen binnenkort, met ..., besluiten"
    if main is None and entry.lemma == "gaan":
        text = " ".join(t.lower_ for t in seg)
        if any(idiom in text for idiom in GAAN_IDIOMS) or any(t.lower_ == "akkoord" for t in seg):
            main = tok
    if main is None:
        return None
    passive = main.lower_ == "worden" or any(c.dep_ == "aux:pass" or lemma(c) == "worden" for c in main.children)
    return Candidate(tok, "aux", entry, main, seg, passive=passive)


def _adj_cue(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    entry = lex.adjectives.get(tok.lower_)
    if entry is None or tok.pos_ not in ("ADJ", "VERB", "NOUN", "ADV"):
        return None
    comp = infinitive_complement(tok) or next_infinitive(tok)
    if comp is None:
        return None
    return Candidate(tok, "adj", entry, comp, seg)


def _phrase_cue(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    if tok.lower_ not in lex.phrase_starts:
        return None
    for words, entry in lex.phrases.items():
        end = tok.i + len(words)
        if end > seg.end or tuple(t.lower_ for t in tok.doc[tok.i : end]) != words:
            continue
        last = tok.doc[end - 1]
        comp = infinitive_complement(last) or next_infinitive(last)
        if comp is None:
            continue
        return Candidate(tok, "phrase", entry, comp, seg)
    return None


def _noun_cue(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    if tok.pos_ not in ("NOUN", "PROPN") or not tok.text[:1].islower():
        return None
    entry = lex.noun(lemma(tok)) or lex.noun(tok.lower_)
    if entry is None:
        return None
    verb = tok.head if tok.head.pos_ in ("VERB", "AUX") else None
    if verb is None:  # "kwam tot een principeovereenkomst": the clause's finite verb
        verb = next((t for t in reversed(tok.doc[seg.start : tok.i]) if t.pos_ in ("VERB", "AUX")), None)
    if verb is not None and (lemma(verb) in entry.light or verb.lower_ in entry.light):
        return Candidate(tok, "noun", entry, verb, seg, passive=passive_voice(verb))
    if entry.any_light:  # "de beslissing om ... te", "het plan om", "het is de bedoeling dat"
        comp = infinitive_complement(tok) or next_infinitive(tok)
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < seg.end else None
        if comp is not None and nxt is not None and nxt.lower_ in ("om", "te", "dat", "van"):
            return Candidate(tok, "noun", entry, comp, seg)
    return None


def _passive(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    """ "De software wordt geïntegreerd in ...": a present passive, the actor left to context.

    A participle of the lexicon's actions ("wordt uitgebreid", "worden opgestart") carries its row.
    """
    if tok.lower_ not in ("wordt", "worden") or not is_finite(tok) or is_past(tok):
        return None
    main = tok.head if tok.dep_ in ("aux:pass", "aux") and tok.head.i != tok.i else None
    if main is None or "Part" not in main.morph.get("VerbForm", []):
        main = next(
            (
                t
                for t in tok.doc[tok.i + 1 : seg.end]
                if "Part" in t.morph.get("VerbForm", []) and t.pos_ in ("VERB", "AUX")
            ),
            None,
        )
    if main is None or any(lemma(c) in OBLIGATION_MODALS for c in main.children if c.dep_ == "aux"):
        return None
    return Candidate(tok, "passive", lex.actions.get(lemma(main)), main, seg, passive=True)


def _present(tok: Token, seg: Span, lex: Lexicon) -> Candidate | None:
    """A present-tense content verb: "De werken beginnen in augustus" (the decisions judge it).

    A verb of the lexicon's actions ("stelt ... uit", "schrapt", "investeert") carries its row.
    """
    if tok.pos_ != "VERB" or not is_finite(tok) or is_past(tok) or "Pres" not in tok.morph.get("Tense", []):
        return None
    if lemma(tok) in _NOT_ACTIONS or lemma(tok) in OBLIGATION_MODALS or tok.dep_ in ("aux", "aux:pass", "cop"):
        return None
    if infinitive_complement(tok) is not None:
        return None  # a verb with an infinitive is a modal or a cue, judged elsewhere
    prt = particle_of(tok, lex.particles)
    action = (lex.actions.get(prt + lemma(tok)) if prt else None) or lex.actions.get(lemma(tok))
    if action is None and (lemma(tok) in REPORTING_VERBS | BELIEF_VERBS or tok.lower_ in REPORTING_FORMS):
        return None  # "Agalev zegt ... te willen": the report, not the act ("stelt ... uit" is an act)
    return Candidate(tok, "present", action, tok, seg)
