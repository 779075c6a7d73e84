"""Entity typing: a linear classifier that re-labels the NER's spans (PER / ORG / LOC / MISC).

Owns the spaCy component ``newsdesk_entity_typer`` (placed after ``ner``), its features, its
training (multinomial logistic regression, fitted with scipy's L-BFGS) and its files, and the
reading of the pipeline's knowledge vectors (built by nlp/knowledge.py: what public name, place
and word lists say of each word, shipped as the vocab's vectors; see ``KNOWLEDGE_COLUMNS``).

Why a second stage: the bundled NER finds entity boundaries well (untyped F1 about 0.90) but
gets a fifth of the types wrong; a transition-based NER types a span from a narrow window of
hashed token features. The typer sees the whole span and its neighbours, and knows things the
NER cannot learn from its vectors: a lexicon of the entity strings of the training data with
their label counts, newsdesk's curated catalog (seeds/entities.csv, canonical names, aliases,
types), and the other mentions of the same name in the document ("Verhofstadt" after "Guy
Verhofstadt"). Its logits are added to a fixed bonus for the NER's own label, so the NER's
context still counts where the typer knows nothing; the bonus is chosen on the dev split.

Beyond labels, switches chosen on the dev split: a fifth class ``REJECT`` (fitted on runs of
capitalised words outside the gold entities) drops spans that are no name; touching spans of one
label can be joined; a name found once is found again where the same words recur in the document.

Names from outside CoNLL-2002 (``Knowledge.names``): how often each capitalised word was part of a
person, organisation, place or other name, or of no name, in a larger annotated Dutch corpus
(SoNaR-1's 1 million words, as the name lexicon of Frog's NER in Debian's frogdata; read by
nlp/outside_names.py when the typer is trained, shipped in a file of their own, ``NAMES_FILE``,
beside the typer's other files: they keep their source's licence, GPL-3+).

Training detail that matters: the lexicon features of a training span are computed from the
other articles only (k-fold by article), else every training name would be "known" and the
classifier would learn to trust the lexicon more than it deserves on new text.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import srsly
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from newsdesk.analyze.dutch import NAME_PARTICLES, normalise

log = logging.getLogger(__name__)

FACTORY = "newsdesk_entity_typer"
LABELS = ("LOC", "MISC", "ORG", "PER")
# The typer's extra class: "this span is no entity" (a capitalised word at a sentence start ...).
REJECT = "O"
# The "NER label" of a run of capitalised words the NER did not take for a name (typed all the same).
CANDIDATE = "?"
_SPACE = re.compile(r"\s+")


# The knowledge vectors (built by nlp/knowledge.py, shipped as the pipeline's vocab vectors): one
# row per lower-cased word or multi-word name, these columns in this order.
KNOWLEDGE_VECTORS_NAME = "nl_newsdesk_knowledge"
KNOWLEDGE_COLUMNS = (
    "known",
    "nl_freq",
    "nl_word",
    "en_freq",
    "first_nlbe",
    "first_any",
    "last_nlbe",
    "last_any",
    "place_benl",
    "place_world",
    "country",
    "language",
    "multi_place",
)


def knowledge_key(text: str) -> str:
    """Key of a word or name in the knowledge vectors: lower case, single spaces (``Token.lower_``
    for one token)."""
    return _SPACE.sub(" ", text.strip()).lower()


class KnowledgeTable:
    """Rows of the knowledge vectors by word, read from a pipeline's ``vocab.vectors``.

    Only a table named ``KNOWLEDGE_VECTORS_NAME`` with one value per ``KNOWLEDGE_COLUMNS`` is
    read; any other vectors (e.g. a pipeline with real word vectors) give no knowledge features.
    """

    def __init__(self, vectors: Any) -> None:
        self.vectors = vectors
        self._data = np.asarray(vectors.data)

    @classmethod
    def of(cls, vocab: Any) -> KnowledgeTable | None:
        vectors = getattr(vocab, "vectors", None)
        if vectors is None or getattr(vectors, "name", None) != KNOWLEDGE_VECTORS_NAME:
            return None
        if vectors.shape[1] != len(KNOWLEDGE_COLUMNS):
            log.warning(
                "knowledge vectors of width %d, expected %d: not used", vectors.shape[1], len(KNOWLEDGE_COLUMNS)
            )
            return None
        return cls(vectors)

    def row(self, text: str) -> np.ndarray | None:
        index = self.vectors.find(key=get_string_id(knowledge_key(text)))
        return None if index < 0 else self._data[index]

    def features(self, prefix: str, text: str) -> list[tuple[str, float]]:
        """``prefix:column=value`` for the non-zero columns of ``text``'s row; ``prefix:unknown``."""
        row = self.row(text)
        if row is None:
            return [(f"{prefix}:unknown", 1.0)]
        return [(f"{prefix}:{KNOWLEDGE_COLUMNS[i]}={row[i]:g}", 1.0) for i in np.flatnonzero(row) if i]


