"""Fixtures of the distributed tests: the news site, the in-process reference run, the Celery cluster.

* ``news_site``: a few hundred pages in several feeds (news_site.py), served on 127.0.0.1;
* ``site_env``: the NEWSDESK_* settings that point the pipeline at it (its feed list, its
  loopback address allowed, the shard counts);
* ``reference``: the same input through ``dag.test()`` of newsdesk_ingest then newsdesk_analyze,
  in this process, into a warehouse of its own: the fingerprints every distributed run must match;
* ``cluster``: the CeleryExecutor deployment (celery_cluster.py) writing into ``cluster_warehouse``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import PROJECT_DIR
from tests.distributed import news_site
from tests.distributed.celery_cluster import CeleryCluster, create_database, drop_database
from tests.distributed.distkit import FEEDS, ORIGINALS, REPORT, SHARDS, Reference, Site, faultkit


@pytest.fixture(scope="session")
def news_site_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from newsdesk.sample import SampleSite

    root = tmp_path_factory.mktemp("news-site")
    pages = news_site.pages(ORIGINALS)
    feed_paths = news_site.write_site(root / "site", pages, feeds=FEEDS)
    with SampleSite(root / "site") as served:
        feeds_file = root / "feeds.toml"
        feeds_file.write_text(news_site.feeds_toml(served.base_url, feed_paths), encoding="utf-8")
        yield Site(served.base_url, pages, feeds_file)


@pytest.fixture(scope="session")
def site_env(news_site_served: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "NEWSDESK_FEEDS_FILE": str(news_site_served.feeds_file),
        "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1",
        "NEWSDESK_PER_HOST_DELAY": "0",
        "NEWSDESK_PER_HOST_CONCURRENCY": "4",
        "NEWSDESK_INGEST_SHARDS": str(SHARDS),
        "NEWSDESK_ANALYZE_SHARDS": str(SHARDS),
        "NEWSDESK_STATE_DIR": str(tmp_path_factory.mktemp("newsdesk-state")),
    }


@pytest.fixture(scope="session")
def reference(_server_url: str, airflow_db: None, site_env: dict[str, str]) -> Iterator[Reference]:
    """The site through newsdesk_ingest and newsdesk_analyze with ``dag.test()``, in this process."""
    from newsdesk.store.db import migrate
    from newsdesk_airflow.runner import run_dag_once
    from newsdesk_airflow.settings import url_to_connection_json

    url = create_database(_server_url, "nd_dist_ref")
    try:
        migrate(url)
        with pytest.MonkeyPatch.context() as mp:
            for key, value in site_env.items():
                mp.setenv(key, value)
            mp.setenv("AIRFLOW_CONN_NEWSDESK_DB", url_to_connection_json(url))
            mp.delenv("NEWSDESK_DATABASE_URL", raising=False)
            for dag_id in ("newsdesk_ingest", "newsdesk_analyze"):
                run_dag_once(dag_id, PROJECT_DIR / "dags")
        yield Reference(url, faultkit().data_fingerprints(url))
    finally:
        drop_database(_server_url, url)


@pytest.fixture(scope="session")
def cluster_warehouse(_server_url: str) -> Iterator[str]:
    from newsdesk.store.db import migrate

    url = create_database(_server_url, "nd_dist_wh")
    try:
        migrate(url)
        yield url
    finally:
        drop_database(_server_url, url)


@pytest.fixture(scope="session")
def cluster(
    _server_url: str, cluster_warehouse: str, site_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryCluster]:
    root = tmp_path_factory.mktemp("celery-cluster")
    with CeleryCluster(root, server_url=_server_url, warehouse_url=cluster_warehouse, env=site_env) as running:
        yield running


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = terminalreporter.config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("distributed run")
        for line in lines:
            terminalreporter.write_line(line)
