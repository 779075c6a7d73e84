"""Names shared by the DAGs, the adapters and the deployment (no Airflow import: safe anywhere)."""

from __future__ import annotations

HTTP_POOL = "newsdesk_http"
CONNECTION_ID = "newsdesk_db"
