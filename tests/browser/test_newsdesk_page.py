"""The README's "Running it for real", walked as a user would in a real ``airflow standalone``:
the demo's sample already in the warehouse (``make demo``), a feeds file of its own (``make up``),
log in, unpause ``newsdesk_ingest`` with its toggle, trigger it with "Poll now" (``force``) in the
trigger form, see ``newsdesk_analyze`` follow through the Asset, and read the Newsdesk page: the
new articles, entities and commitments, a failing feed's reason, the demo's feeds still enabled,
and no horizontal overflow at 1280, 1440 and 1920 px (screenshots in test-output/)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import one

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
RUN_TIMEOUT_S = 600  # an ingest and an analyze run on a busy 2-core machine take 1-3 min
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
NEW_TITLES = ("Kabinet trekt 300 miljoen extra uit voor Zeeuwse dijken", "Groningen bouwt tweeduizend studentenkamers")
SAMPLE_FEEDS = ("Het Dagblad — Binnenland", "Het Dagblad — Politiek", "Regio Courant")
NEWSDESK_DAGS = ("newsdesk_ingest", "newsdesk_analyze", "newsdesk_maintenance", "newsdesk_reprocess")

# Horizontal overflow of the page, its sections and tables (a table wider than its section).
OVERFLOW_JS = """() => {
  const out = [];
  const root = document.scrollingElement || document.documentElement;
  if (root.scrollWidth > root.clientWidth) out.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
  for (const el of document.querySelectorAll('section')) {
    if (el.scrollWidth > el.clientWidth) out.push(`section#${el.id} ${el.scrollWidth} > ${el.clientWidth}`);
  }
  for (const table of document.querySelectorAll('section > table')) {
    const box = table.parentElement;
    if (table.scrollWidth > table.clientWidth || table.offsetWidth > box.clientWidth)
      out.push(`table in #${box.id} ${table.scrollWidth}/${table.offsetWidth} > ${box.clientWidth}`);
  }
  return out;
}"""


def log_in(page: Any, airflow: Any) -> None:
    page.goto(airflow.base_url + "/", timeout=TIMEOUT_MS)
    page.wait_for_selector("input[type=password]", timeout=TIMEOUT_MS)
    page.locator("input:not([type=password])").first.fill("admin")
    page.fill("input[type=password]", airflow.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/" not in url and "login" not in url, timeout=TIMEOUT_MS)


class Api:
    """Airflow's REST API with a token from ``POST /auth/token``, as the README says."""

    def __init__(self, airflow: Any) -> None:
        response = httpx.post(
            airflow.base_url + "/auth/token", json={"username": "admin", "password": airflow.password}, timeout=30
        )
        response.raise_for_status()
        self.client = httpx.Client(
            base_url=airflow.base_url,
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
            timeout=30,
        )

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns", limit=100)["dag_runs"]

    def wait_for(self, what: str, check: Any, timeout_s: float = RUN_TIMEOUT_S) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if found := check():
                return found
            time.sleep(2)
        pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


def test_unauthenticated_summary_is_refused(airflow_standalone: Any) -> None:
    for path in ("/newsdesk/api/summary", "/newsdesk/"):
        response = httpx.get(airflow_standalone.base_url + path, timeout=10)
        assert response.status_code in (401, 403), (path, response.status_code, response.text[:200])


def _overflow(target: Any) -> list[str]:
    return list(target.evaluate(OVERFLOW_JS))


