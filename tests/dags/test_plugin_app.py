"""The Newsdesk plugin: loaded by Airflow's plugin manager, mounted the way the API server mounts
it, closed to callers without a valid Airflow JWT, and showing what is in the warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

SAMPLE_SQL = Path(__file__).resolve().parents[1] / "fixtures" / "plugin" / "sample_warehouse.sql"


# The moment the sample warehouse and the app's clock are pinned to: mid-afternoon UTC, so that
# "today" holds rows from hours earlier and the test passes at any hour it runs.
PINNED = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def load_sample(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('newsdesk.sample_now', %s, false)", (PINNED.isoformat(),))
        conn.execute(SAMPLE_SQL.read_bytes())


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The app reads the warehouse as of ``PINNED``, the moment the sample is written around."""
    from newsdesk_airflow.ui import app

    monkeypatch.setattr(app, "now_utc", lambda: PINNED)
    return PINNED


@pytest.fixture(scope="module")
def api_app(airflow_db: None) -> Any:
    """A FastAPI app assembled like Airflow's API server: plugins mounted by Airflow's own
    ``init_plugins``, the auth manager initialised, the JWT refresh middleware in front."""
    from airflow.api_fastapi.app import init_auth_manager, init_plugins
    from airflow.api_fastapi.auth.middlewares.refresh_token import JWTRefreshMiddleware
    from fastapi import FastAPI

    app = FastAPI()
    init_plugins(app)
    init_auth_manager(app)
    app.add_middleware(JWTRefreshMiddleware)
    return app


