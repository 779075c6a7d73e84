"""Compose analyze → store for articles not yet analysed by the current analyzer version.

A run may be split in shards (article_id modulo the number of shards) analysed by parallel
workers: the shards' articles are disjoint; what they share (entities, aliases, commitment keys)
is upserted in one global order, and an article whose store still meets a concurrent writer is
stored again once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from newsdesk.analyze import analyze_docs, analyze_text, analyzer_version
from newsdesk.analyze.nlp import load_nlp
from newsdesk.config import Settings
from newsdesk.errors import AnalysisError, StoreConflictError, UnstorableError
from newsdesk.models import Analysis
from newsdesk.store import analysis as analysis_store
from newsdesk.store import articles as article_store
from newsdesk.store.boundary import translated
from newsdesk.store.db import Conn

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalysisSummary:
    articles: int = 0
    mentions: int = 0
    commitments: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def _analyze_one(
    row: article_store.ArticleToAnalyze, published: date | None, settings: Settings, catalog: Path
) -> Analysis | None:
    try:
        return analyze_text(
            row.text,
            published=published,
            model=settings.nlp_model,
            catalog_path=catalog,
            scorer_path=settings.commitment_scorer,
        )
    except AnalysisError as exc:
        log.warning("article %s: not analysed: %s", row.article_id, exc)
        return None


def _store(conn: Conn, article_id: int, analysis: Analysis, *, now: datetime) -> dict[str, int] | None:
    """Replace the article's analysis and commit; None when its rows were refused.

    The store's error boundary, applied here: whatever the database (or the text's encoding)
    refuses in one article's rows fails that article, not the batch. A concurrent writer in the
    way (a deadlock with another shard) is not the article's fault: it is stored again once.
    """
    for attempt in (1, 2):
        try:
            with translated(f"storing the analysis of article {article_id}"):
                written = analysis_store.replace_analysis(conn, article_id, analysis, now=now)
        except StoreConflictError as exc:
            conn.rollback()
            if attempt == 1:
                log.info("article %s: analysis met a concurrent writer (%s); storing it again", article_id, exc)
                continue
            log.warning("article %s: analysis not stored: %s", article_id, exc)
            return None
        except UnstorableError as exc:  # one article's bad rows must not stop the batch
            conn.rollback()
            log.warning("article %s: analysis not stored: %s", article_id, exc)
            return None
        conn.commit()
        return written
    return None


def analyze_pending(
    conn: Conn,
    settings: Settings,
    *,
    now: datetime,
    batch_size: int = 64,
    max_articles: int = 5000,
    article_ids: Sequence[int] | None = None,
    force: bool = False,
    shard: int = 0,
    shards: int = 1,
) -> AnalysisSummary:
    """Analyse articles in batches; each article's rows are replaced in its own transaction.

    ``force`` re-analyses ``article_ids`` even when the current analyzer already did (reprocess).
    ``shard``/``shards``: only the articles of this shard (article_id modulo ``shards``).
    """
    version = analyzer_version(settings.nlp_model, settings.seeds_dir / "entities.csv", settings.commitment_scorer)
    catalog = settings.seeds_dir / "entities.csv"
    total = mentions = commitments = failed = 0
    last_id = 0  # keyset cursor: an article that failed is not picked again in this run
    while total + failed < max_articles:
        rows = article_store.articles_to_analyze(
            conn,
            analyzer_version="" if force else version,
            limit=batch_size,
            article_ids=article_ids,
            after_id=last_id,
            shard=shard,
            shards=shards,
        )
        if not rows:
            break
        last_id = rows[-1].article_id
        docs = [(r.text, r.published_at.date() if r.published_at else None) for r in rows]
        try:
            analyses: list[Analysis | None] = list(
                analyze_docs(
                    docs, model=settings.nlp_model, catalog_path=catalog, scorer_path=settings.commitment_scorer
                )
            )
        except AnalysisError as exc:
            # One text spaCy cannot take (e.g. longer than nlp.max_length) fails nlp.pipe's whole
            # batch: analyse the batch text by text, so that only that article fails. A pipeline
            # that does not even load is no article's fault: that still fails the task.
            load_nlp(settings.nlp_model)
            log.warning("analysis of a batch of %s articles failed (%s); one by one", len(rows), exc)
            analyses = [
                _analyze_one(r, published, settings, catalog) for r, (_, published) in zip(rows, docs, strict=True)
            ]
        for row, analysis in zip(rows, analyses, strict=True):
            if analysis is None:
                failed += 1
                continue
            written = _store(conn, row.article_id, analysis, now=now)
            if written is None:
                failed += 1
                continue
            total += 1
            mentions += written["mentions"]
            commitments += written["commitments"]
    summary = AnalysisSummary(total, mentions, commitments, failed)
    log.info("analysis (%s): %s", version, summary.as_dict())
    return summary


def reprocess(
    conn: Conn,
    settings: Settings,
    *,
    now: datetime,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    feeds: Sequence[str] = (),
    analyzed_by: str | None = None,
) -> dict[str, int]:
    """Analyse the selected articles again (after a model or rule upgrade), replacing their rows."""
    ids = article_store.select_article_ids(
        conn, published_from=published_from, published_to=published_to, feeds=list(feeds), analyzed_by=analyzed_by
    )
    conn.commit()
    counts = {"selected": len(ids)}
    if ids:
        summary = analyze_pending(conn, settings, now=now, article_ids=ids, force=True, max_articles=len(ids))
        counts.update(summary.as_dict())
    return counts
