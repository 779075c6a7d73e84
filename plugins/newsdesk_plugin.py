"""The newsdesk Airflow plugin: the Newsdesk page, served by the API server at ``/newsdesk``.

Airflow imports this module in every process that loads plugins (API server, scheduler,
dag-processor, workers and each task runner), so it imports nothing heavy: the FastAPI app is
built on its first request, which only ever happens inside the API server.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/newsdesk"


class LazyNewsdeskApp:
    """ASGI app that builds ``newsdesk_airflow.ui.app.create_app()`` when first called."""

    def __init__(self) -> None:
        self._app: Any = None

    def _build(self) -> Any:
        if self._app is None:
            from newsdesk_airflow.ui.app import create_app

            self._app = create_app()
        return self._app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._build()(scope, receive, send)

    def __repr__(self) -> str:
        return "newsdesk_airflow.ui.app:create_app()"


class NewsdeskPlugin(AirflowPlugin):
    name = "newsdesk"
    fastapi_apps = [{"app": LazyNewsdeskApp(), "url_prefix": URL_PREFIX, "name": "Newsdesk"}]
    # A navigation entry that opens the page inside the Airflow UI (an iframe at /plugin/newsdesk);
    # the page is on the same origin, so the UI's _token cookie authenticates it.
    external_views = [
        {
            "name": "Newsdesk",
            "href": f"{URL_PREFIX}/",
            "url_route": "newsdesk",
            "destination": "nav",
            "nav_top_level": True,
        }
    ]
