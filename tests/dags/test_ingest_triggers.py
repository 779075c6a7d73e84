"""What an Airflow operator meets: which DAGs start paused, the Asset event that schedules
``newsdesk_analyze``, and the ingest DAG's trigger params (``force``, ``feed``, ``all``) — real
``dag.test()`` runs against real PostgreSQL and the offline sample."""

from __future__ import annotations

import psycopg
import pytest

from newsdesk.models import Feed
from newsdesk.store.feeds import sync_feeds
from tests.conftest import one


def _polls(url: str) -> dict[str, int]:
    """Fetch-log rows per feed name."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT f.name, count(ff.fetch_id) FROM feeds f LEFT JOIN feed_fetches ff USING (feed_id) GROUP BY 1"
        ).fetchall()
    return {name: n for name, n in rows}


def _sync_counts(url: str) -> tuple[str, str]:
    with psycopg.connect(url) as conn:
        return one(
            conn.execute(
                "SELECT status, error FROM pipeline_runs WHERE dag_id = 'newsdesk_ingest' AND task_id = 'sync_feeds' "
                "ORDER BY run_id DESC LIMIT 1"
            )
        )


def test_ingest_starts_paused_and_analyze_follows_its_asset_event(clean_db: str, trigger_sample_dag) -> None:
    from airflow.models.asset import AssetDagRunQueue, AssetEvent, AssetModel
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    from newsdesk_airflow.assets import ARTICLES

    with create_session() as session:
        session.query(AssetDagRunQueue).delete()
    assert trigger_sample_dag(clean_db, "newsdesk_ingest") == "success"
    with create_session() as session:
        paused = {m.dag_id: m.is_paused for m in session.query(DagModel).filter(DagModel.dag_id.like("newsdesk_%"))}
        # the DAGs that poll the network or check its freshness wait for the operator; the ones
        # that only follow ingest (or a manual trigger) are live
        assert paused == {
            "newsdesk_ingest": True,
            "newsdesk_maintenance": True,
            "newsdesk_analyze": False,
            "newsdesk_reprocess": False,
            "newsdesk_backfill": False,
        }
        asset = session.query(AssetModel).filter_by(uri=ARTICLES.uri).one()
        event = session.query(AssetEvent).filter_by(asset_id=asset.id).order_by(AssetEvent.id.desc()).first()
        assert event is not None and event.extra["articles_new"] >= 8
        # the event queued a run of newsdesk_analyze: the scheduler creates it from this row
        queued = session.query(AssetDagRunQueue).filter_by(asset_id=asset.id).all()
        assert [q.target_dag_id for q in queued] == ["newsdesk_analyze"]


def test_trigger_params_force_feed_and_all(clean_db: str, trigger_sample_dag) -> None:
    url = clean_db
    assert trigger_sample_dag(url, "newsdesk_ingest") == "success"
    sample = {"Het Dagblad — Binnenland": 1, "Het Dagblad — Politiek": 1, "Regio Courant": 1}
    assert _polls(url) == sample
    # A feed of another set (another feeds file) in the same warehouse: neither retired nor
    # polled by runs of the sample's file.
    with psycopg.connect(url) as conn:
        other = sync_feeds(conn, [Feed("http://127.0.0.1:9/other.xml", "Other set feed", feed_set="other")])
        assert other["inserted"] == 1

    # No feed is due: a plain trigger polls nothing (the green run that did nothing)...
    assert trigger_sample_dag(url, "newsdesk_ingest") == "success"
    assert _polls(url) == {**sample, "Other set feed": 0}
    # ... `force` polls every feed of the feeds file's set now ...
    assert trigger_sample_dag(url, "newsdesk_ingest", {"force": True}) == "success"
    assert _polls(url) == {**{k: 2 for k in sample}, "Other set feed": 0}
    # ... `feed` polls one feed, by name (any case) or URL ...
    assert trigger_sample_dag(url, "newsdesk_ingest", {"feed": "regio courant"}) == "success"
    assert _polls(url) == {**{k: 2 for k in sample}, "Regio Courant": 3, "Other set feed": 0}
    # ... and `all` every set's feeds (the other set's URL refuses: a failure with its reason).
    assert trigger_sample_dag(url, "newsdesk_ingest", {"all": True}) == "success"
    assert _polls(url) == {**{k: 3 for k in sample}, "Regio Courant": 4, "Other set feed": 1}
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT enabled, disabled_reason, feed_set FROM feeds WHERE name = 'Other set feed'"
        ).fetchone()
    assert row == (True, None, "other")

    # A trigger naming no feed fails at once, saying why; nothing is polled.
    state = trigger_sample_dag(url, "newsdesk_ingest", {"feed": "Nope Courant"})
    assert "sync_feeds" in state
    status, error = _sync_counts(url)
    assert status == "failed" and "no feed is named or at 'Nope Courant'" in error
    assert _polls(url) == {**{k: 3 for k in sample}, "Regio Courant": 4, "Other set feed": 1}
    state = trigger_sample_dag(url, "newsdesk_ingest", {"feed": "Regio Courant", "all": True})
    assert "sync_feeds" in state
    assert "give either 'feed' (one feed) or 'all'" in _sync_counts(url)[1]


@pytest.mark.parametrize("conf", [{"force": "yes"}, {"feed": 3}])
def test_params_are_validated_by_airflow(dagbag, conf: dict) -> None:
    """The params are a JSON schema: the trigger form and the API refuse values of the wrong type."""
    from airflow.sdk.definitions.param import ParamsDict
    from airflow.sdk.exceptions import ParamValidationError

    params = ParamsDict(dagbag.dags["newsdesk_ingest"].params)
    with pytest.raises(ParamValidationError, match="is not of type"):
        params.update(conf)
