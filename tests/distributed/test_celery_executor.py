"""newsdesk on a real CeleryExecutor: two workers, and one of them killed mid-run.

A deployment of separate processes (celery_cluster.py: scheduler, dag-processor, API server, two
Celery workers of one slot each, Redis as the broker, PostgreSQL for Airflow's metadata and the
warehouse) runs the project's own DAGs against a local site of a few hundred pages in several
feeds. newsdesk_ingest is triggered through the REST API; newsdesk_analyze must follow through
the ``newsdesk_articles`` Asset on its own.

1. Both workers run task instances; every page is stored exactly once; the warehouse equals,
   table by table (row counts and checksums), an in-process ``dag.test()`` run of the same input;
   every republished copy is linked to its original (the copies and originals were stored by
   different shards, in parallel).
2. Again into an emptied warehouse, and one worker is SIGKILLed (it and its task processes, by
   PID) while it analyses a shard, after some of that shard's articles were committed. The
   scheduler finds the task's heartbeat gone, the retry runs on the surviving worker, the run
   completes, and the warehouse equals the reference again: nothing lost, nothing twice.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

from tests.conftest import one
from tests.distributed.celery_cluster import ANALYZE, INGEST, CeleryCluster, ClusterError
from tests.distributed.distkit import SHARDS, Site, faultkit, report


def _run_pipeline(cluster: CeleryCluster, on_analyze: Any = None) -> tuple[str, str]:
    """Trigger newsdesk_ingest over REST; wait for it and for the newsdesk_analyze run its Asset starts."""
    known = {r["dag_run_id"] for r in cluster.dag_runs(ANALYZE)}
    ingest = cluster.trigger(INGEST)
    cluster.wait_for_run(INGEST, ingest, timeout=420)
    analyze = cluster.wait_for_new_run(ANALYZE, known, timeout=120)
    if on_analyze is not None:
        on_analyze(analyze)
    cluster.wait_for_run(ANALYZE, analyze, timeout=420)
    return ingest, analyze


def _per_worker(cluster: CeleryCluster, runs: list[tuple[str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for dag_id, run_id in runs:
        for ti in cluster.task_instances(dag_id, run_id):
            out[ti["hostname"]] = out.get(ti["hostname"], 0) + 1
    return out


def _assert_same_as_reference(url: str, reference: Any) -> None:
    kit = faultkit()
    got = kit.data_fingerprints(url)
    differ = sorted(t for t in got if got[t] != reference.fingerprints[t])
    diff = kit.row_diff(url, reference.url, tuple(differ)) if differ else ""
    assert not differ, f"tables that differ from the in-process run: {differ}\n{diff}"


def _assert_every_page_once_and_copies_linked(url: str, site: Site) -> None:
    expected = {f"{site.base_url}/{p.path}" for p in site.pages}
    with psycopg.connect(url) as conn:
        # pages are stored under the feed's link (utm_source is dropped on the canonical URL)
        pages = conn.execute(
            "SELECT p.url, p.status, a.canonical_url FROM pages p LEFT JOIN articles a USING (article_id)"
        ).fetchall()
        versions = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM article_versions").fetchone()
        links: dict[str, str] = dict(
            conn.execute(
                """SELECT c.canonical_url, o.canonical_url
                     FROM articles c JOIN articles o ON o.article_id = c.duplicate_of"""
            ).fetchall()
        )
        unanalysed = one(conn.execute("SELECT count(*) FROM articles WHERE analyzed_at IS NULL"))[0]
    assert len(pages) == len(site.pages), "pages stored"
    assert {canonical for _, _, canonical in pages} == expected, "each page's article, once"
    assert {status for _, status, _ in pages} == {"ok"}
    assert versions == (len(site.pages), len(site.pages)), "one version per article"
    copies = {f"{site.base_url}/{p.path}": f"{site.base_url}/{p.copy_of}" for p in site.pages if p.copy_of}
    assert links == copies, "near-duplicate links"
    assert unanalysed == 0


def test_two_celery_workers_share_the_runs_and_store_what_one_process_stores(
    cluster: CeleryCluster, reference: Any, news_site_served: Site, request: pytest.FixtureRequest
) -> None:
    started = time.monotonic()
    ingest, analyze = _run_pipeline(cluster)
    elapsed = time.monotonic() - started
    per_worker = _per_worker(cluster, [(INGEST, ingest), (ANALYZE, analyze)])
    pages = len(news_site_served.pages)
    report(request, f"task instances per worker: {per_worker} (ingest + analyze of {pages} pages, {elapsed:.0f} s)")
    assert set(per_worker) == set(cluster.worker_names), per_worker
    assert min(per_worker.values()) >= 3, per_worker
    shards = {ti["hostname"] for ti in cluster.task_instances(ANALYZE, analyze) if ti["task_id"] == "analyze_articles"}
    assert len(shards) == 2, "both workers analysed shards"
    _assert_every_page_once_and_copies_linked(cluster.warehouse_url, news_site_served)
    _assert_same_as_reference(cluster.warehouse_url, reference)


def _shard_progress(url: str, shard: int) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        return one(
            conn.execute(
                "SELECT count(analyzed_at), count(*) FROM articles WHERE article_id %% %s = %s", (SHARDS, shard)
            )
        )


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    cluster: CeleryCluster,
    reference: Any,
    news_site_served: Site,
    empty_warehouse: Any,
    request: pytest.FixtureRequest,
) -> None:
    empty_warehouse(cluster.warehouse_url)
    killed: dict[str, Any] = {}

    def kill_a_worker_mid_shard(analyze: str) -> None:
        """SIGKILL the worker of a running analyze_articles shard once part of that shard is committed."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for ti in cluster.task_instances(ANALYZE, analyze):
                if ti["task_id"] != "analyze_articles" or ti["state"] != "running" or not ti["hostname"]:
                    continue
                done, total = _shard_progress(cluster.warehouse_url, ti["map_index"])
                if 0 < done < total:
                    pids = cluster.kill_worker(ti["hostname"])
                    killed.update(worker=ti["hostname"], shard=ti["map_index"], done=done, total=total, pids=pids)
                    return
            if cluster.get(f"/dags/{ANALYZE}/dagRuns/{analyze}")["state"] != "running" and killed == {}:
                states = {(t["task_id"], t["map_index"]): t["state"] for t in cluster.task_instances(ANALYZE, analyze)}
                if all(s in ("success", "failed", "skipped") for s in states.values()):
                    raise ClusterError(f"the analyze run ended before a worker could be killed mid-shard: {states}")
            time.sleep(0.2)
        raise ClusterError("no analyze_articles shard was seen mid-way within 300 s")

    started = time.monotonic()
    ingest, analyze = _run_pipeline(cluster, on_analyze=kill_a_worker_mid_shard)
    elapsed = time.monotonic() - started
    survivor = next(name for name in cluster.worker_names if name != killed["worker"])
    shard_ti = next(
        ti
        for ti in cluster.task_instances(ANALYZE, analyze)
        if ti["task_id"] == "analyze_articles" and ti["map_index"] == killed["shard"]
    )
    report(
        request,
        f"killed {killed['worker']} (SIGKILL to {len(killed['pids'])} processes) while it analysed shard "
        f"{killed['shard']} ({killed['done']} of {killed['total']} articles committed); the shard's try "
        f"{shard_ti['try_number']} ran on {shard_ti['hostname']}; the run completed in {elapsed:.0f} s",
    )
    assert shard_ti["state"] == "success" and shard_ti["try_number"] >= 2
    assert shard_ti["hostname"] == survivor
    _assert_every_page_once_and_copies_linked(cluster.warehouse_url, news_site_served)
    _assert_same_as_reference(cluster.warehouse_url, reference)
    # back to two workers for whatever runs after this test
    cluster.start_worker(killed["worker"])
