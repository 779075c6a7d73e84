"""DAG parse time per file: what the dag-processor pays for each newsdesk DAG file.

For every file in dags/: the cold time (a fresh interpreter that imports Airflow, then parses
the file: what a new dag-processor child pays, Airflow's own import shown separately) and the
warm time (parsing the file again in a process that already has everything imported, the
median of repeated parses). Prints a table and one JSON line.

    .venv/bin/python bench/dag_parse.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"

_COLD = """
import time, sys
t0 = time.perf_counter()
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag
t1 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
t2 = time.perf_counter()
assert not bag.import_errors, bag.import_errors
print(f"RESULT {t1 - t0:.4f} {t2 - t1:.4f} {len(bag.dags)}")
"""


def _env() -> dict[str, str]:
    home = tempfile.mkdtemp(prefix="newsdesk-bench-airflow-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        AIRFLOW_HOME=home,
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    env = _env()
    os.environ.update(env)
    from airflow.dag_processing.dagbag import DagBag

    rows = []
    for path in sorted(DAGS.glob("*.py")):
        out = (
            subprocess.run(
                [sys.executable, "-c", _COLD, str(path)], env=env, capture_output=True, text=True, check=True
            )
            .stdout.split("RESULT ")[-1]
            .split()
        )
        airflow_import_s, cold_parse_s, n_dags = float(out[0]), float(out[1]), int(out[2])
        DagBag(dag_folder=str(path))  # first parse imports the adapters; then time repeated parses
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            bag = DagBag(dag_folder=str(path))
            warm.append(time.perf_counter() - started)
            assert not bag.import_errors, bag.import_errors
        rows.append(
            {
                "file": path.name,
                "dags": n_dags,
                "airflow_import_s": round(airflow_import_s, 3),
                "cold_parse_s": round(cold_parse_s, 3),
                "warm_parse_ms": round(statistics.median(warm) * 1000, 1),
            }
        )
    print(f"{'file':<28}{'dags':>5}{'airflow import s':>18}{'cold parse s':>14}{'warm parse ms':>15}")
    for r in rows:
        print(
            f"{r['file']:<28}{r['dags']:>5}{r['airflow_import_s']:>18}{r['cold_parse_s']:>14}{r['warm_parse_ms']:>15}"
        )
    print(json.dumps({"bench": "dag_parse", "repeat": args.repeat, "files": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
