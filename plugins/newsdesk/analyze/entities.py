"""Entity mentions and the entities they denote: spaCy Doc -> ``Mention`` records.

Owns the curated catalog (seeds/entities.csv), the clean-up of the NER's spans, catalog matching,
the links between the names of one article (surnames, short forms, acronyms) and stable entity
ids. Works with any spaCy pipeline that sets ``doc.ents`` (or none: catalog matches still come
through). Measured on whole CoNLL-2002 documents against the pipeline's own ``doc.ents`` by
bench/nlp_eval.py (the product path): this stage should lose nothing the pipeline found.

Decisions, in one place:

* Mention type is not entity type. A mention's label is what the text says, by CoNLL-2002
  conventions: nationality adjectives, inhabitants' names, events, products and "entity + noun"
  compounds (``NAVO-landen``, ``CVP-minister``) are MISC. Its ``entity`` is the entity it denotes,
  with the entity's own type, and ``link`` (``models.LinkKind``) says how: "Britse" is a MISC
  mention, ``demonym_of`` the United Kingdom (LOC), so "which articles involve the UK" needs one
  entity id and no mention misstates its type.
* The NER's spans are kept (it learnt the conventions from annotated text) except for what is
  not part of the name: leading titles and functions (``Staatssecretaris``, ``NAVO-chef``,
  ``voorzitter``, ``Dr.``; a capitalised title inside a sentence before one word stays: ``Koning
  Boudewijnstadion``, an abbreviated one does not), lower-case articles, a sentence's first word
  that is not part of a person's name (``Gisteren Jan Peeters``), whatever follows a line break or a verb (``Druyts moet
  niet zeuren``), trailing function words (``Cobepa van``). A person's name the NER cut at its
  particles is completed (``Eddie`` + ``van Marum``), and so is one whose given name it left out
  where a common Dutch or Belgian given name and particles stand before the span (``Eddie van`` +
  ``Marum``, which the NER typed as the village it also is); two person spans with only a space between
  them are one person (``Thomas`` + ``L. Friedman``). A capitalised article stays (``De Morgen``),
  except at a sentence start before a catalog name (``De Fransen``). A lone word at a sentence
  start that the tagger calls neither a name nor a noun is no person (``Vermits``).
* Catalog names (case-sensitive, whole tokens, longest first) fill in what the NER missed; a
  token whose part before a hyphen is a catalog name (``NAVO-landen``, ``EU-lidstaten``) is a
  compound mention of that entity. A catalog match inside a longer NER span gives way to it
  (``Ronde van Frankrijk`` is not France; ``Nederland 3`` is a channel), a longer catalog name
  replaces the NER spans it contains, an NER span that runs on past a catalog name into lower-case
  words is cut (``Europese Raad van regeringsleiders``), and an NER span made only of demonyms and
  compounds is split into them (``Europese NAVO-landen`` -> ``Europese`` + ``NAVO-landen``, as the
  annotation does).
* A catalog entry corrects the NER's type only when the mention IS the entity (``same``,
  ``alias_of``: ``Verenigd Koninkrijk`` tagged ORG is LOC). A demonym is MISC whatever the NER
  said; a compound keeps the NER's label (``NAVO-top`` typed ORG) and is MISC when only the
  catalog found it.
* Within an article, a shorter mention links to the full name the article gives: a surname to the
  person (``Schoof`` -> Dick Schoof: the closest full name before it, else the only one in the
  article, else a catalog person whose surname is unambiguous; not a surname inside a longer name:
  ``Jacoba de Jonge`` is not Hugo de Jonge; one that opens with a particle takes in the NER span
  inside it: ``Van Marum`` where the NER marked ``Marum`` a place), the end of a name's core to the
  name (``de Commissie`` -> Europese Commissie or Koninklijke Commissie voor Monumenten, ``Raad``
  -> Raad van State; not ``Sydney`` -> Spelen van Sydney), an acronym to the name it follows in
  parentheses (not a person's: ``De Donnea (PRL)`` is his party). Such a mention names the entity,
  so it takes the entity's type (a surname the NER typed ORG is a PER).
* One type per name in an article: where the NER typed the mentions of one name (the full name
  and what links to it, or the same text) in different ways, the majority of its labels wins for
  the entity and every mention that names it; a tie changes nothing. Catalog entities keep the
  catalog's type. A name the NER found once is also a mention where the article repeats it and
  the NER missed it (not as a sentence's first word, where capitalised common words would match).
* Anything else becomes a new entity named by its text; ids are uuid5 of ``LABEL:normalised name``
  so the same name gives the same id in every run and database.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import uuid
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from newsdesk.analyze.dutch import ARTICLES, NAME_PARTICLES, normalise
from newsdesk.analyze.typer import KNOWLEDGE_COLUMNS, KnowledgeTable
from newsdesk.errors import ConfigError
from newsdesk.models import ENTITY_NAMESPACE, EntityLabel, EntityRef, LinkKind, Mention

log = logging.getLogger(__name__)

# Bump when the resolution rules below change behaviour (part of analyzer_version).
# 7: a common given name and particles before an NER span make it a person's surname ("Eddie van"
# | "Marum" LOC), and a particle-led surname takes in the NER span it contains ("Van" + "Marum");
# 6: "te", "ten", "ter" join a surname whatever the NER typed it, "van den" + a place too; 5: a
# person cut before "de Vries" takes the surname.
RULES_VERSION = 7

# Titles and functions: a leading word that is one of these, or ends in one ("fractievoorzitter",
# "NAVO-chef", "oud-premier"), is not part of the name that follows.
_TITLE_WORDS = frozenset(
    "premier minister president koning koningin prinses prins paus bondskanselier kanselier "
    "staatssecretaris voorzitter voorzitster burgemeester senator generaal wethouder schepen gouverneur "
    "ambassadeur commissaris kardinaal bisschop aartsbisschop kolonel majoor kapitein luitenant coach "
    "trainer directeur directrice topman topvrouw woordvoerder woordvoerster advocaat rechter procureur "
    "professor hoogleraar dokter pater zuster mevrouw meneer heer dhr. mevr. dr. prof. mr. drs. ir. "
    "kamerlid volksvertegenwoordiger leider chef secretaris-generaal ceo "
    # functions the annotation of CoNLL-2002 keeps outside a person's name ("Regisseur Stijn
    # Coninx", "Reservekeeper Francesco Toldo")
    "regisseur bondscoach architect acteur actrice auteur schrijver schrijfster zanger zangeres "
    "zaakvoerder zaakvoerster commodore doctorandus dirigent componist cineast fotograaf journalist "
    "keeper doelman verdediger verdedigers middenvelder aanvaller renner ploegleider manager".split()
)
_TITLE_ENDINGS = (
    "minister",
    "premier",
    "president",
    "voorzitter",
    "voorzitster",
    "leider",
    "chef",
    "secretaris",
    "generaal",
    "burgemeester",
    "woordvoerder",
    "woordvoerster",
    "commissaris",
    "directeur",
    "topman",
    "kamerlid",
    "senator",
    "schepen",
    "coach",
    "trainer",
    "kanselier",
    "keeper",
    "verdediger",
    "verdedigers",
    "middenvelder",
    "regisseur",
)
# Parts of speech of a sentence's first word that is not part of the name after it.
_NOT_NAME_POS = frozenset("ADV ADP SCONJ CCONJ PRON VERB AUX NUM INTJ PART".split())
# The same for pipelines without a tagger: frequent sentence-initial function words.
_NOT_NAME_WORDS = frozenset(
    "gisteren vandaag morgen volgens ook maar toen nu daarna intussen zo dan wel bij met voor na "
    "tijdens omdat als want dus toch zelfs alleen echter en of wie wat waar waarom hoe".split()
)
_TRAILING = ARTICLES | NAME_PARTICLES | frozenset("en of voor in op met bij aan uit tot".split())
# Words between the head of an organisation's name and the rest ("Raad van State").
_LINKING = ARTICLES | NAME_PARTICLES | frozenset("voor en".split())
_QUOTES = frozenset("'\"‘’“”„«»")
# Abbreviations of listings and references that start a line capitalised ("Tel.", "Blz.", "Tent.").
_ABBREVIATIONS = frozenset("tel fax blz nr tent inl info zie vgl ca bijv".split())
# "NAVO-landen", "EU-lidstaten": a hyphen followed by a lower-case word.
_COMPOUND_TAIL = re.compile(r"-[a-zà-ÿ]")
_SURNAME_ONLY_PARTICLES = frozenset(("te", "ten", "ter"))  # particles of surnames only, never "van de VVD"
_ACRONYM = re.compile(r"^[A-Z][A-Za-z&]{1,7}$")


def entity_id(label: EntityLabel | str, canonical: str) -> str:
    return str(uuid.uuid5(ENTITY_NAMESPACE, f"{EntityLabel(label)}:{normalise(canonical)}"))


def make_ref(canonical: str, label: EntityLabel | str, wikidata_id: str | None = None) -> EntityRef:
    lab = EntityLabel(label)
    return EntityRef(entity_id=entity_id(lab, canonical), canonical=canonical, label=lab, wikidata_id=wikidata_id)


def surname_of(name: str) -> str | None:
    """``Dick Schoof`` -> ``Schoof``; ``Ursula von der Leyen`` -> ``von der Leyen``; one word -> None."""
    words = name.split()
    if len(words) < 2:
        return None
    # Start of the surname: the first particle after the given name(s), else the last word.
    for i in range(1, len(words)):
        if words[i].casefold() in NAME_PARTICLES:
            return " ".join(words[i:])
    return words[-1]


def is_title(word: str) -> bool:
    """``premier``, ``Staatssecretaris``, ``VVD-fractievoorzitter``, ``NAVO-chef``: a function."""
    low = word.casefold()
    return low in _TITLE_WORDS or (len(low) > 4 and low.endswith(_TITLE_ENDINGS))


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    canonical: str
    label: EntityLabel
    aliases: tuple[str, ...]  # every other surface form: names, then the demonyms
    wikidata_id: str | None
    ref: EntityRef
    demonyms: tuple[str, ...] = ()  # nationality adjectives and inhabitants' names ("Britse", "Britten")

    def link_for(self, surface: str) -> LinkKind:
        """How ``surface`` (one of this entry's surface forms) denotes the entry."""
        key = normalise(surface)
        if key == normalise(self.canonical):
            return LinkKind.SAME
        if any(key == normalise(d) for d in self.demonyms):
            return LinkKind.DEMONYM_OF
        return LinkKind.ALIAS_OF


@dataclass(slots=True)
class EntityCatalog:
    """The curated entities with an index from surface form to entry."""

    entries: tuple[CatalogEntry, ...]
    digest: str = ""
    by_surface: dict[str, CatalogEntry] = field(default_factory=dict)  # exact surface text
    by_key: dict[str, CatalogEntry] = field(default_factory=dict)  # normalise(surface)
    by_surname: dict[str, CatalogEntry] = field(default_factory=dict)  # normalise(surname), PER only

    def __post_init__(self) -> None:
        ambiguous: set[str] = set()
        for entry in self.entries:
            for surface in (entry.canonical, *entry.aliases):
                key = normalise(surface)
                other = self.by_key.get(key)
                if other is not None and other.ref.entity_id != entry.ref.entity_id:
                    log.warning(
                        "alias %r names both %s and %s; keeping the first", surface, other.canonical, entry.canonical
                    )
                    continue
                self.by_surface.setdefault(surface, entry)
                self.by_key.setdefault(key, entry)
        surnames: dict[str, CatalogEntry] = {}
        for entry in self.entries:
            if entry.label is not EntityLabel.PER:
                continue
            surname = surname_of(entry.canonical)
            if not surname:
                continue
            key = normalise(surname)
            if key in surnames and surnames[key].ref.entity_id != entry.ref.entity_id:
                ambiguous.add(key)  # Kamala Harris / Simon Harris: a bare "Harris" stays unresolved
            surnames[key] = entry
        # A surname that is also another entry's alias (Albanese: Albanian) is not a surname key.
        self.by_surname = {k: e for k, e in surnames.items() if k not in ambiguous and k not in self.by_key}

    def lookup(self, text: str) -> CatalogEntry | None:
        return self.by_surface.get(text) or self.by_key.get(normalise(text))

    def surfaces(self) -> Iterable[tuple[str, CatalogEntry]]:
        return self.by_surface.items()


def load_entity_catalog(path: Path) -> EntityCatalog:
    """Read seeds/entities.csv: canonical_name,label,aliases,demonyms,wikidata_id (lists |-separated;
    the demonyms column may be absent)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"entity catalog {path} cannot be read: {exc}") from exc
    entries: list[CatalogEntry] = []
    reader = csv.DictReader(raw.decode("utf-8").splitlines())
    expected = {"canonical_name", "label", "aliases", "wikidata_id"}
    if not reader.fieldnames or not expected <= set(reader.fieldnames):
        raise ConfigError(f"entity catalog {path} needs the columns {sorted(expected)} (and may have demonyms)")

    def items(value: str | None, name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.strip() for a in (value or "").split("|") if a.strip() and a.strip() != name))

    for lineno, row in enumerate(reader, start=2):
        name = (row["canonical_name"] or "").strip()
        try:
            label = EntityLabel((row["label"] or "").strip())
        except ValueError as exc:
            raise ConfigError(f"{path}:{lineno}: unknown label {row['label']!r}") from exc
        if not name:
            raise ConfigError(f"{path}:{lineno}: empty canonical_name")
        demonyms = items(row.get("demonyms"), name)
        aliases = tuple(dict.fromkeys((*items(row["aliases"], name), *demonyms)))
        qid = (row["wikidata_id"] or "").strip() or None
        entries.append(CatalogEntry(name, label, aliases, qid, make_ref(name, label, qid), demonyms))
    return EntityCatalog(tuple(entries), digest=hashlib.sha256(raw).hexdigest()[:8])


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # char offsets into doc.text
    end: int
    text: str
    label: EntityLabel  # the label the text gives it (the NER's, or the catalog's rule)
    entry: CatalogEntry | None = None  # the catalog entity it denotes, when known
    link: LinkKind = LinkKind.SAME
    from_ner: bool = False


def _label(value: str) -> EntityLabel | None:
    value = value.upper()
    # OntoNotes-style labels of other pipelines (nl_core_news_*: PERSON, GPE, NORP ...).
    aliases = {
        "PERSON": "PER",
        "GPE": "LOC",
        "FAC": "LOC",
        "NORP": "MISC",
        "EVENT": "MISC",
        "PRODUCT": "MISC",
        "WORK_OF_ART": "MISC",
        "LAW": "MISC",
        "LANGUAGE": "MISC",
    }
    try:
        return EntityLabel(aliases.get(value, value))
    except ValueError:
        return None  # DATE, MONEY ... from other pipelines: not entities here


def _catalog_label(entry: CatalogEntry, link: LinkKind, ner_label: EntityLabel | None) -> EntityLabel:
    """The label of a mention that denotes ``entry`` through ``link``.

    Only a mention that IS the entity (its name or alias) takes the entity's type; a demonym is
    MISC by convention; a compound keeps what the NER saw in the whole word, else MISC."""
    if link in (LinkKind.SAME, LinkKind.ALIAS_OF):
        return entry.label
    if link is LinkKind.PART_OF_COMPOUND and ner_label is not None:
        return ner_label
    return EntityLabel.MISC


MAX_NAME_CHARS = 200  # the longest name an entity or mention may have


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc: spaCy joins every token's text again on each access."""
    cached = doc.user_data.get("newsdesk_text")
    if cached is None:
        cached = doc.user_data["newsdesk_text"] = doc.text
    return cached


def _text(tokens: Sequence[Token]) -> str:
    return doc_text(tokens[0].doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1])] if tokens else ""


