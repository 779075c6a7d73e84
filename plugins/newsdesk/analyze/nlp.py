"""Loading of the spaCy pipeline: the bundled Dutch model, or any pipeline the user names.

Owns the choice of pipeline (``Settings.nlp_model`` / NEWSDESK_NLP_MODEL) and the translation of
spaCy's load errors into ``AnalysisError``. Pipelines are loaded lazily and cached per process.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

# Registers the entity typer's spaCy factory, which the bundled pipeline names in its config.
from newsdesk.analyze import typer as _typer  # noqa: F401
from newsdesk.errors import AnalysisError

log = logging.getLogger(__name__)

BUNDLED_MODEL = Path(__file__).resolve().parent / "bundled" / "nl_newsdesk"


def model_location(name: str | None) -> str | Path:
    """None -> the bundled pipeline's folder; otherwise the package name or path as given."""
    return BUNDLED_MODEL if name is None else name


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """The pipeline ``name`` (package name or path; None: bundled), loaded once per process."""
    location = model_location(name)
    started = time.perf_counter()
    # The bundled pipeline's tokenizer is spaCy's Dutch default (a unit test holds it to that).
    # spaCy builds that tokenizer from the language defaults and then again from the stored copy:
    # skipping the copy saves a third of the load time (9,000 special cases added once, not twice).
    exclude = ["tokenizer"] if name is None else []
    try:
        nlp = spacy.load(location, exclude=exclude)
    except OSError as exc:
        # spaCy raises OSError (E050/E053) for an unknown package or a folder without config.cfg.
        hint = (
            "the bundled pipeline is missing; rebuild it with `make nlp-model`"
            if name is None
            else "install the package (e.g. `uv add` its wheel) or give a pipeline folder"
        )
        raise AnalysisError(f"cannot load spaCy pipeline {str(location)!r}: {hint} ({exc})") from exc
    except Exception as exc:  # incompatible versions, corrupt weights, missing factories
        raise AnalysisError(f"spaCy pipeline {str(location)!r} failed to load: {exc}") from exc
    _index_as_sets(nlp)
    log.info(
        "loaded spaCy pipeline %s (%s) in %.2fs", location, ",".join(nlp.pipe_names), time.perf_counter() - started
    )
    return nlp


def _index_as_sets(nlp: Language) -> None:
    """Make a rule lemmatizer's ``lemma_index`` word lists sets.

    spaCy's Dutch rule lemmatizer asks ``word in index[pos]`` for every new word, and the table
    arrives from disk as lists of tens of thousands of words: a linear scan per question, 0.2 ms
    per token, most of the pipeline's time on new text. Same answers, constant time.
    """
    if "lemmatizer" not in nlp.pipe_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key in list(table.keys()):
        if isinstance(table[key], list):
            table[key] = frozenset(table[key])


def pipeline_version(nlp: Language) -> str:
    """``nl_newsdesk-0.1.0`` from the pipeline's meta."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"
