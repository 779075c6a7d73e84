"""load_nlp: a named pipeline (package or path) and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.pipeline import Lemmatizer
from spacy.tokenizer import Tokenizer

from newsdesk.analyze import analyze_text
from newsdesk.analyze.nlp import load_nlp
from newsdesk.errors import AnalysisError
from tests.conftest import narrow, not_none

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_package_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="nl_no_such_pipeline"):
        load_nlp("nl_no_such_pipeline")


def test_folder_without_pipeline_is_an_analysis_error(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match="cannot load spaCy pipeline"):
        load_nlp(str(tmp_path))


def test_any_spacy_pipeline_can_be_used(tmp_path: Path) -> None:
    # A pipeline without NER still yields sentences and catalog mentions.
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "mini")
    result = analyze_text(
        "De NAVO vergadert. Het VK doet mee.",
        model=str(tmp_path / "mini"),
        catalog_path=ROOT / "seeds" / "entities.csv",
    )
    assert result.sentences == ((0, 18), (19, 35))
    assert [(m.text, m.entity.canonical, m.sentence) for m in result.mentions] == [
        ("NAVO", "NAVO", 0),
        ("VK", "Verenigd Koninkrijk", 1),
    ]
    assert result.analyzer_version.startswith("nl_pipeline-0.0.0+rules")


def test_bundled_tokenizer_is_the_language_default() -> None:
    """load_nlp skips the bundled pipeline's stored tokenizer: it must equal spaCy's Dutch default."""
    from newsdesk.analyze.nlp import BUNDLED_MODEL

    stored = narrow(spacy.load(BUNDLED_MODEL).tokenizer, Tokenizer).to_bytes(exclude=["vocab"])
    assert narrow(load_nlp(None).tokenizer, Tokenizer).to_bytes(exclude=["vocab"]) == stored
    assert len(narrow(load_nlp(None).tokenizer, Tokenizer).rules) > 1000  # the Dutch special cases are there


def test_lemma_index_sets_change_no_lemma() -> None:
    """load_nlp turns the Dutch lemma index into sets (speed): the lemmas stay spaCy's own."""
    from newsdesk.analyze.nlp import BUNDLED_MODEL

    text = (ROOT / "seeds" / "seed_article.txt").read_text(encoding="utf-8")
    plain = spacy.load(BUNDLED_MODEL)
    assert [t.lemma_ for t in load_nlp(None)(text)] == [t.lemma_ for t in plain(text)]
    table = narrow(load_nlp(None).get_pipe("lemmatizer"), Lemmatizer).lookups.get_table("lemma_index")
    assert all(isinstance(table[key], frozenset) for key in table)


def test_bundled_pipeline_types_the_ner_spans() -> None:
    """The NER runs before the parser and the entity typer last; spacy.load finds the typer's
    factory once newsdesk.analyze is imported."""
    from newsdesk.analyze.nlp import BUNDLED_MODEL
    from newsdesk.analyze.typer import FACTORY, EntityTyper

    names = spacy.load(BUNDLED_MODEL).pipe_names
    assert names.index("ner") < names.index("parser")
    assert names[-1] == FACTORY
    assert narrow(load_nlp(None).get_pipe(FACTORY), EntityTyper).model is not None
    doc = load_nlp(None)("Minister Guy Verhofstadt sprak gisteren in Brussel met de NAVO.")
    assert {(e.text, e.label_) for e in doc.ents} >= {("Guy Verhofstadt", "PER"), ("Brussel", "LOC")}


def test_bundled_pipeline_ships_its_knowledge_vectors() -> None:
    """The knowledge vectors are in the pipeline's own vocab (nothing is read from the packages
    they were built from), keyed by lower-cased text, and the typer reads them."""
    from newsdesk.analyze.typer import FACTORY, KNOWLEDGE_COLUMNS, KNOWLEDGE_VECTORS_NAME, EntityTyper, KnowledgeTable

    nlp = load_nlp(None)
    vectors = nlp.vocab.vectors
    assert vectors.name == KNOWLEDGE_VECTORS_NAME
    assert vectors.shape[1] == len(KNOWLEDGE_COLUMNS)
    assert vectors.n_keys > 100_000 and vectors.shape[0] < vectors.n_keys  # rows shared by many words
    table = KnowledgeTable.of(nlp.vocab)
    assert table is not None
    brussel, amsterdam = table.row("Brussel"), table.row("AMSTERDAM")
    assert brussel is not None and brussel[KNOWLEDGE_COLUMNS.index("place_benl")] == 1.0
    assert amsterdam is not None and amsterdam[KNOWLEDGE_COLUMNS.index("place_benl")] == 1.0
    assert not_none(narrow(nlp.get_pipe(FACTORY), EntityTyper).model).use_table


def test_bundled_knowledge_knows_states_provinces_and_regions() -> None:
    """First-level subdivisions (ISO 3166-2) are places in the knowledge vectors, in their own
    language and without diacritics, so that "Vermont" or "Tamil Nadu" is not taken for a person."""
    from newsdesk.analyze.typer import KNOWLEDGE_COLUMNS, KnowledgeTable

    table = KnowledgeTable.of(load_nlp(None).vocab)
    assert table is not None
    for name in ("Vermont", "Assam", "Tamil Nadu", "Noord-Brabant", "Bayern"):
        row = table.row(name)
        assert row is not None, name
        assert row[KNOWLEDGE_COLUMNS.index("place_world")] >= 0.75, name
    for word in ("komen", "west", "centrale"):  # Dutch words, and regions of Slovenia, Cameroon, Togo
        row = table.row(word)
        assert row is not None and row[KNOWLEDGE_COLUMNS.index("place_world")] == 0.0, word

    doc = load_nlp(None)("De regering van de Indiase deelstaat Assam heeft gisteren de noodtoestand afgekondigd.")
    assert [(e.text, e.label_) for e in doc.ents if e.text == "Assam"] == [("Assam", "LOC")]
