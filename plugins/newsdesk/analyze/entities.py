"""Entity mentions and their canonical entities: spaCy Doc -> ``Mention`` records.

Owns the curated catalog (seeds/entities.csv), alias matching, surname resolution within an
article, demonym linking and stable entity ids. Works with any spaCy pipeline that sets
``doc.ents`` (or none: catalog matches still come through).

Decisions, in one place:

* Candidates come from the NER and from catalog aliases matched on the text (case-sensitive, whole
  tokens, and the leading part of hyphenated compounds such as ``NAVO-landen`` / ``EU-lidstaten``,
  which the Dutch tokenizer keeps as one token). Overlaps keep the longer span; on equal length
  the catalog wins; an NER ``MISC`` span that contains catalog matches gives way to them
  (``Europese NAVO-landen`` -> Europa + NAVO).
* A mention's label is the label of the entity it resolves to: a catalog entry corrects the NER's
  type (``Verenigd Koninkrijk`` tagged ORG is still the LOC entity).
* Demonyms and nationality adjectives (``Britse``, ``Britten``, ``Amerikaanse``) are catalog
  aliases of their country and are emitted as LOC mentions of that country, so "which articles
  involve the UK" needs one entity id. The surface text stays in ``Mention.text``.
* Single-word or particle surnames (``Schoof``, ``Von der Leyen``) resolve to the closest
  preceding full name of a person in the same article, else to any full name in the article, else
  to a catalog person whose surname is unambiguous in the catalog (``Starmer`` -> Keir Starmer).
* Anything else becomes a new entity named by its text; ids are uuid5 of ``LABEL:normalised name``
  so the same name gives the same id in every run and database.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import unicodedata
import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, Span

from newsdesk.errors import ConfigError
from newsdesk.models import ENTITY_NAMESPACE, EntityLabel, EntityRef, Mention

log = logging.getLogger(__name__)

# Bump when the resolution rules below change behaviour (part of analyzer_version).
RULES_VERSION = 2

# Words that may precede a name inside an NER span but are not part of it.
_TITLES = frozenset(
    "premier minister president koning koningin prinses prins paus bondskanselier kanselier "
    "staatssecretaris voorzitter burgemeester senator generaal".split()
)
# Articles are stripped too, except before a person's name, where "De" may start a surname (De Vries).
_ARTICLES = frozenset("de het een".split())
_SPACE = re.compile(r"\s+")
# "NAVO-landen", "EU-lidstaten": a hyphen followed by a lower-case word ends the span.
_COMPOUND_TAIL = re.compile(r"-[a-zà-ÿ]+$")
_PARTICLES = frozenset("van von der den de del della di da du le la al bin ten ter 't".split())


def normalise(name: str) -> str:
    """Key for ids and lookups: NFKC, case-folded, single spaces, typographic quotes removed."""
    text = unicodedata.normalize("NFKC", name).replace("\u2019", "'").strip(" \t\n'\"")
    return _SPACE.sub(" ", text).casefold()


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
        if words[i].casefold() in _PARTICLES:
            return " ".join(words[i:])
    return words[-1]


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    canonical: str
    label: EntityLabel
    aliases: tuple[str, ...]
    wikidata_id: str | None
    ref: EntityRef


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
                    log.warning("alias %r names both %s and %s; keeping the first", surface, other.canonical,
                                entry.canonical)  # fmt: skip
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
    """Read seeds/entities.csv (canonical_name,label,aliases,wikidata_id; aliases |-separated)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"entity catalog {path} cannot be read: {exc}") from exc
    entries: list[CatalogEntry] = []
    reader = csv.DictReader(raw.decode("utf-8").splitlines())
    expected = {"canonical_name", "label", "aliases", "wikidata_id"}
    if not reader.fieldnames or not expected <= set(reader.fieldnames):
        raise ConfigError(f"entity catalog {path} needs the columns {sorted(expected)}")
    for lineno, row in enumerate(reader, start=2):
        name = (row["canonical_name"] or "").strip()
        try:
            label = EntityLabel((row["label"] or "").strip())
        except ValueError as exc:
            raise ConfigError(f"{path}:{lineno}: unknown label {row['label']!r}") from exc
        if not name:
            raise ConfigError(f"{path}:{lineno}: empty canonical_name")
        aliases = tuple(
            dict.fromkeys(a.strip() for a in (row["aliases"] or "").split("|") if a.strip() and a.strip() != name)
        )
        qid = (row["wikidata_id"] or "").strip() or None
        entries.append(CatalogEntry(name, label, aliases, qid, make_ref(name, label, qid)))
    return EntityCatalog(tuple(entries), digest=hashlib.sha256(raw).hexdigest()[:8])


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # char offsets into doc.text
    end: int
    text: str
    label: EntityLabel
    entry: CatalogEntry | None  # set for catalog matches
    from_ner: bool


