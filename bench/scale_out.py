"""Benchmark: scale-out on the CeleryExecutor — the same pages with 1 worker, then with 2 workers.

The bench site (bench/_corpus.py: N pages of real Dutch newspaper text, RSS feeds of 50 items,
served from 127.0.0.1) is ingested and analysed by a real Airflow deployment of separate
processes (tests/distributed/celery_cluster.py: scheduler, dag-processor, API server, Redis as
the broker, PostgreSQL for the metadata) with W Celery workers of one slot each, W = 1 then 2,
each into a fresh warehouse. newsdesk_ingest is triggered over the REST API; newsdesk_analyze
follows through the Asset. Ingest (4 shards) and analysis (4 shards) are mapped, so W workers
share both.

Figures: wall time from the ingest run's start to the analyze run's end (task start-up and
scheduling included: what an operator waits for), articles/s, the speed-up of 2 workers over 1,
and the CPU seconds of the worker processes (their task processes included).

    .venv/bin/python bench/scale_out.py [--articles 1000] [--workers 1 2]
Database: NEWSDESK_DATABASE_URL's server (scratch databases are created and dropped), else
embedded. Redis: 127.0.0.1:6379, else a redis-server of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import _corpus
from _common import ROOT, machine, print_table, scratch_database, table_counts
from stages import build_site

sys.path.insert(0, str(ROOT))

SHARDS = 4


def _cpu_s(pids: list[int]) -> float:
    """utime + stime of the processes and of their reaped children (a task process is reaped by its
    supervisor, which lives as long as the worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / ticks


def run_with(workers: int, feeds_file: Path, tmp: Path) -> dict[str, object]:
    from tests.distributed.celery_cluster import ANALYZE, INGEST, CeleryCluster, descendants

    env = {
        "NEWSDESK_FEEDS_FILE": str(feeds_file),
        "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1",
        "NEWSDESK_PER_HOST_DELAY": "0",
        "NEWSDESK_PER_HOST_CONCURRENCY": "8",
        "NEWSDESK_INGEST_SHARDS": str(SHARDS),
        "NEWSDESK_ANALYZE_SHARDS": str(SHARDS),
        "NEWSDESK_STATE_DIR": str(tmp / f"state-{workers}"),
    }
    with scratch_database(tmp, f"newsdesk_bench_scale{workers}") as (url, base):
        with CeleryCluster(
            tmp / f"cluster-{workers}", server_url=base, warehouse_url=url, env=env, workers=workers
        ) as cluster:
            worker_pids = [cluster.processes[name].pid for name in cluster.worker_names]
            cpu_before = _cpu_s([p for pid in worker_pids for p in descendants(pid)])
            known = {r["dag_run_id"] for r in cluster.dag_runs(ANALYZE)}
            ingest = cluster.trigger(INGEST)
            ingest_run = cluster.wait_for_run(INGEST, ingest, timeout=1800)
            analyze = cluster.wait_for_new_run(ANALYZE, known, timeout=300)
            analyze_run = cluster.wait_for_run(ANALYZE, analyze, timeout=1800)
            cpu = _cpu_s([p for pid in worker_pids for p in descendants(pid)]) - cpu_before
            per_worker: dict[str, int] = {}
            for dag_id, run_id in ((INGEST, ingest), (ANALYZE, analyze)):
                for ti in cluster.task_instances(dag_id, run_id):
                    per_worker[ti["hostname"]] = per_worker.get(ti["hostname"], 0) + 1
        counts = table_counts(url, ("pages", "articles", "mentions", "commitments"))

    def at(value: object) -> datetime:
        return datetime.fromisoformat(str(value))

    ingest_s = (at(ingest_run["end_date"]) - at(ingest_run["start_date"])).total_seconds()
    analyze_s = (at(analyze_run["end_date"]) - at(analyze_run["start_date"])).total_seconds()
    wall = (at(analyze_run["end_date"]) - at(ingest_run["start_date"])).total_seconds()
    return {
        "workers": workers,
        "wall_s": round(wall, 1),
        "ingest_run_s": round(ingest_s, 1),
        "analyze_run_s": round(analyze_s, 1),
        "articles_per_s": round(counts["articles"] / wall, 2),
        "worker_cpu_s": round(cpu, 1),
        "task_instances_per_worker": per_worker,
        "counts": counts,
    }


@contextmanager
def _removed(path: Path) -> Iterator[None]:
    try:
        yield
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from newsdesk.sample import SampleSite

    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-scale-out-"))
    _, feed_paths = build_site(args.articles, tmp / "site")
    results = []
    load = [round(os.getloadavg()[0], 2)]
    with SampleSite(tmp / "site") as site, _removed(tmp):
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text(_corpus.feeds_toml(site.base_url, feed_paths), encoding="utf-8")
        for workers in args.workers:
            started = time.perf_counter()
            results.append(run_with(workers, feeds_file, tmp))
            results[-1]["bench_s"] = round(time.perf_counter() - started, 1)
            load.append(round(os.getloadavg()[0], 2))
    counts = {json.dumps(r["counts"], sort_keys=True) for r in results}
    assert len(counts) == 1, f"the runs stored different counts: {counts}"
    base = results[0]
    rows: list[tuple[str, object]] = []
    for r in results:
        speedup = float(r["articles_per_s"]) / float(base["articles_per_s"])  # type: ignore[arg-type]
        r["speedup"] = round(speedup, 2)
        rows.append(
            (
                f"{r['workers']} worker(s), 1 slot each",
                f"{r['wall_s']} s (ingest {r['ingest_run_s']} s, analyze {r['analyze_run_s']} s), "
                f"{r['articles_per_s']} articles/s, speed-up {r['speedup']}x, worker CPU {r['worker_cpu_s']} s, "
                f"tasks {r['task_instances_per_worker']}",
            )
        )
    rows.append(("stored (every run)", base["counts"]))
    rows.append(("load average (1 min) before/after each run", load))
    print_table(rows)
    print(
        json.dumps(
            {
                "benchmark": "scale_out",
                "articles": args.articles,
                "shards": SHARDS,
                "runs": results,
                "load_1m": load,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
