"""The embedded PostgreSQL that ``make demo`` leaves running: ``newsdesk db status/stop``, and
``make clean``, which stops it before deleting its data directory and refuses when it cannot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.store.server import embedded_server_pid, start_embedded, stop_embedded_server
from newsdesk_airflow.standalone import pid_file, running_standalone_pid

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path: Path):
    """A checkout-shaped folder: the Makefile, the environment, and a running embedded server."""
    shutil.copy(PROJECT_DIR / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".venv").symlink_to(PROJECT_DIR / ".venv")
    data_dir = tmp_path / ".newsdesk" / "pgdata"
    start_embedded(data_dir, database="newsdesk", keep_running=True)
    yield tmp_path
    stop_embedded_server(data_dir)


def _newsdesk(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSDESK_HOME": str(checkout)}
    env.pop("NEWSDESK_DATABASE_URL", None)
    env.pop("XDG_RUNTIME_DIR", None)  # as in a login without one: pgserver must not warn
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_db_status_and_stop(checkout: Path) -> None:
    data_dir = checkout / ".newsdesk" / "pgdata"
    pid = embedded_server_pid(data_dir)
    assert pid is not None
    status = _newsdesk(checkout, "db", "status")
    assert status.returncode == 0 and f"running (pid {pid})" in status.stdout
    stop = _newsdesk(checkout, "db", "stop")
    assert stop.returncode == 0 and f"(pid {pid})" in stop.stdout and stop.stderr == ""
    assert embedded_server_pid(data_dir) is None
    again = _newsdesk(checkout, "db", "stop")
    assert again.returncode == 0 and "not running" in again.stdout


def test_make_clean_stops_the_server_before_deleting_its_data(checkout: Path) -> None:
    data_dir = checkout / ".newsdesk" / "pgdata"
    pid = embedded_server_pid(data_dir)
    env = {**os.environ, "NEWSDESK_HOME": str(checkout)}
    result = subprocess.run(["make", "clean"], cwd=checkout, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (checkout / ".newsdesk").exists()
    assert pid is not None and _gone(pid)


def test_make_clean_refuses_when_the_server_cannot_be_stopped(checkout: Path) -> None:
    (checkout / ".venv").unlink()  # no newsdesk to stop it with
    result = subprocess.run(["make", "clean"], cwd=checkout, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "still runs on .newsdesk/pgdata; not deleting it" in result.stderr
    assert (checkout / ".newsdesk" / "pgdata" / "PG_VERSION").exists()


def test_db_stop_is_refused_while_newsdesk_up_runs(tmp_path: Path) -> None:
    # the pid file `newsdesk up` keeps while it runs (here: this test's own, living, pid)
    pid_file(tmp_path).parent.mkdir(parents=True)
    pid_file(tmp_path).write_text(f"{os.getpid()}\n")
    assert running_standalone_pid(tmp_path) == os.getpid()
    pid_file(tmp_path).write_text("999999999\n")  # no such process: a stale file
    assert running_standalone_pid(tmp_path) is None


def _gone(pid: int, timeout_s: float = 15.0) -> bool:
    """The process has exited (a zombie not yet reaped by its parent counts as exited): the
    server removes its pid file just before it exits, so a stop may return a moment earlier."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False
