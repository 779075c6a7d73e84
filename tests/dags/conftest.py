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
def trigger_sample_dag(sample_dag_env):
    """``trigger(database_url, dag_id, conf)``: one ``dag.test()`` run with trigger params against
    the offline sample; returns the run's state ("success", or the failure's message)."""
    from newsdesk.errors import NewsdeskError
    from newsdesk_airflow.runner import run_dag_once

    def trigger(database_url: str, dag_id: str, conf: dict[str, object] | None = None) -> str:
        with sample_dag_env(database_url):
            try:
                return run_dag_once(dag_id, PROJECT_DIR / "dags", conf=conf)
            except NewsdeskError as exc:
                return str(exc)

    return trigger
