"""extract stage: downloaded pages become cleaned articles in the seed's shape, or a status.

Public API (the pipeline and the CLI call exactly these):
``extract_article``, ``minhash_signature``, ``lsh_bands``, ``estimated_similarity``,
``NEAR_DUPLICATE_THRESHOLD``.
"""

from __future__ import annotations

from newsdesk.extract.article import extract_article
from newsdesk.extract.fingerprint import (
    NEAR_DUPLICATE_THRESHOLD,
    content_hash,
    estimated_similarity,
    lsh_bands,
    minhash_signature,
)

__all__ = [
    "NEAR_DUPLICATE_THRESHOLD",
    "content_hash",
    "estimated_similarity",
    "extract_article",
    "lsh_bands",
    "minhash_signature",
]