def shape(text: str) -> str:
    """``Verhofstadt`` -> ``Xx``, ``NAVO-top`` -> ``X-x``, ``A12`` -> ``Xd``: runs collapsed."""
    out: list[str] = []
    for char in text:
        c = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out[:6])


@dataclass(slots=True)
class Knowledge:
    """What the typer knows about names: label counts from training data and catalog types."""

    labels: tuple[str, ...] = LABELS
    lexicon: dict[str, list[float]] = field(default_factory=dict)  # normalised span text -> counts
    tokens: dict[str, list[float]] = field(default_factory=dict)  # token text -> counts inside spans
    catalog: dict[str, str] = field(default_factory=dict)  # normalised surface -> "LOC" / "LOC:alias"
    # capitalised word -> counts in an outside annotated corpus, in the order of NAME_CLASSES
    names: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_spans(
        cls,
        spans: Iterable[tuple[str, Sequence[str], str]],
        labels: Sequence[str] = LABELS,
        catalog: dict[str, str] | None = None,
        names: dict[str, list[int]] | None = None,
    ) -> Knowledge:
        """From (span text, token texts, label) triples (``names``: see ``Knowledge.names``)."""
        index = {label: i for i, label in enumerate(labels)}
        lexicon: dict[str, list[float]] = {}
        tokens: dict[str, list[float]] = {}
        for text, words, label in spans:
            if label not in index:
                continue
            lexicon.setdefault(normalise(text), [0.0] * len(labels))[index[label]] += 1
            for word in words:
                if word[:1].isupper():
                    tokens.setdefault(word, [0.0] * len(labels))[index[label]] += 1
        return cls(tuple(labels), lexicon, tokens, dict(catalog or {}), dict(names or {}))


# The classes of ``Knowledge.names``: a word's share of each kind of name, and of no name at all.
NAME_CLASSES = ("PER", "ORG", "LOC", "MISC", "O")
NAMES_FILE = "outside_names.msgpack"


def _distribution(prefix: str, counts: Sequence[float] | None, labels: Sequence[str]) -> list[tuple[str, float]]:
    if not counts:
        return [(f"{prefix}=none", 1.0)]
    total = sum(counts)
    # How much evidence: 1, 2-4, 5+ occurrences; each label share also comes conjoined with it,
    # so one sighting can weigh less than fifty.
    evidence = min(2, int(math.log(total + 1, 4)))
    feats = [(f"{prefix}#{evidence}", 1.0)]
    for label, n in zip(labels, counts, strict=True):
        if n:
            feats += [(f"{prefix}={label}", n / total), (f"{prefix}={label}#{evidence}", n / total)]
    return feats


def _word(doc: Doc, i: int, after: bool = False) -> str:
    # A whitespace token (a line break) bounds a sentence as the edges of the doc do: newsdesk
    # analyses whole texts, the training docs have no such tokens.
    if i < 0 or (not after and i < len(doc) and doc[i].is_space):
        return "<s>"
    if i >= len(doc) or doc[i].is_space:
        return "</s>"
    return doc[i].text.lower()


def starts_sentence(doc: Doc, i: int) -> bool:
    """Token ``i`` begins a sentence or a line (after a whitespace token)."""
    return i == 0 or bool(doc[i].is_sent_start) or doc[i - 1].is_space


