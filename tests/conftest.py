"""Shared fixtures: one real PostgreSQL database per test session, migrations applied.

``NEWSDESK_TEST_DATABASE_URL`` names a server to use (a fresh database is created on it and
dropped afterwards); without it the embedded server (pgserver) runs in a temporary folder, so
the suite passes on a machine with no PostgreSQL running.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import psycopg
import pytest
from psycopg import sql

Row = TypeVar("Row")
T = TypeVar("T")

PROJECT_DIR = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """One throw-away Airflow home for the whole session, set before anything imports Airflow."""
    import tempfile

    if os.environ.get("NEWSDESK_TEST_KEEP_AIRFLOW_HOME"):
        return
    home = Path(tempfile.mkdtemp(prefix="newsdesk-airflow-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        }
    )


@pytest.fixture(scope="session")
def _server_url() -> Iterator[str]:
    url = os.environ.get("NEWSDESK_TEST_DATABASE_URL")
    if url:
        yield url
        return
    import shutil
    import tempfile

    from newsdesk.store.server import start_embedded, stop_embedded

    # Outside pytest's basetemp: the server runs as another user when we are root, and pytest
    # resets its basetemp to 0700 whenever a pytest session starts on this machine.
    # Started without pgserver's exit-time cleanup (child processes inherit it) and stopped here.
    root = Path(tempfile.mkdtemp(prefix="newsdesk-test-pg-"))
    try:
        yield start_embedded(root / "data", database="postgres", keep_running=True)
    finally:
        stop_embedded(root / "data")
        shutil.rmtree(root, ignore_errors=True)


def _with_dbname(url: str, dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo("", **info)


def one(cursor: psycopg.Cursor[Row]) -> Row:
    """The row a query must return: a test that expects a row fails on an assertion, not on ``None[0]``."""
    row = cursor.fetchone()
    assert row is not None, "the query returned no row"
    return row


def not_none(value: T | None) -> T:
    """A value the test expects to be there (a lookup that may find nothing, an optional field)."""
    assert value is not None
    return value


def load_recipe_module(relative: str, name: str) -> ModuleType:
    """A script of the repository that is no package (nlp/corpora.py ...), loaded as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / relative)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def narrow(value: object, kind: type[T]) -> T:
    """``value`` as the class the test reads it as (spaCy types every pipe as a plain callable)."""
    assert isinstance(value, kind), f"{type(value).__name__} is not a {kind.__name__}"
    return value


@pytest.fixture(scope="session")
def database_url(_server_url: str) -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    from newsdesk.store.db import migrate

    server = _server_url
    name = f"newsdesk_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_dbname(server, name)
    migrate(url)
    yield url
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _empty_all_tables(url: str) -> None:
    """Every newsdesk table emptied (schema_migrations kept), identities restarted."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            ).fetchall()
        ]
        if tables:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)
                )
            )


@pytest.fixture(scope="session")
def empty_warehouse():
    """The function that empties a warehouse, for fixtures of a wider scope than ``clean_db``."""
    return _empty_all_tables


@pytest.fixture
def clean_db(database_url: str) -> str:
    """The session database with every newsdesk table emptied (schema_migrations kept)."""
    _empty_all_tables(database_url)
    return database_url


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """The session's Airflow metadata database (SQLite in the throw-away AIRFLOW_HOME) and pool."""
    from newsdesk_airflow.runner import prepare_metadata_db

    prepare_metadata_db()


@pytest.fixture(scope="session")
def sample_site() -> Iterator[object]:
    """The offline sample website on 127.0.0.1, one port for the session (its URLs get stored)."""
    from newsdesk.sample import SampleSite

    with SampleSite(PROJECT_DIR / "seeds" / "sample" / "site") as site:
        yield site


@pytest.fixture(scope="session")
def sample_dag_env(airflow_db: None, sample_site, tmp_path_factory: pytest.TempPathFactory):
    """``with sample_dag_env(database_url):`` the environment of a ``dag.test()`` run on the offline
    sample site, into that warehouse (the Airflow connection, the sample's feeds file)."""
    from contextlib import contextmanager
    from dataclasses import replace

    from newsdesk.config import Settings
    from newsdesk_airflow.demo import sample_env
    from newsdesk_airflow.settings import url_to_connection_json

    @contextmanager
    def env(database_url: str) -> Iterator[None]:
        settings = replace(Settings.from_env(), state_dir=tmp_path_factory.mktemp("state"))
        with pytest.MonkeyPatch.context() as mp:
            for key, value in sample_env(settings, sample_site.base_url).items():
                mp.setenv(key, value)
            mp.setenv("AIRFLOW_CONN_NEWSDESK_DB", url_to_connection_json(database_url))
            mp.delenv("NEWSDESK_DATABASE_URL", raising=False)
            yield

    return env


@pytest.fixture(scope="session")
def run_sample_dags(sample_dag_env):
    """Run DAGs with ``dag.test()`` against the offline sample site, into a given warehouse."""
    from newsdesk_airflow.runner import run_dag_once

    def run(database_url: str, *dag_ids: str) -> None:
        with sample_dag_env(database_url):
            for dag_id in dag_ids:
                assert run_dag_once(dag_id, PROJECT_DIR / "dags") == "success"

    return run
