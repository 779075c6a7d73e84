"""The NER corpus splits of the pipeline recipe (nlp/corpora.py), on a CoNLL-2002 file written here:
the learning-curve sample keeps whole train articles, the same ones on every run, each smaller
sample inside every larger one, and never touches dev or test."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from tests.conftest import load_recipe_module

corpora = load_recipe_module("nlp/corpora.py", "nlp_corpora")


def _article(n: int) -> str:
    # one sentence per article; the article's number is in its text, so a doc names its article
    return f"-DOCSTART- -DOCSTART- O\nStuk Punc O\n{n} Num O\nuit Prep O\nGent N B-LOC\n. Punc O\n\n"


@pytest.fixture()
def corpus_root(tmp_path: Path) -> Path:
    conll = tmp_path / "conll2002-nl"
    conll.mkdir()
    # 45 train articles: every 15th is dev, so 42 train and 3 dev; 4 test articles
    (conll / "ned.train").write_text("".join(_article(n) for n in range(45)), encoding="utf-8")
    (conll / "ned.testa").write_text("".join(_article(100 + n) for n in range(4)), encoding="utf-8")
    return tmp_path


def _numbers(docs: list[spacy.tokens.Doc]) -> list[int]:
    return [int(doc[1].text) for doc in docs]


def test_sample_articles_is_seeded_nested_and_sorted() -> None:
    half = corpora.sample_articles(40, 0.5)
    assert list(half) == sorted(half) and len(half) == 20 and len(set(half)) == 20
    assert corpora.sample_articles(40, 0.5) == half  # the same articles on every run
    quarter = corpora.sample_articles(40, 0.25)
    assert len(quarter) == 10 and set(quarter) <= set(half)  # a smaller sample lies inside a larger one
    assert corpora.sample_articles(40, 1.0) == list(range(40))
    assert len(corpora.sample_articles(3, 0.01)) == 1  # never an empty training set
    assert corpora.sample_articles(40, 0.5, seed=1) != half
    for wrong in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="fraction"):
            corpora.sample_articles(40, wrong)


def test_ner_splits_sample_train_articles_only(corpus_root: Path) -> None:
    vocab = spacy.blank("nl").vocab
    full = corpora.ner_splits(vocab, corpus_root)
    assert _numbers(full["dev"]) == [14, 29, 44]
    assert len(full["train"]) == 42 and _numbers(full["test"]) == [100, 101, 102, 103]
    assert all([e.label_ for e in doc.ents] == ["LOC"] for doc in full["train"])

    half = corpora.ner_splits(vocab, corpus_root, train_fraction=0.5)
    assert len(half["train"]) == 21
    assert set(_numbers(half["train"])) < set(_numbers(full["train"]))
    assert _numbers(half["dev"]) == _numbers(full["dev"])
    assert _numbers(half["test"]) == _numbers(full["test"])
    assert _numbers(corpora.ner_splits(vocab, corpus_root, train_fraction=0.5)["train"]) == _numbers(half["train"])