def span_features(
    doc: Doc,
    start: int,
    end: int,
    knowledge: Knowledge,
    others: Sequence[tuple[int, int]] = (),
    table: KnowledgeTable | None = None,
) -> list[tuple[str, float]]:
    """Features of the span ``doc[start:end]``; ``others``: the other entity spans of the doc;
    ``table``: the knowledge vectors (name lists, places, word frequencies), if the pipeline has them."""
    words = [t.text for t in doc[start:end]]
    lower = [w.lower() for w in words]
    text = doc[start:end].text
    key = normalise(text)
    last = lower[-1]
    feats: list[tuple[str, float]] = [
        (f"s={key}", 1.0),
        (f"f={lower[0]}", 1.0),
        (f"l={last}", 1.0),
        (f"n={min(len(words), 4)}", 1.0),
        (f"sh={' '.join(shape(w) for w in words[:4])}", 1.0),
        (f"l3={last[-3:]}", 1.0),
        (f"l4={last[-4:]}", 1.0),
        (f"l2={last[-2:]}", 1.0),
        (f"f3={lower[0][:3]}", 1.0),
    ]
    feats += [(f"t={w}", 1.0) for w in lower]
    if "-" in words[0] and not words[0].startswith("-"):
        head, tail = lower[0].split("-", 1)
        feats += [(f"hh={head}", 1.0), (f"ht={tail}", 1.0)]
    p1, p2, n1, n2 = _word(doc, start - 1), _word(doc, start - 2), _word(doc, end, True), _word(doc, end + 1, True)
    if starts_sentence(doc, start):
        p1, p2 = "<s>", "<s>"
    if n1 == "</s>":
        n2 = "</s>"
    feats += [
        (f"p1={p1}", 1.0),
        (f"p2={p2}", 1.0),
        (f"p12={p2}_{p1}", 1.0),
        (f"n1={n1}", 1.0),
        (f"n2={n2}", 1.0),
        (f"n12={n1}_{n2}", 1.0),
        (f"p1n1={p1}_{n1}", 1.0),
    ]
    if start > 0 and p1 != "<s>":
        feats.append((f"p1sh={shape(doc[start - 1].text)}", 1.0))
        # Dutch compounds name the kind of thing: zakenbank, seniorenpartij, vormgevingsgalerie
        if len(p1) > 6 and p1.isalpha():
            feats.append((f"p1s4={p1[-4:]}", 1.0))
            feats.append((f"p1s5={p1[-5:]}", 1.0))
    feats += _distribution("lex", knowledge.lexicon.get(key), knowledge.labels)
    token_counts = [knowledge.tokens.get(w) for w in words if w[:1].isupper() and w.lower() not in NAME_PARTICLES]
    known = [c for c in token_counts if c]
    if known:
        summed = [sum(col) for col in zip(*known, strict=True)]
        feats += _distribution("tok", summed, knowledge.labels)
    catalog = knowledge.catalog.get(key)
    if catalog is None and "-" in words[0]:
        catalog = knowledge.catalog.get(normalise(words[0].split("-", 1)[0]))
        catalog = None if catalog is None else catalog + ":head"
    feats.append((f"cat={catalog}", 1.0))
    if knowledge.names:
        feats += name_count_features(words, knowledge.names)
    if table is not None:
        feats += knowledge_features(doc, start, end, words, table)
    feats += _document_features(doc, start, end, words, others, table)
    return feats


def _document_features(
    doc: Doc,
    start: int,
    end: int,
    words: Sequence[str],
    others: Sequence[tuple[int, int]],
    table: KnowledgeTable | None,
) -> list[tuple[str, float]]:
    """The same name elsewhere in the document, and longer names this one is the end of."""
    feats: list[tuple[str, float]] = []
    same = [
        (o_start, o_end)
        for o_start, o_end in others
        if (o_start, o_end) != (start, end) and [t.text for t in doc[o_start:o_end]] == words
    ]
    for o_start, o_end in same:
        # weighed so that a name mentioned fifteen times does not outweigh everything else
        feats.append((f"dp1={_word(doc, o_start - 1)}", 1.0 / len(same)))
        feats.append((f"dn1={_word(doc, o_end, True)}", 1.0 / len(same)))
    longer = False
    for o_start, o_end in others:
        o_words = [t.text for t in doc[o_start:o_end]]
        if len(o_words) > len(words) and o_words[-len(words) :] == words:
            longer = True
            feats.append((f"dlong={o_words[0].lower()}", 1.0))
            feats.append(("dlong", 1.0))
            feats.append((f"dlongp1={_word(doc, o_start - 1)}", 0.5))
        elif len(o_words) < len(words) and words[-len(o_words) :] == o_words:
            feats.append(("dshort", 1.0))
    if len(words) == 1 and not longer:
        # a one-word name never given in full in the document: people are introduced with their
        # first name, firms and bands are not
        feats.append(("solo", 1.0))
        if table is not None:
            feats.append((f"solo|kk={_kind(table.row(words[0]))}", 1.0))
    return feats


def _name_words(words: Sequence[str]) -> list[str]:
    """The words that carry a name: capitalised and no particle ("van", "de"); all words if none is."""
    return [w for w in words if w[:1].isupper() and w.lower() not in NAME_PARTICLES] or list(words)


def name_count_features(words: Sequence[str], names: dict[str, list[int]]) -> list[tuple[str, float]]:
    """What the outside corpus says of the name's words: summed over its capitalised words, and
    for its first and (in a longer name) its last word."""
    capitals = _name_words(words)
    known = [names[w] for w in capitals if w in names]
    summed = [sum(column) for column in zip(*known, strict=True)] if known else None
    feats = _distribution("nc", summed, NAME_CLASSES)
    feats += _distribution("nc1", names.get(capitals[0]), NAME_CLASSES)
    if len(capitals) > 1:
        feats += _distribution("ncl", names.get(capitals[-1]), NAME_CLASSES)
    return feats