def _first_line(ent: Span) -> list[Token]:
    """The span's tokens up to a line break: a name does not run on into the next line, and the
    name is where the NER began it ("Groningen" of "Groningen | Tent")."""
    tokens: list[Token] = []
    for token in ent:
        if "\n" in token.text:
            break
        if not token.is_space:
            tokens.append(token)
    return tokens


def _sentence_initial(token: Token, starts: frozenset[int]) -> bool:
    """First word of a sentence or of a line."""
    return token.i == 0 or token.idx in starts or "\n" in token.doc[token.i - 1].text_with_ws


def _name_word_before(token: Token, starts: frozenset[int]) -> bool:
    """``token`` (the word before a surname) is part of the same name: a capitalised word that is no
    title, inside a sentence, or at its start when the tagger calls it a proper noun ("Jacoba")."""
    if not (token.text[:1].isupper() and token.is_alpha) or is_title(token.text):
        return False
    return not _sentence_initial(token, starts) or token.pos_ in ("PROPN", "X")


def _followed_by_period(token: Token) -> bool:
    doc = token.doc
    return token.i + 1 < len(doc) and doc[token.i + 1].text == "." and not token.whitespace_


def _not_name(token: Token, tagged: bool) -> bool:
    """A sentence's first word that is not part of the name after it."""
    low = token.text.casefold()
    if low in ARTICLES or low in NAME_PARTICLES:
        return False  # "De Vries", "Van Gaal", "De Morgen": may start a name
    if tagged and token.pos_:
        return token.pos_ in _NOT_NAME_POS
    return low in _NOT_NAME_WORDS


