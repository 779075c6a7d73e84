"""Who said it, and who "hij", "ze", "de coalitie" are: speakers and actor resolution.

Owns the reporting-verb vocabulary and the small discourse model of an article: the actors seen
so far, in order, so pronouns and definite descriptions resolve to the most recent compatible
one. Works on spaCy tokens with UD Dutch labels; everything here is heuristic and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newsdesk.models import EntityLabel, Mention

log = logging.getLogger(__name__)

# Lemmas (and a few frequent forms, in case the lemmatizer misses) of verbs that report speech.
REPORTING = frozenset(
    "zeggen zei zegt zeiden stellen stelde stelt benadrukken benadrukte benadrukt melden meldde meldt "
    "verklaren verklaarde verklaart vertellen vertelde vertelt bevestigen bevestigde bevestigt "
    "herhalen herhaalde herhaalt schrijven schreef schrijft laten liet onderstrepen onderstreepte "
    "verzekeren verzekerde beweren beweerde antwoorden antwoordde reageren reageerde twitteren "
    "toelichten lichtte waarschuwen waarschuwde zeggen_erbij bekendmaken aankondigen "
    "kondigde kondigt".split()
)
REPORTING_FORMS = frozenset(
    "zei zegt zeiden gezegd stelde benadrukte benadrukt meldde verklaarde vertelde bevestigde herhaalde "
    "schreef liet onderstreepte verzekerde beweerde antwoordde reageerde waarschuwde".split()
)
# Reporting verbs that mark a forecast or opinion: what they report is not a commitment.
BELIEF = frozenset(
    "verwachten verwacht verwachtte denken denkt dachten voorspellen voorspelt vinden vindt vond "
    "vrezen vreest hopen hoopt menen meent".split()
)

PERSONAL_PRONOUNS = frozenset("ik wij we hij zij ze het u jij je jullie men".split())
FIRST_PERSON = frozenset("ik wij we".split())
# Head nouns of descriptions that can stand for an actor mentioned before ("de coalitie").
GROUP_NOUNS = frozenset(
    "coalitie landen lidstaten partijen leiders regeringsleiders europeanen britten fransen bondgenoten "
    "groep alliantie partners bonden werkgevers".split()
)  # fmt: skip


COLLECTIVE_NOUNS = frozenset("coalitie groep alliantie".split())
# Words that end a person's title ("VVD-fractievoorzitter", "Staatssecretaris", "NAVO-chef"): a
# phrase that ends in one takes the name right after it ("staatssecretaris Eddie van Marum").
TITLE_ENDINGS = (
    "minister", "premier", "president", "secretaris", "staatssecretaris", "voorzitter", "leider",
    "burgemeester", "wethouder", "gedeputeerde", "directeur", "topman", "topvrouw", "woordvoerder",
    "woordvoerster", "kamerlid", "raadslid", "rector", "trainer", "coach", "chef", "onderhandelaar",
    "commissaris", "kanselier", "koning", "koningin", "generaal", "voorman", "voorvrouw", "ceo",
    "bestuurder", "ombudsman", "hoogleraar", "econoom", "advocaat", "eigenaar",
)  # fmt: skip
NAME_PARTICLES = frozenset("van der den de te ten ter von le la da del di 't".split())
# Adverbs and conjunctions the parser may leave at the front of a subject ("Ook VVD-fractievoorzitter").
LEADING_NON_NAME = frozenset("ook zelfs wel nu dan toen daarna vervolgens en maar alleen echter".split())


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor as written, where it is, and the entity it names (if any)."""

    text: str
    start: int
    end: int
    entity_id: str | None = None
    label: EntityLabel | None = None
    plural: bool = False
    sentence: int = 0


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
                continue  # "planners ... bij elkaar": a PP of the verb the parser hung on the noun
            walk(child)

    walk(token)
    keep.sort(key=lambda t: t.i)
    # keep a contiguous run around the head: drops a trailing ", aangevoerd door ..." the parser attached
    span: list[Token] = []
    for t in keep:
        if span and t.i != span[-1].i + 1:
            if t.i > token.i and span[-1].i >= token.i:
                break
            span = []
        span.append(t)
    return span or [token]


