"""Entity typing: a linear classifier that re-labels the NER's spans (PER / ORG / LOC / MISC).

Owns the spaCy component ``newsdesk_entity_typer`` (placed after ``ner``), its features, its
training (multinomial logistic regression, fitted with scipy's L-BFGS) and its files.

Why a second stage: the bundled NER finds entity boundaries well (untyped F1 about 0.90) but
gets a fifth of the types wrong; a transition-based NER types a span from a narrow window of
hashed token features. The typer sees the whole span and its neighbours, and knows things the
NER cannot learn from its vectors: a lexicon of the entity strings of the training data with
their label counts, newsdesk's curated catalog (seeds/entities.csv, canonical names, aliases,
types), and the other mentions of the same name in the document ("Verhofstadt" after "Guy
Verhofstadt"). Its logits are added to a fixed bonus for the NER's own label, so the NER's
context still counts where the typer knows nothing; the bonus is chosen on the dev split.

Training detail that matters: the lexicon features of a training span are computed from the
other articles only (k-fold by article), else every training name would be "known" and the
classifier would learn to trust the lexicon more than it deserves on new text.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

FACTORY = "newsdesk_entity_typer"
LABELS = ("LOC", "MISC", "ORG", "PER")
_SPACE = re.compile(r"\s+")
# Words that join a surname to a name ("Van den Brande"); not name evidence of their own.
_PARTICLES = frozenset("van von der den de del della di da du le la ten ter 't".split())


def normalise(text: str) -> str:
    """Lexicon key: NFKC, case-folded, single spaces."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).strip()).casefold()


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

    @classmethod
    def from_spans(cls, spans: Iterable[tuple[str, Sequence[str], str]], labels: Sequence[str] = LABELS,
                   catalog: dict[str, str] | None = None) -> Knowledge:  # fmt: skip
        """From (span text, token texts, label) triples."""
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
        return cls(tuple(labels), lexicon, tokens, dict(catalog or {}))


def _distribution(prefix: str, counts: list[float] | None, labels: Sequence[str]) -> list[tuple[str, float]]:
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


def _word(doc: Doc, i: int) -> str:
    if i < 0:
        return "<s>"
    if i >= len(doc):
        return "</s>"
    return doc[i].text.lower()


def span_features(doc: Doc, start: int, end: int, knowledge: Knowledge,
                  others: Sequence[tuple[int, int]] = ()) -> list[tuple[str, float]]:  # fmt: skip
    """Features of the span ``doc[start:end]``; ``others``: the other entity spans of the doc."""
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
    p1, p2, n1, n2 = _word(doc, start - 1), _word(doc, start - 2), _word(doc, end), _word(doc, end + 1)
    if doc[start].is_sent_start:
        p1, p2 = "<s>", "<s>"
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
    token_counts = [knowledge.tokens.get(w) for w in words if w[:1].isupper() and w.lower() not in _PARTICLES]
    known = [c for c in token_counts if c]
    if known:
        summed = [sum(col) for col in zip(*known, strict=True)]
        feats += _distribution("tok", summed, knowledge.labels)
    catalog = knowledge.catalog.get(key)
    if catalog is None and "-" in words[0]:
        catalog = knowledge.catalog.get(normalise(words[0].split("-", 1)[0]))
        catalog = None if catalog is None else catalog + ":head"
    feats.append((f"cat={catalog}", 1.0))
    # The same name elsewhere in the document, and longer names this one is the end of.
    for o_start, o_end in others:
        if (o_start, o_end) == (start, end):
            continue
        o_words = [t.text for t in doc[o_start:o_end]]
        if o_words == words:
            feats.append((f"dp1={_word(doc, o_start - 1)}", 0.5))
            feats.append((f"dn1={_word(doc, o_end)}", 0.5))
        elif len(o_words) > len(words) and o_words[-len(words) :] == words:
            feats.append((f"dlong={o_words[0].lower()}", 1.0))
            feats.append(("dlong", 1.0))
            feats.append((f"dlongp1={_word(doc, o_start - 1)}", 0.5))
        elif len(o_words) < len(words) and words[-len(o_words) :] == o_words:
            feats.append(("dshort", 1.0))
    return feats


