"""Commitments: who promised (or refused) what, by when, under which condition, per whom.

Owns ``find_commitments`` (spaCy Doc + entity mentions -> ``Commitment`` records) and
``EXTRACTOR_VERSION``. Rules run over the dependency parse with UD Dutch labels and lemmas, so
any pipeline trained on UD Dutch works; where the parse is unhelpful they fall back to word
order, never to a bare keyword.

Decisions, in one place:

* A cue is a word with a commitment sense: lexical verbs (beloven, toezeggen, afspreken,
  besluiten, weigeren, overwegen, aankondigen, garanderen, zich inzetten voor ...), adjectives
  and idioms (bereid, van plan), the future auxiliaries ``zullen`` and ``gaan`` + infinitive,
  ``er komt`` and nouns used with a light verb ("geen toezeggingen gedaan").
* ``zullen``/``gaan`` alone are not pledges (the over-coding of keyword event coders): they count
  only with an agentive actor (an entity, a personal pronoun, an organisation noun), a
  non-outcome verb, no hedging ("waarschijnlijk", "naar verwachting"), no belief verb as the
  reporting verb ("verwacht DNB"), no obligation modal ("zal ... moeten doen"), and present
  tense. ``er komt`` needs a speaker or an "om te" purpose (it announces, it does not predict).
* Demands on others ("moeten", "eisen", "willen dat"), past tense and pluperfect promises are
  not commitments.
* The actor is the cue's subject. Pronouns resolve to the subject of the reporting or cue verb
  above them ("Hij zei dat hij ..."), else to the most recent compatible actor; the first person
  in a quote resolves to the speaker; a passive without "door" takes the previous commitment's
  actor. Resolved actors carry the antecedent's text and entity id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from newsdesk.analyze.attribution import (
    FIRST_PERSON,
    GROUP_NOUNS,
    PERSONAL_PRONOUNS,
    Actor,
    Discourse,
    actor_from_tokens,
    is_belief_verb,
    noun_phrase,
    span_text,
    speaker_of,
)
from newsdesk.analyze.deadlines import find_deadline, resolve_deadline
from newsdesk.models import Commitment, CommitmentKind, Firmness, Mention, Polarity

log = logging.getLogger(__name__)

__all__ = ["EXTRACTOR_VERSION", "find_commitments"]

# Bump when the rules change behaviour; it is part of the analyzer_version of every analysis.
EXTRACTOR_VERSION = "commitments-7"

K = CommitmentKind
# Lexical cues: lemma (or frequent form) -> kind. Forms guard against a missing lemma.
VERB_CUES: dict[str, CommitmentKind] = {
    **dict.fromkeys("beloven belooft beloofde beloofd beloven toezeggen toegezegd zegt_toe zegde_toe "
                    "garanderen garandeert garandeerde gegarandeerd verzekeren inzetten".split(), K.PLEDGE),
    **dict.fromkeys("verplichten verplicht verplichtte verplichtten".split(), K.PLEDGE),  # only "zich verplichten"
    **dict.fromkeys("dreigen dreigt dreigde".split(), K.INTENT),  # a threat, only by an actor
    **dict.fromkeys("afspreken afgesproken spraken_af spreken_af overeenkomen overeengekomen instemmen "
                    "ingestemd akkoord_gaan".split(), K.AGREEMENT),
    **dict.fromkeys("besluiten besloten besluit besloot aankondigen aangekondigd kondigde_aan kondigt_aan "
                    "plannen gepland".split(), K.PLAN),
    **dict.fromkeys("overwegen overweegt overwoog streven streeft willen wil wilde wilt".split(), K.INTENT),
    **dict.fromkeys("weigeren weigert weigerde geweigerd".split(), K.REFUSAL),
}  # fmt: skip
ADJ_CUES: dict[str, CommitmentKind] = {
    "bereid": K.WILLINGNESS,
    "klaar": K.WILLINGNESS,
    "vastbesloten": K.INTENT,
}
NOUN_CUES: dict[str, CommitmentKind] = {
    "toezegging": K.PLEDGE, "toezeggingen": K.PLEDGE, "belofte": K.PLEDGE, "beloftes": K.PLEDGE,
    "beloften": K.PLEDGE, "afspraak": K.AGREEMENT, "afspraken": K.AGREEMENT, "akkoord": K.AGREEMENT,
}  # fmt: skip
FUTURE_FORMS = frozenset("zal zullen zult".split())
GAAN_FORMS = frozenset("ga gaat gaan".split())
OBLIGATION = frozenset("moeten moet kunnen kan mogen mag hoeven hoeft".split())
HEDGES = frozenset("waarschijnlijk vermoedelijk wellicht mogelijk misschien allicht".split())
HEDGE_PHRASES = ("naar verwachting", "naar alle waarschijnlijkheid")
TENTATIVE = frozenset("misschien mogelijk wellicht eventueel proberen overwegen willen streven".split())
# Verbs whose subject undergoes rather than acts: "de prijzen zullen stijgen".
OUTCOME_VERBS = frozenset(
    "stijgen dalen groeien krimpen regenen sneeuwen vriezen waaien uitvallen winnen verliezen gebeuren "
    "ontstaan verdwijnen veranderen duren worden zijn blijken lijken overlijden sterven vallen".split()
)  # fmt: skip
NEGATIONS = frozenset("niet geen nooit niets niemand".split())
# "willen weten", "willen horen": a demand for information, never a commitment.
INFORMATION_VERBS = frozenset("weten horen begrijpen snappen".split())
# "eerst zien", "eerst bestuderen", "afwachten": wait-and-see, not a commitment to act.
WAIT_VERBS = frozenset("zien afwachten bekijken bestuderen kijken onderzoeken evalueren beoordelen".split())
WAIT_ADVERBS = frozenset("eerst pas".split())
# Heads of time phrases, which are adverbials and never actors ("vorig jaar", "die week").
TIME_NOUNS = frozenset(
    "jaar jaren maand maanden week weken dag dagen eeuw kwartaal seizoen ochtend middag avond nacht "
    "weekend zomer winter lente herfst voorjaar najaar tijd keer moment periode "
    "januari februari maart april mei juni juli augustus september oktober november december "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
)  # fmt: skip
# "gaan" + one of these is an announced action without an infinitive ("gaat in gesprek met ...").
GAAN_IDIOMS = ("aan de slag", "aan het werk", "in gesprek", "in overleg", "om tafel", "in staking", "in beroep",
               "naar de rechter")  # fmt: skip
# Verbs that put a demand on someone else: a cue below them is the demand's content ("vraagt de
# partijen om snel een akkoord te sluiten", "eist dat ...", "roept op om ...").
DEMAND_VERBS = frozenset("vragen eisen oproepen verzoeken dwingen aandringen opdragen sommeren".split())
CONDITION_MARKERS = frozenset("als indien mits tenzij wanneer zodra".split())
ACTOR_NOUNS = frozenset(
    "kabinet regering minister ministers premier president staatssecretaris burgemeester wethouder "
    "gemeente gemeenten gemeenteraad raad college provincie waterschap ministerie partij partijen "
    "coalitie oppositie fractie kamer bond bonden vakbond vakbonden werkgevers werkgever bedrijf "
    "bedrijven onderneming concern directie bestuur club clubs team ploeg bondscoach trainer land "
    "landen lidstaten leiders regeringsleiders planners politie krijgsmacht leger commissie unie "
    "bank banken supermarktketen keten school universiteit ziekenhuis woningcorporatie corporatie "
    "europeanen britten fransen amerikanen bondgenoten groep alliantie partners organisatie "
    "stichting federatie vereniging energiebedrijf voetbalbond atletiekbond partijleider topman "
    "topvrouw directeur woordvoerder minister-president kanselier koning eurolanden "
    "coalitiepartijen ministers".split()
)  # fmt: skip
CONDITION_RX = re.compile(
    r"(?:^\s*|[,;:.!?]\s+|\n\s*|\b(?:en|maar)\s+)"
    r"(?P<cond>(?:als|indien|mits|tenzij|wanneer|zodra|op voorwaarde dat)\s[^,;:]+)",
    re.IGNORECASE,
)
QUOTE_CHARS = "\"'“”„‘’«»"


@dataclass(slots=True)
class _Candidate:
    cue: Token
    main: Token  # the verb (or adjective/noun) heading the committed action
    kind: CommitmentKind
    actor_token: Token | None
    base_confidence: float
    passive: bool = False
    negative: bool = False
    announce: Token | None = None  # "kondigde aan dat ...": the announcing verb
    er_komt: bool = False
    actor_span: list[Token] | None = None  # word-order fallback when the parse gives no usable subject


def find_commitments(doc: Doc, mentions: Sequence[Mention], *, published: date | None) -> list[Commitment]:
    """Commitments in ``doc``; offsets are into ``doc.text``, sentences are ``doc.sents`` indices."""
    discourse = Discourse()
    discourse.note_mentions(mentions)
    results: list[Commitment] = []
    prev_speaker: Actor | None = None
    for s_index, sent in enumerate(_segments_by_sentence(doc)):
        for seg in sent:
            prev_speaker = _find_in_segment(seg, s_index, mentions, discourse, results, published, prev_speaker)
    return _dedupe(results)


def _find_in_segment(
    sent: Span,
    s_index: int,
    mentions: Sequence[Mention],
    discourse: Discourse,
    results: list[Commitment],
    published: date | None,
    prev_speaker: Actor | None,
) -> Actor | None:
    doc = sent.doc
    if True:
        for cand in _candidates(sent):
            record = _build(cand, sent, s_index, mentions, discourse, results, published, prev_speaker)
            if record is not None:
                results.append(record)
                discourse.committed.append(
                    Actor(record.actor, record.start, record.end, record.actor_entity_id, None,
                          " en " in record.actor or record.actor.casefold().endswith("en"), s_index)
                )  # fmt: skip
        speaker, _ = speaker_of(sent, set(), mentions, s_index)
        for tok in sent:
            if tok.dep_ in ("nsubj", "nsubj:pass") and _is_actor_token(tok, mentions):
                discourse.add(actor_from_tokens(doc, _clip(noun_phrase(tok)), mentions, s_index))
    return speaker


# --------------------------------------------------------------------------- segments

_HARD_END = frozenset(".!?")
_SEGMENTS_KEY = "newsdesk_commitment_segments"


def _segments_by_sentence(doc: Doc) -> list[list[Span]]:
    """Each spaCy sentence cut at sentence-final punctuation the parser ran across.

    The bundled parser sometimes joins a narrated sentence and the quote after it ("... landbouw.
    "Boeren moeten ...", zei Wiersma."); a commitment, its action and its speaker never cross a
    '.', '!' or '?' followed by a capital, so every rule works on these segments.
    """
    cached = doc.user_data.get(_SEGMENTS_KEY)
    if cached is None:
        cached = []
        for sent in doc.sents:
            cuts = [sent.start]
            for t in sent:
                if t.is_space and "\n" in t.text and sent.start < t.i + 1 < sent.end:
                    cuts.append(t.i + 1)  # a line break ends a subheading or paragraph the parser joined
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


def _seg(tok: Token) -> Span:
    """The segment (see ``_segments_by_sentence``) holding ``tok``."""
    for spans in _segments_by_sentence(tok.doc):
        for span in spans:
            if span.start <= tok.i < span.end:
                return span
    return tok.sent


def _clip(tokens: list[Token]) -> list[Token]:
    """A noun phrase cut to the segment of its first token (the parser may reach into the next)."""
    if not tokens:
        return tokens
    seg = _seg(tokens[0])
    return [t for t in tokens if seg.start <= t.i < seg.end] or tokens[:1]


# --------------------------------------------------------------------------- candidates


def _lemma(t: Token) -> str:
    return (t.lemma_ or t.text).lower()


def _subject(t: Token) -> Token | None:
    for c in t.children:
        if c.dep_ in ("nsubj", "nsubj:pass") and not c.is_space:
            return c
    return None


def _subject_up(t: Token) -> Token | None:
    """The subject of ``t``, or of the verbs it depends on through xcomp/aux/conj (shared subjects)."""
    cur: Token | None = t
    for _ in range(4):
        if cur is None:
            return None
        s = _subject(cur)
        if s is not None:
            return s
        if cur.dep_ in ("xcomp", "aux", "aux:pass", "cop", "conj") and cur.head.i != cur.i:
            cur = cur.head
        else:
            return None
    return None


_NOMINAL = ("NOUN", "PROPN", "PRON", "NUM", "ADJ", "X")
_NP_ADP = frozenset("van uit".split())
_AUX_FORMS = frozenset("heeft hebben had hadden is zijn was waren zal zullen wordt worden werd".split())
_BOUNDARY = frozenset(", ; : dat die om zodat omdat terwijl want".split()) | set(QUOTE_CHARS)


def _usable_subject(t: Token | None) -> bool:
    return t is not None and t.pos_ in _NOMINAL and t.lower_ not in ("dat", "die", "er", "zich", "elkaar")


def _np_after(doc: Doc, i: int, end: int) -> list[Token]:
    """A noun phrase by word order from token ``i``: determiners, adjectives, names, nouns, 'en', 'van'."""
    out: list[Token] = []
    while i < end:
        t = doc[i]
        if t.is_space:
            break
        after_noun = bool(out) and out[-1].pos_ in ("NOUN", "PROPN")
        if after_noun and t.pos_ in ("DET", "NUM"):
            break  # "de gemeente | de huren": a second noun phrase starts
        if after_noun and t.pos_ == "ADJ" and not (i + 1 < end and doc[i + 1].pos_ in ("NOUN", "PROPN")):
            break  # "het VK | bereid": a predicate adjective, not part of the name
        if not out and t.pos_ in ("PRON", "DET") and "Yes" in t.morph.get("Poss", []):
            return []  # "hun defensie-uitgaven": an object, not a subject
        if t.pos_ in ("DET", "ADJ", "NUM", "PROPN", "NOUN") or (t.pos_ == "PRON" and not out):
            out.append(t)
        elif t.pos_ == "PRON" and t.text[:1].isupper() and t.i > doc[i].sent.start and out:
            out.append(t)  # "netbeheerder TenneT": a capitalised name mis-tagged as a pronoun
        elif (
            t.lower_ in ("en", "of")
            and out
            and i + 1 < end
            and doc[i + 1].pos_ in ("DET", "PROPN", "NOUN", "ADJ")
        ):
            out.append(t)
        elif (
            t.lower_ in _NP_ADP and out and i + 1 < end and doc[i + 1].pos_ in ("DET", "PROPN", "NOUN", "ADJ")
        ):
            out.append(t)
        else:
            break
        if t.pos_ == "PRON" and len(out) == 1:
            break
        i += 1
    while (
        out
        and out[-1].pos_ in ("DET", "CCONJ", "ADP")
        or (out and out[-1].lower_ in ("en", "of", "van", "uit"))
    ):
        out.pop()
    return out if any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in out) else []


def _fallback_subject(cue: Token) -> list[Token]:
    """Subject by Dutch word order: the noun phrase opening the clause before the finite cue, or after it."""
    doc, sent = cue.doc, _seg(cue)
    j = cue.i - 1
    while j >= sent.start and doc[j].lower_ not in _BOUNDARY and not doc[j].is_space:
        j -= 1
    start = j + 1
    if start < cue.i:
        np = _np_after(doc, start, cue.i)
        between: list[Token] = list(doc[np[-1].i + 1 : cue.i]) if np else []
        if np and all(t.pos_ == "AUX" or t.lower_ in _AUX_FORMS for t in between):
            return np  # "Het college ... heeft besloten": only auxiliaries between subject and cue
        if np and doc[start].pos_ != "ADV" and j >= sent.start and doc[j].lower_ in ("dat", "die"):
            return np
    if j >= sent.start and doc[j].text == ",":
        # "Een groep landen, aangevoerd door ..., gaat": the phrase before the first comma
        first = next((t.i for t in sent if not t.is_space), sent.start)
        np = _np_after(doc, first, cue.i)
        if np and doc[np[-1].i + 1].text == ",":
            opener = doc[first]
            if opener.lower_ not in ("als", "indien", "mits", "wanneer", "zodra", "volgens"):
                return np
    # inversion ("Als ..., zullen het VK en Europa helpen"; "Zo willen de Europeanen ...")
    if "Fin" not in cue.morph.get("VerbForm", []) and cue.lower_ not in FUTURE_FORMS | GAAN_FORMS:
        return []
    i = cue.i + 1
    while i < sent.end:  # "zullen in elk geval ook het VK en Europa ...": skip adverbials before the subject
        words = " ".join(t.lower_ for t in doc[i : min(i + 3, sent.end)])
        if words.startswith(("in elk geval", "in ieder geval", "in elk opzicht", "op hun beurt")):
            i += 3
        elif doc[i].pos_ == "ADV" and doc[i].lower_ not in ("er", "niet"):
            i += 1
        else:
            break
    return _np_after(doc, i, sent.end)


def _is_past(t: Token) -> bool:
    return "Past" in t.morph.get("Tense", [])


def _infinitive_complement(t: Token) -> Token | None:
    for c in t.children:
        if (
            c.dep_ in ("xcomp", "ccomp", "advcl", "obj")
            and c.pos_ in ("VERB", "AUX")
            and (
                "Inf" in c.morph.get("VerbForm", [])
                or any(g.lower_ == "te" for g in c.children)
                or (
                    c.dep_ in ("xcomp", "ccomp")
                    and c.i > t.i
                    and not any(g.dep_ == "mark" for g in c.children)
                    and c.lower_.endswith("n")  # an infinitive form; "meer zeggenschap" is not one
                )
            )
        ):
            return c
    for c in t.children:  # an infinitive the tagger took for a plural noun ("opstellen/NOUN/xcomp")
        if (
            c.dep_ in ("xcomp", "ccomp", "advcl")
            and c.pos_ == "NOUN"
            and c.text.islower()
            and c.text.endswith("en")
        ):
            return c
    return None


def _candidates(sent: Span) -> list[_Candidate]:
    cands: list[_Candidate] = []
    used_mains: set[int] = set()
    for tok in sent:
        low, lemma = tok.lower_, _lemma(tok)
        # separable verbs: "zegt ... toe", "spraken ... af", "kondigde ... aan"
        prt = next((c.lower_ for c in tok.children if c.dep_ == "compound:prt"), None) or _loose_particle(tok)
        key = f"{low}_{prt}" if prt else low
        kind = VERB_CUES.get(key) or VERB_CUES.get(lemma) or VERB_CUES.get(low)
        if prt and lemma + prt in ("toezeggen",):
            kind = K.PLEDGE
        if kind is None and prt:
            kind = VERB_CUES.get(prt + lemma)
        if kind is not None and lemma.startswith("verplicht") and not any(
            t.lower_ == "zich" for t in tok.doc[tok.i + 1 : min(tok.i + 4, sent.end)]
        ):
            continue  # "X verplicht Y om ...": an obligation on others; "zich verplichten" is a pledge
        if kind is not None and (tok.pos_ in ("VERB", "AUX") or low in _UNAMBIGUOUS_FORMS):
            if kind is K.INTENT and lemma in ("willen", "wil", "wilde", "wilt"):
                cand = _willen(tok)
            else:
                cand = _lexical(tok, kind)
            if cand is not None:
                cands.append(cand)
                used_mains.add(cand.main.i)
            continue
        if low in ADJ_CUES and tok.pos_ in ("ADJ", "VERB", "NOUN", "ADV"):
            comp = _infinitive_complement(tok) or _next_infinitive(tok)
            subj = _subject_up(tok)
            if comp is not None:
                cands.append(_Candidate(tok, comp, ADJ_CUES[low], subj, 0.85))
                used_mains.add(comp.i)
            continue
        if (
            low == "plan"
            and any(c.lower_ == "van" for c in tok.children)
            or (low == "plan" and tok.i > sent.start and tok.nbor(-1).lower_ == "van")
        ):
            comp = _infinitive_complement(tok) or _next_infinitive(tok)
            if comp is not None:
                cands.append(_Candidate(tok, comp, K.PLAN, _subject_up(tok), 0.85))
                used_mains.add(comp.i)
            continue
        if low in NOUN_CUES and tok.dep_ in ("obj", "nsubj:pass", "nsubj"):
            light = tok.head
            if (
                _lemma(light) in ("doen", "maken", "geven", "hebben", "sluiten")
                or light.lower_ in ("gedaan", "gemaakt", "gesloten", "sluiten", "sloten", "sloot")
            ) and (low != "akkoord" or light.lower_ in ("gesloten", "sluiten", "sloten", "sloot", "sluit")):
                neg = any(c.lower_ == "geen" for c in tok.children)
                kind = K.REFUSAL if neg and NOUN_CUES[low] is K.PLEDGE else NOUN_CUES[low]
                cands.append(_Candidate(tok, light, kind, _subject_up(light), 0.8, negative=neg))
                used_mains.add(light.i)
            continue
    for tok in sent:
        low = tok.lower_
        if low in FUTURE_FORMS:
            cand = _future(tok, K.PLEDGE, 0.75)
        elif low in GAAN_FORMS and not _is_past(tok):
            cand = _gaan(tok)
        elif _lemma(tok) == "komen" and not _is_past(tok) and _has_er(tok):
            cand = _er_komt(tok)
        else:
            continue
        if cand is not None and cand.main.i not in used_mains:
            cands.append(cand)
            used_mains.add(cand.main.i)
    kept: list[_Candidate] = []
    for cand in cands:  # the committed verb lies in the cue's segment, or the candidate goes
        if not (sent.start <= cand.main.i < sent.end):
            main = _next_infinitive(cand.cue)
            if main is None:
                continue
            cand.main = main
        kept.append(cand)
    cands = kept
    for cand in cands:
        if cand.er_komt or cand.passive:
            continue
        # Dutch word order places the subject reliably (before a verb-second finite verb, right
        # after it in inversion, first after "dat"); it beats a weak parser's nsubj arc.
        anchor = cand.main if cand.cue.lower_ in NOUN_CUES and cand.main.pos_ in ("VERB", "AUX") else cand.cue
        span = _fallback_subject(_finite_near(anchor))
        if any(t.i == cand.cue.i for t in span):  # "het VK bereid (is)": the cue ends the subject
            span = [t for t in span if t.i < cand.cue.i]
            if not any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in span):
                span = []  # "een (akkoord)": a determiner alone is no subject
        if span and not (cand.actor_token is not None and cand.actor_token.i in {t.i for t in span}):
            cand.actor_span = span
            cand.actor_token = _np_head(span)
        elif span and cand.actor_token is not None:
            cand.actor_span = None  # the parser agrees: keep its (fuller) noun phrase
    return cands


def _finite_near(cue: Token) -> Token:
    """The finite verb that carries the cue's clause (the cue itself, its copula or auxiliary)."""
    form = cue.morph.get("VerbForm", [])
    for t in cue.children:  # "heeft beloofd", "hebben afgesproken", "is bereid" (even if mis-tagged finite)
        if t.dep_ in ("aux", "aux:pass", "cop") and t.pos_ in ("VERB", "AUX") and t.lower_ in _AUX_FORMS:
            return t
    if cue.head.i < cue.i and cue.head.lower_ in _AUX_FORMS and cue.lower_ not in FUTURE_FORMS | GAAN_FORMS:
        return cue.head  # "heeft ... beloofd" hung the other way round
    if cue.pos_ in ("VERB", "AUX") and "Fin" in form:
        return cue
    for t in cue.children:
        if t.dep_ in ("aux", "aux:pass", "cop") and t.pos_ in ("VERB", "AUX"):
            return t
    if cue.pos_ in ("VERB", "AUX") and not form and cue.dep_ not in ("xcomp", "ccomp"):
        return cue
    for t in cue.doc[cue.i + 1 : min(cue.i + 3, _seg(cue).end)]:  # "(niet van plan) is", "(gedaan) heeft"
        if t.lower_ in ("is", "zijn", "was", "waren", "ben", "bent", "heeft", "hebben", "had", "hadden"):
            return t
    for t in reversed(cue.doc[max(_seg(cue).start, cue.i - 2) : cue.i]):  # "is bereid", "zijn het eens"
        if t.lower_ in ("is", "zijn", "was", "waren", "ben", "bent", "heeft", "hebben"):
            return t
    for t in reversed(cue.doc[_seg(cue).start : cue.i]):
        if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm", []):
            return t
    return cue


def _np_head(span: Sequence[Token]) -> Token:
    head = span[-1]
    for t in span:
        if t.lower_ in _NP_ADP or t.lower_ in ("en", "of"):
            break
        if t.pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "X") and not (t.pos_ == "PRON" and t.i != span[0].i):
            head = t  # the last nominal before "van"/"en" ("het VK", tagged ADJ, still heads its phrase)
    return head


