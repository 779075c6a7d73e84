"""Who commits and who says so: actor and speaker resolution over one document.

Owns ``DocumentContext`` (the entity mentions of the document, how salient each entity is, the
speakers and subjects seen so far) and the resolution rules:

* A subject that contains entity mentions names those entities: titles and functions fall away
  ("Staatssecretaris Eddie van Marum" -> Eddie van Marum, "De Italiaanse omroep RAI" -> RAI), and
  coordinated names are separate actors ("Picqué en Gabriëls" -> two), except the parties of a
  collective agreement, which are one group actor (``_group`` in the package: "Havenbedrijf
  Rotterdam en TenneT hebben een akkoord gesloten").
* A personal pronoun resolves to the nearest compatible antecedent: the subject of the verb that
  reports it ("Hij zei dat hij ..."), the person just quoted, then the nearest earlier mention
  of the right type (a person for "hij", an organisation or place for "het", a group for "ze"
  with a plural verb), then the document's most salient entity of that type.
* "ik"/"we" in a quote is the speaker; "we" of a spokesperson is the organisation the document
  is about when it names one.
* A relative pronoun ("die", "dat") is its antecedent; a definite description ("de partij",
  "de minister") the salient entity of that type. "regering"/"kabinet" stay as written: the
  guidelines name governments that way.
* A passive or impersonal plan takes the agent ("door X"), else the speaker, else the
  organisation the sentence or the document names most.
* Never an actor: a dateline ("DEN HAAG (ANP) -"), a bare pronoun that resolves to nothing, a
  time phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from newsdesk.analyze.commitments.clauses import (
    is_finite,
    is_reporting,
    lemma,
    noun_phrase,
    segment_of,
    subject_of,
)
from newsdesk.analyze.commitments.lexicon import QUOTE_CHARS, TIME_WORDS, actor_nouns
from newsdesk.analyze.dutch import NAME_PARTICLES
from newsdesk.analyze.entities import doc_text
from newsdesk.analyze.typer import KNOWLEDGE_COLUMNS, KnowledgeTable
from newsdesk.models import EntityLabel, Mention

PERSONAL_PRONOUNS = frozenset("ik wij we hij zij ze het u jij je jullie men".split())
FIRST_PERSON = frozenset("ik wij we".split())
FIRST_PERSON_OWNERS = {"onze": "we", "ons": "we", "mijn": "ik"}  # a possessive stands for its owner
RELATIVE = frozenset("die dat wie welke".split())
# The knowledge columns that make a place a polity: a town, a region, a country.
_POLITY_COLUMNS = tuple(KNOWLEDGE_COLUMNS.index(c) for c in ("place_benl", "place_world", "country"))
_PARTNER_CASES = frozenset("met tegen bij naar tussen zonder aan".split())
# Nouns for a town's government: the guidelines name it "gemeente X" after its town.
MUNICIPAL = frozenset("gemeente stad college stadsbestuur gemeentebestuur schepencollege".split())
LEADING_NON_NAME = frozenset(
    "ook zelfs wel nu dan toen daarna vervolgens en maar alleen echter zo nochtans toch daarom bovendien "
    "intussen ondertussen inmiddels evenwel immers dus daarnaast tevens eveneens".split()
)  # adverbs that open a sentence: "Nochtans was aangekondigd dat ..." has no subject "Nochtans"
# "DEN HAAG (ANP) -", "BRUSSEL -": a dateline opens the text of a wire story.
_DATELINE = re.compile(r"^[A-ZÀ-Ý' .-]{3,}(?:\s*\([A-Za-z]+\))?\s*[-–—]")


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor: its name, where the words naming it are, and the entity it is (if known)."""

    text: str
    start: int
    end: int
    entity_id: str | None = None
    label: EntityLabel | None = None
    plural: bool = False
    sentence: int = 0
    # how the actor was found: "subject", "pronoun", "relative", "description", "speaker",
    # "context", "agent"
    how: str = "subject"
    written: str | None = None  # the words of the sentence, when they are not the name


