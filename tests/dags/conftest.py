"""DAG tests: the session's Airflow metadata DB is created once; DAGs run with ``dag.test()``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def airflow_db() -> None:
    from newsdesk_airflow.runner import prepare_metadata_db

    prepare_metadata_db()


@pytest.fixture(scope="session")
def dagbag(airflow_db: None) -> object:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"))


@pytest.fixture
def sample_site() -> Iterator[object]:
    from newsdesk.sample import SampleSite

    with SampleSite(PROJECT_DIR / "seeds" / "sample" / "site") as site:
        yield site