def knowledge_features(
    doc: Doc, start: int, end: int, words: Sequence[str], table: KnowledgeTable
) -> list[tuple[str, float]]:
    """What the public lists say about the span, its first and last word and the word before it."""
    feats: list[tuple[str, float]] = []
    names = _name_words(words)
    first = table.features("kf", names[0])
    feats += first
    kinds = [_kind(table.row(w)) for w in names]
    # what each word of the name is, in order: "first last", "place", "word word" ...
    feats.append((f"kk={' '.join(kinds[:3])}", 1.0))
    if len(names) > 1:
        feats += table.features("kl", names[-1])
    if len(words) > 1:
        feats += [f for f in table.features("ks", " ".join(words)) if not f[0].endswith(":unknown")]
    if "-" in words[0] and not words[0].startswith("-"):
        feats += table.features("kh", words[0].split("-", 1)[0])
    if not starts_sentence(doc, start):
        feats += table.features("kp", doc[start - 1].text)
    return feats


def join_adjacent(doc: Doc, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans of one label that touch (no token between, same sentence) become one span: the NER
    sometimes cuts a name at an initial ("Thomas" + "L. Friedman")."""
    out: list[tuple[int, int, str]] = []
    for start, end, label in sorted(spans):
        if out and out[-1][1] == start and out[-1][2] == label and not starts_sentence(doc, start):
            out[-1] = (out[-1][0], end, label)
        else:
            out.append((start, end, label))
    return out


def extend_surnames(doc: Doc, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A person's span that stops before a lower-case name particle and a capitalised word no span
    covers takes them in: the NER sometimes cuts "Sanne de Vries" after "Sanne", and the typer's
    candidates would then make "Vries" a name of its own."""
    taken = [False] * len(doc)
    for start, end, _ in spans:
        taken[start:end] = [True] * (end - start)
    out = []
    for start, end, label in spans:
        k = end
        while k < len(doc) and not taken[k] and doc[k].text in NAME_PARTICLES and not starts_sentence(doc, k):
            k += 1
        if label == "PER" and k > end and k < len(doc) and not taken[k] and _name_like(doc[k]):
            if not starts_sentence(doc, k):
                taken[end : k + 1] = [True] * (k + 1 - end)
                end = k + 1
        out.append((start, end, label))
    return out


def propagate(
    doc: Doc, spans: Sequence[tuple[int, int, str]], table: KnowledgeTable | None = None
) -> list[tuple[int, int, str]]:
    """Add the other occurrences of the names found in ``doc`` (same words, case-sensitive) that no
    span covers: a name the NER found once is the same name where it missed it ("Napster"). An
    occurrence next to another capitalised word is left alone ("Studio Brussel" is not Brussel),
    and so is a single common Dutch word (per the knowledge vectors)."""
    taken = [False] * len(doc)
    for start, end, _ in spans:
        taken[start:end] = [True] * (end - start)
    names: dict[tuple[str, ...], str] = {}
    for start, end, label in spans:
        words = tuple(t.text for t in doc[start:end])
        if _propagatable(words, table):
            names.setdefault(words, label)
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for words in sorted(names, key=len, reverse=True):
        by_first[words[0]].append(words)
    added: list[tuple[int, int, str]] = []
    for i, token in enumerate(doc):
        if taken[i] or token.text not in by_first:
            continue
        for words in by_first[token.text]:
            j = i + len(words)
            if len(words) == 1 and starts_sentence(doc, i) and _dutch_word(words[0], table):
                continue  # "Tent ." at the start of a line: capitals say nothing there
            if j <= len(doc) and not any(taken[i:j]) and tuple(t.text for t in doc[i:j]) == words and _apart(doc, i, j):
                added.append((i, j, names[words]))
                taken[i:j] = [True] * (j - i)
                break
    return sorted([*spans, *added]) if added else list(spans)


def _propagatable(words: Sequence[str], table: KnowledgeTable | None) -> bool:
    if not words[0][:1].isupper() or len("".join(words)) < 2:
        return False
    if len(words) == 1 and table is not None:
        row = table.row(words[0])
        named = row is not None and any(row[_COLUMN[c]] for c in _NAME_COLUMNS)
        if row is not None and row[_COLUMN["nl_word"]] and not named:
            return False
    return True


def _dutch_word(word: str, table: KnowledgeTable | None) -> bool:
    row = None if table is None else table.row(word)
    return row is not None and bool(row[_COLUMN["nl_word"]])


def _capitalised(token: Any) -> bool:
    return bool(token.text[:1].isupper() and token.is_alpha)


def _apart(doc: Doc, start: int, end: int) -> bool:
    """No capitalised word right before (within the sentence) or right after the span."""
    if not starts_sentence(doc, start) and _capitalised(doc[start - 1]):
        return False
    return not (end < len(doc) and not starts_sentence(doc, end) and _capitalised(doc[end]))


# Lower-case words that may stand between the capitalised words of one name ("Raad van State").
_RUN_LINKS = NAME_PARTICLES | frozenset("voor op in aan".split())


def _name_like(token: Any) -> bool:
    return bool(token.text[:1].isupper() and any(c.isalpha() for c in token.text))


def capitalised_runs(doc: Doc, spans: Sequence[tuple[int, int, str]], initial: bool = False) -> list[tuple[int, int]]:
    """Maximal runs of capitalised words (and the particles between them) that no span covers and
    that stay within a sentence; with ``initial`` False, not a run that starts a sentence (a
    capitalised first word says nothing). Candidates for the typer, which rejects most of them."""
    taken = [False] * len(doc)
    for start, end, _ in spans:
        taken[start:end] = [True] * (end - start)
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        if taken[i] or doc[i].is_space or not _name_like(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < len(doc) and not taken[j] and not starts_sentence(doc, j):
            if _name_like(doc[j]):
                j += 1
            elif (
                doc[j].text in _RUN_LINKS
                and j + 1 < len(doc)
                and not taken[j + 1]
                and _name_like(doc[j + 1])
                and not starts_sentence(doc, j + 1)
            ):
                j += 2
            else:
                break
        if initial or not starts_sentence(doc, i):
            out.append((i, j))
        i = j
    return out


_COLUMN = {name: i for i, name in enumerate(KNOWLEDGE_COLUMNS)}
_NAME_COLUMNS = ("first_nlbe", "first_any", "last_nlbe", "last_any", "place_benl", "place_world", "country")


def _kind(row: np.ndarray | None) -> str:
    """The strongest reading of a word in the knowledge vectors, as one coarse word."""
    if row is None:
        return "unknown"
    if row[_COLUMN["country"]]:
        return "country"
    if row[_COLUMN["place_benl"]] or row[_COLUMN["place_world"]] >= 0.75:
        return "place"
    if row[_COLUMN["first_nlbe"]] >= 1 or row[_COLUMN["first_any"]]:
        return "first"
    if row[_COLUMN["last_nlbe"]] or row[_COLUMN["last_any"]]:
        return "last"
    if row[_COLUMN["language"]]:
        return "language"
    if row[_COLUMN["nl_word"]]:
        return "word"
    if row[_COLUMN["place_world"]]:
        return "place"
    return "other"


# The switches a model file carries, and how each is read back. The first two are in every file;
# a later one missing from an older file stays at its default (off).
_SWITCHES: tuple[tuple[str, Callable[[Any], Any] | None], ...] = (
    ("ner_bonus", float),
    ("doc_vote", bool),
    ("use_table", bool),
    ("join_adjacent", bool),
    ("propagate", bool),
    ("reject_bias", None),
    ("candidate_bias", None),
    ("candidate_initial", bool),
    ("inner_reject_bias", None),
)
_REQUIRED_SWITCHES = frozenset({"ner_bonus", "doc_vote"})


@dataclass(slots=True)
class TyperModel:
    """Weights of the linear classifier, the feature index and the knowledge it reads."""

    knowledge: Knowledge
    features: dict[str, int]
    weights: np.ndarray  # (len(features) + 1, len(labels)) float32; the last row is the bias
    ner_bonus: float = 1.0  # added to the logit of the NER's own label
    doc_vote: bool = False  # sum the logits of same-text mentions in a document
    use_table: bool = False  # read the knowledge vectors of the doc's vocab (trained with them)
    join_adjacent: bool = False  # "Thomas" + "L. Friedman" of one label -> one span
    propagate: bool = False  # a name found once is found wherever it recurs in the document
    reject_bias: float | None = None  # added to the REJECT logit (models fitted with it); None: never reject
    # Runs of capitalised words no NER span covers are typed too (the NER's misses: "Kunstberg",
    # "Zürich"); their REJECT logit gets ``reject_bias + candidate_bias``. None: not looked for.
    candidate_bias: float | None = None
    candidate_initial: bool = False  # also runs that start a sentence (where capitals say less)
    # The REJECT bias of a span inside a sentence, where a capital says "name" (None: reject_bias).
    inner_reject_bias: float | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.knowledge.labels

    @property
    def can_reject(self) -> bool:
        return int(self.weights.shape[1]) == len(self.labels) + 1

    def logits(self, feats: Iterable[tuple[str, float]]) -> np.ndarray:
        rows: list[int] = []
        values: list[float] = []
        for name, value in feats:
            index = self.features.get(name)
            if index is not None:
                rows.append(index)
                values.append(value)
        out = self.weights[-1].astype(np.float64)
        if rows:
            out = out + np.asarray(values) @ self.weights[rows]
        return out

    def spans(self, doc: Doc) -> list[tuple[int, int, str]]:
        """The entities of ``doc``: the NER's spans (joined and propagated where the model says so),
        each with the typer's label."""
        spans = [(e.start, e.end, e.label_) for e in doc.ents]
        if self.join_adjacent:
            spans = join_adjacent(doc, spans)
        if self.propagate:
            spans = propagate(doc, spans, KnowledgeTable.of(doc.vocab) if self.use_table else None)
        spans = extend_surnames(doc, spans)
        if self.candidate_bias is not None and self.can_reject and self.reject_bias is not None:
            runs = capitalised_runs(doc, spans, self.candidate_initial)
            spans = sorted([*spans, *((start, end, CANDIDATE) for start, end in runs)])
        labels = self.relabel(doc, spans)
        return [(start, end, label) for (start, end, _), label in zip(spans, labels, strict=True) if label != REJECT]

    def relabel(self, doc: Doc, spans: Sequence[tuple[int, int, str]]) -> list[str]:
        """New labels for ``spans`` (start, end, NER label, or ``CANDIDATE`` for a run no NER span
        covers) of ``doc``; ``REJECT`` for a span the model takes for no entity at all (only with
        ``reject_bias`` set)."""
        bounds = [(s, e) for s, e, label in spans if label != CANDIDATE]
        table = KnowledgeTable.of(doc.vocab) if self.use_table else None
        scores = []
        for start, end, label in spans:
            z = self.logits(span_features(doc, start, end, self.knowledge, bounds, table))
            if label in self.labels:
                z[self.labels.index(label)] += self.ner_bonus
            if self.can_reject:
                bias = self.reject_bias
                if bias is not None and self.inner_reject_bias is not None and not starts_sentence(doc, start):
                    bias = self.inner_reject_bias
                z[-1] = -np.inf if bias is None else z[-1] + bias
                if label == CANDIDATE:
                    z[-1] += self.candidate_bias or 0.0
            scores.append(z)
        if self.doc_vote and scores:
            groups: dict[str, list[int]] = defaultdict(list)
            for i, (start, end, _) in enumerate(spans):
                groups[doc[start:end].text].append(i)
            probs = [_softmax(z) for z in scores]
            for members in groups.values():
                if len(members) > 1:
                    mean = np.mean([probs[i] for i in members], axis=0)
                    for i in members:
                        scores[i] = np.log(mean + 1e-9)
        classes = (*self.labels, REJECT)
        return [classes[int(np.argmax(z))] for z in scores]

    def _switches(self) -> dict[str, Any]:
        return {"labels": list(self.labels), **{name: getattr(self, name) for name, _ in _SWITCHES}}

    @classmethod
    def _built(
        cls, cfg: dict[str, Any], data: dict[str, Any], feature_names: Sequence[str], weights: np.ndarray
    ) -> TyperModel:
        """A model from its saved switches (``cfg``), knowledge (``data``), feature names and weights."""
        knowledge = Knowledge(
            tuple(cfg["labels"]), data["lexicon"], data["tokens"], data["catalog"], data.get("names", {})
        )
        switches: dict[str, Any] = {}
        for name, cast in _SWITCHES:
            if name in _REQUIRED_SWITCHES or name in cfg:  # a later switch is off in an older file
                value = cfg[name]
                switches[name] = cast(value) if cast is not None else value
        features = {name: i for i, name in enumerate(feature_names)}
        return cls(knowledge, features, weights, **switches)

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        names = sorted(self.features, key=self.features.__getitem__)
        srsly.write_json(path / "cfg.json", self._switches())
        srsly.write_msgpack(
            path / "knowledge.msgpack",
            {
                "lexicon": self.knowledge.lexicon,
                "tokens": self.knowledge.tokens,
                "catalog": self.knowledge.catalog,
                "features": names,
            },
        )
        if self.knowledge.names:
            # a file of its own: the counts keep their source's licence (GPL-3+, see the model card)
            srsly.write_msgpack(path / NAMES_FILE, self.knowledge.names)
        # float16 halves the file (weights kept to about three significant digits).
        np.save(path / "weights.npy", self.weights.astype(np.float16), allow_pickle=False)

    @classmethod
    def from_disk(cls, path: Path) -> TyperModel:
        cfg = srsly.read_json(path / "cfg.json")
        data = srsly.read_msgpack(path / "knowledge.msgpack")
        if (path / NAMES_FILE).exists():  # typers fitted before the outside names have none
            data["names"] = srsly.read_msgpack(path / NAMES_FILE)
        weights = np.load(path / "weights.npy", allow_pickle=False).astype(np.float32)
        return cls._built(cfg, data, data["features"], weights)

    def to_bytes(self) -> bytes:
        """The same content as ``to_disk`` in one msgpack blob (spaCy's ``nlp.to_bytes``)."""
        weights = self.weights.astype(np.float16)
        return bytes(
            srsly.msgpack_dumps(
                {
                    **self._switches(),
                    "lexicon": self.knowledge.lexicon,
                    "tokens": self.knowledge.tokens,
                    "catalog": self.knowledge.catalog,
                    "names": self.knowledge.names,
                    "features": sorted(self.features, key=self.features.__getitem__),
                    "shape": list(weights.shape),
                    "weights": weights.tobytes(),
                }
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> TyperModel:
        msg = srsly.msgpack_loads(data)
        weights = np.frombuffer(msg["weights"], dtype=np.float16).reshape(msg["shape"]).astype(np.float32)
        return cls._built(msg, msg, msg["features"], weights)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum())


class EntityTyper:
    """spaCy component: re-labels ``doc.ents`` with the typer's choice; with the model's switches on,
    also joins adjacent spans of one label and adds further mentions of found names."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.model: TyperModel | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None or not doc.ents:
            return doc
        spans = self.model.spans(doc)
        if spans != [(e.start, e.end, e.label_) for e in doc.ents]:
            doc.ents = [Span(doc, start, end, label=label) for start, end, label in spans]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.to_disk(path)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityTyper:
        path = Path(path)
        self.model = TyperModel.from_disk(path) if (path / "cfg.json").exists() else None
        if self.model is None:
            log.warning("entity typer %s: no trained model in %s; the NER's labels are kept", self.name, path)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self.model.to_bytes() if self.model is not None else b""

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> EntityTyper:
        self.model = TyperModel.from_bytes(data) if data else None
        return self


@Language.factory(FACTORY)
def make_entity_typer(nlp: Language, name: str) -> EntityTyper:
    return EntityTyper(nlp, name)


# ---------------------------------------------------------------------------------------------
# Training (run by nlp/build_model.py; scipy is imported only here)


@dataclass(frozen=True, slots=True)
class TrainingSpan:
    doc: Doc
    start: int
    end: int
    label: str
    group: int  # the article the doc comes from (lexicon folds never split an article)


def gold_spans(docs_by_article: Sequence[Sequence[Doc]]) -> list[TrainingSpan]:
    return [
        TrainingSpan(doc, ent.start, ent.end, ent.label_, article)
        for article, docs in enumerate(docs_by_article)
        for doc in docs
        for ent in doc.ents
    ]


def negative_spans(docs_by_article: Sequence[Sequence[Doc]]) -> list[TrainingSpan]:
    """Runs of capitalised words that are no entity (``REJECT``): what the NER takes for names by
    mistake, most often a capitalised word at a sentence start ("Voormalig", "Gekleed")."""
    out: list[TrainingSpan] = []
    for article, docs in enumerate(docs_by_article):
        for doc in docs:
            covered = {i for ent in doc.ents for i in range(ent.start, ent.end)}
            i = 0
            while i < len(doc):
                if i in covered or not doc[i].text[:1].isupper():
                    i += 1
                    continue
                j = i + 1
                while j < len(doc) and j not in covered and doc[j].text[:1].isupper() and not doc[j].is_sent_start:
                    j += 1
                out.append(TrainingSpan(doc, i, j, REJECT, article))
                i = j
    return out


def training_features(
    spans: Sequence[TrainingSpan],
    labels: Sequence[str] = LABELS,
    folds: int = 10,
    catalog: dict[str, str] | None = None,
    table: KnowledgeTable | None = None,
    names: dict[str, list[int]] | None = None,
) -> list[list[tuple[str, float]]]:
    """Features of gold spans, each computed with a lexicon built from the other folds' articles
    (the outside ``names`` counts are the same for every fold: they never saw this corpus)."""
    triples = [(s.doc[s.start : s.end].text, [t.text for t in s.doc[s.start : s.end]], s.label) for s in spans]
    out: list[list[tuple[str, float]]] = [[] for _ in spans]
    others: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        if s.label != REJECT:
            others[id(s.doc)].append((s.start, s.end))
    for fold in range(folds):
        knowledge = Knowledge.from_spans(
            (t for t, s in zip(triples, spans, strict=True) if s.group % folds != fold), labels, catalog, names
        )
        for i, s in enumerate(spans):
            if s.group % folds == fold:
                out[i] = span_features(s.doc, s.start, s.end, knowledge, others[id(s.doc)], table)
    return out


def fit(
    features: Sequence[Sequence[tuple[str, float]]],
    targets: Sequence[str],
    labels: Sequence[str] = LABELS,
    l2: float = 1.0,
    min_count: int = 1,
    max_iter: int = 300,
) -> tuple[dict[str, int], np.ndarray]:
    """Multinomial logistic regression (L2, L-BFGS): the feature index and weights (+ bias row)."""
    from scipy import optimize, sparse

    counts = Counter(name for feats in features for name, _ in feats)
    index: dict[str, int] = {}
    for name, n in counts.items():
        if n >= min_count:
            index[name] = len(index)
    rows, cols, vals = [], [], []
    for r, feats in enumerate(features):
        for name, value in feats:
            c = index.get(name)
            if c is not None:
                rows.append(r)
                cols.append(c)
                vals.append(value)
        rows.append(r)
        cols.append(len(index))  # bias
        vals.append(1.0)
    n, d, k = len(features), len(index) + 1, len(labels)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(n, d))
    xt = x.T.tocsr()
    y = np.zeros((n, k))
    y[np.arange(n), [labels.index(t) for t in targets]] = 1.0
    penalty = np.ones((d, 1))
    penalty[-1] = 0.0  # the bias is not shrunk

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(d, k)
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -(y * logp).sum() + 0.5 * l2 * (penalty * w * w).sum()
        grad = xt @ (np.exp(logp) - y) + l2 * penalty * w
        return float(value), grad.ravel()

    result = optimize.minimize(loss, np.zeros(d * k), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    log.info("typer fit: %d spans, %d features, loss %.1f after %d iterations", n, d - 1, result.fun, result.nit)
    return index, result.x.reshape(d, k).astype(np.float32)


def train_typer(
    spans: Sequence[TrainingSpan],
    *,
    labels: Sequence[str] = LABELS,
    l2: float = 1.0,
    catalog: dict[str, str] | None = None,
    folds: int = 10,
    min_count: int = 1,
    ner_bonus: float = 1.0,
    doc_vote: bool = False,
    table: KnowledgeTable | None = None,
    names: dict[str, list[int]] | None = None,
) -> TyperModel:
    """Fit the typer on gold spans (and ``REJECT`` spans: then it can drop spans); with ``table``
    it reads the knowledge vectors (and will at run time, from the vocab of the docs it re-labels);
    with ``names`` it knows the outside name counts (``Knowledge.names``) and ships them."""
    feats = training_features(spans, labels, folds, catalog, table, names)
    targets = [s.label for s in spans]
    classes = (*labels, REJECT) if REJECT in targets else tuple(labels)
    index, weights = fit(feats, targets, classes, l2=l2, min_count=min_count)
    triples = ((s.doc[s.start : s.end].text, [t.text for t in s.doc[s.start : s.end]], s.label) for s in spans)
    knowledge = Knowledge.from_spans(triples, labels, catalog, names)
    return TyperModel(
        knowledge,
        index,
        weights,
        ner_bonus,
        doc_vote,
        table is not None,
        reject_bias=0.0 if REJECT in targets else None,
    )


def catalog_types(entries: Iterable[tuple[str, str, Sequence[str]]]) -> dict[str, str]:
    """(canonical, label, aliases) -> normalised surface: ``LABEL`` (canonical) or ``LABEL:alias``.

    The alias mark matters: the catalog's aliases include demonyms and adjectives (``Belgische``
    for België), which CoNLL-style annotation calls MISC, not LOC.
    """
    out: dict[str, str] = {}
    for canonical, label, aliases in entries:
        out.setdefault(normalise(canonical), label)
        for alias in aliases:
            out.setdefault(normalise(alias), f"{label}:alias")
    return out


def typed_scores(
    gold: Sequence[Doc], predicted: Sequence[Doc], entities: Callable[[Doc], list[tuple[int, int, str]]] | None = None
) -> dict[str, float]:
    """Typed P/R/F1, untyped F1 and type accuracy over matched spans; ``entities`` gives the
    (start, end, label) spans of a predicted doc (default: its ``ents``), e.g. a typer's."""
    n_pred = n_gold = matched = typed = 0
    for g, p in zip(gold, predicted, strict=True):
        truth = {(e.start, e.end): e.label_ for e in g.ents}
        spans = entities(p) if entities else [(e.start, e.end, e.label_) for e in p.ents]
        n_gold += len(truth)
        n_pred += len(spans)
        for start, end, label in spans:
            if (start, end) in truth:
                matched += 1
                typed += truth[(start, end)] == label

    def f1(hits: int) -> float:
        return 0.0 if not hits else 2 * hits / (n_pred + n_gold)

    return {
        "p": typed / n_pred if n_pred else 0.0,
        "r": typed / n_gold if n_gold else 0.0,
        "f": f1(typed),
        "untyped_f": f1(matched),
        "type_acc": typed / matched if matched else 0.0,
    }


def model_info(model: TyperModel) -> dict[str, Any]:
    return {
        "features": len(model.features),
        "lexicon": len(model.knowledge.lexicon),
        "outside_names": len(model.knowledge.names),
        "ner_bonus": model.ner_bonus,
        "doc_vote": model.doc_vote,
        "use_table": model.use_table,
        "join_adjacent": model.join_adjacent,
        "propagate": model.propagate,
        "reject_bias": model.reject_bias,
        "candidate_bias": model.candidate_bias,
        "candidate_initial": model.candidate_initial,
        "inner_reject_bias": model.inner_reject_bias,
    }