_PARTICLES = frozenset("toe af aan".split())
# Cue forms that are verbs whatever the tagger says ("beloofd/NOUN").
_UNAMBIGUOUS_FORMS = frozenset(
    "beloofd belooft beloofde toegezegd afgesproken overeengekomen besloten besloot aangekondigd weigert "
    "weigerde geweigerd weigeren overweegt garandeert gegarandeerd ingestemd".split()
)


def _loose_particle(tok: Token) -> str | None:
    """A separable particle the parser did not attach: "kondigde ... aan dat", "zegt toe dat"."""
    if tok.pos_ not in ("VERB", "AUX"):
        return None
    doc = tok.doc
    for t in doc[tok.i + 1 : _seg(tok).end]:
        if t.lower_ in ("dat", ",", ".", "om") or t.pos_ in ("VERB", "AUX"):
            return None
        if t.lower_ in _PARTICLES and (
            t.i + 1 >= _seg(tok).end or doc[t.i + 1].lower_ in ("dat", ",", ".", "om", "te")
        ):
            return t.lower_
        if t.i == tok.i + 1 and t.lower_ in _PARTICLES and _te_infinitive_after(t):
            return t.lower_  # "zegt toe de komende jaren ... te blijven uitbreiden"
    return None


def _te_infinitive_after(tok: Token) -> bool:
    doc = tok.doc
    for t in doc[tok.i + 1 : _seg(tok).end]:
        if t.text in ",;:" or t.lower_ in ("dat", "die"):
            return False
        if t.lower_ == "te" and t.i + 1 < _seg(tok).end and doc[t.i + 1].pos_ in ("VERB", "AUX"):
            return True
    return False


