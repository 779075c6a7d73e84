"""The embedded PostgreSQL used when no ``NEWSDESK_DATABASE_URL`` is given.

pgserver ships PostgreSQL binaries inside a wheel; the data directory lives under the
project's state folder (``.newsdesk/pgdata``) so the demo, ``make up`` and the tests need no
server installed or running.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from newsdesk.errors import DatabaseError

log = logging.getLogger(__name__)

# pgserver stops a server whose handle is garbage-collected: keep the handles for the process.
_SERVERS: dict[Path, Any] = {}


def _runtime_dir() -> None:
    """pgserver (platformdirs) wants a private runtime dir, and warns at import without one."""
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"newsdesk-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def start_embedded(data_dir: Path, *, database: str = "newsdesk", keep_running: bool = True) -> str:
    """Start (or reuse) the embedded server in ``data_dir``; return a URL of ``database``.

    With ``keep_running`` the server outlives this process (the demo leaves it up so the
    printed connection string works); otherwise it stops when the process exits.
    """
    _runtime_dir()
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command at INFO
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - pgserver is a core dependency
        raise DatabaseError("no NEWSDESK_DATABASE_URL and the embedded server (pgserver) is missing") from exc
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


def embedded_server_pid(data_dir: Path) -> int | None:
    """The process id of a PostgreSQL running on ``data_dir`` (by any process), else None."""
    try:
        first = (data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0]
        pid = int(first)
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # a stale file from a crash
    except PermissionError:
        return pid  # alive, someone else's
    return pid


def stop_embedded_server(data_dir: Path, *, timeout_s: int = 60) -> int | None:
    """Stop the embedded PostgreSQL on ``data_dir`` (fast shutdown: sessions are ended, work
    committed so far is kept); return the pid that was stopped, None if none was running."""
    pid = embedded_server_pid(data_dir)
    if pid is None:
        return None
    _runtime_dir()
    from pgserver._commands import POSTGRES_BIN_PATH  # the pg_ctl that started it

    # pg_ctl refuses to run as root: as root, run it as the data directory's owner (pgserver
    # starts the server as an unprivileged user for the same reason).
    owner = data_dir.stat().st_uid
    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "-t", str(timeout_s), "stop"],
        capture_output=True,
        text=True,
        timeout=timeout_s + 10,
        user=owner if os.geteuid() == 0 and owner != 0 else None,
    )
    if result.returncode != 0 and embedded_server_pid(data_dir) is not None:
        detail = " ".join((result.stderr or result.stdout).split())
        raise DatabaseError(f"could not stop the embedded PostgreSQL in {data_dir} (pid {pid}): {detail}")
    return pid
