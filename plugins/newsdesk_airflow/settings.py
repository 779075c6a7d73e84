"""Settings for code running inside Airflow: the warehouse comes from the ``newsdesk_db`` connection.

Outside Airflow (or when the connection is not defined) ``NEWSDESK_DATABASE_URL`` is used.
"""

from __future__ import annotations

import logging
from typing import Any

from newsdesk.config import Settings
from newsdesk.errors import ConfigError
from newsdesk_airflow.constants import CONNECTION_ID

log = logging.getLogger(__name__)


def connection_url(conn: Any) -> str:
    """A libpq URL from an Airflow Connection (host may be a Unix socket directory)."""
    from psycopg.conninfo import make_conninfo

    params: dict[str, Any] = {
        "host": conn.host or None,
        "port": conn.port or None,
        "user": conn.login or None,
        "password": conn.password or None,
        "dbname": conn.schema or None,
    }
    extra = conn.extra_dejson if getattr(conn, "extra", None) else {}
    params.update({k: v for k, v in extra.items() if k in ("sslmode", "sslrootcert", "application_name")})
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})


def airflow_settings() -> Settings:
    settings = Settings.from_env()
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(CONNECTION_ID)
    except Exception as exc:  # AirflowNotFoundException or no Airflow context: use the environment
        if settings.database_url:
            log.info("connection %s not available (%s); using NEWSDESK_DATABASE_URL", CONNECTION_ID, exc)
            return settings
        raise ConfigError(f"define the Airflow connection {CONNECTION_ID!r} or NEWSDESK_DATABASE_URL") from exc
    return settings.with_database(connection_url(conn))


def ingest_schedule() -> str:
    """newsdesk_ingest's schedule (``Settings.ingest_schedule``, ``NEWSDESK_INGEST_SCHEDULE``).

    Called while the DAG file is parsed, the only setting read then: it reads the environment
    through ``Settings.from_env()`` and touches no connection or database.
    """
    return Settings.from_env().ingest_schedule


def url_to_connection_json(url: str) -> str:
    """Render a libpq URL as the JSON form of ``AIRFLOW_CONN_NEWSDESK_DB``."""
    import json

    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": info.get("host"),
            "port": int(str(info["port"])) if info.get("port") else None,
            "login": info.get("user"),
            "password": info.get("password"),
            "schema": info.get("dbname"),
        }
    )
