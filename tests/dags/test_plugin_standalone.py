"""``standalone_env``: what ``make up`` hands to ``airflow standalone``."""

from __future__ import annotations

import json
from pathlib import Path

from newsdesk_airflow.standalone import standalone_env


def test_standalone_env_points_airflow_at_this_checkout(tmp_path: Path) -> None:
    env = standalone_env(tmp_path, "postgresql://nd:pw@127.0.0.1:5433/newsdesk")
    assert env["AIRFLOW_HOME"] == str(tmp_path / ".newsdesk" / "airflow")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(tmp_path / "dags")
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(tmp_path / "plugins")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__API__PORT"] == "8080"
    assert env["AIRFLOW__API__BASE_URL"] == "http://localhost:8080"
    conn = json.loads(env["AIRFLOW_CONN_NEWSDESK_DB"])
    assert (conn["conn_type"], conn["host"], conn["port"], conn["schema"]) == (
        "postgres",
        "127.0.0.1",
        5433,
        "newsdesk",
    )
    assert env["NEWSDESK_DATABASE_URL"] == "postgresql://nd:pw@127.0.0.1:5433/newsdesk"


def test_standalone_env_port_and_metadata_database(tmp_path: Path) -> None:
    env = standalone_env(
        tmp_path, "postgresql://x@h/db", port=9191, metadata_url="postgresql+psycopg2://a@h/af"
    )
    assert env["AIRFLOW__API__PORT"] == "9191"
    assert env["AIRFLOW__API__BASE_URL"] == "http://localhost:9191"  # tasks reach the execution API here
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://a@h/af"
