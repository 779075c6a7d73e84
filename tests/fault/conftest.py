"""Fixtures of the fault-tolerance tests (helpers in faultkit.py).

* ``reference``: the offline sample ingested and analysed once, by the DAGs, into a database of
  its own; its fingerprints are what every fault must end in.
* ``dag_runner``, ``private_server``, ``scratch_database``, ``fs`` (the fault-injecting server).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from faultkit import (
    ANALYZE_DATE,
    INGEST_DATE,
    DagRunner,
    PrivateServer,
    Reference,
    fingerprints,
    load_fault_server,
    with_dbname,
)
from psycopg import sql


@pytest.fixture(scope="session")
def fs() -> ModuleType:
    return load_fault_server()


@pytest.fixture(scope="session")
def scratch_database(_server_url: str) -> Iterator[Callable[[str], str]]:
    """``make(prefix)``: a fresh migrated database on the session's server, dropped at session end."""
    from newsdesk.store.db import migrate

    made: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        url = with_dbname(_server_url, name)
        migrate(url)
        return url

    yield make
    with psycopg.connect(_server_url, autocommit=True) as conn:
        for name in made:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    from newsdesk.store.db import migrate

    # Outside pytest's basetemp, like the session's embedded server (see tests/conftest.py).
    root = Path(tempfile.mkdtemp(prefix="newsdesk-fault-pg-"))
    server = PrivateServer(root / "data")
    try:
        server.start()
        migrate(server.url)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dag_runner(airflow_db: None, sample_site: Any, tmp_path_factory: pytest.TempPathFactory) -> DagRunner:
    return DagRunner(sample_site.base_url, tmp_path_factory.mktemp("fault-state"))


@pytest.fixture(scope="session")
def reference(dag_runner: DagRunner, scratch_database: Callable[[str], str]) -> Reference:
    """The offline sample through newsdesk_ingest and newsdesk_analyze, undisturbed."""
    url = scratch_database("newsdesk_fault_ref")
    dag_runner.run(url, "newsdesk_ingest", INGEST_DATE)
    ingested = fingerprints(url)
    dag_runner.run(url, "newsdesk_analyze", ANALYZE_DATE)
    analysed = fingerprints(url)
    # a reference worth comparing with: articles, sources, entities, mentions, commitments
    for table in ("articles", "article_sources", "entities", "mentions", "commitments"):
        assert analysed[table][0] > 0, table
    return Reference(url, ingested, analysed)
