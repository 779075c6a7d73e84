"""analyze stage: Dutch article text -> sentences, entity mentions (and later commitments).

Public API used by the pipeline and the CLI: ``split_dated_text``, ``analyze_text``,
``analyze_docs``. The spaCy pipeline is loaded by ``nlp.load_nlp`` (bundled Dutch model unless a
package or path is named); mentions and canonical entities come from ``entities``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from newsdesk.analyze.commitments import EXTRACTOR_VERSION, find_commitments
from newsdesk.analyze.commitments.scorer import Scorer, load_scorer
from newsdesk.analyze.entities import EntityCatalog, EntityResolver, load_entity_catalog
from newsdesk.analyze.nlp import load_nlp, pipeline_version
from newsdesk.config import Settings
from newsdesk.errors import AnalysisError
from newsdesk.models import Analysis

__all__ = [
    "EntityCatalog",
    "EntityResolver",
    "analyze_doc",
    "analyze_docs",
    "analyze_text",
    "load_entity_catalog",
    "load_nlp",
    "split_dated_text",
]

log = logging.getLogger(__name__)

# "date 2025-03 ..." or "date 2025-03-02\n..." at the very start of a seed-format article.
_DATE_PREFIX = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)(?=\s|\Z)")


def split_dated_text(raw: str) -> tuple[str | None, str]:
    """Split a seed-format article into (its date as written, or None; the body text)."""
    match = _DATE_PREFIX.match(raw)
    if match is None:
        return None, raw.lstrip()
    return match.group(1), raw[match.end() :].lstrip()


# No news article comes near this (~30,000 words); a page that does is junk or a dump. Only its
# beginning is analysed (cut at a paragraph break), so it neither hits spaCy's max_length nor
# stays unanalysed and is retried on every run. Offsets stay valid: the analysed text is a prefix.
MAX_ANALYZED_CHARS = 200_000


def bounded_text(text: str, limit: int = MAX_ANALYZED_CHARS) -> str:
    """``text``, or its first paragraphs up to ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit)
    if cut <= 0:
        cut = text.rfind(" ", 0, limit)
    log.warning("text of %s characters: only the first %s are analysed", len(text), cut if cut > 0 else limit)
    return text[: cut if cut > 0 else limit]


def _default_catalog_path() -> Path:
    """The bundled catalog (``seeds/entities.csv``); callers with settings pass their own."""
    return Settings().seeds_dir / "entities.csv"


@lru_cache(maxsize=4)
def _resolver(catalog_path: Path) -> EntityResolver:
    return EntityResolver(load_entity_catalog(catalog_path))


def _sentences(doc: Doc) -> tuple[tuple[int, int], ...]:
    if not doc.has_annotation("SENT_START") and not doc.has_annotation("DEP"):
        return ((0, len(doc.text)),) if doc.text else ()
    return tuple((s.start_char, s.end_char) for s in doc.sents)


def analyze_doc(
    doc: Doc,
    *,
    nlp: Language,
    resolver: EntityResolver,
    published: date | None = None,
    scorer: Scorer | None = None,
) -> Analysis:
    """Everything derived from one processed Doc: mentions, then commitments.

    ``published`` anchors relative deadlines for the commitment extractor; ``scorer`` is the
    commitment scorer (default: the bundled one).
    """
    scorer = scorer or load_scorer()
    sentences = _sentences(doc)
    mentions = resolver.mentions(doc, [start for start, _ in sentences] or [0])
    commitments = find_commitments(doc, mentions, published=published, scorer=scorer)
    return Analysis(
        analyzer_version=f"{pipeline_version(nlp)}+{resolver.version}+{EXTRACTOR_VERSION}.{scorer.digest}",
        mentions=tuple(mentions),
        commitments=tuple(commitments),
        sentences=sentences,
    )


def analyze_text(
    text: str,
    *,
    published: date | None = None,
    model: str | None = None,
    catalog_path: Path | None = None,
    scorer_path: Path | None = None,
) -> Analysis:
    """Analyse one article body (offsets in the result are into ``text``)."""
    nlp = load_nlp(model)
    resolver = _resolver(catalog_path or _default_catalog_path())
    scorer = load_scorer(scorer_path)
    try:
        doc = nlp(bounded_text(text))
    except Exception as exc:  # spaCy/thinc errors on odd input: the article fails, not the batch
        raise AnalysisError(f"spaCy failed on a text of {len(text)} characters: {exc}") from exc
    return analyze_doc(doc, nlp=nlp, resolver=resolver, published=published, scorer=scorer)


def analyze_docs(
    texts: Iterable[tuple[str, date | None]],
    *,
    model: str | None = None,
    catalog_path: Path | None = None,
    scorer_path: Path | None = None,
    batch_size: int = 32,
) -> Iterator[Analysis]:
    """Batch variant of ``analyze_text`` through ``nlp.pipe``; yields one Analysis per input, in order."""
    nlp = load_nlp(model)
    resolver = _resolver(catalog_path or _default_catalog_path())
    scorer = load_scorer(scorer_path)
    try:
        bounded = ((bounded_text(text), published) for text, published in texts)
        for doc, published in nlp.pipe(bounded, as_tuples=True, batch_size=batch_size):
            yield analyze_doc(doc, nlp=nlp, resolver=resolver, published=published, scorer=scorer)
    except AnalysisError:
        raise
    except Exception as exc:
        raise AnalysisError(f"spaCy failed while processing a batch: {exc}") from exc


def analyzer_version(
    model: str | None = None, catalog_path: Path | None = None, scorer_path: Path | None = None
) -> str:
    """The version ``analyze_*`` would stamp on an Analysis now (to select articles to (re)analyse)."""
    nlp = load_nlp(model)
    resolver = _resolver(catalog_path or _default_catalog_path())
    scorer = load_scorer(scorer_path)
    return analyze_doc(nlp.make_doc(""), nlp=nlp, resolver=resolver, scorer=scorer).analyzer_version