def _next_infinitive(tok: Token) -> Token | None:
    """Word-order fallback: the first infinitive after ``tok`` in its sentence ("bereid ... te sturen")."""
    doc = tok.doc
    for t in doc[tok.i + 1 : _seg(tok).end]:
        if (t.text in ",;:" and t.i > tok.i + 1) or t.is_space:
            return None
        if t.lower_ in ("zijn", "worden", "hebben", "is", "wordt", "heeft"):
            continue  # the copula of "bereid zijn", not the committed verb
        if t.pos_ in ("VERB", "AUX") and "Inf" in t.morph.get("VerbForm", []):
            return t
        # a mis-tagged infinitive ("presenteren" as a noun): lower-case -en word not after a determiner
        prev = doc[t.i - 1]
        if (
            t.text.islower()
            and t.text.endswith("en")
            and len(t.text) > 4
            and t.pos_ in ("NOUN", "VERB", "AUX")
            and prev.pos_ not in ("DET", "ADJ", "NUM")
            and prev.lower_ not in ("om", "meer", "veel", "geen")
            and (
                t.pos_ == "VERB"
                or t.i + 1 >= _seg(tok).end
                or doc[t.i + 1].pos_ in ("PUNCT", "ADP", "SCONJ", "CCONJ", "SPACE")
            )
        ):
            return t
    return None