@dataclass(slots=True)
class TyperModel:
    """Weights of the linear classifier, the feature index and the knowledge it reads."""

    knowledge: Knowledge
    features: dict[str, int]
    weights: np.ndarray  # (len(features) + 1, len(labels)) float32; the last row is the bias
    ner_bonus: float = 1.0  # added to the logit of the NER's own label
    doc_vote: bool = False  # sum the logits of same-text mentions in a document

    @property
    def labels(self) -> tuple[str, ...]:
        return self.knowledge.labels

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

    def relabel(self, doc: Doc, spans: Sequence[tuple[int, int, str]]) -> list[str]:
        """New labels for ``spans`` (start, end, NER label) of ``doc``."""
        bounds = [(s, e) for s, e, _ in spans]
        scores = []
        for start, end, label in spans:
            z = self.logits(span_features(doc, start, end, self.knowledge, bounds))
            if label in self.labels:
                z[self.labels.index(label)] += self.ner_bonus
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
        return [self.labels[int(np.argmax(z))] for z in scores]

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        names = sorted(self.features, key=self.features.__getitem__)
        srsly.write_json(path / "cfg.json", {"labels": list(self.labels), "ner_bonus": self.ner_bonus,
                                             "doc_vote": self.doc_vote})  # fmt: skip
        srsly.write_msgpack(path / "knowledge.msgpack", {
            "lexicon": self.knowledge.lexicon, "tokens": self.knowledge.tokens, "catalog": self.knowledge.catalog,
            "features": names,
        })  # fmt: skip
        # float16 halves the file (weights kept to about three significant digits).
        np.save(path / "weights.npy", self.weights.astype(np.float16), allow_pickle=False)

    @classmethod
    def from_disk(cls, path: Path) -> TyperModel:
        cfg = srsly.read_json(path / "cfg.json")
        data = srsly.read_msgpack(path / "knowledge.msgpack")
        knowledge = Knowledge(tuple(cfg["labels"]), data["lexicon"], data["tokens"], data["catalog"])
        weights = np.load(path / "weights.npy", allow_pickle=False).astype(np.float32)
        features = {name: i for i, name in enumerate(data["features"])}
        return cls(knowledge, features, weights, float(cfg["ner_bonus"]), bool(cfg["doc_vote"]))

    def to_bytes(self) -> bytes:
        """The same content as ``to_disk`` in one msgpack blob (spaCy's ``nlp.to_bytes``)."""
        weights = self.weights.astype(np.float16)
        return bytes(srsly.msgpack_dumps({
            "labels": list(self.labels), "ner_bonus": self.ner_bonus, "doc_vote": self.doc_vote,
            "lexicon": self.knowledge.lexicon, "tokens": self.knowledge.tokens, "catalog": self.knowledge.catalog,
            "features": sorted(self.features, key=self.features.__getitem__),
            "shape": list(weights.shape), "weights": weights.tobytes(),
        }))  # fmt: skip

    @classmethod
    def from_bytes(cls, data: bytes) -> TyperModel:
        msg = srsly.msgpack_loads(data)
        knowledge = Knowledge(tuple(msg["labels"]), msg["lexicon"], msg["tokens"], msg["catalog"])
        weights = np.frombuffer(msg["weights"], dtype=np.float16).reshape(msg["shape"]).astype(np.float32)
        features = {name: i for i, name in enumerate(msg["features"])}
        return cls(knowledge, features, weights, float(msg["ner_bonus"]), bool(msg["doc_vote"]))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum())


class EntityTyper:
    """spaCy component: re-labels ``doc.ents`` with the typer's choice (boundaries untouched)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.model: TyperModel | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None or not doc.ents:
            return doc
        ents = list(doc.ents)
        labels = self.model.relabel(doc, [(e.start, e.end, e.label_) for e in ents])
        if any(new != e.label_ for new, e in zip(labels, ents, strict=True)):
            doc.ents = [Span(doc, e.start, e.end, label=new) for new, e in zip(labels, ents, strict=True)]
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


def training_features(spans: Sequence[TrainingSpan], labels: Sequence[str] = LABELS, folds: int = 10,
                      catalog: dict[str, str] | None = None) -> list[list[tuple[str, float]]]:  # fmt: skip
    """Features of gold spans, each computed with a lexicon built from the other folds' articles."""
    triples = [(s.doc[s.start : s.end].text, [t.text for t in s.doc[s.start : s.end]], s.label) for s in spans]
    out: list[list[tuple[str, float]]] = [[] for _ in spans]
    others: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        others[id(s.doc)].append((s.start, s.end))
    for fold in range(folds):
        knowledge = Knowledge.from_spans(
            (t for t, s in zip(triples, spans, strict=True) if s.group % folds != fold), labels, catalog
        )
        for i, s in enumerate(spans):
            if s.group % folds == fold:
                out[i] = span_features(s.doc, s.start, s.end, knowledge, others[id(s.doc)])
    return out


def fit(features: Sequence[Sequence[tuple[str, float]]], targets: Sequence[str], labels: Sequence[str] = LABELS,
        l2: float = 1.0, min_count: int = 1, max_iter: int = 300) -> tuple[dict[str, int], np.ndarray]:  # fmt: skip
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

    result = optimize.minimize(loss, np.zeros(d * k), jac=True, method="L-BFGS-B",
                               options={"maxiter": max_iter})  # fmt: skip
    log.info("typer fit: %d spans, %d features, loss %.1f after %d iterations", n, d - 1, result.fun, result.nit)
    return index, result.x.reshape(d, k).astype(np.float32)


def train_typer(spans: Sequence[TrainingSpan], *, labels: Sequence[str] = LABELS, l2: float = 1.0,
                catalog: dict[str, str] | None = None, folds: int = 10, min_count: int = 1,
                ner_bonus: float = 1.0, doc_vote: bool = False) -> TyperModel:  # fmt: skip
    feats = training_features(spans, labels, folds, catalog)
    index, weights = fit(feats, [s.label for s in spans], labels, l2=l2, min_count=min_count)
    triples = ((s.doc[s.start : s.end].text, [t.text for t in s.doc[s.start : s.end]], s.label) for s in spans)
    knowledge = Knowledge.from_spans(triples, labels, catalog)
    return TyperModel(knowledge, index, weights, ner_bonus, doc_vote)


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


def typed_scores(gold: Sequence[Doc], predicted: Sequence[Doc],
                 relabel: Callable[[Doc], list[str]] | None = None) -> dict[str, float]:  # fmt: skip
    """Typed P/R/F1, untyped F1 and type accuracy over matched spans; ``relabel`` re-types."""
    n_pred = n_gold = matched = typed = 0
    for g, p in zip(gold, predicted, strict=True):
        truth = {(e.start, e.end): e.label_ for e in g.ents}
        labels = relabel(p) if relabel else [e.label_ for e in p.ents]
        n_gold += len(truth)
        n_pred += len(labels)
        for ent, label in zip(p.ents, labels, strict=True):
            if (ent.start, ent.end) in truth:
                matched += 1
                typed += truth[(ent.start, ent.end)] == label

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
    return {"features": len(model.features), "lexicon": len(model.knowledge.lexicon),
            "ner_bonus": model.ner_bonus, "doc_vote": model.doc_vote}  # fmt: skip
