"""JSON records of the CLI contracts (``newsdesk analyze``): one object per input file."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from enum import Enum
from typing import Any

from newsdesk.models import Analysis, Commitment


def parse_date_prefix(date_text: str | None) -> date | None:
    """'2025-03' → 2025-03-01 (month precision), '2025-03-02' → that day, None → None."""
    if not date_text:
        return None
    parts = [int(p) for p in date_text.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def commitment_record(c: Commitment) -> dict[str, Any]:
    return {f.name: _plain(getattr(c, f.name)) for f in fields(c)}


def analysis_record(source: str, date_text: str | None, text: str, analysis: Analysis) -> dict[str, Any]:
    return {
        "source": source,
        "date": date_text,
        "language": "nl",
        "text": text,
        "entities": [
            {
                "text": m.text,
                "label": str(m.label),
                "start": m.start,
                "end": m.end,
                "sentence": m.sentence,
                "canonical": m.entity.canonical,
                "entity_id": m.entity.entity_id,
                "entity_label": str(m.entity.label),
                "link": str(m.link),
            }
            for m in analysis.mentions
        ],
        "commitments": [commitment_record(c) for c in analysis.commitments],
        "analyzer_version": analysis.analyzer_version,
    }
