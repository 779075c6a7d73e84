"""Assets newsdesk DAGs emit, for data-aware scheduling of downstream DAGs."""

from __future__ import annotations

from airflow.sdk import Asset

from newsdesk_airflow.constants import CONNECTION_ID, HTTP_POOL

__all__ = ["ARTICLES", "COMMITMENTS", "CONNECTION_ID", "ENTITIES", "HTTP_POOL"]

ARTICLES = Asset(name="newsdesk_articles", uri="newsdesk://warehouse/articles", group="newsdesk")
ENTITIES = Asset(name="newsdesk_entities", uri="newsdesk://warehouse/entities", group="newsdesk")
COMMITMENTS = Asset(name="newsdesk_commitments", uri="newsdesk://warehouse/commitments", group="newsdesk")
