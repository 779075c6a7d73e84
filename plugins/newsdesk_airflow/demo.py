"""``make demo``: the ingest and analyze DAGs run once, in-process, on the offline sample.

The sample website (``seeds/sample/site``) is served on 127.0.0.1 at a fixed port so its URLs,
and therefore the stored feeds and articles, are the same on every run: running the demo twice
changes no counts. Airflow's metadata lives in SQLite under ``.newsdesk/airflow``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from newsdesk.config import PROJECT_DIR, Settings
from newsdesk.sample import SampleSite, render
from newsdesk.store.db import connect, migrate
from newsdesk.store.summary import warehouse_summary
from newsdesk_airflow.settings import url_to_connection_json

DEMO_DAGS = ("newsdesk_ingest", "newsdesk_analyze")


def airflow_env(state_dir: Path, database_url: str) -> dict[str, str]:
    """Environment for an in-process Airflow using newsdesk's dags/ and plugins/."""
    home = state_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW_CONN_NEWSDESK_DB": url_to_connection_json(database_url),
        "NEWSDESK_DATABASE_URL": database_url,
    }


def sample_env(settings: Settings, base_url: str) -> dict[str, str]:
    """Point the pipeline at the sample site: its feed list, and allow its loopback address."""
    feeds = settings.state_dir / "sample-feeds.toml"
    feeds.parent.mkdir(parents=True, exist_ok=True)
    template = (settings.seeds_dir / "sample" / "feeds.toml").read_text(encoding="utf-8")
    feeds.write_text(render(template, base_url), encoding="utf-8")
    return {
        "NEWSDESK_FEEDS_FILE": str(feeds),
        "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1",
        "NEWSDESK_PER_HOST_DELAY": "0.02",  # our own local server: no need to wait between requests
        "NEWSDESK_INGEST_SHARDS": "2",
    }


@contextmanager
def redirect_output(log_path: Path) -> Iterator[None]:
    """Send everything written to stdout/stderr (Airflow's task logs) to a file, at the fd level."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_demo(settings: Settings, database_url: str, *, port: int, progress: TextIO) -> dict[str, int]:
    migrate(database_url)
    progress.write(f"warehouse migrated; serving the offline sample on 127.0.0.1:{port}\n")
    log_path = settings.state_dir / "demo.log"
    progress.write(f"Airflow's task logs go to {log_path}\n")
    progress.flush()
    with SampleSite(settings.seeds_dir / "sample" / "site", port=port) as site:
        os.environ.update(airflow_env(settings.state_dir, database_url))
        os.environ.update(sample_env(settings, site.base_url))
        for dag_id in DEMO_DAGS:
            progress.write(f"running {dag_id} ... ")
            progress.flush()
            started = time.monotonic()
            try:
                with redirect_output(log_path):
                    from newsdesk_airflow.runner import prepare_metadata_db, run_dag_once

                    prepare_metadata_db()
                    run_dag_once(dag_id, PROJECT_DIR / "dags")
            except Exception:
                progress.write(f"failed; the end of {log_path}:\n")
                progress.write("".join(log_path.read_text(errors="replace").splitlines(True)[-40:]))
                raise
            progress.write(f"success ({time.monotonic() - started:.0f} s)\n")
    with connect(database_url) as conn:
        return warehouse_summary(conn)