def _lexical(tok: Token, kind: CommitmentKind) -> _Candidate | None:
    if _is_past(tok) and any(_lemma(a) == "hebben" and _is_past(a) for a in tok.children if a.dep_ == "aux"):
        return None  # pluperfect: "had beloofd ... maar deed dat niet"
    if any(t.lower_ in ("had", "hadden") for t in tok.doc[max(_seg(tok).start, tok.i - 3) : tok.i]):
        return None
    if _is_past(tok) and tok.pos_ in ("VERB", "AUX") and tok.dep_ != "ROOT" and kind is K.INTENT:
        return None
    if any(c.dep_ in ("aux", "aux:pass") and _is_past(c) and _lemma(c) in ("worden", "zijn") for c in tok.children):
        return None  # "dat vorig jaar werd aangekondigd": a past event, not a commitment
    if any(t.lower_ in ("werd", "werden") for t in tok.doc[max(_seg(tok).start, tok.i - 6) : tok.i]) and (
        "Part" in tok.morph.get("VerbForm", []) or tok.lower_ in _UNAMBIGUOUS_FORMS
    ):
        return None
    comp = next(
        (
            c
            for c in tok.children
            if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX", "ADJ", "NOUN") and not _in_condition(c)
        ),
        None,
    )
    if comp is None:  # "belooft dat ... gaat" hung as advcl/obl: a verb after the cue with its own "dat"
        comp = next(
            (
                c for c in tok.children
                if c.i > tok.i
                and c.pos_ in ("VERB", "AUX")
                and c.dep_ not in ("aux", "cop", "parataxis", "conj")
                and not _in_condition(c)
            ),
            None,
        )  # fmt: skip
    if comp is None:
        comp = next(
            (c for c in tok.children if c.dep_ in ("obj", "obl") and c.pos_ in ("NOUN", "PROPN")), None
        )
    if comp is None and kind is K.REFUSAL:
        comp = _next_infinitive(tok)
    if comp is None:
        comp = _next_infinitive(tok)
    if comp is None:
        return None
    announce = (
        tok
        if kind in (K.PLAN,) and _lemma(tok) in ("aankondigen",) or tok.lower_.startswith("kondig")
        else None
    )
    conf = 0.85 if kind is not K.INTENT else 0.7
    return _Candidate(tok, comp, kind, _subject_up(tok), conf, announce=announce)


def _in_condition(verb: Token) -> bool:
    """ "als het kabinet ... uitstelt": the verb heads a condition clause (by its marker, or by word order)."""
    if any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKERS for c in verb.children):
        return True
    seg = _seg(verb)
    for t in reversed(verb.doc[seg.start : verb.i]):
        if t.lower_ in CONDITION_MARKERS and t.pos_ == "SCONJ":
            return True
        if t.text in ",;:" or t.lower_ in ("dat", "om") or (t.pos_ in ("VERB", "AUX") and t.lower_ != "te"):
            return False
    return False


