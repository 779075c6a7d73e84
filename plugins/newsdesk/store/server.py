"""The embedded PostgreSQL used when no ``NEWSDESK_DATABASE_URL`` is given.

pgserver ships PostgreSQL binaries inside a wheel; the data directory lives under the
project's state folder (``.newsdesk/pgdata``) so the demo, ``make up`` and the tests need no
server installed or running.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from newsdesk.errors import DatabaseError

log = logging.getLogger(__name__)

# pgserver stops a server whose handle is garbage-collected: keep the handles for the process.
_SERVERS: dict[Path, Any] = {}


def start_embedded(data_dir: Path, *, database: str = "newsdesk", keep_running: bool = True) -> str:
    """Start (or reuse) the embedded server in ``data_dir``; return a URL of ``database``.

    With ``keep_running`` the server outlives this process (the demo leaves it up so the
    printed connection string works); otherwise it stops when the process exits.
    """
    if "XDG_RUNTIME_DIR" not in os.environ:  # pgserver (platformdirs) wants a private runtime dir
        runtime = Path(tempfile.gettempdir()) / f"newsdesk-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command at INFO
    try:
        import pgserver
    except ImportError as exc:  # the production image has no embedded server: it has a PostgreSQL
        raise DatabaseError(
            "no NEWSDESK_DATABASE_URL and the embedded server (pgserver) is not installed: set "
            "NEWSDESK_DATABASE_URL, or install the 'embedded' dependency group (uv sync does by default)"
        ) from exc
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise DatabaseError(f"not a plain database name: {database!r}")
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server: Any = pgserver.get_server(data_dir, cleanup_mode=None if keep_running else "stop")
        _SERVERS[data_dir] = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
        if "1 row" not in exists:
            server.psql(f'CREATE DATABASE "{database}";')
    except Exception as exc:  # pgserver raises plain exceptions; translate at this boundary
        raise DatabaseError(f"could not start the embedded PostgreSQL in {data_dir}: {exc}") from exc
    url: str = server.get_uri(database)
    log.info("embedded PostgreSQL ready: %s", url)
    return url


def stop_embedded(data_dir: Path) -> None:
    """Stop a server started by ``start_embedded`` in this process (tests, benchmarks)."""
    server = _SERVERS.pop(data_dir, None)
    if server is None:
        return
    server.cleanup_mode = "stop"
    server.cleanup()