class EntityResolver:
    """Finds mentions in a Doc and resolves them to canonical entities (one article at a time)."""

    def __init__(self, catalog: EntityCatalog) -> None:
        self.catalog = catalog
        # Token sequences of every surface form, for a longest-match scan over the doc's tokens.
        self._by_tokens: dict[tuple[str, ...], tuple[str, CatalogEntry]] = {}
        self._max_len = 1
        self._tokenized = False

    @property
    def version(self) -> str:
        return f"rules{RULES_VERSION}.{self.catalog.digest}" if self.catalog.digest else f"rules{RULES_VERSION}"

    def _index(self) -> None:
        if self._tokenized:
            return
        import spacy

        # Surfaces are split with the blank Dutch tokenizer, which every Dutch pipeline shares.
        make = spacy.blank("nl").tokenizer
        for surface, entry in self.catalog.surfaces():
            words = tuple(t.text for t in make(surface))
            if words:
                self._by_tokens.setdefault(words, (surface, entry))
                self._max_len = max(self._max_len, len(words))
        self._tokenized = True

    # -- candidates ------------------------------------------------------------------------------

    def _catalog_candidates(self, doc: Doc) -> list[_Candidate]:
        self._index()
        words = [t.text for t in doc]
        found: list[_Candidate] = []
        i = 0
        while i < len(doc):
            for n in range(min(self._max_len, len(doc) - i), 0, -1):
                match = self._by_tokens.get(tuple(words[i : i + n]))
                if match is not None:
                    surface, entry = match
                    span = doc[i : i + n]
                    link = entry.link_for(surface)
                    label = _catalog_label(entry, link, None)
                    found.append(_Candidate(span.start_char, span.end_char, span.text, label, entry, link))
                    i += n
                    break
            else:
                token = doc[i]
                # NAVO-landen, EU-lidstaten, CVP-minister: a catalog name, a hyphen, a common noun.
                head = token.text.split("-", 1)[0]
                if head and head[:1].isupper() and _COMPOUND_TAIL.search(token.text[len(head) :][:2]):
                    head_entry = self.catalog.by_surface.get(head)
                    if head_entry is not None:
                        end = token.idx + len(token.text.rstrip("-"))
                        found.append(
                            _Candidate(
                                token.idx,
                                end,
                                doc_text(doc)[token.idx : end],
                                EntityLabel.MISC,
                                head_entry,
                                LinkKind.PART_OF_COMPOUND,
                            )
                        )
                i += 1
        return found

    def _ner_candidates(self, doc: Doc, starts: frozenset[int]) -> list[_Candidate]:
        tagged = doc.has_annotation("TAG") or doc.has_annotation("POS")
        found: list[_Candidate] = []
        taken = {t.i for ent in doc.ents for t in ent}
        for ent in doc.ents:
            label = _label(ent.label_)
            if label is None:
                continue
            tokens = _first_line(ent)
            given = self._given_name_before(doc, tokens[0], taken) if tokens else []
            if given:  # "Eddie van" | "Marum" (LOC): a person whose given name the NER left out
                tokens, label = [*given, *tokens], EntityLabel.PER
            cand = self._clean(tokens, label, starts, tagged, taken)
            if cand is None:
                continue
            last = found[-1] if found else None
            if last is not None and cand.start < last.end:
                continue  # "Dennis te" | "Kloese": the person's particle tail took this span in
            # "Thomas" | "L. Friedman": one person the NER cut in two
            if (
                last is not None
                and last.label is EntityLabel.PER
                and cand.label is EntityLabel.PER
                and doc_text(doc)[last.end : cand.start] == " "
            ):
                found[-1] = replace(last, end=cand.end, text=doc_text(doc)[last.start : cand.end])
                continue
            found.append(cand)
        return found

    def _clean(
        self, tokens: list[Token], label: EntityLabel, starts: frozenset[int], tagged: bool, taken: set[int]
    ) -> _Candidate | None:
        """The name in an NER span: without the words around it that are not part of it."""
        if not tokens:
            return None
        doc, last = tokens[0].doc, tokens[-1]
        # "Staatssecretaris Eddie" | "van Marum": the rest of a person's name the NER cut off
        tail = self._particle_tail(doc, last, taken) if label is EntityLabel.PER else []
        while len(tokens) > 1:
            first, rest = tokens[0], tokens[1:]
            if is_title(first.text) and (
                self._person(rest)
                or (
                    label is EntityLabel.PER
                    # "Koning Boudewijnstadion": a capitalised title inside a sentence, before a
                    # single word, is part of the name of a thing; an abbreviated one ("Dr.
                    # Kerruish") never is
                    and (
                        first.text.islower()
                        or first.text.endswith(".")
                        or len(rest) > 1
                        or tail
                        or _sentence_initial(first, starts)
                    )
                )
            ):
                label = EntityLabel.PER  # "NAVO-secretaris-generaal Rutte" typed ORG
            elif not (
                # "de Europese Commissie": an article in lower case is not part of the name
                first.text in ARTICLES
                # "De heer Jansen"
                or (first.text.casefold() in ARTICLES and len(rest) > 1 and is_title(rest[0].text))
                # "Gisteren Jan Peeters"
                or (label is EntityLabel.PER and _sentence_initial(first, starts) and _not_name(first, tagged))
                # "De Fransen" at a sentence start: the article is not part of a catalog name
                or (
                    first.text.casefold() in ARTICLES
                    and _sentence_initial(first, starts)
                    and self.catalog.lookup(_text(rest)) is not None
                    and self.catalog.lookup(_text(tokens)) is None
                )
            ):
                break
            tokens = rest
        if tagged:
            # "Druyts moet niet zeuren", "Roxy aankloppen": a name does not run on into a verb
            cut = next((i for i, t in enumerate(tokens) if i and t.text.islower() and t.pos_ in ("VERB", "AUX")), None)
            tokens = tokens[:cut]
        # "Cobepa van", "Uitvoerend Comité van het": a name does not end in a function word, and a
        # person's name not in a lower-case word ("Leleux lid van de beurs"; an organisation's may:
        # "Vereniging voor begeleiding en bevordering van borstvoeding")
        while len(tokens) > 1 and (
            tokens[-1].text in _TRAILING
            or (label is EntityLabel.PER and tokens[-1].text.isalpha() and tokens[-1].text.islower())
        ):
            tokens = tokens[:-1]
        # a closing quote the NER took along ("vormgeving'"), unless the name opens with one
        while tokens and tokens[-1].text in _QUOTES and tokens[0].text not in _QUOTES:
            tokens = tokens[:-1]
        if not tokens or (
            len(tokens) == 1 and is_title(tokens[0].text) and (tokens[0].text.islower() or label is EntityLabel.PER)
        ):
            return None  # nothing left, or "premier" / "Ombudsman" alone
        if len(tokens) == 1 and tokens[0].text.casefold() in _ABBREVIATIONS and _followed_by_period(tokens[0]):
            return None  # "Tel. 02 / 245.97.00" in a listing: an abbreviation, no name
        if (
            label is EntityLabel.PER
            and len(tokens) == 1
            and not tail
            and tagged
            and _sentence_initial(tokens[0], starts)
            and tokens[0].pos_ not in ("PROPN", "X", "NOUN")
        ):
            return None  # "Vermits", "Voormalig": a sentence's first word the tagger knows is no name
        if tokens == [last]:  # "Eddie van Marum"; not "Hugo Koeman | van de Kindertelefoon"
            tokens = tokens + tail
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        return _Candidate(start, end, doc_text(tokens[0].doc)[start:end], label, from_ner=True)

    def _person(self, tokens: Sequence[Token]) -> bool:
        """A catalog person, or a catalog person's surname."""
        text = _text(tokens)
        entry = self.catalog.lookup(text)
        return (entry is not None and entry.label is EntityLabel.PER) or normalise(text) in self.catalog.by_surname

    def _given_name_before(self, doc: Doc, first: Token, taken: set[int]) -> list[Token]:
        """``Eddie van`` before an NER span ``Marum``: a common Dutch or Belgian given name, outside
        every NER span, and name particles, before the span: the span is that person's surname,
        whatever the NER typed it (Marum is also a village). Only with the pipeline's knowledge
        vectors, which know the given names."""
        i = first.i - 1
        while i >= 0 and doc[i].text in NAME_PARTICLES and i not in taken:
            i -= 1
        if i < 0 or i == first.i - 1 or i in taken:
            return []
        word = doc[i]
        if not (word.text[:1].isupper() and word.text[1:].islower() and word.is_alpha):
            return []
        if word.text.casefold() in NAME_PARTICLES or word.pos_ in ("ADP", "DET", "PRON"):
            return []  # "Van de Cubaanse ...": a sentence's capitalised particle
        table = KnowledgeTable.of(doc.vocab)  # a view of the vocab's vectors, as the typer reads them
        row = table.row(word.text) if table is not None else None
        if row is None or row[KNOWLEDGE_COLUMNS.index("first_nlbe")] < 1.0:
            return []
        return list(doc[i : first.i])

    def _particle_tail(self, doc: Doc, last: Token, taken: set[int]) -> list[Token]:
        """``Eddie`` | ``van Marum``: the particles and surname after a person's name the NER cut off."""
        tail: list[Token] = []
        i = last.i + 1
        while i < len(doc) and doc[i].text in NAME_PARTICLES and i not in taken:
            tail.append(doc[i])
            i += 1
        if not tail or i >= len(doc) or tail[-1].text in ("la", "le", "al", "'t"):
            return []
        word = doc[i]
        if not word.text[:1].isupper() or word.is_sent_start or _ACRONYM.match(word.text) and word.text.isupper():
            return []
        # "te", "ten", "ter" introduce no organisation: "Dennis te Kloese" even where the NER typed
        # "Kloese"; nor does a double particle introduce a place: "Marieke van den Berg" ("Berg" LOC)
        surname_only = all(t.text in _SURNAME_ONLY_PARTICLES for t in tail)
        allowed = {"PER"} | ({"LOC"} if len(tail) > 1 else set())
        if (
            _COMPOUND_TAIL.search(word.text)
            or self.catalog.lookup(word.text) is not None
            or (not surname_only and any(e.start <= i < e.end and e.label_ not in allowed for e in doc.ents))
        ):
            return []  # "Jansen van de VVD", "Peeters van Agalev", "Jansen van Nijmegen"
        return [*tail, word]

    @staticmethod
    def _split_covered(text: str, catalog: list[_Candidate], ner: list[_Candidate]) -> list[_Candidate]:
        """An NER span made only of demonyms and compounds (``Europese NAVO-landen``) is those parts."""
        out: list[_Candidate] = []
        for cand in ner:
            parts = [
                m
                for m in catalog
                if cand.start <= m.start
                and m.end <= cand.end
                and m.link in (LinkKind.DEMONYM_OF, LinkKind.PART_OF_COMPOUND)
            ]
            rest = text[cand.start : cand.end]
            for part in reversed(parts):  # what the parts leave of the span: nothing but spaces?
                rest = rest[: part.start - cand.start] + rest[part.end - cand.start :]
            if len(parts) < 2 or rest.strip():
                out.append(cand)
        return out

    def _trim_after_catalog(self, text: str, catalog: list[_Candidate], ner: list[_Candidate]) -> list[_Candidate]:
        """NER spans that run on past a catalog name at their start: ``Europese Raad van
        regeringsleiders`` (lower-case tail: dropped), ``Europese Commissie Von der Leyen`` (tail is
        a catalog person: split off as PER). Other run-ons (``Amsterdam Airport``) are kept."""
        out: list[_Candidate] = []
        for cand in ner:
            head = next(
                (
                    m
                    for m in catalog
                    if m.start == cand.start and m.end < cand.end and m.link is not LinkKind.DEMONYM_OF
                ),
                None,
            )
            if head is None or self.catalog.lookup(cand.text) is not None:
                out.append(cand)
                continue
            tail = text[head.end : cand.end]
            offset = head.end + len(tail) - len(tail.lstrip())
            tail = tail.strip()
            if not tail or tail[0].islower():
                continue  # the catalog match alone stands for the span
            person = self.catalog.lookup(tail)
            if (person is not None and person.label is EntityLabel.PER) or normalise(tail) in self.catalog.by_surname:
                out.append(_Candidate(offset, offset + len(tail), tail, EntityLabel.PER, from_ner=True))
                continue
            out.append(cand)
        return out

    @staticmethod
    def _select(catalog: list[_Candidate], ner: list[_Candidate]) -> list[_Candidate]:
        """NER spans, with the catalog's knowledge attached where both found the same span; catalog
        matches fill the gaps. A catalog match inside or across an NER span gives way; a longer
        catalog name replaces the NER spans it contains."""
        chosen = list(ner)
        for cand in catalog:
            overlapping = [n for n in chosen if n.start < cand.end and cand.start < n.end]
            if not overlapping:
                chosen.append(cand)
            elif len(overlapping) == 1 and (overlapping[0].start, overlapping[0].end) == (cand.start, cand.end):
                ner_label = overlapping[0].label
                assert cand.entry is not None
                label = _catalog_label(cand.entry, cand.link, ner_label)
                chosen[chosen.index(overlapping[0])] = replace(cand, label=label, from_ner=True)
            elif all(cand.start <= n.start and n.end <= cand.end for n in overlapping):
                chosen = [n for n in chosen if n not in overlapping] + [cand]
        return sorted(chosen, key=lambda c: c.start)

    def _surname_candidates(
        self,
        doc: Doc,
        chosen: list[_Candidate],
        people: dict[str, list[tuple[int, EntityRef]]],
        starts: frozenset[int],
    ) -> list[_Candidate]:
        """Surnames the NER missed: of a person named in this article, or of a catalog person
        (the latter not at a sentence start, where capitalised common words would match)."""
        # A catalog surname already mentioned in this article may also start a sentence.
        seen = {normalise(c.text) for c in chosen}
        covered = [(c.start, c.end) for c in chosen]
        found: list[_Candidate] = []
        i = 0
        while i < len(doc):
            for n in (4, 3, 2, 1):
                span = doc[i : i + n]
                if len(span) < n or not span.text[:1].isalpha() or not span[-1].text[:1].isupper():
                    continue
                inside = [(s, e) for s, e in covered if s < span.end_char and span.start_char < e]
                if inside and not (
                    # "Van Marum" where the NER marked "Marum" (LOC): the surname of a person this
                    # article names in full takes the span in
                    span[0].text.casefold() in NAME_PARTICLES
                    and normalise(span.text) in people
                    and all(span.start_char < s and e <= span.end_char for s, e in inside)
                ):
                    continue
                if len(span.text) > 1 and span.text.isupper():
                    continue  # "MODE" in a heading is no Mode
                key = normalise(span.text)
                initial = _sentence_initial(doc[i], starts)
                known = key in people or (key in self.catalog.by_surname and (not initial or key in seen))
                if known and not initial and _name_word_before(doc[i - 1], starts):
                    continue  # "Jacoba de Jonge" is not Hugo de Jonge: the surname of a longer name
                if known and (n == 1 or span[0].text.casefold() in NAME_PARTICLES):
                    found.append(_Candidate(span.start_char, span.end_char, span.text, EntityLabel.PER))
                    seen.add(key)
                    i += n - 1
                    break
            i += 1
        return found

    # -- resolution ------------------------------------------------------------------------------

    def _own_ref(self, cand: _Candidate) -> tuple[EntityRef, LinkKind, EntityLabel] | None:
        """The catalog entity a candidate names by itself (its text, or its text after an article)."""
        if cand.entry is not None:
            return cand.entry.ref, cand.link, cand.label
        words = cand.text.split(" ", 1)
        texts = [cand.text, words[1]] if len(words) > 1 and words[0].casefold() in ARTICLES else [cand.text]
        for text in texts:
            entry = self.catalog.lookup(text)
            if entry is not None:
                link = entry.link_for(text)
                return entry.ref, link, _catalog_label(entry, link, cand.label)
        return None

    def mentions(self, doc: Doc, sentence_starts: Sequence[int] | None = None) -> list[Mention]:
        """Mentions in ``doc`` sorted by start; offsets are into ``doc.text``."""
        if sentence_starts is None:
            sentence_starts = [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") else [0]
        starts = frozenset(sentence_starts)
        catalog = self._catalog_candidates(doc)
        # a "name" longer than any name (a capitalised run on a hostile page) would only be refused
        # by the entity index and fail its article on every run
        ner = [c for c in self._ner_candidates(doc, starts) if len(c.text) <= MAX_NAME_CHARS]
        text = doc_text(doc)
        ner = self._split_covered(text, catalog, self._trim_after_catalog(text, catalog, ner))
        chosen = self._select(catalog, ner)
        names = self._full_names(chosen)
        people = self._people(names)
        surnames = self._surname_candidates(doc, chosen, people, starts)
        # a surname that took in an NER span ("Van" + "Marum") replaces it
        chosen = [c for c in chosen if not any(s.start < c.start and c.end <= s.end for s in surnames)]
        chosen = sorted(chosen + surnames, key=lambda c: c.start)
        chosen = sorted(chosen + _repeated(doc, chosen, starts), key=lambda c: c.start)
        acronyms = _introduced_acronyms(text, chosen, names)
        resolved = self._agree([self._resolve(cand, people, names, acronyms) for cand in chosen])
        mentions: list[Mention] = []
        for r in resolved:
            sentence = max(0, bisect_right(sentence_starts, r.cand.start) - 1)
            mentions.append(Mention(r.cand.text, r.label, r.cand.start, r.cand.end, sentence, r.ref, r.link))
        return mentions

    def _full_names(self, chosen: Sequence[_Candidate]) -> list[_Name]:
        """The names of this article that shorter mentions may stand for: several words, naming an
        entity themselves (not demonyms or compounds)."""
        names: list[_Name] = []
        for cand in chosen:
            words = tuple(cand.text.split())
            if len(words) < 2:
                continue
            own = self._own_ref(cand)
            if own is not None and own[1] not in (LinkKind.SAME, LinkKind.ALIAS_OF):
                continue
            names.append(_Name(cand.start, words, own[0] if own else make_ref(cand.text, cand.label), cand.label))
        return names

    def _people(self, names: Sequence[_Name]) -> dict[str, list[tuple[int, EntityRef]]]:
        """normalised surname -> (where, person) for the persons this article names in full.

        A full name is capitalised words and particles, typed PER, and not a catalog place or body
        followed by a word ("Londen Swissair" is not a person)."""
        people: dict[str, list[tuple[int, EntityRef]]] = {}
        for name in names:
            if name.ref.label is not EntityLabel.PER or name.label is not EntityLabel.PER:
                continue
            text = " ".join(name.words)
            if _surname_only(text) or not all(w[:1].isupper() or w in NAME_PARTICLES for w in name.words):
                continue
            if any((e := self.catalog.lookup(w)) is not None and e.label is not EntityLabel.PER for w in name.words):
                continue
            for full in dict.fromkeys((name.ref.canonical, text)):
                surname = surname_of(full)
                if surname:
                    people.setdefault(normalise(surname), []).append((name.start, name.ref))
        return people

    def _resolve(
        self,
        cand: _Candidate,
        people: dict[str, list[tuple[int, EntityRef]]],
        names: Sequence[_Name],
        acronyms: dict[str, EntityRef],
    ) -> _Resolved:
        found = self._own_ref(cand) or self._linked(cand, people, names, acronyms)
        if found is None:
            return _Resolved(cand, make_ref(cand.text, cand.label), LinkKind.SAME, cand.label)
        return _Resolved(cand, *found)

    def _agree(self, resolved: list[_Resolved]) -> list[_Resolved]:
        """One type per entity of this article. A name the article's mentions disagree on
        (``Koninklijke Commissie`` tagged PER, ``de Commissie`` ORG three times) gets the type most
        of its NER-typed mentions have, and every mention that names it takes that type. Catalog
        entities keep the catalog's type."""
        catalog_ids = {r.cand.entry.ref.entity_id for r in resolved if r.cand.entry is not None}
        naming = (LinkKind.SAME, LinkKind.SHORT_FORM_OF, LinkKind.SURNAME_OF)
        votes: dict[str, Counter[EntityLabel]] = {}
        # Keyed by name, not id: "Tectrade" typed PER and "Tectrade" typed ORG are two ids so far.
        for r in resolved:
            if r.cand.from_ner and r.link in naming and r.cand.entry is None:
                votes.setdefault(normalise(r.ref.canonical), Counter())[r.cand.label] += 1
        out: list[_Resolved] = []
        for r in resolved:
            ranked = votes.get(normalise(r.ref.canonical), Counter()).most_common()
            if (
                r.link in naming
                and r.ref.entity_id not in catalog_ids
                and self.catalog.lookup(r.ref.canonical) is None
                and len(ranked) > 1
                and ranked[0][1] > ranked[1][1]
            ):
                winner = ranked[0][0]
                link = (
                    r.link if r.link is not LinkKind.SURNAME_OF or winner is EntityLabel.PER else LinkKind.SHORT_FORM_OF
                )
                r = _Resolved(r.cand, make_ref(r.ref.canonical, winner), link, winner)
            out.append(r)
        return out

    def _linked(
        self,
        cand: _Candidate,
        people: dict[str, list[tuple[int, EntityRef]]],
        names: Sequence[_Name],
        acronyms: dict[str, EntityRef],
    ) -> tuple[EntityRef, LinkKind, EntityLabel] | None:
        """A mention that is a shorter form of a name this article gives in full (or the catalog's)."""
        key = normalise(cand.text)
        words = tuple(cand.text.split())
        if _surname_only(cand.text) and not (len(cand.text) > 1 and cand.text.isupper()):  # "MODE" is no Mode
            refs = people.get(key, [])
            before = [ref for pos, ref in refs if pos < cand.start]
            anywhere = {ref.entity_id: ref for _, ref in refs}
            ref = before[-1] if before else next(iter(anywhere.values())) if len(anywhere) == 1 else None
            # A catalog person's surname, also when the NER typed it ORG/LOC/MISC ("Schoof" as ORG):
            # the commonest error on news text.
            if ref is None and key in self.catalog.by_surname:
                ref = self.catalog.by_surname[key].ref
            if ref is not None:
                return ref, LinkKind.SURNAME_OF, EntityLabel.PER
        if cand.text in acronyms:
            ref = acronyms[cand.text]
            return ref, LinkKind.SHORT_FORM_OF, ref.label
        if cand.text[:1].isupper() and words[0].casefold() not in NAME_PARTICLES:
            best: tuple[tuple[int, int], EntityRef] | None = None
            for name in names:
                if name.ref.label is not EntityLabel.PER and _short_form(words, name.words):
                    rank = (0 if name.start < cand.start else 1, abs(cand.start - name.start))
                    if best is None or rank < best[0]:
                        best = (rank, name.ref)
            if best is not None:
                ref = best[1]
                return ref, LinkKind.SHORT_FORM_OF, ref.label
        return None


@dataclass(frozen=True, slots=True)
class _Name:
    start: int
    words: tuple[str, ...]
    ref: EntityRef
    label: EntityLabel  # what the text (the NER) called it


@dataclass(frozen=True, slots=True)
class _Resolved:
    cand: _Candidate
    ref: EntityRef
    link: LinkKind
    label: EntityLabel


def _repeated(doc: Doc, chosen: Sequence[_Candidate], starts: frozenset[int]) -> list[_Candidate]:
    """Names the NER found in this article, where the article repeats them and the NER did not see
    them ("4FM" found once, missed eight times). A single word at a sentence start is left alone:
    a capitalised common word would match there."""
    names: dict[tuple[str, ...], EntityLabel] = {}
    for cand in chosen:
        if cand.from_ner and cand.entry is None and not cand.text[:1].islower():
            names.setdefault(tuple(cand.text.split()), cand.label)
    if not names:
        return []
    longest = max(len(k) for k in names)
    covered = sorted((c.start, c.end) for c in chosen)
    words = [t.text for t in doc]
    found: list[_Candidate] = []
    i = 0
    while i < len(doc):
        for n in range(min(longest, len(doc) - i), 0, -1):
            key = tuple(words[i : i + n])
            label = names.get(key)
            if label is None or any(doc[j].is_space for j in range(i, i + n)):
                continue
            span = doc[i : i + n]
            if n == 1 and _sentence_initial(doc[i], starts):
                continue
            if any(s < span.end_char and span.start_char < e for s, e in covered):
                continue
            found.append(_Candidate(span.start_char, span.end_char, span.text, label))
            i += n - 1
            break
        i += 1
    return found


def _introduced_acronyms(text: str, chosen: Sequence[_Candidate], names: Sequence[_Name]) -> dict[str, EntityRef]:
    """``Koninklijke Commissie voor Monumenten (KCM)``: the acronym in parentheses right after a
    name stands for that name in the whole article."""
    out: dict[str, EntityRef] = {}
    by_end = {c.end: c for c in chosen}
    refs = {name.start: name.ref for name in names}
    for match in re.finditer(r"\s*\(\s*([A-Z][A-Za-z&]{1,7})\s*\)", text):
        acronym = match.group(1)
        if not acronym[1:].replace("&", "").isupper() or acronym in out:
            continue
        full = by_end.get(match.start())
        ref = refs.get(full.start) if full is not None else None
        # "François-Xavier de Donnea (PRL)" is a person and his party, not a name and its acronym
        if ref is not None and full is not None and ref.label is not EntityLabel.PER and full.text[0] == acronym[0]:
            out[acronym] = ref
    return out


def _short_form(words: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """``Commissie`` of ``Europese Commissie`` or of ``Koninklijke Commissie voor Monumenten``,
    ``Raad`` of ``Raad van State``: the end of the name's core (its words before ``van`` / ``voor``
    ...), after capitalised words only. ``Sydney`` of ``Spelen van Sydney`` is another entity,
    ``Mossad`` of ``Mossad de jongste jaren`` no name's core."""
    if len(words) >= len(full):
        return False
    k = next((i for i, w in enumerate(full) if i and w in _LINKING), len(full))
    core, rest = full[:k], [w for w in full[k:] if w not in _LINKING]
    if k < len(full) and not (rest and rest[0][:1].isupper()):
        return False
    return core[-len(words) :] == words and all(w[:1].isupper() for w in core[: -len(words)])


def _surname_only(text: str) -> bool:
    """``Schoof`` or ``Von der Leyen`` (no given name) as opposed to ``Dick Schoof``."""
    words = text.split()
    return len(words) == 1 or words[0].casefold() in NAME_PARTICLES
