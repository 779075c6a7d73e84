"""The entity typer: features, training, re-labelling, files and the spaCy component."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from newsdesk.analyze import typer
from newsdesk.analyze.typer import FACTORY, Knowledge, TyperModel, span_features

# Hand-written news sentences with gold entities: (words, [(start, end, label)]).
SENTENCES = [
    ("minister Verhofstadt sprak in Brussel over de NAVO .", [(1, 2, "PER"), (4, 5, "LOC"), (8, 9, "ORG")]),
    ("premier Dehaene was gisteren in Antwerpen bij Agalev .", [(1, 2, "PER"), (5, 6, "LOC"), (7, 8, "ORG")]),
    ("minister Daems reist naar Gent voor de VLD .", [(1, 2, "PER"), (4, 5, "LOC"), (7, 8, "ORG")]),
    ("de Belgische regering en de Franse pers", [(1, 2, "MISC"), (5, 6, "MISC")]),
    ("burgemeester Janssens woont in Leuven en stemt SP .", [(1, 2, "PER"), (4, 5, "LOC"), (7, 8, "ORG")]),
    ("voorzitter Stevaert kwam in Hasselt naar de SP .", [(1, 2, "PER"), (4, 5, "LOC"), (8, 9, "ORG")]),
]


def _doc(nlp: Language, words: str, ents: list[tuple[int, int, str]]) -> Doc:
    doc = Doc(nlp.vocab, words=words.split())
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    return doc


def _model() -> TyperModel:
    nlp = spacy.blank("nl")
    # one article per sentence, so the k-fold lexicon sees every name from the other articles
    articles = [[_doc(nlp, words, ents)] for words, ents in SENTENCES]
    spans = typer.gold_spans(articles)
    catalog = typer.catalog_types([("België", "LOC", ("Belgische", "Belg")), ("NAVO", "ORG", ("NATO",))])
    return typer.train_typer(spans, l2=0.1, catalog=catalog, folds=3, ner_bonus=0.0)


def test_shape_collapses_runs() -> None:
    assert typer.shape("Verhofstadt") == "Xx"
    assert typer.shape("NAVO-top") == "X-x"
    assert typer.shape("A12") == "Xd"


def test_features_see_span_context_lexicon_catalog_and_document() -> None:
    nlp = spacy.blank("nl")
    doc = _doc(nlp, "minister Guy Verhofstadt zei in Brussel dat Verhofstadt komt", [])
    knowledge = Knowledge.from_spans([("Brussel", ["Brussel"], "LOC"), ("Brussel", ["Brussel"], "ORG")],
                                     catalog={"brussel": "LOC"})  # fmt: skip
    feats = dict(span_features(doc, 5, 6, knowledge, [(1, 3), (5, 6), (7, 8)]))
    assert feats["s=brussel"] == 1.0
    assert feats["p1=in"] == 1.0 and feats["n1=dat"] == 1.0
    assert feats["lex=LOC"] == 0.5 and feats["lex=ORG"] == 0.5
    assert feats["cat=LOC"] == 1.0
    # "Verhofstadt" is the end of the longer name "Guy Verhofstadt" elsewhere in the document
    later = dict(span_features(doc, 7, 8, knowledge, [(1, 3), (5, 6), (7, 8)]))
    assert later["dlong=guy"] == 1.0
    assert later["lex=none"] == 1.0
    assert later["cat=None"] == 1.0


def test_catalog_aliases_are_marked() -> None:
    types = typer.catalog_types([("België", "LOC", ("Belgische",))])
    assert types == {"belgië": "LOC", "belgische": "LOC:alias"}


def test_typer_relabels_wrong_ner_labels() -> None:
    model = _model()
    nlp = spacy.blank("nl")
    doc = _doc(nlp, "minister Verhofstadt was in Brussel bij de NAVO .", [])
    # an NER that typed all three wrongly
    labels = model.relabel(doc, [(1, 2, "LOC"), (4, 5, "PER"), (7, 8, "PER")])
    assert labels == ["PER", "LOC", "ORG"]


def test_ner_bonus_keeps_the_ner_label_where_the_typer_is_unsure() -> None:
    model = _model()
    nlp = spacy.blank("nl")
    doc = _doc(nlp, "Xyzzy", [])
    model.ner_bonus = 0.0
    unsure = model.relabel(doc, [(0, 1, "MISC")])
    model.ner_bonus = 50.0
    assert model.relabel(doc, [(0, 1, "MISC")]) == ["MISC"]
    assert unsure[0] in typer.LABELS


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = _model()
    model.ner_bonus, model.doc_vote = 1.5, True
    model.to_disk(tmp_path / "typer")
    loaded = TyperModel.from_disk(tmp_path / "typer")
    assert loaded.features == model.features
    assert loaded.knowledge.lexicon == model.knowledge.lexicon
    assert loaded.knowledge.catalog == model.knowledge.catalog
    assert (loaded.ner_bonus, loaded.doc_vote) == (1.5, True)
    np.testing.assert_allclose(loaded.weights, model.weights, atol=2e-3)  # stored as float16
    nlp = spacy.blank("nl")
    doc = _doc(nlp, "minister Verhofstadt was in Brussel bij de NAVO .", [])
    spans = [(1, 2, "LOC"), (4, 5, "PER"), (7, 8, "PER")]
    assert loaded.relabel(doc, spans) == model.relabel(doc, spans)


def test_component_relabels_doc_ents_and_survives_spacy_load(tmp_path: Path) -> None:
    nlp = spacy.blank("nl")
    component = nlp.add_pipe(FACTORY)
    assert isinstance(component, typer.EntityTyper)
    component.model = _model()
    doc = nlp.make_doc("minister Verhofstadt was in Brussel bij de NAVO .")
    doc.ents = [Span(doc, 1, 2, "LOC"), Span(doc, 4, 5, "PER"), Span(doc, 7, 8, "PER")]
    doc = component(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Verhofstadt", "PER"), ("Brussel", "LOC"), ("NAVO", "ORG")]
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == [FACTORY]
    again = loaded.make_doc("minister Verhofstadt was in Brussel bij de NAVO .")
    again.ents = [Span(again, 1, 2, "LOC"), Span(again, 4, 5, "PER"), Span(again, 7, 8, "PER")]
    assert [e.label_ for e in loaded.get_pipe(FACTORY)(again).ents] == ["PER", "LOC", "ORG"]


def test_component_without_a_model_leaves_docs_alone() -> None:
    nlp = spacy.blank("nl")
    component = nlp.add_pipe(FACTORY)
    doc = nlp.make_doc("Agalev in Gent")
    doc.ents = [Span(doc, 0, 1, "PER")]
    assert [e.label_ for e in component(doc).ents] == ["PER"]


def test_loading_a_folder_without_a_model_warns(tmp_path: Path, caplog) -> None:
    nlp = spacy.blank("nl")
    nlp.add_pipe(FACTORY)
    nlp.to_disk(tmp_path / "pipeline")  # an untrained typer writes no model files
    with caplog.at_level("WARNING", logger="newsdesk.analyze.typer"):
        loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.get_pipe(FACTORY).model is None
    assert "no trained model" in caplog.text


def test_typed_scores_split_finding_from_typing() -> None:
    nlp = spacy.blank("nl")
    gold = _doc(nlp, "minister Verhofstadt in Brussel", [(1, 2, "PER"), (3, 4, "LOC")])
    pred = _doc(nlp, "minister Verhofstadt in Brussel", [(1, 2, "PER"), (3, 4, "PER")])
    scores = typer.typed_scores([gold], [pred])
    assert scores["untyped_f"] == 1.0
    assert scores["type_acc"] == 0.5
    assert scores["f"] == 0.5


def test_component_bytes_round_trip() -> None:
    nlp = spacy.blank("nl")
    component = nlp.add_pipe(FACTORY)
    component.model = _model()
    copy = spacy.blank("nl")
    copy.add_pipe(FACTORY)
    copy.from_bytes(nlp.to_bytes())
    loaded = copy.get_pipe(FACTORY).model
    assert loaded is not None
    assert loaded.features == component.model.features
    np.testing.assert_allclose(loaded.weights, component.model.weights, atol=2e-3)
    doc = copy.make_doc("minister Verhofstadt was in Brussel bij de NAVO .")
    doc.ents = [Span(doc, 1, 2, "LOC"), Span(doc, 4, 5, "PER"), Span(doc, 7, 8, "PER")]
    assert [e.label_ for e in copy.get_pipe(FACTORY)(doc).ents] == ["PER", "LOC", "ORG"]
