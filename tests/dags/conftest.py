"""DAG tests: the DagBag of dags/, loaded once per session (``airflow_db`` is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dagbag(airflow_db: None) -> object:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"))


@pytest.fixture(scope="session")
def trigger_sample_dag(airflow_db: None, sample_site, tmp_path_factory: pytest.TempPathFactory):
    """``trigger(database_url, dag_id, conf)``: one ``dag.test()`` run with trigger params against
    the offline sample; returns the run's state ("success", or the failure's message)."""
    from dataclasses import replace

    from newsdesk.config import Settings
    from newsdesk.errors import NewsdeskError
    from newsdesk_airflow.demo import sample_env
    from newsdesk_airflow.runner import run_dag_once
    from newsdesk_airflow.settings import url_to_connection_json

    def trigger(database_url: str, dag_id: str, conf: dict[str, object] | None = None) -> str:
        settings = replace(Settings.from_env(), state_dir=tmp_path_factory.mktemp("state"))
        with pytest.MonkeyPatch.context() as mp:
            for key, value in sample_env(settings, sample_site.base_url).items():
                mp.setenv(key, value)
            mp.setenv("AIRFLOW_CONN_NEWSDESK_DB", url_to_connection_json(database_url))
            mp.delenv("NEWSDESK_DATABASE_URL", raising=False)
            try:
                return run_dag_once(dag_id, PROJECT_DIR / "dags", conf=conf)
            except NewsdeskError as exc:
                return str(exc)

    return trigger
