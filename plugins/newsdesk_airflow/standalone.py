"""``make up`` / ``newsdesk up``: the whole Airflow (``airflow standalone``) on this machine.

``standalone_env`` is the environment that points Airflow at this checkout: its home under
``.newsdesk/airflow``, newsdesk's ``dags/`` and ``plugins/``, no example DAGs, the simple auth
manager with one ``admin`` user (password generated into
``.newsdesk/airflow/simple_auth_manager_passwords.json.generated``), the API server and UI on
``http://localhost:8080``, and the warehouse as the Airflow connection ``newsdesk_db``.
``run_standalone`` prepares the metadata database and the ``newsdesk_http`` pool, then runs
``airflow standalone`` in the foreground until Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from newsdesk_airflow.settings import url_to_connection_json

log = logging.getLogger(__name__)

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"


def airflow_home(project_dir: Path) -> Path:
    return project_dir / ".newsdesk" / "airflow"


def standalone_env(
    project_dir: Path,
    database_url: str,
    *,
    port: int = 8080,
    host: str = "127.0.0.1",
    metadata_url: str | None = None,
) -> dict[str, str]:
    """Variables to add to the environment of ``airflow standalone`` (not a whole environment).

    ``metadata_url`` is Airflow's own database (SQLAlchemy URL); by default SQLite in the
    Airflow home, which is enough for one machine. ``host`` defaults to loopback: standalone
    is a development setup and should not be reachable from the network.
    """
    project_dir = project_dir.resolve()
    home = airflow_home(project_dir)
    venv_bin = str(Path(sys.executable).parent)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_dir / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project_dir / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url or f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__API__PORT": str(port),
        # Also where task processes find the execution API: it must name the port in use.
        "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
        "AIRFLOW_CONN_NEWSDESK_DB": url_to_connection_json(database_url),
        "NEWSDESK_DATABASE_URL": database_url,
        "NEWSDESK_HOME": str(project_dir),
        # `airflow standalone` starts its components as `airflow ...` found on PATH: use ours.
        "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "")]),
    }


def _airflow_executable() -> str:
    found = Path(sys.executable).parent / "airflow"
    return str(found) if found.exists() else (shutil.which("airflow") or "airflow")


def prepare(env: Mapping[str, str]) -> None:
    """Migrate Airflow's metadata DB and create the newsdesk_http pool, in a child process
    (Airflow reads its configuration once, at import, from the environment it starts with)."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    code = "from newsdesk_airflow.runner import prepare_metadata_db; prepare_metadata_db()"
    subprocess.run([sys.executable, "-c", code], env=dict(env), check=True)


def run_standalone(
    project_dir: Path,
    database_url: str,
    *,
    port: int = 8080,
    host: str = "127.0.0.1",
    metadata_url: str | None = None,
) -> int:
    """Run ``airflow standalone`` in the foreground; returns its exit status.

    Ctrl-C reaches ``airflow standalone`` (same process group), which stops its scheduler,
    dag-processor, triggerer and API server before exiting; a SIGTERM sent to this process is
    passed on as SIGINT for the same orderly shutdown.
    """
    env = {
        **os.environ,
        **standalone_env(project_dir, database_url, port=port, host=host, metadata_url=metadata_url),
    }
    # Airflow imports thousands of modules in each of its five processes: let them cache bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    prepare(env)
    home = Path(env["AIRFLOW_HOME"])
    log.info(
        "starting airflow standalone on http://localhost:%s (user admin, password in %s)",
        port,
        home / PASSWORD_FILE,
    )
    process = subprocess.Popen([_airflow_executable(), "standalone"], env=env)
    if threading.current_thread() is not threading.main_thread():
        return process.wait()
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    previous_term = signal.signal(signal.SIGTERM, lambda *_: process.send_signal(signal.SIGINT))
    try:
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)
