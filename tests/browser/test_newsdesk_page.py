"""The Newsdesk page as a user sees it: log in to a real ``airflow standalone``, open Newsdesk
from the navigation, read the sample feeds and commitments inside the Airflow UI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"


def log_in(page: Any, airflow: Any) -> None:
    page.goto(airflow.base_url + "/", timeout=TIMEOUT_MS)
    page.wait_for_selector("input[type=password]", timeout=TIMEOUT_MS)
    page.locator("input:not([type=password])").first.fill("admin")
    page.fill("input[type=password]", airflow.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/" not in url and "login" not in url, timeout=TIMEOUT_MS)


def test_unauthenticated_summary_is_refused(airflow_standalone: Any) -> None:
    for path in ("/newsdesk/api/summary", "/newsdesk/"):
        response = httpx.get(airflow_standalone.base_url + path, timeout=10)
        assert response.status_code in (401, 403), (path, response.status_code, response.text[:200])


def test_newsdesk_page_in_the_airflow_ui(airflow_standalone: Any, browser: Any) -> None:
    OUTPUT_DIR.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1300})
    page = context.new_page()
    try:
        log_in(page, airflow_standalone)

        # The navigation entry from the plugin's external_views opens the page in the UI.
        page.get_by_role("link", name="Newsdesk").first.click(timeout=TIMEOUT_MS)
        page.wait_for_url("**/plugin/newsdesk", timeout=TIMEOUT_MS)
        frame = page.frame_locator("iframe").first
        feeds = frame.locator("#feeds")
        feeds.get_by_text("Regio Courant").wait_for(timeout=TIMEOUT_MS)

        # what the real DAGs stored from the offline sample
        for name in ("Het Dagblad — Binnenland", "Het Dagblad — Politiek", "Regio Courant"):
            assert feeds.get_by_text(name).count() == 1, name
        # the newest sample article with commitments leads the list, linked to its page
        commitments = frame.locator("#commitments")
        link = commitments.get_by_role(
            "link", name="Van Marum belooft Groningers snellere afhandeling van schade"
        )
        assert link.count() >= 1
        assert link.first.get_attribute("href").endswith(
            "/nieuws/2025/03/van-marum-belooft-snellere-schadeafhandeling-groningen.html"
        )
        # the sample's wire copy repeats commitments of its original: each shown once, its copy counted
        assert commitments.get_by_text("also in 1 copy").count() >= 1
        rows = commitments.locator("tbody tr").all_inner_texts()
        assert len(rows) == len(set(rows)), rows
        page.screenshot(path=str(OUTPUT_DIR / "newsdesk_in_airflow.png"), full_page=True)

        # The page on its own, as the iframe shows it (the UI cookie authenticates it).
        direct = context.new_page()
        response = direct.goto(airflow_standalone.base_url + "/newsdesk/", timeout=TIMEOUT_MS)
        assert response is not None and response.status == 200
        direct.screenshot(path=str(OUTPUT_DIR / "newsdesk_page.png"), full_page=True)
        api = direct.goto(airflow_standalone.base_url + "/newsdesk/api/summary", timeout=TIMEOUT_MS)
        assert api is not None and api.status == 200
        summary = api.json()
        assert len(summary["feeds"]) == 3
        assert summary["latest_commitments"], "the sample's commitments are listed"
        shown = [(c["actor"], c["action"]) for c in summary["latest_commitments"]]
        assert len(shown) == len(set(shown)), "a wire copy's commitments are not listed again"
        assert max(c["articles"] for c in summary["latest_commitments"]) == 2  # an original and its wire copy
    except Exception:
        page.screenshot(path=str(OUTPUT_DIR / "newsdesk_failure.png"), full_page=True)
        raise
    finally:
        context.close()
