"""Compose analyze → store for articles not yet analysed by the current analyzer version."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg

from newsdesk.analyze import analyze_docs, analyzer_version
from newsdesk.config import Settings
from newsdesk.store import analysis as analysis_store
from newsdesk.store import articles as article_store
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


def analyze_pending(
    conn: Conn,
    settings: Settings,
    *,
    now: datetime,
    batch_size: int = 64,
    max_articles: int = 5000,
    article_ids: Sequence[int] | None = None,
    force: bool = False,
) -> AnalysisSummary:
    """Analyse articles in batches; each article's rows are replaced in its own transaction.

    ``force`` re-analyses ``article_ids`` even when the current analyzer already did (reprocess).
    """
    version = analyzer_version(settings.nlp_model, settings.seeds_dir / "entities.csv")
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
        )
        if not rows:
            break
        last_id = rows[-1]["article_id"]
        docs = [(r["text"], r["published_at"].date() if r["published_at"] else None) for r in rows]
        for row, analysis in zip(rows, analyze_docs(docs, model=settings.nlp_model, catalog_path=catalog), strict=True):
            try:
                written = analysis_store.replace_analysis(conn, row["article_id"], analysis, now=now)
            except psycopg.Error as exc:  # one article's bad rows must not stop the batch
                conn.rollback()
                failed += 1
                log.warning("article %s: analysis not stored: %s", row["article_id"], exc)
                continue
            conn.commit()
            total += 1
            mentions += written["mentions"]
            commitments += written["commitments"]
    summary = AnalysisSummary(total, mentions, commitments, failed)
    log.info("analysis (%s): %s", version, summary.as_dict())
    return summary