@pytest.fixture
def client(api_app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    monkeypatch.delenv("AIRFLOW_CONN_NEWSDESK_DB", raising=False)
    with TestClient(api_app) as test_client:
        yield test_client


def token_for(role: str | None, *, expires_in: int = 600) -> str:
    """A JWT minted by the configured auth manager, exactly as its login endpoint would."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    user = SimpleAuthManagerUser(username="tester", role=role)
    return get_auth_manager().generate_jwt(user, expiration_time_in_seconds=expires_in)


def test_plugin_is_loaded_by_airflows_plugin_manager() -> None:
    from airflow import plugins_manager

    info = {p["name"]: p for p in plugins_manager.get_plugin_info()}
    assert "newsdesk" in info, plugins_manager.get_import_errors()
    plugin = info["newsdesk"]
    assert [app["url_prefix"] for app in plugin["fastapi_apps"]] == ["/newsdesk"]
    assert plugin["external_views"][0]["href"] == "/newsdesk/"
    assert not any("newsdesk" in source for source in plugins_manager.get_import_errors())
    external_views, _ = plugins_manager._get_ui_plugins()
    assert any(view.get("url_route") == "newsdesk" for view in external_views)


@pytest.mark.parametrize("path", ["/newsdesk/", "/newsdesk/api/summary"])
def test_no_credentials_is_401(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401


def test_unauthenticated_browser_gets_an_html_401(client: Any) -> None:
    response = client.get("/newsdesk/", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert "Sign in" in response.text


@pytest.mark.parametrize("path", ["/newsdesk/docs", "/newsdesk/openapi.json", "/newsdesk/redoc"])
def test_no_unprotected_documentation_routes(client: Any, path: str) -> None:
    assert client.get(path).status_code in (401, 403, 404)


def test_forged_token_is_403(client: Any) -> None:
    forged = token_for("admin")[:-4] + "AAAA"
    response = client.get("/newsdesk/api/summary", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 403


def test_expired_token_is_401(client: Any) -> None:
    expired = token_for("admin", expires_in=-60)
    response = client.get("/newsdesk/api/summary", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_user_without_a_role_is_403(client: Any, clean_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", clean_db)
    response = client.get("/newsdesk/api/summary", headers={"Authorization": f"Bearer {token_for(None)}"})
    assert response.status_code == 403


def test_summary_returns_the_warehouse_rows(
    client: Any, clean_db: str, monkeypatch: pytest.MonkeyPatch, pinned_clock: datetime
) -> None:
    load_sample(clean_db)
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", clean_db)
    response = client.get("/newsdesk/api/summary", headers={"Authorization": f"Bearer {token_for('viewer')}"})
    assert response.status_code == 200, response.text
    data = response.json()

    feeds = {f["name"]: f for f in data["feeds"]}
    assert [f["name"] for f in data["feeds"]] == ["Trouw Politiek", "NU.nl Politiek", "NOS Politiek"]
    assert feeds["NOS Politiek"]["new_per_day"] == [12, 9, 0, 15, 0, 11, 4]
    assert feeds["NU.nl Politiek"]["new_per_day"] == [0, 0, 0, 0, 6, 0, 3]
    assert feeds["NU.nl Politiek"]["last_status"] == "temporary"
    assert feeds["NU.nl Politiek"]["consecutive_failures"] == 2
    assert feeds["Trouw Politiek"]["disabled_reason"] == "HTTP 410 Gone on 10 consecutive polls"
    assert feeds["NOS Politiek"]["moved_to"] == "https://feeds.nos.nl/nosnieuws-politiek"
    assert feeds["NU.nl Politiek"]["moved_to"] is None
    assert feeds["Trouw Politiek"]["next_poll_at"] is None  # disabled: no next poll to show
    # the status, why, and since when, as data
    assert {name: f["status"] for name, f in feeds.items()} == {
        "NOS Politiek": "ok",
        "NU.nl Politiek": "failing",
        "Trouw Politiek": "disabled",
    }
    assert feeds["NU.nl Politiek"]["reason"] == "timed out: no answer within 15 s"
    since = datetime.fromisoformat(feeds["NU.nl Politiek"]["since"])
    assert 11 * 60 <= (pinned_clock - since).total_seconds() < 13 * 60
    assert [p["error"] for p in feeds["NU.nl Politiek"]["recent_polls"]][:2] == [
        "timed out: no answer within 15 s",
        "HTTP 503 Service Unavailable",
    ]
    assert feeds["Trouw Politiek"]["reason"] == "HTTP 410 Gone on 10 consecutive polls"
    assert feeds["Trouw Politiek"]["last_error"] == "HTTP 410 Gone"
    assert (feeds["NOS Politiek"]["reason"], feeds["NOS Politiek"]["recent_polls"]) == (None, [])
    assert datetime.fromisoformat(feeds["NOS Politiek"]["next_poll_at"]) > pinned_clock

    hours = data["articles_per_hour"]
    assert len(hours) == 48
    assert sum(h["articles"] for h in hours) == 5  # the 3-day-old article is outside the window

    assert [(e["name"], e["mentions"], e["articles"]) for e in data["top_entities"]] == [
        ("Tweede Kamer", 3, 2),
        ("Dick Schoof", 2, 1),
        ("Ministerie van Financiën", 1, 1),
    ]

    commitments = data["latest_commitments"]
    assert [c["actor"] for c in commitments] == [
        "de minister van Financiën",
        "het kabinet",
        "de gemeente Amsterdam",
    ]
    assert [c["actor_as_written"] for c in commitments] == [None, None, "zij"]
    pledge = commitments[1]
    assert pledge["speaker"] == "Dick Schoof"
    assert (pledge["kind"], pledge["polarity"], pledge["deadline"]) == ("pledge", "positive", "2027-01-01")
    assert pledge["article_url"] == "https://nos.nl/artikel/2550001-kabinet-verhoogt-huurtoeslag"
    # the regional wire copy repeats the pledge: shown once, as the original's, with both counted
    assert [c["articles"] for c in commitments] == [1, 2, 1]


def test_page_with_the_ui_cookie_renders_feeds_and_commitments(
    client: Any, clean_db: str, monkeypatch: pytest.MonkeyPatch, pinned_clock: datetime
) -> None:
    load_sample(clean_db)
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", clean_db)
    client.cookies.set("_token", token_for("viewer"))
    try:
        response = client.get("/newsdesk/", headers={"Accept": "text/html"})
    finally:
        client.cookies.clear()
    assert response.status_code == 200, response.text
    html = response.text
    for text in (
        "NOS Politiek",
        "HTTP 410 Gone on 10 consecutive polls",
        "de huurtoeslag verhogen",
        "Tweede Kamer",
        "as written: zij",
        "moved to https://feeds.nos.nl/nosnieuws-politiek",
        "also in 1 copy",
    ):
        assert text in html
    # a failing feed's reason: on hover over its status, and in the expandable row below it
    assert 'title="timed out: no answer within 15 s">temporary</span>' in html
    assert "<b>Failing since" in html and '<span class="reason">timed out: no answer within 15 s</span>' in html
    assert 'href="https://nos.nl/artikel/2550001-kabinet-verhoogt-huurtoeslag"' in html


def test_warehouse_comes_from_the_airflow_connection(
    client: Any, clean_db: str, monkeypatch: pytest.MonkeyPatch, pinned_clock: datetime
) -> None:
    from newsdesk_airflow.settings import url_to_connection_json

    load_sample(clean_db)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSDESK_DB", url_to_connection_json(clean_db))
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere")
    response = client.get("/newsdesk/api/summary", headers={"Authorization": f"Bearer {token_for('admin')}"})
    assert response.status_code == 200, response.text
    assert len(response.json()["feeds"]) == 3


def test_unreachable_warehouse_is_503_not_a_crash(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere")
    response = client.get("/newsdesk/api/summary", headers={"Authorization": f"Bearer {token_for('admin')}"})
    assert response.status_code == 503
    assert "unavailable" in json.dumps(response.json())


def test_feed_text_is_escaped_and_only_http_links_are_rendered(
    client: Any, clean_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(clean_db) as conn:
        conn.execute(
            "INSERT INTO feeds (url, name) VALUES (%s, %s)",
            ("javascript:alert(1)", "<script>alert('x')</script>"),
        )
    monkeypatch.setenv("NEWSDESK_DATABASE_URL", clean_db)
    response = client.get("/newsdesk/", headers={"Authorization": f"Bearer {token_for('admin')}"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "javascript:" not in response.text
    # a feed not polled yet: due at the next ingest run, not "Next poll 13 s ago"
    assert ">never polled</span>" in response.text and ">due</span>" in response.text
