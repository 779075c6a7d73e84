"""The entity typer: features, training, re-labelling, files and the spaCy component."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

from newsdesk.analyze import typer
from newsdesk.analyze.typer import FACTORY, Knowledge, TyperModel, span_features
from tests.conftest import narrow

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
    knowledge = Knowledge.from_spans(
        [("Brussel", ["Brussel"], "LOC"), ("Brussel", ["Brussel"], "ORG")], catalog={"brussel": "LOC"}
    )
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
    assert narrow(loaded.get_pipe(FACTORY), typer.EntityTyper).model is None
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
    assert isinstance(component, typer.EntityTyper)
    component.model = _model()
    copy = spacy.blank("nl")
    copy.add_pipe(FACTORY)
    copy.from_bytes(nlp.to_bytes())
    loaded = narrow(copy.get_pipe(FACTORY), typer.EntityTyper).model
    assert loaded is not None
    assert loaded.features == component.model.features
    np.testing.assert_allclose(loaded.weights, component.model.weights, atol=2e-3)
    doc = copy.make_doc("minister Verhofstadt was in Brussel bij de NAVO .")
    doc.ents = [Span(doc, 1, 2, "LOC"), Span(doc, 4, 5, "PER"), Span(doc, 7, 8, "PER")]
    assert [e.label_ for e in copy.get_pipe(FACTORY)(doc).ents] == ["PER", "LOC", "ORG"]


# ---------------------------------------------------------------------------------------------
# Knowledge vectors (a hand-made table: the real one is built by nlp/knowledge.py from public lists)


def _row(**values: float) -> np.ndarray:
    row = np.zeros(len(typer.KNOWLEDGE_COLUMNS), dtype=np.float32)
    row[typer.KNOWLEDGE_COLUMNS.index("known")] = 1.0
    for column, value in values.items():
        row[typer.KNOWLEDGE_COLUMNS.index(column)] = value
    return row


KNOWN = {
    "guy": _row(first_nlbe=1.0, first_any=1.0),
    "vandenbroucke": _row(last_nlbe=1.0),
    "dewinter": _row(last_nlbe=1.0),
    "lokeren": _row(place_benl=1.0),
    "westerlo": _row(place_benl=1.0),
    "verenigde staten": _row(country=1.0),
    "tent": _row(nl_word=1.0, nl_freq=0.5),
}


def _with_knowledge(
    nlp: Language, rows: dict[str, np.ndarray] = KNOWN, name: str = typer.KNOWLEDGE_VECTORS_NAME
) -> Language:
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    vectors = Vectors(data=np.stack(list(rows.values())), name=name, attr="LOWER")
    for i, word in enumerate(rows):
        vectors.add(get_string_id(word), row=i)
    nlp.vocab.vectors = vectors
    return nlp


def test_knowledge_table_reads_rows_by_lower_cased_text() -> None:
    nlp = _with_knowledge(spacy.blank("nl"))
    table = typer.KnowledgeTable.of(nlp.vocab)
    assert table is not None
    row = table.row("Lokeren")
    assert row is not None and row[typer.KNOWLEDGE_COLUMNS.index("place_benl")] == 1.0
    assert table.row("Verenigde  Staten") is not None  # multi-word names, spaces normalised
    assert table.row("Xyzzy") is None
    assert table.features("kf", "Guy") == [("kf:first_nlbe=1", 1.0), ("kf:first_any=1", 1.0)]
    assert table.features("kf", "Xyzzy") == [("kf:unknown", 1.0)]


def test_other_vectors_give_no_knowledge_table() -> None:
    assert typer.KnowledgeTable.of(spacy.blank("nl").vocab) is None  # no vectors at all
    assert typer.KnowledgeTable.of(_with_knowledge(spacy.blank("nl"), name="real_word_vectors").vocab) is None
    narrow = {"guy": np.ones(3, dtype=np.float32)}
    assert typer.KnowledgeTable.of(_with_knowledge(spacy.blank("nl"), narrow).vocab) is None


def test_features_say_what_the_lists_know_of_each_word() -> None:
    nlp = _with_knowledge(spacy.blank("nl"))
    doc = _doc(nlp, "minister Guy Vandenbroucke bezocht Lokeren en de Verenigde Staten", [])
    table = typer.KnowledgeTable.of(nlp.vocab)
    person = dict(span_features(doc, 1, 3, Knowledge(), table=table))
    assert person["kf:first_nlbe=1"] == 1.0 and person["kl:last_nlbe=1"] == 1.0
    assert person["kk=first last"] == 1.0
    assert person["kp:unknown"] == 1.0  # "minister" is not in this small table
    place = dict(span_features(doc, 4, 5, Knowledge(), table=table))
    assert place["kk=place"] == 1.0
    country = dict(span_features(doc, 7, 9, Knowledge(), table=table))
    assert country["ks:country=1"] == 1.0
    assert not any(name.startswith("k") and ":" in name for name, _ in span_features(doc, 4, 5, Knowledge()))


def test_typer_trained_with_knowledge_types_names_it_never_saw() -> None:
    nlp = _with_knowledge(spacy.blank("nl"))
    # the same contexts for people and places: only the knowledge vectors tell them apart
    sentences = [
        ("gisteren zei Vandenbroucke dat", (2, 3, "PER")),
        ("gisteren zei Lokeren dat", (2, 3, "LOC")),
        ("volgens Vandenbroucke is het", (1, 2, "PER")),
        ("volgens Lokeren is het", (1, 2, "LOC")),
    ] * 3
    articles = [[_doc(nlp, words, [ent])] for words, ent in sentences]
    table = typer.KnowledgeTable.of(nlp.vocab)
    model = typer.train_typer(typer.gold_spans(articles), l2=0.1, folds=3, ner_bonus=0.0, table=table)
    assert model.use_table
    doc = _doc(nlp, "gisteren zei Dewinter dat Westerlo won", [])
    assert model.relabel(doc, [(2, 3, "MISC"), (4, 5, "MISC")]) == ["PER", "LOC"]


def test_line_breaks_bound_the_context_like_sentence_edges() -> None:
    nlp = spacy.blank("nl")
    doc = nlp.make_doc("Dat zei hij .\nLokeren won\nGisteren")
    start = [t.text for t in doc].index("Lokeren")
    feats = dict(span_features(doc, start, start + 1, Knowledge()))
    assert feats["p1=<s>"] == 1.0 and feats["n1=won"] == 1.0
    end = dict(span_features(doc, start, start + 2, Knowledge()))
    assert end["n1=</s>"] == 1.0 and end["n2=</s>"] == 1.0


def test_propagate_finds_a_name_again_where_the_ner_missed_it() -> None:
    nlp = _with_knowledge(spacy.blank("nl"))
    doc = nlp.make_doc("Napster won . Studio Napster zweeg en Napster lachte .\nTent . Napster")
    spans = typer.propagate(doc, [(0, 1, "ORG")], typer.KnowledgeTable.of(nlp.vocab))
    found = [(doc[s:e].text, s, label) for s, e, label in spans]
    # "Studio Napster" (a capitalised word before it) is another name; the last two are found
    assert found == [("Napster", 0, "ORG"), ("Napster", 7, "ORG"), ("Napster", 13, "ORG")]


def test_propagate_leaves_common_words_at_a_line_start_alone() -> None:
    nlp = _with_knowledge(spacy.blank("nl"))
    doc = nlp.make_doc("Brussel , de Tent .\nTent . Tent")
    spans = typer.propagate(doc, [(3, 4, "ORG")], typer.KnowledgeTable.of(nlp.vocab))
    assert spans == [(3, 4, "ORG")]  # "tent" is a Dutch word: a capital at a line start says nothing
    without_table = typer.propagate(doc, [(3, 4, "ORG")])
    assert len(without_table) == 3


def test_join_adjacent_spans_of_one_label() -> None:
    nlp = spacy.blank("nl")
    doc = nlp.make_doc("columnist Thomas L. Friedman schreef in Gent Brussel")
    thomas, friedman = (1, 2, "PER"), (2, 4, "PER")
    assert typer.join_adjacent(doc, [thomas, friedman, (6, 7, "LOC"), (7, 8, "ORG")]) == [
        (1, 4, "PER"),
        (6, 7, "LOC"),
        (7, 8, "ORG"),
    ]


def test_component_applies_join_and_propagate_and_keeps_its_switches(tmp_path: Path) -> None:
    nlp = _with_knowledge(spacy.blank("nl"))
    model = _model()
    model.join_adjacent, model.propagate, model.use_table = True, True, True
    component = nlp.add_pipe(FACTORY)
    assert isinstance(component, typer.EntityTyper)
    component.model = model
    doc = nlp.make_doc("minister Guy Verhofstadt sprak . Later zei Guy Verhofstadt niets .")
    doc.ents = [Span(doc, 1, 2, "PER"), Span(doc, 2, 3, "PER")]
    doc = component(doc)
    assert [(e.text, e.start) for e in doc.ents] == [("Guy Verhofstadt", 1), ("Guy Verhofstadt", 7)]
    model.to_disk(tmp_path / "typer")
    loaded = TyperModel.from_disk(tmp_path / "typer")
    assert (loaded.join_adjacent, loaded.propagate, loaded.use_table) == (True, True, True)
    again = TyperModel.from_bytes(model.to_bytes())
    assert (again.join_adjacent, again.propagate, again.use_table) == (True, True, True)


def test_negative_spans_are_capitalised_runs_outside_entities() -> None:
    nlp = spacy.blank("nl")
    doc = _doc(
        nlp, "Gisteren zei minister Verhofstadt dat De Morgen Studio Brussel belde", [(3, 4, "PER"), (7, 9, "ORG")]
    )
    negatives = typer.negative_spans([[doc]])
    assert [(doc[s.start : s.end].text, s.label) for s in negatives] == [
        ("Gisteren", typer.REJECT),
        ("De Morgen", typer.REJECT),
    ]


def test_typer_fitted_with_negatives_drops_what_is_no_entity() -> None:
    nlp = spacy.blank("nl")
    articles = [[_doc(nlp, words, ents)] for words, ents in SENTENCES]
    articles += [[_doc(nlp, "Gisteren was het koud .", [])], [_doc(nlp, "Gisteren regende het .", [])]] * 2
    spans = typer.gold_spans(articles) + typer.negative_spans(articles)
    model = typer.train_typer(spans, l2=0.1, folds=3, ner_bonus=0.0)
    assert model.can_reject and model.reject_bias == 0.0
    doc = _doc(nlp, "Gisteren was minister Verhofstadt in Brussel .", [(0, 1, "PER"), (3, 4, "PER"), (5, 6, "LOC")])
    assert model.spans(doc) == [(3, 4, "PER"), (5, 6, "LOC")]
    model.reject_bias = None  # never reject: every span keeps a label
    assert [s for s, _, _ in model.spans(doc)] == [0, 3, 5]
    again = TyperModel.from_bytes(model.to_bytes())
    assert again.can_reject and again.reject_bias is None


def test_one_word_name_never_given_in_full_is_marked() -> None:
    nlp = spacy.blank("nl")
    doc = _doc(nlp, "Guy Verhofstadt en Tectrade . Verhofstadt lachte", [])
    spans = [(0, 2), (3, 4), (5, 6)]
    assert dict(span_features(doc, 3, 4, Knowledge(), spans))["solo"] == 1.0
    assert "solo" not in dict(span_features(doc, 5, 6, Knowledge(), spans))


def test_capitalised_runs_are_the_uncovered_names_inside_sentences() -> None:
    nlp = spacy.blank("nl")
    doc = nlp.make_doc("Gisteren zei minister Verhofstadt in Zürich dat de Raad van State en Kunstberg .\nTent open")
    runs = typer.capitalised_runs(doc, [(3, 4, "PER")])
    assert [doc[s:e].text for s, e in runs] == ["Zürich", "Raad van State", "Kunstberg"]
    # a sentence's or a line's first word only when asked for; a covered word never
    initial = typer.capitalised_runs(doc, [(3, 4, "PER")], initial=True)
    assert [doc[s:e].text for s, e in initial] == ["Gisteren", "Zürich", "Raad van State", "Kunstberg", "Tent"]


def _rejecting_model() -> TyperModel:
    nlp = spacy.blank("nl")
    articles = [[_doc(nlp, words, ents)] for words, ents in SENTENCES]
    articles += [[_doc(nlp, "Gisteren was het koud .", [])], [_doc(nlp, "Gisteren regende het .", [])]] * 2
    return typer.train_typer(
        typer.gold_spans(articles) + typer.negative_spans(articles), l2=0.1, folds=3, ner_bonus=0.0
    )


def test_typer_types_the_capitalised_runs_the_ner_missed() -> None:
    nlp = spacy.blank("nl")
    model = _rejecting_model()
    doc = _doc(nlp, "Gisteren was minister Verhofstadt in Brussel .", [(3, 4, "PER")])
    assert model.spans(doc) == [(3, 4, "PER")]  # candidate_bias None: only the NER's spans
    model.candidate_bias = 0.0
    assert model.spans(doc) == [(3, 4, "PER"), (5, 6, "LOC")]  # "Gisteren" starts the sentence
    model.candidate_bias = 100.0  # a candidate must beat a huge bias against it: none does
    assert model.spans(doc) == [(3, 4, "PER")]


def test_inner_reject_bias_keeps_names_inside_a_sentence() -> None:
    nlp = spacy.blank("nl")
    model = _rejecting_model()
    doc = _doc(nlp, "Gisteren was minister Verhofstadt in Brussel .", [(0, 1, "PER"), (3, 4, "PER"), (5, 6, "LOC")])
    model.reject_bias = 100.0  # reject everything ...
    assert model.spans(doc) == []
    model.inner_reject_bias = 0.0  # ... except inside a sentence, where a capital says "name"
    assert model.spans(doc) == [(3, 4, "PER"), (5, 6, "LOC")]


def test_candidate_and_inner_switches_survive_saving(tmp_path: Path) -> None:
    model = _rejecting_model()
    model.candidate_bias, model.candidate_initial, model.inner_reject_bias = -2.0, True, 1.5
    model.to_disk(tmp_path / "typer")
    for loaded in (TyperModel.from_disk(tmp_path / "typer"), TyperModel.from_bytes(model.to_bytes())):
        assert (loaded.candidate_bias, loaded.candidate_initial, loaded.inner_reject_bias) == (-2.0, True, 1.5)
    assert typer.model_info(model)["candidate_bias"] == -2.0


def test_a_person_cut_before_a_particle_surname_takes_it(nlp) -> None:
    from newsdesk.analyze.typer import extend_surnames

    doc = nlp.make_doc("Door Sanne de Vries en Jan van der Berg , gisteren .")
    spans = extend_surnames(doc, [(1, 2, "PER"), (5, 6, "PER")])
    assert [doc[s:e].text for s, e, _ in spans] == ["Sanne de Vries", "Jan van der Berg"]
    # not a place, not across a span, not into a sentence's first word
    assert extend_surnames(doc, [(1, 2, "LOC")]) == [(1, 2, "LOC")]
    assert extend_surnames(doc, [(1, 2, "PER"), (3, 4, "ORG")]) == [(1, 2, "PER"), (3, 4, "ORG")]


# Outside name counts (Knowledge.names, NAME_CLASSES order: PER ORG LOC MISC O), as
# nlp/outside_names.py reads them from a larger annotated corpus.
OUTSIDE = {
    "Tectrade": [0, 9, 0, 0, 0],
    "Cofinimmo": [0, 4, 0, 0, 1],
    "Dewaele": [12, 0, 0, 0, 0],
    "Vandeurzen": [7, 1, 0, 0, 0],
    "Kunstberg": [0, 0, 3, 0, 0],
}


def test_outside_name_counts_become_features() -> None:
    feats = dict(typer.name_count_features(["Tectrade"], OUTSIDE))
    assert feats["nc=ORG"] == 1.0 and feats["nc1=ORG"] == 1.0
    assert "ncl=none" not in feats  # a one-word name has no last word apart
    two = dict(typer.name_count_features(["Jan", "Dewaele"], OUTSIDE))
    assert two["nc=PER"] == 1.0 and two["nc1=none"] == 1.0 and two["ncl=PER"] == 1.0
    assert dict(typer.name_count_features(["Xyzzy"], OUTSIDE))["nc=none"] == 1.0
    nlp = spacy.blank("nl")
    doc = _doc(nlp, "bij Tectrade werkt niemand", [])
    assert ("nc=ORG", 1.0) in span_features(doc, 1, 2, Knowledge(names=OUTSIDE))
    assert not any(name.startswith("nc") for name, _ in span_features(doc, 1, 2, Knowledge()))


def test_typer_trained_with_outside_names_types_names_it_never_saw(tmp_path: Path) -> None:
    nlp = spacy.blank("nl")
    # the same contexts for firms and people: only the outside counts tell them apart
    sentences = [
        ("volgens Cofinimmo is het", (1, 2, "ORG")),
        ("volgens Vandeurzen is het", (1, 2, "PER")),
        ("gisteren zei Cofinimmo dat", (2, 3, "ORG")),
        ("gisteren zei Vandeurzen dat", (2, 3, "PER")),
    ] * 3
    articles = [[_doc(nlp, words, [ent])] for words, ent in sentences]
    model = typer.train_typer(typer.gold_spans(articles), l2=0.1, folds=3, ner_bonus=0.0, names=OUTSIDE)
    assert model.knowledge.names == OUTSIDE
    doc = _doc(nlp, "gisteren zei Tectrade dat Dewaele won", [])
    assert model.relabel(doc, [(2, 3, "MISC"), (4, 5, "MISC")]) == ["ORG", "PER"]
    # the counts travel with the typer's files, both ways
    model.to_disk(tmp_path / "typer")
    for loaded in (TyperModel.from_disk(tmp_path / "typer"), TyperModel.from_bytes(model.to_bytes())):
        assert loaded.knowledge.names == OUTSIDE
        assert loaded.relabel(doc, [(2, 3, "MISC"), (4, 5, "MISC")]) == ["ORG", "PER"]


def test_outside_names_are_a_file_of_their_own_and_older_typers_load_without_it(tmp_path: Path) -> None:
    model = _model()
    model.knowledge.names = dict(OUTSIDE)
    model.to_disk(tmp_path / "typer")
    # the counts keep their own licence: a separate file, not mixed into the typer's lexicon
    assert srsly.read_msgpack(tmp_path / "typer" / typer.NAMES_FILE) == OUTSIDE
    assert "names" not in srsly.read_msgpack(tmp_path / "typer" / "knowledge.msgpack")
    (tmp_path / "typer" / typer.NAMES_FILE).unlink()  # as a typer fitted before them
    loaded = TyperModel.from_disk(tmp_path / "typer")
    assert loaded.knowledge.names == {}
    doc = _doc(spacy.blank("nl"), "minister Verhofstadt was in Brussel bij de NAVO .", [])
    spans = [(1, 2, "LOC"), (4, 5, "PER"), (7, 8, "PER")]
    assert loaded.relabel(doc, spans) == model.relabel(doc, spans)