def test_running_it_for_real_as_the_readme_says(airflow_standalone: Any, live_site: Any, browser: Any) -> None:
    airflow = airflow_standalone
    OUTPUT_DIR.mkdir(exist_ok=True)
    api = Api(airflow)

    # The DAGs as created: what polls the network waits for the operator, analyze follows ingest.
    def registered() -> dict[str, bool] | None:
        found = {d["dag_id"]: d["is_paused"] for d in api.get("/api/v2/dags", limit=100)["dags"]}
        return found if set(NEWSDESK_DAGS) <= set(found) else None

    dags = api.wait_for("the dag-processor to register the newsdesk DAGs", registered, timeout_s=240)
    assert {k: dags[k] for k in NEWSDESK_DAGS} == {
        "newsdesk_ingest": True,
        "newsdesk_analyze": False,
        "newsdesk_maintenance": True,
        "newsdesk_reprocess": False,
    }

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, airflow)
        # "unpause newsdesk_ingest": the toggle next to its name
        page.goto(airflow.base_url + "/dags/newsdesk_ingest", timeout=TIMEOUT_MS)
        toggle = page.get_by_test_id("toggle-pause")
        toggle.wait_for(timeout=TIMEOUT_MS)
        assert toggle.get_attribute("data-state") == "unchecked"
        toggle.click()
        page.wait_for_selector('[data-testid="toggle-pause"][data-state="checked"]', timeout=TIMEOUT_MS)
        api.wait_for("ingest to be unpaused", lambda: not api.get("/api/v2/dags/newsdesk_ingest")["is_paused"], 30)

        # "Trigger", switch on "Poll now" (force) in the form, and trigger
        page.get_by_test_id("trigger-dag-button").click()
        label = page.locator('label[data-part="label"]', has_text="Poll now")
        field = page.locator('[role="group"]', has=label)
        field.wait_for(timeout=TIMEOUT_MS)
        switch = field.locator('label[data-scope="switch"]')
        switch.click()
        page.wait_for_function("(el) => el.dataset.state === 'checked'", arg=switch.element_handle())
        page.screenshot(path=str(OUTPUT_DIR / "trigger_form_force.png"))
        page.get_by_test_id("trigger-dag-submit").click()

        # the manual run polls every feed of the feeds file although none is due ...
        manual = api.wait_for(
            "the forced ingest run to finish",
            lambda: next(
                (
                    r
                    for r in api.runs("newsdesk_ingest")
                    if r["run_type"] == "manual" and r["state"] in ("success", "failed")
                ),
                None,
            ),
        )
        assert manual["state"] == "success" and manual["conf"]["force"] is True
        with psycopg.connect(airflow.database_url) as conn:
            polled = one(
                conn.execute(
                    "SELECT sum((counts->>'feeds')::int) FROM pipeline_runs"
                    " WHERE airflow_run_id = %s AND task_id = 'poll_feeds'",
                    (manual["dag_run_id"],),
                )
            )[0]
        assert polled == 3, "force polls the three feeds of the feeds file (the demo's sample set is not its)"
        # ... and newsdesk_analyze follows through the newsdesk_articles Asset (the forced run's
        # event, or that of a scheduled run that stored the new articles first)
        analyzed = api.wait_for(
            "an asset-triggered newsdesk_analyze run",
            lambda: next(
                (
                    r
                    for r in api.runs("newsdesk_analyze")
                    if r["run_type"] == "asset_triggered" and r["state"] in ("success", "failed")
                ),
                None,
            ),
        )
        assert analyzed["state"] == "success", analyzed

        # The Newsdesk page from the navigation, inside the Airflow UI
        page.goto(airflow.base_url + "/", timeout=TIMEOUT_MS)
        # exact: the dashboard's links to the newsdesk_* DAGs and assets match "Newsdesk" as a
        # substring, and they may render before the navigation has loaded the plugin's entry
        page.get_by_role("link", name="Newsdesk", exact=True).click(timeout=TIMEOUT_MS)
        page.wait_for_url("**/plugin/newsdesk", timeout=TIMEOUT_MS)
        frame = page.frame_locator("iframe").first
        feeds = frame.locator("#feeds")
        feeds.get_by_text("Verdwenen Courant").wait_for(timeout=TIMEOUT_MS)
        commitments = frame.locator("#commitments")
        for title in NEW_TITLES:
            assert commitments.get_by_role("link", name=title).count() >= 1, title
        entities = frame.locator("#entities")
        # today's articles, UTC; unless UTC midnight fell between their date and now, when the
        # panel counts the articles stored in the last 48 hours
        today = datetime.now(UTC).date() == live_site.published.date()
        caption = "today, UTC" if today else "stored in the last 48 h"
        assert entities.get_by_text(f"(mentions in the articles {caption})").count() == 1
        for name in ("Barry Madlener", "Hanzehogeschool"):
            assert entities.get_by_text(name, exact=True).count() == 1, name
        assert commitments.get_by_text("tweeduizend nieuwe studentenkamers bouwen").count() == 1
        rows = commitments.locator("tbody tr").all_inner_texts()
        assert len(rows) == len(set(rows)), rows

        # a failing feed says why: on hover over its status, and in the row below it, expandable
        failing = feeds.locator("tr.feed", has_text="Verdwenen Courant")
        assert "404" in (failing.locator(".badge").first.get_attribute("title") or "")
        why = feeds.locator("tr.why", has_text="HTTP 404")
        assert why.count() == 1
        why.locator("summary").click()
        assert why.locator("details table tbody tr").count() >= 1
        assert feeds.locator("tr.why", has_text="169.254.169.254").count() == 1
        # the demo's feeds are neither retired nor shown as never polled
        for name in SAMPLE_FEEDS:
            row = feeds.locator("tr.feed", has_text=name)
            assert row.count() == 1 and row.first.get_attribute("data-status") == "ok", name
        assert feeds.get_by_text("not in the feeds file").count() == 0

        for width in (1280, 1440, 1920):
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_timeout(300)
            inner = page.frames[-1]
            assert _overflow(inner) == [], f"inside the Airflow UI at {width} px"
            if width != 1440:
                page.screenshot(path=str(OUTPUT_DIR / f"newsdesk_in_airflow_{width}.png"), full_page=True)

        # The page on its own, as the iframe shows it (the UI cookie authenticates it)
        direct = context.new_page()
        for width in (1280, 1440, 1920):
            direct.set_viewport_size({"width": width, "height": 1000})
            response = direct.goto(airflow.base_url + "/newsdesk/", timeout=TIMEOUT_MS)
            assert response is not None and response.status == 200
            assert _overflow(direct) == [], f"the page at {width} px"
            if width != 1440:
                direct.screenshot(path=str(OUTPUT_DIR / f"newsdesk_page_{width}.png"), full_page=True)

        # The same as data: the reason, the status and since when
        summary = api.get("/newsdesk/api/summary")
        by_name = {f["name"]: f for f in summary["feeds"]}
        assert len(by_name) == 6
        gone = by_name["Verdwenen Courant"]
        assert (gone["status"], gone["last_status"]) == ("failing", "hard")
        assert "404" in gone["reason"] and gone["since"]
        assert "metadata" in by_name["Metadata-adres"]["reason"]
        assert {by_name[n]["feed_set"] for n in SAMPLE_FEEDS} == {"sample"}
        assert summary["top_entities_period"]["label"] == ("today" if today else "stored in the last 48 h")
    except Exception:
        page.screenshot(path=str(OUTPUT_DIR / "newsdesk_failure.png"), full_page=True)
        raise
    finally:
        context.close()
