"""The commitment corpus recipe (nlp/commitments/corpus.py): CoNLL reading, detokenising, the stand-off
annotations and their round trip through the commitments-nl layout, on a CoNLL text written here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_recipe_module

corpus = load_recipe_module("nlp/commitments/corpus.py", "commitment_corpus")


def _conll(documents: list[list[str]]) -> str:
    """A CoNLL-2002 text: a -DOCSTART- line per document, one token per line, tag columns made up."""
    out = []
    for sentences in documents:
        out.append("-DOCSTART- -DOCSTART- O\n")
        for sentence in sentences:
            out.extend(f"{token} X O\n" for token in sentence.split(" "))
            out.append("\n")
    return "".join(out)


DOCS = [
    [
        "De gemeente Zomerdam gaat het zwembad in 2027 renoveren .",
        "pagina",
        '" We maken er werk van " , zei wethouder Jansen .',
        "De buren ( vooral de bakker ) zijn ' tevreden ' .",
    ],
    [
        "Het regent .",
        "De club weigert de trainer te ontslaan .",
    ],
]


def test_reads_documents_and_detokenises_like_the_dev_texts() -> None:
    docs = corpus.documents_from_conll(_conll(DOCS))
    assert [d.name for d in docs] == ["train000", "train001"]
    assert docs[0].lines == (
        "De gemeente Zomerdam gaat het zwembad in 2027 renoveren.",
        "pagina",
        '"We maken er werk van", zei wethouder Jansen.',
        "De buren (vooral de bakker) zijn 'tevreden'.",
    )
    assert docs[1].text == "Het regent.\nDe club weigert de trainer te ontslaan.\n"


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        # a quote after "(" or before ")" keeps its spaces, as in the dev texts
        ("genodigden ( ' vips ' ) om", "genodigden (' vips ') om"),
        # an odd quote (a quotation running over several sentences) stays apart
        ('" Maar ik heb veel geleerd .', '" Maar ik heb veel geleerd.'),
        ('" A " , stelt hij , " b .', '"A", stelt hij, " b.'),
        ('dood : " Hoe heet de keeper ? "', 'dood: "Hoe heet de keeper?"'),
    ],
)
def test_detokenise_quotes(tokens: str, text: str) -> None:
    assert corpus.detokenise(tokens.split(" ")) == text


def test_long_documents_are_cut_at_whole_sentences() -> None:
    sentences = [["Zin", str(i), "."] for i in range(10)]
    lines = corpus.document_lines(sentences, max_chars=30)
    assert lines == ["Zin 0.", "Zin 1.", "Zin 2.", "Zin 3."]  # 4 x 7 characters with newlines
    assert len(corpus.document_text(lines)) <= 30


def _commitment(line: int, **fields: Any) -> dict[str, Any]:
    base = {
        "line": line,
        "actor": "gemeente Zomerdam",
        "speaker": None,
        "action": "het zwembad renoveren",
        "kind": "plan",
        "polarity": "positive",
        "conditional": False,
        "condition": None,
        "firmness": "firm",
        "deadline_text": "in 2027",
        "deadline": "2027",
        "uncertain": False,
    }
    base.update(fields)
    return base


def _records(docs: list[Any]) -> list[dict[str, Any]]:
    first = {
        "doc": 0,
        "name": "train000",
        "lines": 4,
        "line_sha1": corpus.text_sha1(docs[0].text),
        "commitments": [
            _commitment(0),
            _commitment(
                2, speaker="Jansen", action="er werk van maken", deadline_text=None, deadline=None, uncertain=True
            ),
        ],
        "actor_alts": {"gemeente Zomerdam": ["Zomerdam", "wethouder Jansen"]},
    }
    second = {
        "doc": 1,
        "name": "train001",
        "lines": 2,
        "line_sha1": corpus.text_sha1(docs[1].text),
        "commitments": [
            _commitment(
                1,
                actor="de club",
                action="de trainer ontslaan",
                kind="refusal",
                polarity="negative",
                deadline_text=None,
                deadline=None,
            ),
        ],
        "actor_alts": {},
    }
    return [first, second]


def test_standoff_round_trip_through_the_commitments_nl_layout(tmp_path: Path) -> None:
    docs = corpus.documents_from_conll(_conll(DOCS))
    records = _records(docs)
    path = tmp_path / "ned_train.jsonl"
    corpus.write_annotations(records, path)
    assert "zwembad in 2027 renoveren." not in path.read_text(encoding="utf-8")  # stand-off: no text
    assert corpus.read_annotations(path) == records

    assert corpus.materialise(records, docs, tmp_path / "out") == 2
    assert (tmp_path / "out" / "docs" / "train001.txt").read_text(encoding="utf-8") == docs[1].text
    gold = json.loads((tmp_path / "out" / "gold" / "train000.json").read_text(encoding="utf-8"))
    assert gold["doc"] == "train000"
    assert [c["sentence"] for c in gold["commitments"]] == [docs[0].lines[0], docs[0].lines[2]]
    assert list(gold["commitments"][0]) == ["sentence", *corpus.FIELDS]  # the dev gold's field order
    assert gold["actor_alts"] == records[0]["actor_alts"]

    assert corpus.read_materialised(tmp_path / "out", docs) == records


def test_drift_and_bad_values_are_refused(tmp_path: Path) -> None:
    docs = corpus.documents_from_conll(_conll(DOCS))
    drifted = corpus.documents_from_conll(_conll([[s.replace("2027", "2028") for s in DOCS[0]], DOCS[1]]))
    with pytest.raises(corpus.AnnotationError, match="text changed"):
        corpus.materialise(_records(docs), drifted, tmp_path / "out")

    records = _records(docs)
    records[1]["commitments"][0]["polarity"] = "positive"  # a refusal is always negative
    with pytest.raises(corpus.AnnotationError, match="refusal"):
        corpus.materialise(records, docs, tmp_path / "out")

    records = _records(docs)
    records[0]["commitments"][0]["line"] = 4
    with pytest.raises(corpus.AnnotationError, match="outside"):
        corpus.check_record(records[0], docs[0])


def test_annotation_order_is_a_fixed_shuffle_without_the_excluded() -> None:
    order = corpus.annotation_order(20, excluded={3, 7})
    assert order == corpus.annotation_order(20, excluded={7, 3})
    assert sorted(order) == [i for i in range(20) if i not in (3, 7)]
    assert order != sorted(order)