def _label(value: str) -> EntityLabel | None:
    value = value.upper()
    # OntoNotes-style labels of other pipelines (nl_core_news_*: PERSON, GPE, NORP ...).
    aliases = {"PERSON": "PER", "GPE": "LOC", "FAC": "LOC", "NORP": "MISC", "EVENT": "MISC",
               "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC"}  # fmt: skip
    try:
        return EntityLabel(aliases.get(value, value))
    except ValueError:
        return None  # DATE, MONEY ... from other pipelines: not entities here


class EntityResolver:
    """Finds mentions in a Doc and resolves them to canonical entities (one article at a time)."""

    def __init__(self, catalog: EntityCatalog) -> None:
        self.catalog = catalog
        # Token sequences of every surface form, for a longest-match scan over the doc's tokens.
        self._by_tokens: dict[tuple[str, ...], CatalogEntry] = {}
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
                self._by_tokens.setdefault(words, entry)
                self._max_len = max(self._max_len, len(words))
        self._tokenized = True

    def _catalog_candidates(self, doc: Doc) -> list[_Candidate]:
        self._index()
        words = [t.text for t in doc]
        found: list[_Candidate] = []
        i = 0
        while i < len(doc):
            for n in range(min(self._max_len, len(doc) - i), 0, -1):
                entry = self._by_tokens.get(tuple(words[i : i + n]))
                if entry is not None:
                    span = doc[i : i + n]
                    found.append(_Candidate(span.start_char, span.end_char, span.text, entry.label, entry, False))
                    i += n
                    break
            else:
                token = doc[i]
                # NAVO-landen, EU-lidstaten, Oekraïne-top: the catalog name before the first hyphen.
                if "-" in token.text and not token.text.startswith("-"):
                    head = token.text.split("-", 1)[0]
                    entry = self.catalog.by_surface.get(head)
                    if entry is not None and head[:1].isupper():
                        found.append(_Candidate(token.idx, token.idx + len(head), head, entry.label, entry, False))
                i += 1
        return found

    @staticmethod
    def _ner_candidates(ents: Sequence[Span]) -> list[_Candidate]:
        found: list[_Candidate] = []
        for ent in ents:
            label = _label(ent.label_)
            if label is None:
                continue
            tokens = list(ent)
            # Strip leading titles and articles the NER sometimes includes ("premier Schoof").
            while len(tokens) > 1 and (
                tokens[0].text.casefold() in _TITLES
                or (label is not EntityLabel.PER and tokens[0].text.casefold() in _ARTICLES)
                # "NAVO-chef Rutte", "NAVO-secretaris-generaal Rutte": a role, not part of the name
                or _COMPOUND_TAIL.search(tokens[0].text)
            ):
                tokens = tokens[1:]
            while tokens and not tokens[-1].text[-1:].isalnum():  # trailing quote or dot
                tokens = tokens[:-1]
            if not tokens:
                continue
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
            text = ent.doc.text[start:end]
            found.append(_Candidate(start, end, text, label, None, True))
        return found

    def _trim_after_catalog(self, text: str, catalog: list[_Candidate], ner: list[_Candidate]) -> list[_Candidate]:
        """NER spans that run on past a catalog name at their start: ``Europese Raad van
        regeringsleiders`` (lower-case tail: dropped), ``Europese Commissie Von der Leyen`` (tail is
        a catalog person: split off as PER). Other run-ons (``Amsterdam Airport``) are kept."""
        out: list[_Candidate] = []
        for cand in ner:
            head = next((m for m in catalog if m.start == cand.start and m.end < cand.end), None)
            if head is None or self.catalog.lookup(cand.text) is not None:
                out.append(cand)
                continue
            tail = text[head.end : cand.end]
            offset = head.end + len(tail) - len(tail.lstrip())
            tail = tail.strip()
            if not tail or not tail[0].isupper():
                continue  # the catalog match alone stands for the span
            person = self.catalog.lookup(tail)
            if (person is not None and person.label is EntityLabel.PER) or normalise(tail) in self.catalog.by_surname:
                out.append(_Candidate(offset, offset + len(tail), tail, EntityLabel.PER, None, True))
                continue
            out.append(cand)
        return out

    @staticmethod
    def _select(catalog: list[_Candidate], ner: list[_Candidate]) -> list[_Candidate]:
        # An NER span that contains catalog matches gives way to them when it is MISC or ends in a
        # common-noun compound (``Europese NAVO-landen``): such spans are descriptions, not names.
        ner = [
            c
            for c in ner
            if not (
                (c.label is EntityLabel.MISC or _COMPOUND_TAIL.search(c.text))
                and any(c.start <= m.start and m.end <= c.end for m in catalog)
            )
        ]
        ranked = sorted(catalog + ner, key=lambda c: (-(c.end - c.start), c.from_ner, c.start))
        chosen: list[_Candidate] = []
        for cand in ranked:
            if all(cand.end <= c.start or c.end <= cand.start for c in chosen):
                chosen.append(cand)
        return sorted(chosen, key=lambda c: c.start)

    def _resolve(self, cand: _Candidate, people: list[tuple[int, str, EntityRef]]) -> EntityRef:
        if cand.entry is not None:
            return cand.entry.ref
        entry = self.catalog.lookup(cand.text)
        if entry is not None:
            return entry.ref
        # Surname-only mentions; also when the NER typed a known surname as ORG/LOC/MISC
        # ("Schoof" as ORG), which is the commonest error on news text.
        key = normalise(cand.text)
        known_surname = key in self.catalog.by_surname or any(sur == key for _, sur, _ in people)
        if _surname_only(cand.text) and (cand.label is EntityLabel.PER or known_surname):
            before = [ref for pos, sur, ref in people if sur == key and pos < cand.start]
            anywhere = {ref.entity_id: ref for _, sur, ref in people if sur == key}
            if before:
                return before[-1]
            if len(anywhere) == 1:
                return next(iter(anywhere.values()))
            surname_entry = self.catalog.by_surname.get(key)
            if surname_entry is not None:
                return surname_entry.ref
        return make_ref(cand.text, cand.label)

    def _surname_candidates(
        self, doc: Doc, chosen: list[_Candidate], people: list[tuple[int, str, EntityRef]]
    ) -> list[_Candidate]:
        """Surnames the NER missed: of a person named in this article, or of a catalog person
        (the latter not at a sentence start, where capitalised common words would match)."""
        article = {sur for _, sur, _ in people}
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
                if any(s < span.end_char and span.start_char < e for s, e in covered):
                    continue
                key = normalise(span.text)
                known = key in article or (key in self.catalog.by_surname and (not doc[i].is_sent_start or key in seen))
                if known and (n == 1 or span[0].text.casefold() in _PARTICLES):
                    found.append(_Candidate(span.start_char, span.end_char, span.text, EntityLabel.PER, None, False))
                    seen.add(key)
                    i += n - 1
                    break
            i += 1
        return found

    def mentions(self, doc: Doc, sentence_starts: Sequence[int] | None = None) -> list[Mention]:
        """Mentions in ``doc`` sorted by start; offsets are into ``doc.text``."""
        catalog = self._catalog_candidates(doc)
        ner = self._trim_after_catalog(doc.text, catalog, self._ner_candidates(doc.ents))
        chosen = self._select(catalog, ner)
        if sentence_starts is None:
            sentence_starts = [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") else [0]
        # Full person names of this article, keyed by their surname, for surname-only mentions.
        people: list[tuple[int, str, EntityRef]] = []
        for cand in chosen:
            if cand.label is EntityLabel.PER and not _surname_only(cand.text):
                ref = self._resolve(cand, [])
                if ref.label is not EntityLabel.PER:
                    continue
                for name in (ref.canonical, cand.text):
                    surname = surname_of(name)
                    if surname:
                        people.append((cand.start, normalise(surname), ref))
        chosen = sorted(chosen + self._surname_candidates(doc, chosen, people), key=lambda c: c.start)
        mentions: list[Mention] = []
        for cand in chosen:
            ref = self._resolve(cand, people)
            sentence = max(0, bisect_right(sentence_starts, cand.start) - 1)
            mentions.append(Mention(cand.text, ref.label, cand.start, cand.end, sentence, ref))
        return mentions


def _surname_only(text: str) -> bool:
    """``Schoof`` or ``Von der Leyen`` (no given name) as opposed to ``Dick Schoof``."""
    words = text.split()
    return len(words) == 1 or words[0].casefold() in _PARTICLES
