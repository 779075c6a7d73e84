"""``newsdesk up``: the environment it gives Airflow's components, the loopback log server, and
the supervisor that stops every process on SIGTERM (real processes, no Airflow scheduler)."""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from newsdesk_airflow.standalone import component_commands, default_parallelism, standalone_env, supervise


def test_standalone_env_points_airflow_at_this_checkout(tmp_path: Path) -> None:
    env = standalone_env(tmp_path, "postgresql://nd:pw@127.0.0.1:5433/newsdesk")
    assert env["AIRFLOW_HOME"] == str(tmp_path / ".newsdesk" / "airflow")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(tmp_path / "dags")
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(tmp_path / "plugins")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__API__PORT"] == "8080"
    assert env["AIRFLOW__API__BASE_URL"] == "http://localhost:8080"
    conn = json.loads(env["AIRFLOW_CONN_NEWSDESK_DB"])
    assert (conn["conn_type"], conn["host"], conn["port"], conn["schema"]) == (
        "postgres",
        "127.0.0.1",
        5433,
        "newsdesk",
    )
    assert env["NEWSDESK_DATABASE_URL"] == "postgresql://nd:pw@127.0.0.1:5433/newsdesk"


def test_every_component_of_one_start_shares_its_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler's task tokens are checked by the API server: one JWT secret per start (a
    random one each start, never a fixed default), unless the operator configured one."""
    monkeypatch.delenv("AIRFLOW__API_AUTH__JWT_SECRET", raising=False)
    monkeypatch.delenv("AIRFLOW__API__SECRET_KEY", raising=False)
    first, second = standalone_env(tmp_path, "postgresql://x@h/db"), standalone_env(tmp_path, "postgresql://x@h/db")
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert len(first[key]) >= 32 and first[key] != second[key]
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "configured-by-the-operator-" + "x" * 20)
    assert standalone_env(tmp_path, "postgresql://x@h/db")["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("configured")


def test_standalone_env_port_and_metadata_database(tmp_path: Path) -> None:
    env = standalone_env(tmp_path, "postgresql://x@h/db", port=9191, metadata_url="postgresql+psycopg2://a@h/af")
    assert env["AIRFLOW__API__PORT"] == "9191"
    assert env["AIRFLOW__API__BASE_URL"] == "http://localhost:9191"  # tasks reach the execution API here
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://a@h/af"


def test_parallelism_fits_the_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert [default_parallelism(n) for n in (1, 2, 4, 16)] == [2, 4, 8, 32]
    monkeypatch.delenv("AIRFLOW__CORE__PARALLELISM", raising=False)
    env = standalone_env(tmp_path, "postgresql://x@h/db")
    assert env["AIRFLOW__CORE__PARALLELISM"] == str(2 * max(1, len(os.sched_getaffinity(0))))
    monkeypatch.setenv("AIRFLOW__CORE__PARALLELISM", "3")  # the operator's own setting wins
    assert standalone_env(tmp_path, "postgresql://x@h/db")["AIRFLOW__CORE__PARALLELISM"] == "3"


def test_components_skip_airflows_log_servers_for_one_on_loopback(tmp_path: Path) -> None:
    env = standalone_env(tmp_path, "postgresql://x@h/db")
    commands = component_commands(env)
    assert set(commands) == {"scheduler", "dag-processor", "triggerer", "api-server", "log-server"}
    assert "--skip-serve-logs" in commands["scheduler"] and "--skip-serve-logs" in commands["triggerer"]
    assert commands["log-server"][-1] == "8793,8794"
    # the API server fetches a running task's log from http://<hostname>:8793
    module, _, name = env["AIRFLOW__CORE__HOSTNAME_CALLABLE"].rpartition(".")
    assert getattr(importlib.import_module(module), name)() == "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(pid: int) -> set[tuple[str, int]]:
    return {
        (c.laddr.ip, c.laddr.port)
        for c in psutil.Process(pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    }


def test_log_server_listens_on_loopback_only(tmp_path: Path) -> None:
    ports = (_free_port(), _free_port())
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(tmp_path / "logs")}
    argv = [sys.executable, "-m", "newsdesk_airflow.standalone", "serve-logs", f"{ports[0]},{ports[1]}"]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _listening(process.pid) != {("127.0.0.1", ports[0]), ("127.0.0.1", ports[1])}:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, _listening(process.pid)
            time.sleep(0.2)
        # Airflow's log server answers (a request without its signed token is refused)
        assert httpx.get(f"http://127.0.0.1:{ports[1]}/log/x.log", timeout=10).status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=30)


# A stand-in component (real processes, no Airflow): writes its pid, starts a grandchild that
# writes its own, and optionally ignores SIGTERM (a component that hangs on shutdown).
COMPONENT = """
import os, signal, subprocess, sys, time
out, stubborn = sys.argv[1], sys.argv[2] == "stubborn"
if stubborn:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(out, "w") as f:
    f.write(f"{os.getpid()} {child.pid}")
