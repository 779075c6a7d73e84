"""DAG tests: the DagBag of dags/, loaded once per session (``airflow_db`` is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dagbag(airflow_db: None) -> object:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"))
