"""Run newsdesk DAGs once, in-process, with ``dag.test()`` (the demo and the DAG tests use this).

The caller sets ``AIRFLOW_HOME`` and friends in the environment *before* this module is
imported, because Airflow reads its configuration at import time.
"""

from __future__ import annotations

import logging
from pathlib import Path

from newsdesk.errors import NewsdeskError
from newsdesk_airflow.constants import HTTP_POOL

log = logging.getLogger(__name__)


def prepare_metadata_db(*, pool_slots: int = 8) -> None:
    """Create or upgrade Airflow's metadata database and the HTTP pool (idempotent)."""
    from airflow.models.pool import Pool
    from airflow.utils.db import upgradedb

    upgradedb()
    Pool.create_or_update_pool(
        HTTP_POOL, slots=pool_slots, description="newsdesk: concurrent HTTP tasks", include_deferred=False
    )


def load_dags(dags_folder: Path) -> dict[str, object]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder))
    if bag.import_errors:
        raise NewsdeskError(f"DAG import errors: {bag.import_errors}")
    return dict(bag.dags)


def run_dag_once(dag_id: str, dags_folder: Path, *, conf: dict[str, object] | None = None) -> str:
    """``dag.test()`` one DAG (``conf``: the trigger's params); returns the run's final state,
    raises when it did not succeed."""
    dags = load_dags(dags_folder)
    if dag_id not in dags:
        raise NewsdeskError(f"no DAG {dag_id!r} in {dags_folder}")
    dag = dags[dag_id]
    # A one-off run (demo, tests) fails fast: retries with their delays are for scheduled runs.
    for task in dag.tasks:  # type: ignore[attr-defined]
        task.retries = 0
    run = dag.test(run_conf=conf)  # type: ignore[attr-defined]
    state = str(run.state)
    if state != "success":
        failed = [ti.task_id for ti in run.get_task_instances() if str(ti.state) == "failed"]
        raise NewsdeskError(f"{dag_id} ended {state}; failed tasks: {failed}")
    return state
