"""Readers for the training corpora: CoNLL-2002 Dutch NER and UD Dutch (Alpino, LassySmall).

Owns every split decision, so the training recipe (build_model.py) and the evaluation
(bench/nlp_eval.py) see exactly the same train / dev / held-out data.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from spacy.tokens import Doc
from spacy.training import iob_to_biluo, tags_to_entities
from spacy.training.converters import conllu_to_docs
from spacy.vocab import Vocab

DEFAULT_CORPORA = Path("/work/shared/corpora")
UD_FILES = (
    "nl_alpino-ud-dev.conllu",
    "nl_alpino-ud-test.conllu",
    "nl_lassysmall-ud-dev.conllu",
    "nl_lassysmall-ud-test.conllu",
)
# Every HOLDOUT_EVERY-th sentence of every UD file is held out for evaluation; deterministic,
# and spread over both treebanks and all genres (a whole-file hold-out would cost a third of
# the little syntax data we have).
HOLDOUT_EVERY = 10
# Every NER_DEV_EVERY-th article of ned.train is the dev set for early stopping: ned.testa stays
# unseen until the final evaluation.
NER_DEV_EVERY = 15
SENTS_PER_DOC = 10


def corpora_dir(explicit: str | Path | None = None) -> Path:
    """The corpora folder: an explicit path, else $NEWSDESK_CORPORA, else the shared default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("NEWSDESK_CORPORA")
    return Path(env) if env else DEFAULT_CORPORA


def read_conll2002(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Articles -> sentences -> (token, IOB2 tag)."""
    articles: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    current: list[list[tuple[str, str]]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if sentence:
                    current.append(sentence)
                    sentence = []
                continue
            parts = line.split(" ")
            if parts[0] == "-DOCSTART-":
                if sentence:
                    current.append(sentence)
                    sentence = []
                if current:
                    articles.append(current)
                current = []
                continue
            sentence.append((parts[0], parts[-1]))
    if sentence:
        current.append(sentence)
    if current:
        articles.append(current)
    return articles


def conll2002_docs(vocab: Vocab, articles: list[list[list[tuple[str, str]]]]) -> Iterator[Doc]:
    """Gold docs of up to SENTS_PER_DOC sentences, never crossing an article boundary."""
    for article in articles:
        for i in range(0, len(article), SENTS_PER_DOC):
            chunk = article[i : i + SENTS_PER_DOC]
            words = [tok for sent in chunk for tok, _ in sent]
            tags = [tag for sent in chunk for _, tag in sent]
            sent_starts = [j == 0 for sent in chunk for j in range(len(sent))]
            doc = Doc(vocab, words=words, sent_starts=sent_starts)
            biluo = iob_to_biluo(tags)
            doc.ents = [
                doc.char_span(doc[s].idx, doc[e].idx + len(doc[e]), label=label)
                for label, s, e in tags_to_entities(biluo)
            ]
            yield doc


def ner_articles(vocab: Vocab, root: Path) -> dict[str, list[list[Doc]]]:
    """train / dev (slices of ned.train by article) and test (ned.testa): the docs of each article."""
    train_articles = read_conll2002(root / "conll2002-nl" / "ned.train")
    train = [a for i, a in enumerate(train_articles) if i % NER_DEV_EVERY != NER_DEV_EVERY - 1]
    dev = [a for i, a in enumerate(train_articles) if i % NER_DEV_EVERY == NER_DEV_EVERY - 1]
    test = read_conll2002(root / "conll2002-nl" / "ned.testa")
    return {
        name: [list(conll2002_docs(vocab, [article])) for article in articles]
        for name, articles in (("train", train), ("dev", dev), ("test", test))
    }


def ner_splits(vocab: Vocab, root: Path, train_fraction: float = 1.0) -> dict[str, list[Doc]]:
    """train / dev (slices of ned.train by article) and test (ned.testa); ``train_fraction`` < 1
    keeps that share of the train articles (``sample_articles``), for a learning curve."""
    articles = ner_articles(vocab, root)
    articles["train"] = [articles["train"][i] for i in sample_articles(len(articles["train"]), train_fraction)]
    return {name: [doc for article in chosen for doc in article] for name, chosen in articles.items()}


def sample_articles(count: int, fraction: float, seed: int = 0) -> Sequence[int]:
    """The indices of a seeded random ``fraction`` of ``count`` articles, in order: the same
    articles on every run, and each smaller sample inside every larger one (a learning curve
    adds data, it does not swap it)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], not {fraction}")
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return sorted(order[: max(1, round(count * fraction))])


def _conllu_sentences(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    return [b.strip("\n") for b in blocks if b.strip()]


def ud_splits(root: Path) -> dict[str, list[Doc]]:
    """train / heldout docs from all four UD files (every HOLDOUT_EVERY-th sentence held out)."""
    train: list[str] = []
    heldout: list[str] = []
    for name in UD_FILES:
        for i, block in enumerate(_conllu_sentences(root / "ud-dutch" / name)):
            (heldout if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else train).append(block)

    def convert(blocks: list[str]) -> list[Doc]:
        text = "\n\n".join(blocks) + "\n"
        return list(conllu_to_docs(text, n_sents=SENTS_PER_DOC, no_print=True, merge_subtokens=True))

    return {"train": convert(train), "heldout": convert(heldout)}