time.sleep(600)
"""

SUPERVISOR = """
import sys
from newsdesk_airflow.standalone import supervise
py, component, tmp = sys.executable, sys.argv[1], sys.argv[2]
commands = {
    "calm": [py, "-c", component, f"{tmp}/calm", "calm"],
    "stubborn": [py, "-c", component, f"{tmp}/stubborn", "stubborn"],
}
sys.exit(supervise(commands, {"PATH": "/usr/bin:/bin"}, grace_s=2))
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _component_pids(tmp_path: Path) -> list[int]:
    deadline = time.monotonic() + 30
    while not all((tmp_path / name).exists() and (tmp_path / name).read_text() for name in ("calm", "stubborn")):
        assert time.monotonic() < deadline, "components did not start"
        time.sleep(0.1)
    return [int(pid) for name in ("calm", "stubborn") for pid in (tmp_path / name).read_text().split()]


def _kill_leftovers(supervisor: subprocess.Popen[bytes], tmp_path: Path) -> None:
    """After a failed test: the supervisor's session and the components' own group."""
    if supervisor.poll() is None:
        os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.wait()
    for name in ("calm", "stubborn"):
        pids = (tmp_path / name).read_text().split() if (tmp_path / name).exists() else []
        for pid in map(int, pids):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_sigterm_stops_every_process_when_sigint_was_ignored_at_start(tmp_path: Path) -> None:
    # `make up &` from a script: the shell starts the background job with SIGINT ignored
    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, COMPONENT, str(tmp_path)],
        preexec_fn=ignore_sigint,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        pids = _component_pids(tmp_path)
        supervisor.send_signal(signal.SIGINT)  # ignored, as it was at start
        time.sleep(1)
        assert supervisor.poll() is None and all(_alive(pid) for pid in pids)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0  # grace 2 s, then the group is killed
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in pids if _alive(pid)], "children or grandchildren outlived the stop"
    finally:
        _kill_leftovers(supervisor, tmp_path)


def test_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    # Ctrl-C at a terminal: SIGINT handled as usual (also when these tests run as a background job)
    def default_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, COMPONENT, str(tmp_path)],
        preexec_fn=default_sigint,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        pids = _component_pids(tmp_path)
        supervisor.send_signal(signal.SIGINT)
        assert supervisor.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not [pid for pid in pids if _alive(pid)]
    finally:
        _kill_leftovers(supervisor, tmp_path)


def test_a_component_that_exits_stops_the_others(tmp_path: Path) -> None:
    commands = {
        "calm": [sys.executable, "-c", COMPONENT, str(tmp_path / "calm"), "calm"],
        "broken": [sys.executable, "-c", "import sys, time; time.sleep(1); sys.exit(3)"],
    }
    out = tmp_path / "out.log"
    with out.open("wb") as sink:
        assert supervise(commands, dict(os.environ), grace_s=5, out=sink) == 3
    calm, grandchild = (int(pid) for pid in (tmp_path / "calm").read_text().split())
    time.sleep(0.5)
    assert not _alive(calm) and not _alive(grandchild)
