"""The Newsdesk FastAPI app: ``/newsdesk/`` (HTML) and ``/newsdesk/api/summary`` (JSON).

Both render the same ``newsdesk.store.reports.Summary``; the HTML is server-rendered with
Jinja2 (no JavaScript, no static files to protect) and reloads itself every minute. Every route
requires an Airflow user (see ``auth``). Routes are plain ``def`` so the blocking database
reads run in FastAPI's thread pool, not on the API server's event loop.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from newsdesk.errors import ConfigError, NewsdeskError
from newsdesk.store import reports
from newsdesk_airflow.ui.auth import require_viewer

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
REFRESH_S = 60


def now_utc() -> datetime:
    """The moment a summary is "as of" (its reports take it as a parameter, never the database's
    clock): tests pin it, so "today" and "12 minutes ago" do not depend on the hour they run."""
    return datetime.now(UTC)


def load_summary(now: datetime | None = None) -> reports.Summary:
    """Read the summary from the warehouse; 503 when it is not configured or not reachable."""
    # The warehouse is the Airflow connection newsdesk_db (else NEWSDESK_DATABASE_URL), looked
    # up per request so that editing the connection needs no API server restart.
    from newsdesk_airflow.settings import airflow_settings

    now = now or now_utc()
    try:
        url = airflow_settings().database_url
        if not url:
            raise ConfigError("no warehouse configured")
        with reports.open_readonly(url) as conn:
            return reports.summary(conn, now)
    except NewsdeskError as exc:
        log.warning("newsdesk summary unavailable: %s", exc)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"newsdesk warehouse unavailable: {exc}") from exc


def safe_href(url: str | None) -> str | None:
    """Only http(s) links from feeds reach an href: no javascript: or data: URLs."""
    if not url:
        return None
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def ago(value: datetime | None, now: datetime) -> str:
    """'5 min ago' / 'in 3 h' relative to the report time."""
    if value is None:
        return "—"
    seconds = int((now - value).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        text = f"{seconds} s"
    elif seconds < 3600:
        text = f"{seconds // 60} min"
    elif seconds < 2 * 86400:
        text = f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    else:
        text = f"{seconds // 86400} d"
    return f"in {text}" if future else f"{text} ago"


def utc(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    return value.astimezone(UTC).strftime(fmt) if value else ""


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["utc"] = utc
    return env


def create_app() -> FastAPI:
    # No /docs, /redoc or /openapi.json: they would be the only unauthenticated routes.
    app = FastAPI(
        title="Newsdesk",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(require_viewer)],
    )
    templates = _environment()

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        # The page is opened by people in a browser frame: answer them in HTML, scripts in JSON.
        if request.url.path.rstrip("/").endswith("/api/summary") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        html = templates.get_template("error.html").render(status_code=exc.status_code, detail=exc.detail)
        return HTMLResponse(html, status_code=exc.status_code, headers=exc.headers)

    @app.get("/api/summary")
    def api_summary() -> JSONResponse:
        return JSONResponse(jsonable_encoder(load_summary().to_dict()))

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        data = load_summary()
        html = templates.get_template("newsdesk.html").render(**_page_context(data))
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    return app


def _page_context(data: reports.Summary) -> dict[str, Any]:
    now = data.generated_at
    peak = max((h.articles for h in data.articles_per_hour), default=0)
    feed_peak = max((n for f in data.feeds for n in f.new_per_day), default=0)
    return {
        "s": data,
        "now": now,
        "ago": lambda value: ago(value, now),
        "refresh_s": REFRESH_S,
        "hour_peak": max(peak, 1),
        "hour_total": sum(h.articles for h in data.articles_per_hour),
        "feed_peak": max(feed_peak, 1),
        "feeds_failing": sum(1 for f in data.feeds if f.status == "failing"),
        "feeds_disabled": sum(1 for f in data.feeds if f.status == "disabled"),
        "several_sets": len({f.feed_set for f in data.feeds}) > 1,
    }