def is_title(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN", "X") and actor_nouns().is_title(token.lower_)


def span_text(doc: Doc, tokens: Sequence[Token]) -> str:
    if not tokens:
        return ""
    return doc_text(doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


# --------------------------------------------------------------------------- document context


@dataclass(slots=True)
class DocumentContext:
    """What the resolution rules know about one document."""

    doc: Doc
    mentions: Sequence[Mention]
    salience: Counter[str] = field(default_factory=Counter)  # entity id -> mentions
    by_id: dict[str, Mention] = field(default_factory=dict)  # entity id -> its longest mention
    speakers: list[Actor] = field(default_factory=list)  # speakers credited so far, in order
    actors: list[Actor] = field(default_factory=list)  # actors of commitments so far, in order
    # subjects of candidate clauses across the whole document: who the document is about
    topics: Counter[str] = field(default_factory=Counter)
    topic_actors: dict[str, Actor] = field(default_factory=dict)
    # every speaker the document credits, wherever it stands: who its quotes are from
    all_speakers: list[Actor] = field(default_factory=list)
    author: Actor | None = None  # the byline ("Door Peter Vangindertael", a line of names only)
    _government: tuple[Actor | None] | None = None  # computed once, on first use
    # per segment (start, end): its colon, its "volgens"/"aldus", its finite reporting verbs
    _speech: dict[tuple[int, int], tuple[Token | None, list[Token], list[Token]]] = field(default_factory=dict)

    def government(self) -> Actor | None:
        """The government the document names most often ("de Vlaamse regering", "het kabinet",
        "de regering-Verhofstadt"), wherever it stands: who a passive policy measure belongs to."""
        if self._government is None:
            self._government = (_named_government(self),) if _GOVERNMENT_WORD.search(doc_text(self.doc)) else (None,)
        return self._government[0]

    def note_topic(self, actor: Actor) -> None:
        key = actor.entity_id or actor.text.casefold()
        self.topics[key] += 1
        self.topic_actors.setdefault(key, actor)

    def topic(self, *, persons: bool = False, government: bool = False) -> Actor | None:
        """The actor the document's clauses have as subject most often: an organisation, a place or a
        government before a person (``persons``: a person too; ``government``: a government first,
        when the document has one as a subject)."""
        ranked = sorted(self.topics.items(), key=lambda kv: (-kv[1], self.topic_actors[kv[0]].start))
        if government:
            for key, _ in ranked:
                actor = self.topic_actors[key]
                if actor.entity_id is None and is_government(actor.text):
                    return actor
        for key, _ in ranked:
            actor = self.topic_actors[key]
            if actor.label is not EntityLabel.PER or persons:
                return actor
        return None

    @classmethod
    def build(cls, doc: Doc, mentions: Sequence[Mention]) -> DocumentContext:
        ctx = cls(doc, mentions)
        text = doc_text(doc)
        for m in mentions:
            if not _credit(text, m):
                ctx.salience[m.entity.entity_id] += 1
            best = ctx.by_id.get(m.entity.entity_id)
            if best is None or len(m.text) > len(best.text):
                ctx.by_id[m.entity.entity_id] = m
        ctx.author = byline(doc, mentions)
        return ctx

    def main_speaker(self, *, person: bool = False) -> Actor | None:
        """The named speaker (a person or organisation the entities know; ``person``: a person) the
        document credits most often; ties: the first credited."""
        labels = (EntityLabel.PER,) if person else (EntityLabel.PER, EntityLabel.ORG)
        named = [a for a in self.all_speakers if a.entity_id is not None and a.label in labels]
        counts = Counter(a.entity_id for a in named)
        best = max(counts.values(), default=0)
        return next((a for a in named if counts[a.entity_id] == best), None)

    def affiliation(self, person: Actor) -> Mention | None:
        """The organisation a person speaks for, as the text says it: "X, de voorzitter van de
        Europese Commissie", "Commissie-voorzitter X", "X (VVD)"."""
        doc = self.doc
        text = doc_text(doc)
        for m in self.mentions:
            if m.entity.entity_id != person.entity_id or person.entity_id is None:
                continue
            after = text[m.end : m.end + 80]
            if after.startswith((",", " (")):
                stop = min((i for i in (after.find(",", 1), after.find(")"), after.find(".")) if i > 0), default=80)
                orgs = [o for o in self.mentions_in(m.end, m.end + stop) if _entity_label(o) is EntityLabel.ORG]
                if orgs:
                    return orgs[0]
            before = text[max(0, m.start - 40) : m.start].rstrip()
            for o in self.mentions:  # "Commissie-voorzitter Von der Leyen"
                if (
                    _entity_label(o) is EntityLabel.ORG
                    and o.end <= m.start
                    and before.endswith(tuple(f"{o.text}-{t}" for t in actor_nouns().titles))
                ):
                    return o
        return None

    def polity(self, name: str, entity_id: str | None) -> bool:
        """A place that can act through its government: a catalog place, or a town, region or
        country the knowledge vectors list ("Gent", "Vermont"); not a building or a street
        ("de Handelsbeurs", "de Kouter"). Without knowledge vectors every place counts."""
        known = self.by_id.get(entity_id) if entity_id is not None else None
        if known is not None and known.entity.wikidata_id:
            return True
        table = KnowledgeTable.of(self.doc.vocab)
        if table is None:
            return True
        row = table.row(name)
        return row is not None and any(row[i] > 0 for i in _POLITY_COLUMNS)

    def named(self, t: Token) -> bool:
        """``t`` is part of an entity mention."""
        return any(m.start <= t.idx < m.end for m in self.mentions)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def most_salient(
        self, labels: Sequence[EntityLabel], *, outside: tuple[int, int] | None = None, places: bool = True
    ) -> Mention | None:
        """The entity of one of ``labels`` the document mentions most (ties: the earliest), not
        counting an entity named inside ``outside`` (the clause itself: "Die heeft Simonet beloofd");
        ``places=False``: of the places only a town, region or country (no building or street)."""
        best: tuple[int, int] | None = None
        chosen: Mention | None = None
        excluded = {m.entity.entity_id for m in self.mentions_in(*outside)} if outside is not None else set()
        for m in self.mentions:
            if _entity_label(m) not in labels or m.entity.entity_id in excluded:
                continue
            if not places and _entity_label(m) is EntityLabel.LOC and not self.polity(m.text, m.entity.entity_id):
                continue
            key = (self.salience[m.entity.entity_id], -m.start)
            if best is None or key > best:
                best, chosen = key, m
        return chosen

    def nearest_before(
        self, offset: int, labels: Sequence[EntityLabel], *, sentence: int, window: int = 2
    ) -> Mention | None:
        """The last mention of one of ``labels`` before ``offset``, at most ``window`` sentences back."""
        for m in reversed(self.mentions):
            if m.start >= offset or _entity_label(m) not in labels:
                continue
            return m if sentence - m.sentence <= window else None
        return None


def _credit(text: str, m: Mention) -> bool:
    """A mention that credits the text rather than takes part in it: a news agency in brackets
    ("(Belga)", "(ANP)"), a name alone on its line (the newspaper, the author)."""
    before = text[max(0, m.start - 1) : m.start]
    after = text[m.end : m.end + 1]
    if before == "(" and after == ")":
        return True
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return any(part.strip(" \t-–—:,.") == m.text for part in line.split("/"))  # "Belga / Eigen berichtgeving"


_BYLINE_JOIN = re.compile(r"^(?:[Dd]oor\s+)?(?:\s*(?:,|/|&|\ben\b)?\s*\x00)+\s*$")


def byline(doc: Doc, mentions: Sequence[Mention]) -> Actor | None:
    """The author credited on a line of its own: "Door Peter Vangindertael", "Martine De Gos en Eddy
    Bonte" (a line of person names and nothing else). A "Door" line goes before a bare one."""
    text = doc_text(doc)
    found: list[tuple[bool, Actor]] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        names = [m for m in mentions if start <= m.start and m.end <= start + len(line)]
        if not names or any(_entity_label(m) is not EntityLabel.PER for m in names) or len(line) > 80:
            continue
        masked = line
        for m in sorted(names, key=lambda m: -m.start):
            masked = masked[: m.start - start] + "\x00" + masked[m.end - start :]
        if not _BYLINE_JOIN.match(masked):
            continue
        first, last = names[0], names[-1]
        written = " en ".join(p.strip() for p in text[first.start : last.end].split("/"))
        one = first.entity.entity_id if len({m.entity.entity_id for m in names}) == 1 else None
        actor = Actor(written, first.start, last.end, one, EntityLabel.PER, len(names) > 1, first.sentence, "author")
        found.append((line.lstrip().lower().startswith("door "), actor))
    found.sort(key=lambda x: not x[0])
    return found[0][1] if found else None


def _entity_label(m: Mention) -> EntityLabel:
    """The type of the entity a mention denotes ("Britse" denotes the United Kingdom, a place)."""
    return m.entity.label


def is_government(text: str) -> bool:
    """ "De Vlaamse regering", "het kabinet": a government, named as the guidelines name it."""
    words = text.casefold().split()
    return bool(words) and actor_nouns().noun_class(words[-1]) == "government"


def actor_of_mention(m: Mention, sentence: int, how: str, written: str | None = None) -> Actor:
    return Actor(
        text=m.entity.canonical or m.text,
        start=m.start,
        end=m.end,
        entity_id=m.entity.entity_id,
        label=_entity_label(m),
        plural=False,
        sentence=sentence,
        how=how,
        written=written if written and written.casefold() != (m.entity.canonical or m.text).casefold() else None,
    )


# --------------------------------------------------------------------------- subject phrases


def with_name(tokens: Sequence[Token]) -> list[Token]:
    """The phrase without leading adverbs, and with the name after a closing title.

    "Ook VVD-fractievoorzitter | Dilan Yeşilgöz" -> "VVD-fractievoorzitter Dilan Yeşilgöz".
    """
    out = list(tokens)
    while len(out) > 1 and (out[0].pos_ in ("ADV", "CCONJ") or out[0].lower_ in LEADING_NON_NAME):
        out = out[1:]
    if not out or not (is_title(out[-1]) or (out[-1].pos_ == "PROPN" and out[-1].text[:1].isupper())):
        return out
    name_only = not is_title(out[-1])
    doc = out[0].doc
    end = segment_of(out[-1]).end
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
            and i + 1 < end
            and doc[i + 1].text[:1].isupper()
            and doc[i + 1].pos_ in ("PROPN", "NOUN", "X")
        ):
            out.extend((t, doc[i + 1]))
            name_only = False
            i += 1
        else:
            break
        i += 1
    return out


def strip_title(tokens: Sequence[Token]) -> list[Token]:
    """ "Minister Picqué" -> "Picqué"; "voorzitter Marieke van den Berg" -> "Marieke van den Berg"."""
    out = list(tokens)
    while out and out[0].pos_ == "DET":
        out = out[1:]
    i = 0
    while i < len(out) and (is_title(out[i]) or out[i].pos_ in ("ADJ", "ADP") and i + 1 < len(out)):
        i += 1
    rest = out[i:]
    if i and rest and rest[0].text[:1].isupper() and any(is_title(t) for t in out[:i]):
        return rest
    return list(tokens)


def dateline_end(seg: Span) -> int:
    """Offset where a wire story's dateline ("DEN HAAG (ANP) -") ends, or the segment's start."""
    head = doc_text(seg.doc)[seg.start_char : min(seg.end_char, seg.start_char + 60)]
    m = _DATELINE.match(head)
    return seg.start_char + m.end() if m is not None else seg.start_char


def _modifier(m: Mention, tokens: Sequence[Token]) -> bool:
    """A name used as a modifier ("de Turkse Uefacup-winnaar", "NAVO-landen"): not the phrase's referent."""
    if str(getattr(m, "link", "same")) in ("demonym_of", "part_of_compound"):
        return True
    inside = [t for t in tokens if m.start <= t.idx < m.end]
    if inside and all(t.pos_ == "ADJ" for t in inside) and m.label is EntityLabel.MISC:
        return True  # "Turkse", "Italiaanse": a nationality adjective (not "Kanaal 2" mis-tagged)
    first = inside[0] if inside else None
    if first is not None and tokens[0].idx < m.start:
        j = first.i - 1
        while j >= tokens[0].i and first.doc[j].pos_ in ("DET", "ADJ", "NUM"):
            j -= 1
        if j >= tokens[0].i and first.doc[j].pos_ == "ADP":
            return True  # "militaire planners uit het VK en Frankrijk": the names sit in a modifier
        if j >= tokens[0].i and first.doc[j].lower_ in ("en", "of"):
            # "uit het VK en Frankrijk": a conjunct of a name in a modifier is one too
            earlier = [t for t in tokens if t.i < j and t.pos_ == "ADP"]
            return bool(earlier) and tokens[0].pos_ != "PROPN"
    if m.label is EntityLabel.MISC and any(t.idx >= m.end and t.pos_ == "NOUN" for t in tokens):
        return True
    return False


def phrase_actors(doc: Doc, tokens: Sequence[Token], ctx: DocumentContext, sentence: int, how: str) -> list[Actor]:
    """The actors a noun phrase names: its entities (split at "en"), else the phrase without titles."""
    tokens = _before_brackets([t for t in with_name(tokens) if not t.is_space] or list(tokens))
    if not tokens:
        return []
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    written = doc_text(doc)[start:end]
    inside = [m for m in ctx.mentions if m.start < end and start < m.end]  # "premier Keir | Starmer" too
    named = [
        m
        for m in inside
        if _entity_label(m) in (EntityLabel.PER, EntityLabel.ORG, EntityLabel.LOC) and not _modifier(m, tokens)
    ]
    if not named:  # "de Britten": the people, as written, linked to their country
        head = tokens[-1]
        whole = [m for m in inside if str(getattr(m, "link", "same")) == "demonym_of" and m.start <= head.idx < m.end]
        if whole:
            m = whole[0]
            return [Actor(written, start, end, m.entity.entity_id, _entity_label(m), True, sentence, how)]
    unnamed = _unnamed_conjuncts(tokens, named) if named else []
    if unnamed:  # "Actrice Jeanine Bisschops en auteur Tom Lanoye" where only one name is a known entity
        found = [actor_of_mention(m, sentence, how, written) for m in named]
        found += [
            Actor(
                span_text(doc, part),
                part[0].idx,
                part[-1].idx + len(part[-1].text),
                None,
                EntityLabel.PER,
                False,
                sentence,
                how,
                written,
            )
            for part in unnamed
        ]
        return found  # the known entities first: the scorer reads the first actor
    if len(named) > 1 and any(t.lower_ in ("en", "&") for t in tokens):
        # "Picqué en Gabriëls": each commits; "Lazio Roma en FC Porto" after "met" is not the subject
        conj = [m for m in named if not any(t.lower_ in ("met", "van") and t.idx < m.start for t in tokens)]
        if len(conj) > 1:
            return [actor_of_mention(m, sentence, how, written) for m in conj]
    if named:
        # the person over the organisation ("RAI-topman X"), the first over the later ("minister van Y")
        rank = {EntityLabel.PER: 0, EntityLabel.ORG: 1, EntityLabel.LOC: 2}
        best = min(named, key=lambda m: (rank.get(_entity_label(m), 3), m.start))
        head_is_description = tokens[-1].pos_ == "NOUN" and tokens[-1].text.islower() and best.end < tokens[-1].idx
        if not head_is_description or _entity_label(best) is EntityLabel.PER:
            actor = actor_of_mention(best, sentence, how, written)
            name = strip_title(tokens)
            full = span_text(doc, name)
            if (  # "Staatssecretaris Eddie van Marum" where the mention is only "Eddie"
                _entity_label(best) is EntityLabel.PER
                and name[0].idx <= best.start
                and best.end < name[-1].idx + len(name[-1].text)
                and all(t.text[:1].isupper() or t.lower_ in NAME_PARTICLES for t in name)
                # "Minister Femke Wiersma van Landbouw", "Mona Keijzer van Volkshuisvesting": a full
                # name's "van X" is a portfolio, not more surname
                and not any(best.end <= m.start for m in inside)
                and len(best.text.split()) == 1
            ):
                actor = _replace(
                    Actor(
                        full,
                        name[0].idx,
                        name[-1].idx + len(name[-1].text),
                        actor.entity_id,
                        actor.label,
                        False,
                        sentence,
                        how,
                    ),
                    written=written,
                )
            return [actor]
    stripped = strip_title(tokens)
    text = span_text(doc, stripped)
    head = tokens[-1]
    plural = "Plur" in head.morph.get("Number", []) or any(t.lower_ == "en" for t in tokens)
    return [
        Actor(
            text,
            stripped[0].idx,
            stripped[-1].idx + len(stripped[-1].text),
            None,
            None,
            plural,
            sentence,
            how,
            written if written != text else None,
        )
    ]


def _before_brackets(tokens: list[Token]) -> list[Token]:
    """ "Staatssecretaris Eddie van Marum (Herstel Groningen)", "Häkkinen (31)": what stands in
    brackets after a name is its portfolio, party or age, not who acts."""
    cut = next((i for i, t in enumerate(tokens) if t.text == "("), None)
    if cut and any(t.text[:1].isupper() and not is_title(t) for t in tokens[:cut]):
        return tokens[:cut]
    return tokens


def _unnamed_conjuncts(tokens: Sequence[Token], named: Sequence[Mention]) -> list[list[Token]]:
    """The conjuncts of "X en Y" that no entity mention covers but that name a person: a title and a
    name of two or more capitalised words ("actrice Jeanine Bisschops"), the title left out."""
    if not any(t.lower_ in ("en", "&") for t in tokens) or any(t.lower_ in ("met", "van") for t in tokens):
        return []
    parts: list[list[Token]] = [[]]
    for t in tokens:
        if t.lower_ in ("en", "&"):
            parts.append([])
        elif t.text != ",":
            parts[-1].append(t)
    out = []
    for part in parts:
        if not part or any(m.start < part[-1].idx + len(part[-1].text) and part[0].idx < m.end for m in named):
            continue
        name = strip_title(part)
        if (
            name is not part
            and len(name) >= 2
            and len(name) < len(part)
            and all(t.text[:1].isupper() or t.lower_ in NAME_PARTICLES for t in name)
        ):
            out.append(name)
    return out


# --------------------------------------------------------------------------- speakers


def speaker_of(seg: Span, exclude: set[int], ctx: DocumentContext, sentence: int) -> tuple[Actor | None, Token | None]:
    """The speaker credited in ``seg`` ("zei Starmer", "volgens Rutte", "aldus X"), with its verb."""
    doc = seg.doc
    colon, credits, reports = _speech_tokens(seg, ctx)
    if colon is not None:  # "Burgemeester Moerman: "We willen ..."", "Leblanc straalt van enthousiasme: "In 1998 ...""
        text = doc_text(doc)
        quote_follows = text[colon.idx + 1 : colon.idx + 3].strip()[:1] in QUOTE_CHARS or colon.i + 1 >= seg.end
        named = [
            m
            for m in ctx.mentions_in(seg.start_char, colon.idx)
            if _entity_label(m) in (EntityLabel.PER, EntityLabel.ORG)
        ]
        if named:
            first = named[0]
            before = [t for t in seg if t.idx < first.start and t.text not in QUOTE_CHARS]
            right_before = first.end == colon.idx
            if all(is_title(t) for t in before) and (right_before or quote_follows):
                return actor_of_mention(first, sentence, "speaker"), None
    for tok in credits:
        np = _words_after(tok)
        if np and _can_speak(np, ctx):
            return _speaker_actor(doc, np, ctx, sentence), tok
    for tok in reports:
        if tok.i in exclude:
            continue
        if tok.i > seg.start and doc[tok.i - 1].text in ",\"'”":  # '..., zei Nilis rustig': the name after it
            after = [m for m in ctx.mentions_in(tok.idx, seg.end_char) if m.start <= _after_titles(tok)]
            if after and _entity_label(after[0]) in (EntityLabel.PER, EntityLabel.ORG):
                return actor_of_mention(after[0], sentence, "speaker"), tok
        subj = subject_of(tok)
        np = noun_phrase(subj) if subj is not None else _name_before(tok, ctx)
        if not np:
            nxt = _next_nominal(tok)
            np = noun_phrase(nxt) if nxt is not None else []
        if np and not any(t.i in exclude for t in np):
            while np[-1].i + 1 < seg.end and doc[np[-1].i + 1].pos_ == "PROPN":
                np = [*np, doc[np[-1].i + 1]]
            return _speaker_actor(doc, np, ctx, sentence), tok
    return None, None


def _speech_tokens(seg: Span, ctx: DocumentContext) -> tuple[Token | None, list[Token], list[Token]]:
    """The tokens of ``seg`` that may credit a speaker, found once per segment (``speaker_of`` runs
    for the segment and again for each of its candidates)."""
    key = (seg.start, seg.end)
    found = ctx._speech.get(key)
    if found is None:
        colon: Token | None = None
        credits: list[Token] = []
        reports: list[Token] = []
        for tok in seg:
            if colon is None and tok.text == ":":
                colon = tok
            if tok.lower_ in ("volgens", "aldus"):
                credits.append(tok)
            # "hoop ik dat Branko net zo zal reageren": an infinitive credits nobody
            if is_reporting(tok) and "Inf" not in tok.morph.get("VerbForm", []):
                reports.append(tok)
        found = ctx._speech[key] = (colon, credits, reports)
    return found


def _after_titles(tok: Token) -> int:
    """Offset of the first word after ``tok`` that is no article or title ("zei minister X" -> X)."""
    doc, end = tok.doc, segment_of(tok).end
    i = tok.i + 1
    while i < end and (doc[i].pos_ == "DET" or is_title(doc[i])):
        i += 1
    return doc[i].idx if i < end else doc[end - 1].idx


def _can_speak(np: Sequence[Token], ctx: DocumentContext) -> bool:
    """ "volgens minister X", "volgens het ministerie" speak; "volgens het nieuwe systeem" does not."""
    if np[0].pos_ == "PRON" or any(t.pos_ == "PROPN" for t in np):
        return True
    if ctx.mentions_in(np[0].idx, np[-1].idx + len(np[-1].text)):
        return True
    return any(actor_nouns().noun_class(lemma(t)) is not None for t in np if t.pos_ == "NOUN")


def _speaker_actor(doc: Doc, np: Sequence[Token], ctx: DocumentContext, sentence: int) -> Actor | None:
    if len(np) == 1 and np[0].lower_ in PERSONAL_PRONOUNS | {"hem", "haar"}:
        low = np[0].lower_
        if low in FIRST_PERSON:
            return None
        m = ctx.nearest_before(np[0].idx, (EntityLabel.PER,), sentence=sentence) or ctx.most_salient((EntityLabel.PER,))
        return actor_of_mention(m, sentence, "pronoun", np[0].text) if m is not None else None
    found = phrase_actors(doc, np, ctx, sentence, "speaker")
    return found[0] if found else None


def _words_after(tok: Token) -> list[Token]:
    doc = tok.doc
    out: list[Token] = []
    for t in doc[tok.i + 1 : segment_of(tok).end]:
        if t.pos_ in ("DET", "ADJ", "NOUN", "PROPN", "NUM", "X") or (t.pos_ == "PRON" and not out):
            out.append(t)
            if t.pos_ == "PRON":
                break
        elif t.lower_ in ("van", "der", "den", "de") and out:
            out.append(t)
        else:
            break
    while out and (out[-1].pos_ in ("DET", "ADP") or out[-1].lower_ in ("van", "der", "den")):
        out.pop()
    return out


def _name_before(tok: Token, ctx: DocumentContext) -> list[Token]:
    """ "Schoof benadrukte": the noun phrase right before the verb, after a comma or quote."""

    def _nominal(t: Token) -> bool:  # whatever the tagger said of a name ("Schoof/ADV")
        return t.pos_ in ("PROPN", "NOUN", "X") or bool(t.ent_type_) or ctx.named(t)

    doc = tok.doc
    seg = segment_of(tok)
    j = tok.i - 1
    while j >= seg.start and (_nominal(doc[j]) or doc[j].pos_ in ("DET", "ADJ")):
        j -= 1
    np = list(doc[j + 1 : tok.i])
    if not np or (j >= seg.start and doc[j].text not in ",\"'“”"):
        k = seg.start  # "Starmer had eerder al gezegd": the phrase before the finite auxiliary
        while k < tok.i and (_nominal(doc[k]) or doc[k].pos_ == "DET"):
            k += 1
        between = doc[k + 1 : tok.i]
        if (
            seg.start < k < tok.i
            and doc[k].pos_ == "AUX"
            and any(_nominal(t) for t in doc[seg.start : k])
            and all(t.pos_ in ("ADV", "ADJ") for t in between)
        ):
            return list(doc[seg.start : k])
        return []
    return np if any(_nominal(t) for t in np) else []


def _next_nominal(tok: Token) -> Token | None:
    doc = tok.doc
    end = segment_of(tok).end
    i = tok.i + 1
    while i < end and doc[i].pos_ in ("DET", "ADJ", "ADV", "PUNCT", "ADP") and doc[i].text not in ",.":
        i += 1
    if i >= end or doc[i].pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    j = i
    while j + 1 < end and doc[j + 1].pos_ == "PROPN" and doc[j].pos_ in ("PROPN", "NOUN"):
        j += 1
    return doc[j] if doc[j].pos_ == "PROPN" else doc[i]


# --------------------------------------------------------------------------- resolution


def resolve_subject(
    subject: Sequence[Token],
    *,
    cue: Token,
    ctx: DocumentContext,
    sentence: int,
    speaker: Actor | None,
    quoted: bool,
    matrix: Sequence[Token] = (),
) -> list[Actor]:
    """The actors the subject phrase stands for (empty: nobody the text names)."""
    doc = cue.doc
    dateline = dateline_end(segment_of(cue))
    tokens = [t for t in subject if not t.is_space and t.idx >= dateline]  # "DEN HAAG (ANP) - Het kabinet"
    if not tokens or tokens[0].pos_ == "PUNCT":
        tokens = [t for t in tokens if t.pos_ != "PUNCT"]
    if not tokens or all(t.lower_ in LEADING_NON_NAME for t in tokens):
        return []
    head = tokens[0] if len(tokens) == 1 else _head(tokens)
    low = head.lower_
    if len(tokens) == 1 and (head.pos_ == "PRON" or low in PERSONAL_PRONOUNS | RELATIVE | {"deze", "dit"}):
        return _pronoun(head, cue=cue, ctx=ctx, sentence=sentence, speaker=speaker, quoted=quoted, matrix=matrix)
    owner = FIRST_PERSON_OWNERS.get(tokens[0].lower_)
    inside = ctx.mentions_in(tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
    if owner is not None and all(_entity_label(m) is EntityLabel.MISC for m in inside):
        # "Onze eerste Dies Natalis zal dienen als ...", "Ons team gaat ...": the speaker's side
        return _first_person(owner, span_text(doc, tokens), ctx=ctx, sentence=sentence, speaker=speaker, quoted=quoted)
    if lemma(head) in TIME_WORDS or head.lower_ in TIME_WORDS or head.dep_ in ("obl:tmod", "nmod:tmod"):
        return []
    found = phrase_actors(doc, tokens, ctx, sentence, "subject")
    if len(found) == 1 and found[0].entity_id is None:
        described = _description(tokens, ctx, sentence)
        if described is not None:
            return [described]
    return found


def _head(tokens: Sequence[Token]) -> Token:
    ids = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return tokens[-1]


def _description(tokens: Sequence[Token], ctx: DocumentContext, sentence: int) -> Actor | None:
    """ "de partij", "de minister", "de groep": the salient entity of that type named elsewhere."""
    content = [t for t in tokens if t.pos_ not in ("DET", "ADJ")]
    if len(content) != 1 or tokens[0].lower_ not in ("de", "het", "deze", "die"):
        return None
    if "Plur" in content[0].morph.get("Number", []):
        return None  # "de corporaties": a group, kept as written
    noun = content[0]
    named = _name_containing(noun, ctx)
    if named is not None:  # "het Havenbedrijf" after "Havenbedrijf Rotterdam": the name, shortened
        return actor_of_mention(named, sentence, "description", span_text(tokens[0].doc, tokens))
    kind = actor_nouns().noun_class(lemma(noun))
    if lemma(noun) in MUNICIPAL or noun.lower_ in MUNICIPAL:
        # "de gemeente", "het college", "de stad": the town the document is about, as "gemeente X"
        town = ctx.most_salient((EntityLabel.LOC,))
        return actor_of_mention(town, sentence, "description", span_text(tokens[0].doc, tokens)) if town else None
    if kind == "person":
        labels: tuple[EntityLabel, ...] = (EntityLabel.PER,)
    elif kind == "organisation":
        labels = (EntityLabel.ORG,)
    else:
        return None  # governments and groups are named as written ("de regering", "de coalitie")
    if kind == "person":  # "de minister": the person just named; "de titelverdediger Häkkinen": that one
        end = tokens[-1].idx + len(tokens[-1].text)
        m = next((x for x in ctx.mentions if end <= x.start <= end + 1 and _entity_label(x) is EntityLabel.PER), None)
        m = m or ctx.nearest_before(tokens[0].idx, labels, sentence=sentence, window=1) or ctx.most_salient(labels)
    else:  # "de club": the organisation the document is about, not the last one it named
        topic = ctx.topic()  # the one its clauses have as subject most often, else the most mentioned
        if topic is not None and topic.label is EntityLabel.ORG and topic.entity_id is not None:
            return _replace(topic, how="description", written=span_text(tokens[0].doc, tokens))
        m = ctx.most_salient(labels) or ctx.nearest_before(tokens[0].idx, labels, sentence=sentence, window=1)
    if m is None:
        return None
    return actor_of_mention(m, sentence, "description", span_text(tokens[0].doc, tokens))


def _name_containing(noun: Token, ctx: DocumentContext) -> Mention | None:
    """The most mentioned organisation whose name has ``noun`` as a word of its own."""
    word = noun.lower_
    if len(word) < 4:
        return None
    best: Mention | None = None
    for m in ctx.by_id.values():
        if _entity_label(m) is not EntityLabel.ORG or m.text.casefold() == word:
            continue
        if word in m.text.casefold().replace("-", " ").split():
            if best is None or ctx.salience[m.entity.entity_id] > ctx.salience[best.entity.entity_id]:
                best = m
    return best


def _pronoun(
    tok: Token,
    *,
    cue: Token,
    ctx: DocumentContext,
    sentence: int,
    speaker: Actor | None,
    quoted: bool,
    matrix: Sequence[Token],
) -> list[Actor]:
    low = tok.lower_
    written = tok.text
    doc = tok.doc
    if low in RELATIVE or "Rel" in tok.morph.get("PronType", []):
        if tok.i > segment_of(tok).start and doc[tok.i - 1].text in ",(" or "Rel" in tok.morph.get("PronType", []):
            return _antecedent(tok, ctx, sentence)
        if low in ("die", "deze") and tok.i == segment_of(tok).start:
            low = "hij"  # "Die heeft Simonet beloofd ...": a demonstrative standing for a person
        else:
            return []
    if low in FIRST_PERSON:
        return _first_person(tok.lower_, tok.text, ctx=ctx, sentence=sentence, speaker=speaker, quoted=quoted)
    if low in ("men", "u", "je", "jij", "jullie"):
        return []
    if matrix:  # "Hij zei dat hij ...", "hebben afgesproken dat ze ..."
        found = resolve_subject(matrix, cue=cue, ctx=ctx, sentence=sentence, speaker=speaker, quoted=False)
        if found and _compatible(found[0], low, _plural_verb(cue)):
            return [_replace(a, how="pronoun", written=written) for a in found]
    if speaker is not None and speaker.start < tok.idx and _compatible(speaker, low, _plural_verb(cue)):
        return [_replace(speaker, how="pronoun", written=written)]  # "Schoof zei erbij dat hij ..."
    if low == "hij" or (low in ("zij", "ze") and _plural_verb(cue) is False):
        return _person_pronoun(tok, ctx, sentence)
    if low in ("ze", "zij"):
        for actor in reversed(ctx.actors):
            if actor.plural and actor.start < tok.idx:
                return [_replace(actor, how="pronoun", written=written)]
        m = ctx.nearest_before(tok.idx, (EntityLabel.ORG,), sentence=sentence, window=1)
        return [actor_of_mention(m, sentence, "pronoun", written)] if m is not None else []
    if low == "het":
        m = ctx.nearest_before(tok.idx, (EntityLabel.ORG, EntityLabel.LOC), sentence=sentence, window=1)
        return [actor_of_mention(m, sentence, "pronoun", written)] if m is not None else []
    return []


def _person_pronoun(tok: Token, ctx: DocumentContext, sentence: int) -> list[Actor]:
    """ "hij", a singular "zij": the person the document is about, unless another stands just before."""
    seg = segment_of(tok)
    near = ctx.nearest_before(tok.idx, (EntityLabel.PER,), sentence=sentence)
    main = ctx.most_salient((EntityLabel.PER,), outside=(seg.start_char, seg.end_char))
    # the person the document is about beats one named in passing just before
    m = main if near is None or (main is not None and _protagonist(ctx, main, near)) else near
    if m is not None:
        return [actor_of_mention(m, sentence, "pronoun", tok.text)]
    if ctx.speakers:
        return [_replace(ctx.speakers[-1], how="pronoun", written=tok.text)]
    return []


def _first_person(
    low: str, written: str, *, ctx: DocumentContext, sentence: int, speaker: Actor | None, quoted: bool = False
) -> list[Actor]:
    """ "ik" is who speaks; "we" is the side that speaker speaks for.

    With a speaker: "we" of a person is the organisation the person speaks for ("zei Ursula von der
    Leyen, de voorzitter van de Europese Commissie"), else the organisation the document is about,
    else the speaker. Without one in the sentence: the document's main named speaker (a quote whose
    speaker is credited elsewhere); in a piece that quotes nobody by name (a column, an opinion) the
    author of the byline; else the organisation (for "ik": the person) the document mentions most.
    "ik" is only ever a person.
    """
    plural = low in ("we", "wij")
    if (
        speaker is not None
        and speaker.text.casefold() not in PERSONAL_PRONOUNS
        and (plural or speaker.label in (EntityLabel.PER, None))
    ):
        if plural and speaker.label is EntityLabel.PER:
            org = ctx.affiliation(speaker)
            if org is not None:
                return [actor_of_mention(org, sentence, "pronoun", written)]
            topic = ctx.topic()
            if topic is not None and topic.label is not EntityLabel.LOC:
                return [_replace(topic, how="pronoun", written=written)]
        return [_replace(speaker, how="speaker", written=written)]
    main = ctx.main_speaker(person=not plural)
    salient = ctx.most_salient((EntityLabel.ORG,)) if plural else None
    if main is not None:
        if plural and main.label is EntityLabel.PER:
            org = ctx.affiliation(main)
            if org is not None:
                return [actor_of_mention(org, sentence, "pronoun", written)]
        if plural and salient is not None and _outweighs(ctx, salient, main):
            # "we" of an organisation credited once, in a document about another: the one it is about
            return [actor_of_mention(salient, sentence, "pronoun", written)]
        return [_replace(main, how="speaker", written=written)]
    if ctx.author is not None and not (quoted and plural and salient is not None):
        # the byline writes "we" in a column; a quoted "we" is the side of whoever is quoted
        return [_replace(ctx.author, how="author", written=written)]
    if plural:  # not a place: "we" in a travel story are the travellers, not the town they visit
        org = ctx.most_salient((EntityLabel.ORG,))
        return [actor_of_mention(org, sentence, "pronoun", written)] if org is not None else []
    person = ctx.most_salient((EntityLabel.PER,))
    return [actor_of_mention(person, sentence, "pronoun", written)] if person is not None else []


def _outweighs(ctx: DocumentContext, org: Mention, speaker: Actor) -> bool:
    """The organisation ``org`` is named at least three times and more than twice as often as ``speaker``."""
    hits = ctx.salience[org.entity.entity_id]
    return speaker.entity_id != org.entity.entity_id and hits >= 3 and hits > 2 * ctx.salience[speaker.entity_id or ""]


def _protagonist(ctx: DocumentContext, main: Mention, near: Mention) -> bool:
    """``main`` is named at least three times and at least twice as often as ``near``."""
    hits = ctx.salience[main.entity.entity_id]
    return hits >= 3 and hits >= 2 * ctx.salience[near.entity.entity_id]


def _antecedent(tok: Token, ctx: DocumentContext, sentence: int) -> list[Actor]:
    """ "de Gele Zaal, die ... wil": the noun phrase the relative clause hangs on."""
    doc = tok.doc
    seg = segment_of(tok)
    j = tok.i - 1
    while j >= seg.start and doc[j].text in ",(":
        j -= 1
    if j >= seg.start and (doc[j].pos_ in ("NOUN", "PROPN", "X") or ctx.named(doc[j])):
        # "de Gele Zaal, die ...": the noun phrase right before the comma
        k = j
        while k - 1 >= seg.start and (doc[k - 1].pos_ in ("DET", "ADJ", "PROPN", "NUM") or ctx.named(doc[k - 1])):
            k -= 1
        phrase = list(doc[k : j + 1])
    elif tok.head.dep_ == "acl:relcl" and seg.start <= tok.head.head.i < tok.i:
        phrase = noun_phrase(tok.head.head)
    else:
        return []
    found = phrase_actors(doc, phrase, ctx, sentence, "relative")
    return [_replace(a, written=tok.text) for a in found]


def _plural_verb(cue: Token) -> bool | None:
    fin = cue if is_finite(cue) else next((c for c in cue.children if is_finite(c)), cue)
    number = fin.morph.get("Number", [])
    return ("Plur" in number) if number else None


def _compatible(actor: Actor, pronoun: str, plural: bool | None) -> bool:
    if actor.text.casefold() in PERSONAL_PRONOUNS:
        return False
    if pronoun == "hij":
        return actor.label is EntityLabel.PER or (actor.label is None and not actor.plural)
    if pronoun == "het":
        return actor.label in (EntityLabel.ORG, EntityLabel.LOC, None) and not actor.plural
    if pronoun in ("ze", "zij"):
        return plural is None or actor.plural == plural or (not plural and actor.label is EntityLabel.PER)
    return True


def _replace(actor: Actor, *, how: str | None = None, written: str | None = None) -> Actor:
    return Actor(
        actor.text,
        actor.start,
        actor.end,
        actor.entity_id,
        actor.label,
        actor.plural,
        actor.sentence,
        how or actor.how,
        written if written and written.casefold() != actor.text.casefold() else None,
    )


def context_actor(seg: Span, ctx: DocumentContext, sentence: int, speaker: Actor | None) -> Actor | None:
    """Who stands behind a passive or impersonal plan: the speaker, else an organisation the sentence
    names, else the actor the document is about, else its most mentioned organisation or place."""
    if speaker is not None and speaker.sentence == sentence:
        return _replace(speaker, how="context")
    orgs = [
        m
        for m in ctx.mentions_in(seg.start_char, seg.end_char)
        if _entity_label(m) is EntityLabel.ORG and _case_of(m, seg.doc) not in _PARTNER_CASES
    ]  # "een overeenkomst met Aquafin": a partner of the measure, not who takes it
    if orgs:
        return actor_of_mention(orgs[-1], sentence, "context")
    previous = [a for a in ctx.actors if a.how == "subject" and sentence - 1 <= a.sentence <= sentence]
    if previous:  # "Een groep landen gaat een plan opstellen. Het plan zal worden voorgelegd aan ..."
        return _replace(previous[-1], how="context")
    # a passive policy measure is the government's, when it acts here or the document names it
    topic = ctx.topic(government=True)
    if topic is not None and (topic.entity_id is None and is_government(topic.text)):
        return _replace(topic, how="context")
    government = ctx.government()
    if government is not None:
        return _replace(government, how="context")
    if topic is not None and (topic.label is not EntityLabel.LOC or ctx.polity(topic.text, topic.entity_id)):
        return _replace(topic, how="context")
    m = ctx.most_salient((EntityLabel.ORG, EntityLabel.LOC), places=False) or ctx.most_salient((EntityLabel.PER,))
    return actor_of_mention(m, sentence, "context") if m is not None else None


# The nouns that name a government as a whole (the guidelines' "regering"/"kabinet"); a town's
# council is named by its town, which the entities know.
_GOVERNMENT_WORD = re.compile(r"regering|kabinet|ministerraad", re.IGNORECASE)


def _named_government(ctx: DocumentContext) -> Actor | None:
    counts: Counter[str] = Counter()
    first: dict[str, Actor] = {}
    for m in _GOVERNMENT_WORD.finditer(doc_text(ctx.doc)):
        span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None or span.root.pos_ not in ("NOUN", "PROPN"):
            continue
        tok = span.root
        if (
            actor_nouns().noun_class(lemma(tok)) != "government"
            and actor_nouns().noun_class(tok.lower_) != "government"
        ):
            continue  # "regeringsleider", "kabinetschef": a person
        phrase = [t for t in noun_phrase(tok) if t.i <= tok.i and t.pos_ != "DET"] or [tok]
        sentence = _sentence_index(ctx.doc, tok)
        found = phrase_actors(ctx.doc, phrase, ctx, sentence, "context")
        if len(found) != 1 or found[0].entity_id is not None:
            continue
        key = " ".join(found[0].text.casefold().split())
        counts[key] += 1
        first.setdefault(key, found[0])
    if not counts:
        return None
    best = max(counts.values())
    return next(a for k, a in first.items() if counts[k] == best)


def _sentence_index(doc: Doc, tok: Token) -> int:
    return sum(1 for s in doc.sents if s.end <= tok.i)


def _case_of(m: Mention, doc: Doc) -> str | None:
    """The preposition a mention stands under ("met Aquafin" -> "met"), or None."""
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is None:
        return None
    root = span.root
    case = next((c for c in root.children if c.dep_ == "case"), None)
    if case is None and root.i > 0 and doc[root.i - 1].pos_ == "ADP":
        case = doc[root.i - 1]
    return case.lower_ if case is not None else None


def is_thing(tokens: Sequence[Token], ctx: DocumentContext) -> bool:
    """A subject that cannot act ("De werken", "Het nieuwe kunstencentrum", "de prijzen")."""
    words = [t for t in tokens if not t.is_space]
    if not words or any(t.pos_ in ("PRON", "PROPN") for t in words):
        return False
    if ctx.mentions_in(words[0].idx, words[-1].idx + len(words[-1].text)):
        return False
    nouns = [t for t in words if t.pos_ == "NOUN"]
    if not nouns:
        return False
    head = nouns[0] if any(t.lower_ in ("van", "uit") for t in words) else nouns[-1]
    plural = "Plur" in head.morph.get("Number", [])
    # the plural's ending tells people ("dermatologen"), the lemma ("dermatoloog") does not
    return not (actor_nouns().can_act(lemma(head), plural) or actor_nouns().can_act(head.lower_, plural))


def agent_of(main: Token, ctx: DocumentContext, sentence: int, preposition: str = "door") -> Actor | None:
    """The "door X" agent of a passive (``preposition``: "van" for the giver of what is received)."""
    for c in main.children:
        if (c.dep_ == "obl:agent" and preposition == "door") or (
            c.dep_ == "obl" and any(g.lower_ == preposition and g.dep_ == "case" for g in c.children)
        ):
            phrase = [t for t in noun_phrase(c) if not (t.dep_ == "case" and t.head.i == c.i)]  # not "door"
            found = phrase_actors(main.doc, phrase or [c], ctx, sentence, "agent")
            if found:
                return found[0]
    return None


# The forms of "krijgen" and "ontvangen": the lemmatizer leaves some of them as they are.
RECEIVING_FORMS = frozenset(
    "krijg krijgt krijgen kreeg kregen gekregen ontvang ontvangt ontvangen ontving ontvingen".split()
)


def receiving_verbs(anchor: Token) -> list[Token]:
    """ "Hij krijgt een contract (aangeboden)", "kreeg toegezegd dat": the verb of receiving on which
    the cue (``anchor``: a noun's verb, or the cue itself) hangs, whose subject is given the
    commitment and does not make it (empty: none). Not the content of a promise ("belooft dat
    Groningers uitsluitsel krijgen")."""
    near = [anchor, *(c for c in anchor.children if c.dep_ in ("aux", "aux:pass"))]
    if anchor.dep_ == "xcomp" or ("Part" in anchor.morph.get("VerbForm", []) and anchor.dep_ != "conj"):
        near.append(anchor.head)  # "krijgt ... aangeboden", "kreeg ... toegezegd"
    return [t for t in near if t.pos_ in ("VERB", "AUX") and RECEIVING_FORMS & {t.lower_, lemma(t)}]


def giver_of(verbs: Sequence[Token], ctx: DocumentContext, sentence: int) -> Actor | None:
    """The "van X" of a verb of receiving: who gives, and so commits."""
    for verb in verbs:
        found = agent_of(verb, ctx, sentence, "van")
        if found is not None:
            return found
    return None