def span_text(doc: Doc, tokens: Sequence[Token]) -> str:
    if not tokens:
        return ""
    return doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def mention_in(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    """The longest mention inside [start, end), preferring persons and organisations."""
    inside = [m for m in mentions if m.start >= start and m.end <= end]
    if not inside:
        return None
    rank = {EntityLabel.PER: 0, EntityLabel.ORG: 1, EntityLabel.LOC: 2, EntityLabel.MISC: 3}
    return min(inside, key=lambda m: (m.start, rank[m.label], -(m.end - m.start)))


def is_title(token: Token) -> bool:
    low = token.lower_
    return low.endswith(TITLE_ENDINGS) and token.pos_ in ("NOUN", "PROPN", "X")


def with_name(tokens: Sequence[Token]) -> list[Token]:
    """The phrase without leading adverbs, and with the name after a closing title.

    "Ook VVD-fractievoorzitter | Dilan Yeşilgöz-Zegerius" -> "VVD-fractievoorzitter Dilan
    Yeşilgöz-Zegerius"; "Staatssecretaris | Eddie van Marum (Herstel Groningen)" -> "Staatssecretaris
    Eddie van Marum". A name is capitalised words and name particles before a capital.
    """
    out = list(tokens)
    while len(out) > 1 and (out[0].pos_ in ("ADV", "CCONJ") or out[0].lower_ in LEADING_NON_NAME):
        out = out[1:]
    if not out or not (is_title(out[-1]) or (out[-1].pos_ == "PROPN" and out[-1].text[:1].isupper())):
        return out
    name_only = not is_title(out[-1])  # "Dennis | te Kloese": only particles and names continue a name
    doc = out[0].doc
    end = out[-1].sent.end
    i = out[-1].i + 1
    while i < end:
        t = doc[i]
        if t.text[:1].isupper() and t.pos_ in ("PROPN", "NOUN", "X", "ADJ") and not t.is_space:
            if name_only:
                break
            out.append(t)
        elif (
            t.lower_ in NAME_PARTICLES
            and t.text.islower()
            and (out[-1].i > tokens[-1].i or name_only)
            and i + 1 < end
            and doc[i + 1].text[:1].isupper()
            and doc[i + 1].pos_ in ("PROPN", "NOUN", "X")
        ):
            out.append(t)
            out.append(doc[i + 1])
            name_only = False  # "te Kloese": the rest of the name may follow
            i += 1
        else:
            break
        i += 1
    return out


def actor_from_tokens(doc: Doc, tokens: Sequence[Token], mentions: Sequence[Mention], sentence: int) -> Actor:
    tokens = with_name(tokens) or list(tokens)
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    # a quoted name: "een 'coalition of the willing'" up to the closing quote
    opening = doc[tokens[0].i - 1] if tokens[0].i > 0 else None
    if opening is not None and opening.text in "'\"‘“" and tokens[0].i - 1 >= tokens[0].sent.start:
        for t in doc[tokens[-1].i + 1 : min(tokens[-1].i + 6, tokens[0].sent.end)]:
            if t.text in "'\"’”":
                end = t.idx
                break
    # widen to names the phrase cuts through ("Von" of "Von der Leyen")
    for m in mentions:
        if m.start < end and start < m.end and m.sentence == sentence or (m.start < end and start < m.end):
            start, end = min(start, m.start), max(end, m.end)
    mention = mention_in(mentions, start, end)
    head = max(tokens, key=lambda t: -len(list(t.ancestors)))  # the shallowest token
    plural = (
        any(t.dep_ == "conj" for t in tokens)
        or "Plur" in head.morph.get("Number", [])
        or head.lower_ in ("we", "wij", "zij", "jullie")
    )
    # "het Verenigd Koninkrijk en Frankrijk": a coordination names no single entity
    entity = None if plural and any(t.dep_ == "conj" for t in tokens) else mention
    return Actor(
        text=doc.text[start:end], start=start, end=end,
        entity_id=entity.entity.entity_id if entity else None,
        label=entity.label if entity else None, plural=plural, sentence=sentence,
    )  # fmt: skip


def speaker_of(
    sent: Span, exclude: set[int], mentions: Sequence[Mention], sentence: int
) -> tuple[Actor | None, Token | None]:
    """The speaker credited in ``sent`` ("zei Starmer", "volgens Rutte", "aldus X"), with its verb.

    Tokens in ``exclude`` (the commitment's own clause) are not searched for the reporting verb.
    """
    doc = sent.doc
    for tok in sent:
        low = tok.lower_
        if low == "volgens" or low == "aldus":
            # "volgens minister Keijzer" / "aldus FNV-voorzitter X": the phrase after the word, by word order
            np = _words_after(tok)
            if np:
                return actor_from_tokens(doc, np, mentions, sentence), tok
    for tok in sent:
        if tok.i in exclude:
            continue
        # a reporting form counts whatever its tag ("gezegd/ADJ"); a lemma only on a verb
        if tok.lower_ in REPORTING_FORMS or (tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in REPORTING):
            if tok.lemma_.lower() == "laten" or tok.lower_ in ("liet", "laat", "lieten"):
                if not any(t.lower_ == "weten" for t in sent[tok.i - sent.start :]):
                    continue  # "laten rijden" is not "laten weten"
            subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubj:pass")), None)
            np = noun_phrase(subj) if subj is not None else _name_before(tok)
            if not np:
                subj = _next_nominal(tok)
                np = noun_phrase(subj) if subj is not None else []
            if np and not any(t.i in exclude for t in np):
                # "zei topvrouw Marjan Rintel": a title and the name after it
                while np[-1].i + 1 < sent.end and doc[np[-1].i + 1].pos_ == "PROPN":
                    np = [*np, doc[np[-1].i + 1]]
                return actor_from_tokens(doc, np, mentions, sentence), tok
    return None, None


def _words_after(tok: Token) -> list[Token]:
    doc = tok.doc
    out: list[Token] = []
    for t in doc[tok.i + 1 : tok.sent.end]:
        if t.pos_ in ("DET", "ADJ", "NOUN", "PROPN", "NUM", "X") or (t.pos_ == "PRON" and not out):
            out.append(t)
            if t.pos_ == "PRON":
                break
        elif t.lower_ in ("van", "der", "den", "de") and out:
            out.append(t)
        else:
            break
    while out and out[-1].pos_ in ("DET", "ADP") or (out and out[-1].lower_ in ("van", "der", "den")):
        out.pop()
    # a lower-case noun after a name is the clause's subject, not the speaker ("volgens Rutte landen ...")
    return out


def is_belief_verb(token: Token | None) -> bool:
    return token is not None and (token.lemma_.lower() in BELIEF or token.lower_ in BELIEF)


def _name_before(tok: Token) -> list[Token]:
    """ "Schoof benadrukte": the name or noun phrase opening the sentence right before the verb."""
    doc = tok.doc
    j = tok.i - 1
    while j >= tok.sent.start and doc[j].pos_ in ("PROPN", "NOUN", "DET", "ADJ"):
        j -= 1
    np = list(doc[j + 1 : tok.i])
    if not np or (j >= tok.sent.start and doc[j].text not in ",\"'“”"):
        # "Starmer had eerder al gezegd": the phrase opening the sentence before its finite auxiliary
        k = tok.sent.start
        while k < tok.i and doc[k].pos_ in ("PROPN", "NOUN", "DET"):
            k += 1
        between = doc[k + 1 : tok.i]
        if (
            k > tok.sent.start and k < tok.i and doc[k].pos_ == "AUX"
            and any(t.pos_ in ("PROPN", "NOUN") for t in doc[tok.sent.start : k])
            and all(t.pos_ in ("ADV", "ADJ") for t in between)  # "had eerder al gezegd", nothing else
        ):  # fmt: skip
            return list(doc[tok.sent.start : k])
        return []
    return np if any(t.pos_ in ("PROPN", "NOUN") for t in np) else []


def _next_nominal(tok: Token) -> Token | None:
    """The head of the noun phrase right after ``tok`` (fallback when the parse is unhelpful)."""
    doc = tok.doc
    end = tok.sent.end
    i = tok.i + 1
    while i < end and doc[i].pos_ in ("DET", "ADJ", "ADV", "PUNCT", "ADP") and doc[i].text not in ",.":
        i += 1
    if i >= end or doc[i].pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    j = i
    while j + 1 < end and doc[j + 1].pos_ in ("PROPN",) and doc[j].pos_ in ("PROPN", "NOUN"):
        j += 1
    return doc[j] if doc[j].pos_ == "PROPN" else doc[i]


class Discourse:
    """Actors seen so far in one article, for pronoun and description resolution."""

    def __init__(self) -> None:
        self.actors: list[Actor] = []
        self.committed: list[Actor] = []  # actors of commitments found so far: preferred antecedents
        self.entities: list[tuple[int, Mention]] = []

    def add(self, actor: Actor) -> None:
        self.actors.append(actor)

    def note_mentions(self, mentions: Sequence[Mention]) -> None:
        self.entities = [(m.start, m) for m in mentions]

    def resolve(
        self, text: str, *, before: int, plural: bool | None, sentence: int, matrix: Actor | None = None
    ) -> Actor | None:
        """The most recent compatible actor for pronoun or description ``text`` before offset ``before``."""
        low = text.casefold().split()
        head = low[-1] if low else ""
        if matrix is not None and _compatible(matrix, head, plural):
            return matrix  # "Hij zei dat hij ...", "hebben afgesproken dat ze ...": the matrix subject
        if head in COLLECTIVE_NOUNS:
            recent = [a for a in reversed(self.committed) if a.start < before and sentence - a.sentence <= 6]
            # a named group ("een groep landen", "het VK en Frankrijk") before any plural ("de Europeanen")
            for actor in recent:
                if any(
                    w in actor.text.casefold() for w in ("groep", "coalit", "alliantie", "landen", " en ")
                ):
                    return actor
            for actor in recent:
                if _compatible(actor, head, plural):
                    return actor
        if head in ("hij", "zij", "ze") and not plural:
            for start, m in reversed(self.entities):
                if start < before and m.label is EntityLabel.PER:
                    return Actor(m.text, m.start, m.end, m.entity.entity_id, m.label, False, m.sentence)
        for actor in reversed(self.actors):
            if actor.start < before and sentence - actor.sentence <= 3 and _compatible(actor, head, plural):
                return actor
        if head in ("het", "ze", "zij") and not plural:
            for start, m in reversed(self.entities):
                if start < before and m.label in (EntityLabel.ORG, EntityLabel.LOC):
                    return Actor(m.text, m.start, m.end, m.entity.entity_id, m.label, False, m.sentence)
        return None


def _compatible(actor: Actor, head: str, plural: bool | None) -> bool:
    if actor.text.casefold() in PERSONAL_PRONOUNS:
        return False
    if head == "hij":
        return actor.label is EntityLabel.PER or (actor.label is None and not actor.plural)
    if head == "het":
        return actor.label in (EntityLabel.ORG, EntityLabel.LOC, None) and not actor.plural
    if head in ("ze", "zij"):
        return plural is None or actor.plural == plural
    if head in COLLECTIVE_NOUNS:
        # "de coalitie": a group named before ("het VK en Frankrijk", "een groep Europese landen")
        low = actor.text.casefold()
        return actor.plural or any(w in low for w in ("groep", "landen", "coalitie", "alliantie", " en "))
    # "de landen", "de partijen": only an antecedent that uses the same word
    return head in actor.text.casefold() and actor.plural