def _willen(tok: Token) -> _Candidate | None:
    if _is_past(tok):
        return None
    comp = (
        _infinitive_complement(tok)
        or (tok.head if tok.dep_ == "aux" and tok.head.pos_ == "VERB" else None)
        or _next_infinitive(tok)
    )
    if comp is not None and any(c.lower_ == "dat" and c.dep_ == "mark" for c in comp.children):
        return None  # "willen dat de regering aftreedt": a wish about others
    nxt = next((t for t in tok.doc[tok.i + 1 : _seg(tok).end] if t.pos_ != "ADV" and not t.is_space), None)
    if (
        nxt is not None
        and nxt.lower_ == "dat"
        and nxt.i + 1 < _seg(tok).end
        and tok.doc[nxt.i + 1].pos_ not in ("VERB", "AUX")
        and tok.doc[nxt.i + 1].lower_ not in ("niet", "graag", "ook", "wel")
    ):
        return None  # "wil (ook) dat het college ... komt": by word order, whatever the tagger made of "dat"
    if comp is not None and any(
        t.lower_ == "dat"
        and (t.pos_ == "SCONJ" or t.dep_ == "mark")
        and t.doc[t.i - 1].pos_ not in ("NOUN", "PROPN")  # "het geld dat ...": a relative pronoun
        for t in tok.doc[tok.i + 1 : comp.i]
    ):
        return None
    if comp is None:
        if any(c.dep_ in ("obj", "ccomp") for c in tok.children):
            return None  # "willen graag een groter huis", "willen dat ..."
        if not any(c.dep_ == "obl" for c in tok.children):
            return None
        comp = tok  # "wil met de vakbonden om tafel"
    return _Candidate(tok, comp, K.INTENT, _subject_up(tok), 0.7)


def _future(tok: Token, kind: CommitmentKind, conf: float) -> _Candidate | None:
    main = tok.head if tok.dep_ in ("aux", "aux:pass") else _infinitive_complement(tok)
    if main is None or main.i == tok.i:
        main = _next_infinitive(tok)
    if main is None:
        return None
    chain = [main, *[c for c in main.children if c.dep_ in ("xcomp",)]]
    passive = (
        any(c.dep_ == "aux:pass" or _lemma(c) == "worden" for c in main.children) or main.lower_ == "worden"
    )
    # "zal ... moeten doen": an obligation, not a promise
    if any(
        _lemma(c) in OBLIGATION or c.lower_ in OBLIGATION
        for m in chain
        for c in m.children
        if c.dep_ in ("aux", "xcomp")
    ):
        return None
    if main.lower_ in OBLIGATION or _lemma(main) in OBLIGATION:
        return None
    if _lemma(main) in ("komen",) and _has_er(main):
        return _er_komt(main, future=True)
    subj = _subject_up(main) or _subject(tok)
    return _Candidate(tok, main, kind, subj, conf, passive=passive)


def _gaan(tok: Token) -> _Candidate | None:
    main: Token | None
    if tok.dep_ == "aux" and tok.head.pos_ == "VERB" and "Inf" in tok.head.morph.get("VerbForm", []):
        main = tok.head
    else:
        main = _infinitive_complement(tok) or _next_infinitive(tok)
    if main is None:
        # "aan de slag gaan", "aan het werk gaan", "akkoord gaan"
        text = " ".join(t.lower_ for t in _seg(tok))
        if any(idiom in text for idiom in GAAN_IDIOMS):
            main = tok
        elif any(t.lower_ == "akkoord" for t in _seg(tok)):
            return _Candidate(tok, tok, K.AGREEMENT, _subject_up(tok), 0.75)
        else:
            return None
    if main.lower_ in OBLIGATION or _lemma(main) in OBLIGATION:
        return None
    subj = _subject_up(main) if main.i != tok.i else _subject(tok)
    return _Candidate(tok, main, K.PLAN, subj or _subject(tok), 0.7)


def _has_er(t: Token) -> bool:
    if any(c.lower_ == "er" for c in t.children):
        return True
    # the parser may attach "er" elsewhere: look in the clause, before the next comma
    window = t.doc[max(_seg(t).start, t.i - 3) : min(_seg(t).end, t.i + 3)]
    return any(w.lower_ == "er" for w in window)


def _er_komt(tok: Token, *, future: bool = False) -> _Candidate | None:
    if any((_lemma(c) in OBLIGATION or c.lower_ in OBLIGATION) for c in tok.children if c.dep_ in ("aux", "xcomp")):
        return None  # "het geld moet er ook echt komen": a demand
    for t in reversed(tok.doc[_seg(tok).start : tok.i]):
        if t.text in ",;:" or t.lower_ in ("dat", "die", "om") or t.text in QUOTE_CHARS:
            break
        if t.lower_ in OBLIGATION:
            return None
    subj = _subject(tok)
    if subj is None:
        # "dat er meer ruimte zal komen": the noun after "er"; "Er komt een coalitie": after the verb
        er = next((t for t in tok.doc[_seg(tok).start : tok.i] if t.lower_ == "er"), None)
        scan = tok.doc[er.i + 1 : tok.i] if er is not None else tok.doc[tok.i + 1 : _seg(tok).end]
        subj = next((t for t in scan if t.pos_ in ("NOUN", "PROPN")), None)
    return _Candidate(tok, tok, K.PLAN, subj, 0.6, er_komt=True)


# --------------------------------------------------------------------------- building records


def _clause_tokens(main: Token) -> list[Token]:
    """The main verb's clause: its subtree without sub-clauses that are separate statements."""
    out: list[Token] = []

    def walk(t: Token, top: bool) -> None:
        out.append(t)
        for c in t.children:
            if c.dep_ in ("parataxis",) or (c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")):
                continue
            walk(c, False)

    walk(main, True)
    sent = _seg(main)
    return sorted((t for t in out if not t.is_space and sent.start <= t.i < sent.end), key=lambda t: t.i)


def _is_actor_token(tok: Token, mentions: Sequence[Mention]) -> bool:
    if tok.lower_ in PERSONAL_PRONOUNS and tok.lower_ not in ("het", "men"):
        return True
    if any(m.start <= tok.idx < m.end for m in mentions):
        return True
    np_words = [t.lower_ for t in noun_phrase(tok)]
    if tok.pos_ == "PROPN":
        return True
    head = tok.lower_
    if head in ACTOR_NOUNS or _lemma(tok) in ACTOR_NOUNS:
        return True
    # compounds: "NAVO-landen", "FNV-voorzitter", "oppositiepartijen"
    if any(
        head.endswith(n)
        for n in (
            "landen",
            "partijen",
            "bond",
            "bonden",
            "raad",
            "ministerie",
            "leiders",
            "bedrijf",
            "voorzitter",
            "minister",
            "premier",
            "directeur",
        )
    ):
        return True
    return any(w in ACTOR_NOUNS for w in np_words[-1:])


def _names_actor(tok: Token, mentions: Sequence[Mention]) -> bool:
    """ "Er komt een coalitie / een 'coalition of the willing' om ...": a body that will act."""
    return _is_actor_token(tok, mentions) or any(
        t.lower_ in ACTOR_NOUNS or t.lower_ in ("coalition", "taskforce", "werkgroep")
        for t in noun_phrase(tok)
    )


def _hedged(sent: Span, clause: Sequence[Token]) -> bool:
    words = {t.lower_ for t in clause}
    if words & HEDGES:
        return True
    text = sent.text.lower()
    return any(p in text for p in HEDGE_PHRASES)


def _condition(sent: Span, clause_start: int, clause_end: int) -> tuple[str, int, int] | None:
    """A condition clause (als/mits/indien/op voorwaarde dat ...) in the sentence, with its offsets."""
    text = sent.text
    for m in CONDITION_RX.finditer(text):
        cond = m.group("cond").strip().rstrip(".!?\"'”")
        if cond.lower().startswith("als ") and len(cond.split()) < 3:
            continue
        start = sent.start_char + m.start("cond")
        return cond, start, start + len(cond)
    # no comma before it: "naar de rechter te stappen als het kabinet ... uitstelt"
    doc = sent.doc
    for t in sent:
        if t.lower_ not in CONDITION_MARKERS or t.pos_ != "SCONJ" or t.i == sent.start:
            continue
        end = t.i + 1
        while end < sent.end and doc[end].text not in ",;:.!?" and doc[end].text not in QUOTE_CHARS:
            end += 1
        if (
            end - t.i < 3
            or doc[t.i + 1].pos_ not in ("DET", "PRON", "PROPN")
            or doc[t.i - 1].lower_ in ("zolang", "zo", "net", "dan", "even")
            or not any(x.pos_ in ("VERB", "AUX") for x in doc[t.i + 2 : end])
        ):
            continue  # "als derde eindigen", "als lening doorgeven", "zolang als nodig is": no clause with a subject
        last = doc[end - 1]
        return doc.text[t.idx : last.idx + len(last.text)], t.idx, last.idx + len(last.text)
    return None


def _mask(text: str, base: int, spans: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(max(s - base, 0), min(e - base, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _build(
    cand: _Candidate,
    sent: Span,
    s_index: int,
    mentions: Sequence[Mention],
    discourse: Discourse,
    previous: list[Commitment],
    published: date | None,
    prev_speaker: Actor | None,
) -> Commitment | None:
    doc = sent.doc
    main = cand.main
    if _lemma(main) in INFORMATION_VERBS or main.lower_ in INFORMATION_VERBS:
        return None  # "willen weten waarom ...": a demand for information
    if any(
        _lemma(a) in DEMAND_VERBS and sent.start <= a.i < sent.end and a.i < cand.cue.i for a in cand.cue.ancestors
    ):
        return None  # the content of a demand on others
    if _lemma(main) == "afwachten" or (
        (_lemma(main) in WAIT_VERBS or main.lower_ in WAIT_VERBS)
        and any(t.lower_ in WAIT_ADVERBS for t in doc[max(sent.start, cand.cue.i - 4) : main.i])
    ):
        return None  # "we willen eerst zien", "wil het plan eerst bestuderen": wait-and-see
    if cand.actor_token is not None and not cand.er_komt and not cand.passive:
        np = cand.actor_span or noun_phrase(cand.actor_token)
        head = _np_head(np) if cand.actor_span else cand.actor_token
        if _lemma(head) in TIME_NOUNS or head.lower_ in TIME_NOUNS or head.dep_ in ("obl:tmod", "nmod:tmod"):
            return None  # "vorig jaar": a time adverbial is never the actor
    clause = _clause_tokens(main)
    clause_ids = {t.i for t in clause} | {cand.cue.i}
    words = _word_span(cand)
    if words:
        clause_ids |= {t.i for t in words}
        clause = words
    # the speaker: reporting verb above the cue ("zei dat ...") or beside it (", zei X"), volgens/aldus
    speaker, rep_verb = _reporting_above(cand.cue, mentions, s_index)
    if speaker is None:
        speaker, rep_verb = speaker_of(sent, {t.i for t in words} | {cand.cue.i} if words else clause_ids,
                                       mentions, s_index)  # fmt: skip
    quoted = _in_quote(sent, cand.cue)
    if speaker is None and quoted and prev_speaker is not None:
        speaker = prev_speaker
    if (
        speaker is not None
        and speaker.text.casefold() in FIRST_PERSON
        and quoted
        and prev_speaker is not None
    ):
        speaker = prev_speaker  # "We moeten ... laten weten": the quoted person speaks
    if speaker is not None and speaker.text.casefold() in ("hij", "zij", "ze", "hem", "haar"):
        # "volgens haar", "Hij zei": the person last named
        speaker = discourse.resolve("hij", before=speaker.start, plural=False, sentence=s_index) or speaker
    if is_belief_verb(rep_verb):
        return None  # "verwacht DNB", "vindt de SP": a forecast or opinion
    # condition
    cond = _condition(sent, clause[0].idx, clause[-1].idx + len(clause[-1].text))
    cond_span = (cond[1], cond[2]) if cond else None
    if cond_span and cond_span[0] <= cand.cue.idx < cond_span[1]:
        return None  # the cue sits inside the condition: "Als er een bestand komt"
    # actor
    actor = _resolve_actor(cand, sent, s_index, mentions, discourse, previous, speaker, prev_speaker)
    if actor is None:
        return None
    if _lemma(cand.cue).startswith("dreig") and (
        cand.actor_token is None or not _is_actor_token(cand.actor_token, mentions)
    ):
        return None  # "dreigen te" is a threat only from an actor ("de dijk dreigt te bezwijken" is not)
    is_weak_cue = cand.cue.lower_ in FUTURE_FORMS or cand.cue.lower_ in GAAN_FORMS
    if is_weak_cue and not cand.passive and not cand.er_komt:
        if cand.actor_token is None or not _is_actor_token(cand.actor_token, mentions):
            return None
        if _lemma(main) in OUTCOME_VERBS or main.lower_ in OUTCOME_VERBS:
            return None
        if _hedged(sent, clause):
            return None
        if cond is not None and cond[0].lower().startswith("als het ") and "zullen" not in cond[0]:
            pass
    if cand.er_komt:
        if cond is not None:
            return None  # "Als het kabinet valt, komen er verkiezingen": a hypothetical
        if speaker is None and not (
            _has_purpose(main) and cand.actor_token is not None and _names_actor(cand.actor_token, mentions)
        ):
            return None
    if (
        cand.passive
        and cand.actor_token is not None
        and _is_actor_token(cand.actor_token, mentions)
        and not any(c.dep_ == "obl:agent" for c in main.children)
    ):
        pass
    # polarity: negation in the committed clause (not in the condition)
    neg_tokens = [
        t for t in clause
        if t.lower_ in NEGATIONS and not (cond_span and cond_span[0] <= t.idx < cond_span[1])
    ] + [c for c in cand.cue.children if c.lower_ in NEGATIONS]  # fmt: skip
    negative = cand.negative or bool(neg_tokens) or cand.kind is K.REFUSAL
    kind = cand.kind
    if kind is K.PLAN and cand.cue.lower_ == "plan" and neg_tokens:
        kind = K.REFUSAL  # "niet van plan"
    if kind in (K.WILLINGNESS, K.INTENT) and any(c.lower_ in NEGATIONS for c in cand.cue.children):
        kind = K.REFUSAL
    # deadline: searched in the committed clause only, with the speaker and condition masked
    c_start = min(clause[0].idx, cand.cue.idx)
    c_end = max(clause[-1].idx + len(clause[-1].text), cand.cue.idx + len(cand.cue.text))
    masks = [cond_span] if cond_span else []
    if speaker is not None:
        masks.append((speaker.start, speaker.end))
    if rep_verb is not None:
        masks.append((rep_verb.idx, rep_verb.idx + len(rep_verb.text)))
    masked = _mask(doc.text[c_start:c_end], c_start, masks)
    found = find_deadline(masked)
    deadline_text = deadline = precision = None
    dl_ids: set[int] = set()
    if found is not None:
        deadline_text = doc.text[c_start + found.start : c_start + found.end]
        deadline, precision = resolve_deadline(deadline_text, published)
        dl_ids = {t.i for t in clause if c_start + found.start <= t.idx < c_start + found.end}
    action, action_key = _action(cand, clause, actor, speaker, cond_span, dl_ids, neg_tokens)
    if not action:
        return None
    firm = Firmness.TENTATIVE if (
        cond is not None or kind in (K.INTENT, K.WILLINGNESS)
        or any(t.lower_ in TENTATIVE or _lemma(t) in TENTATIVE for t in clause)
    ) else Firmness.FIRM  # fmt: skip
    confidence = cand.base_confidence
    if actor.entity_id is None:
        confidence -= 0.05
    if cand.passive or cand.er_komt:
        confidence -= 0.05
    start = min(
        c_start, actor.start if actor.sentence == s_index and actor.start >= sent.start_char else c_start
    )
    end = max(c_end, start + 1)
    return Commitment(
        actor=actor.text,
        action=action,
        kind=kind,
        polarity=Polarity.NEGATIVE if negative else Polarity.POSITIVE,
        firmness=firm,
        sentence=s_index,
        start=start,
        end=end,
        confidence=round(max(0.05, min(confidence, 0.99)), 2),
        extractor_version=EXTRACTOR_VERSION,
        actor_entity_id=actor.entity_id,
        speaker=speaker.text if speaker else None,
        speaker_entity_id=speaker.entity_id if speaker else None,
        conditional=cond is not None,
        condition=cond[0] if cond else None,
        deadline_text=deadline_text,
        deadline=deadline,
        deadline_precision=precision,
        action_key=action_key,
        actor_as_written=_as_written(cand, actor),
    )


def _as_written(cand: _Candidate, actor: Actor) -> str | None:
    """The cue's subject as the sentence writes it, when the actor was resolved to something else."""
    if cand.passive or cand.er_komt or cand.actor_token is None:
        return None  # no subject names the actor ("er komt", a passive's subject is its patient)
    written = span_text(cand.actor_token.doc, cand.actor_span or noun_phrase(cand.actor_token))
    return written if written and written.casefold() != actor.text.casefold() else None


_CLAUSE_END = frozenset(",;:.!?") | set(QUOTE_CHARS)


def _word_span(cand: _Candidate) -> list[Token]:
    """The committed clause by word order: after the subject (or the cue) up to the clause boundary.

    Dutch puts the verb cluster at the clause end, so the span from the subject (verb-final and
    verb-second clauses) or from the cue (inversion) to the next comma, "en dat" or reporting verb
    is the clause, whatever attachment errors the parser made inside it.
    """
    from newsdesk.analyze.attribution import REPORTING

    cue, main = cand.cue, cand.main
    doc, sent = cue.doc, _seg(cue)
    subj: list[Token] = []
    if cand.actor_span:
        subj = list(cand.actor_span)
    elif cand.actor_token is not None and not cand.passive:
        subj = noun_phrase(cand.actor_token)
    left = cue.i + 1
    if subj and subj[-1].i < cue.i and not any(t.text == "," for t in doc[subj[-1].i + 1 : cue.i]):
        left = subj[-1].i + 1
    elif subj and cue.i < subj[0].i <= cue.i + 2:
        left = subj[-1].i + 1
    if cand.passive or cand.er_komt:
        left = min(left, cue.i + 1)
    if cand.er_komt:  # "dat er meer ruimte zal komen": the content sits between "er" and the verb
        er = next((t for t in reversed(doc[sent.start : cue.i]) if t.lower_ == "er"), None)
        if er is not None and not any(t.text == "," for t in doc[er.i : cue.i]):
            left = er.i + 1
    last = max(main.i, cue.i)
    i = left
    while i < sent.end:
        t = doc[i]
        if i > last:
            if t.text == "," and _list_comma(doc, i, sent.end):
                i += 1  # "in woningen, wegen en onderwijs": a list goes on
                continue
            if t.text in _CLAUSE_END or t.is_space:
                break
            if (
                t.lower_ in ("en", "maar", "of")
                and i + 1 < sent.end
                and doc[i + 1].lower_ in ("dat", "die", "om")
            ):
                break
            if (
                t.pos_ in ("VERB", "AUX")
                and (_lemma(t) in REPORTING or t.lower_ in REPORTING)
                and t.i != main.i
                and (doc[i - 1].text in _CLAUSE_END or (i + 1 < sent.end and doc[i + 1].pos_ in _NOMINAL + ("DET",)))
            ):
                break  # ", zei X" / "zei X": not "ter beschikking stelt" at the end of a relative clause
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


def _has_purpose(tok: Token) -> bool:
    """ "Er komt een coalitie om een plan te maken": an "om te" clause gives er-komt an agent."""
    return any(t.lower_ == "om" for t in tok.subtree) and any(t.lower_ == "te" for t in tok.subtree)


def _in_quote(sent: Span, tok: Token) -> bool:
    before = sent.doc.text[sent.start_char : tok.idx]
    return sum(before.count(q) for q in QUOTE_CHARS) % 2 == 1


def _reporting_above(
    cue: Token, mentions: Sequence[Mention], s_index: int
) -> tuple[Actor | None, Token | None]:
    """Speaker of a reporting verb that governs the cue ("Hij zei dat ... zal ...")."""
    from newsdesk.analyze.attribution import BELIEF, REPORTING

    cur = cue
    for _ in range(4):
        if cur.dep_ in ("ROOT",) or cur.head.i == cur.i:
            return None, None
        parent = cur.head
        if not (_seg(cue).start <= parent.i < _seg(cue).end):
            return None, None  # a reporting verb in the next sentence does not govern this one
        lemma = _lemma(parent)
        if lemma == "laten" and not any(t.lower_ == "weten" for t in _seg(parent)):
            cur = parent  # "laten spelen" is not "laten weten"
            continue
        if cur.dep_ in ("ccomp", "conj", "xcomp", "aux", "aux:pass", "advcl", "parataxis") and (
            lemma in REPORTING or parent.lower_ in REPORTING or lemma in BELIEF or parent.lower_ in BELIEF
        ):
            subj = _subject(parent)
            if subj is not None:
                return actor_from_tokens(cue.doc, noun_phrase(subj), mentions, s_index), parent
            return None, parent
        cur = parent
    return None, None


def _resolve_actor(
    cand: _Candidate,
    sent: Span,
    s_index: int,
    mentions: Sequence[Mention],
    discourse: Discourse,
    previous: list[Commitment],
    speaker: Actor | None,
    prev_speaker: Actor | None = None,
) -> Actor | None:
    doc = sent.doc
    tok = cand.actor_token
    if cand.er_komt:
        om = next((t.i for t in doc[cand.cue.i : sent.end] if t.lower_ == "om"), sent.end)
        if _has_purpose(cand.main) and tok is not None and tok.i < om and _names_actor(tok, mentions):
            return actor_from_tokens(doc, noun_phrase(tok), mentions, s_index)
        return speaker
    if cand.passive:
        agent = next(
            (
                c
                for c in cand.main.children
                if c.dep_ == "obl:agent" and any(g.lower_ == "door" for g in c.children)
            ),
            None,
        )
        if agent is not None:
            return actor_from_tokens(doc, noun_phrase(agent), mentions, s_index)
        if previous:
            last = previous[-1]
            return Actor(last.actor, last.start, last.end, last.actor_entity_id, None, False, last.sentence)
        return None
    if tok is None:
        return None
    np = cand.actor_span or noun_phrase(tok)
    actor = actor_from_tokens(doc, np, mentions, s_index)
    low = tok.lower_
    # "aangevoerd door het VK en Frankrijk": the parser may make the participle's agent the subject
    if low in FIRST_PERSON:
        return speaker or actor
    if low in PERSONAL_PRONOUNS:
        plural: bool | None = None
        if low in ("hij", "het"):
            plural = False
        elif low in ("ze", "zij"):
            num = _finite_near(cand.cue).morph.get("Number", [])
            plural = ("Plur" in num) if num else None
        matrix = _matrix_subject(cand.cue, mentions, s_index)
        if matrix is None and speaker is not None and speaker.sentence == s_index and speaker.start < tok.idx:
            matrix = speaker  # "Schoof zei erbij dat hij ...": the reporter, even if no entity was found
        if (
            matrix is None
            and low in ("hij", "zij")
            and plural is not True
            and prev_speaker is not None
            and prev_speaker.sentence >= s_index - 1
            and prev_speaker.text.casefold() not in PERSONAL_PRONOUNS
            and tok.i == sent.start
        ):  # '"...", zei voorzitter X. Zij is wel bereid ...': the person just quoted, whatever NER said
            return prev_speaker
        resolved = discourse.resolve(low, before=tok.idx, plural=plural, sentence=s_index, matrix=matrix)
        return (
            resolved or (speaker if low in ("hij", "zij", "ze") and speaker and not plural else None) or actor
        )
    if low in GROUP_NOUNS and any(c.lower_ in ("de", "deze") for c in tok.children):
        resolved = discourse.resolve(low, before=tok.idx, plural=None, sentence=s_index)
        if resolved is not None and resolved.text.casefold() != actor.text.casefold():
            return resolved
    return actor


def _matrix_subject(cue: Token, mentions: Sequence[Mention], s_index: int) -> Actor | None:
    """Subject of the verb that embeds the cue's clause ("Hij zei dat hij ...", "afgesproken dat ze")."""
    cur = cue
    for _ in range(4):
        if cur.head.i == cur.i:
            return None
        if cur.dep_ in ("ccomp", "xcomp", "advcl"):
            subj = _subject(cur.head)
            if subj is not None and subj.i != cue.i:
                return actor_from_tokens(cue.doc, noun_phrase(subj), mentions, s_index)
        cur = cur.head
    return None


def _action(
    cand: _Candidate,
    clause: Sequence[Token],
    actor: Actor,
    speaker: Actor | None,
    cond_span: tuple[int, int] | None,
    dl_ids: set[int],
    neg_tokens: Sequence[Token],
) -> tuple[str, str]:
    """The committed predicate phrase ("een plan presenteren aan de Europese Raad") and its key."""
    main = cand.main
    noun_cue = cand.cue.lower_ in NOUN_CUES
    skip = set(dl_ids) | {t.i for t in neg_tokens} | (set() if noun_cue else {cand.cue.i} - {main.i})
    subj = cand.actor_token
    if subj is not None and not cand.er_komt:  # "er komt een fonds": the subject is what is promised
        skip |= {t.i for t in (cand.actor_span or noun_phrase(subj, keep_appos=True))}
        if cand.actor_span is None:
            skip |= {t.i for t in subj.subtree}
    for t in clause:
        if t.dep_ in ("aux", "aux:pass", "cop", "punct", "expl") and t.i != main.i and t.i > main.i - 4:
            skip.add(t.i)
        if t.lower_ in ("zal", "zullen", "zult", "is", "zijn", "heeft", "hebben") and t.i != main.i:
            skip.add(t.i)
        if (
            t.lower_ in ("er", "dat", "daarna", "ook", "al", "volgens", "aldus", "toe", "af")
            and t.i != main.i
        ):
            skip.add(t.i)
        if t.lower_ in QUOTE_CHARS or t.text in QUOTE_CHARS:
            skip.add(t.i)
        if t.head.i == cand.cue.i and t.dep_ == "compound:prt" and t.i != main.i:
            skip.add(t.i)  # "kondigt ... aan": the cue's particle is not part of the action
        if t.i == cand.cue.i + 1 and t.lower_ in _PARTICLES and t.pos_ in ("ADP", "ADV") and t.i != main.i:
            skip.add(t.i)
        if t.i > main.i and t.lower_ in _PARTICLES and t.head.i == cand.cue.i and cand.cue.i != main.i:
            skip.add(t.i)
        if cond_span and cond_span[0] <= t.idx < cond_span[1]:
            skip.add(t.i)
        if speaker and speaker.start <= t.idx < speaker.end:
            skip.add(t.i)
        if (
            t.dep_ == "advcl"
            and t.i != main.i
            and any(c.dep_ == "mark" and c.lower_ != "te" for c in t.children)
            and not any(x.i == main.i for x in t.subtree)
        ):  # conditions and time clauses are reported apart
            skip |= {x.i for x in t.subtree}
    words = [t for t in clause if t.i not in skip]
    if cand.er_komt and _has_purpose(main) and actor.start >= cand.cue.idx:
        # "Er komt een coalitie ... om een vredesplan te maken": the purpose is the action
        doc = main.doc
        om = next((t for t in doc[cand.cue.i : _seg(main).end] if t.lower_ == "om"), None)
        if om is not None:
            words = []
            for t in doc[om.i + 1 : _seg(main).end]:
                if t.text in _CLAUSE_END or t.is_space:
                    break
                words.append(t)
            cand = _Candidate(cand.cue, cand.cue, cand.kind, None, cand.base_confidence)
    dat = next((t for t in clause if t.lower_ == "dat" and t.i > cand.cue.i and t.i < main.i), None)
    if dat is not None and cand.kind is not K.PLAN or (dat is not None and cand.announce is None):
        # "afgesproken dat ze Oekraïne blijven steunen": the complement is the action
        words = [t for t in words if t.i > dat.i]
        if words and words[0].lower_ in PERSONAL_PRONOUNS:
            words = words[1:]
    if not words:
        return "", ""
    # Dutch main clauses put the finite verb second: move it to the end as an infinitive
    texts: list[str] = []
    tail: list[str] = []
    for t in words:
        if (
            t.i == main.i
            and t.pos_ in ("VERB", "AUX")
            and ("Fin" in t.morph.get("VerbForm", []) or (noun_cue and "Part" in t.morph.get("VerbForm", [])))
        ):
            tail.append(_lemma(t))
        elif t.dep_ == "compound:prt" and t.head.i == main.i and tail:
            tail.insert(0, t.text)
        else:
            texts.append(t.text)
    action = " ".join(texts + tail)
    action = re.sub(r"\s+([,.;:!?])", r"\1", action).strip(" ,.;:")
    action = re.sub(r"^(?:om|dat|van)\s+", "", action)
    # the complement's own infinitive ends the phrase: "troepen naar Oekraïne te sturen" -> "... sturen",
    # "bij te dragen" -> "bijdragen"; a purpose clause inside keeps its "om ... te"
    action = re.sub(
        r"\b(uit|aan|op|af|toe|bij|mee|in|door|terug|over|samen|voor|vast|weg)\s+te\s+(\w+)$", r"\1\2", action
    )
    action = re.sub(r"\bte\s+(\w+)$", r"\1", action)
    if cand.er_komt:
        action = "er komt " + re.sub(r"\s*\b(?:komt|komen|zal komen)$", "", action)
    content = sorted(
        {
            _lemma(t)
            for t in words
            if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM") and _lemma(t) not in ("zullen", "gaan")
        }
    )
    return action, " ".join(content)


def _dedupe(items: list[Commitment]) -> list[Commitment]:
    """One record per (sentence, action span): the most confident one."""
    best: dict[tuple[int, int, int], Commitment] = {}
    for c in items:
        key = (c.sentence, c.start, c.end)
        if key not in best or c.confidence > best[key].confidence:
            best[key] = c
    out = sorted(best.values(), key=lambda c: (c.start, c.end))
    # a lexical cue and a future auxiliary on the same main verb: keep one
    final: list[Commitment] = []
    for c in out:
        if final and final[-1].sentence == c.sentence and final[-1].action == c.action:
            if c.confidence > final[-1].confidence:
                final[-1] = c
            continue
        final.append(c)
    return final
