"""``make up`` / ``newsdesk up``: Airflow's components on this machine, in the foreground.

``standalone_env`` is the environment that points Airflow at this checkout: its home under
``.newsdesk/airflow``, newsdesk's ``dags/`` and ``plugins/``, no example DAGs, the simple auth
manager with one ``admin`` user (password generated into
``.newsdesk/airflow/simple_auth_manager_passwords.json.generated``), the API server and UI on
``http://localhost:8080``, the warehouse as the Airflow connection ``newsdesk_db``, and a
LocalExecutor parallelism fitted to the machine's cores.

``run_standalone`` prepares the metadata database and the ``newsdesk_http`` pool, then runs
what ``airflow standalone`` runs -- scheduler, dag-processor, triggerer, API server -- itself,
for two reasons: Airflow 3.3's log servers (ports 8793/8794, started inside the scheduler and
the triggerer) bind every interface with no setting to change it, so they are skipped and one
log server on loopback serves both ports instead; and ``airflow standalone`` stops only on
SIGINT, which a shell leaves ignored for a background job (``make up &``), so SIGTERM stopped
nothing. Here the components run in a process group of their own; SIGINT (Ctrl-C), SIGTERM or
SIGHUP to ``newsdesk up`` stop the whole group, and so does any component that exits.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from newsdesk_airflow.settings import url_to_connection_json

log = logging.getLogger(__name__)

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"


def airflow_home(project_dir: Path) -> Path:
    return project_dir / ".newsdesk" / "airflow"


# Airflow's defaults: where the API server fetches a running task's log (worker) or a deferred
# one's (triggerer) from.
WORKER_LOG_PORT = 8793
TRIGGER_LOG_PORT = 8794
# Seconds the components get to finish their work after SIGTERM before the group is killed.
STOP_GRACE_S = 30.0


def cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_parallelism(cpus: int | None = None) -> int:
    """Task slots of the LocalExecutor: two per CPU, at least 2.

    Airflow's default of 32 starts 32 worker processes (2.1 GB on a 2-core machine, which runs
    two at a time); newsdesk's tasks wait on the network about half the time, so two per core
    keeps the cores busy. ``AIRFLOW__CORE__PARALLELISM`` in the environment overrides it.
    """
    return max(2, 2 * (cpus if cpus is not None else cpu_count()))


def loopback_hostname() -> str:
    """``[core] hostname_callable`` of ``newsdesk up``: every component runs here, and the API
    server fetches a running task's log from ``http://<hostname>:8793``, which listens on loopback
    only (a machine's own name can resolve to another address, such as Debian's 127.0.1.1)."""
    return "127.0.0.1"


def standalone_env(
    project_dir: Path,
    database_url: str,
    *,
    port: int = 8080,
    host: str = "127.0.0.1",
    metadata_url: str | None = None,
    parallelism: int | None = None,
) -> dict[str, str]:
    """Variables to add to the environment of Airflow's components (not a whole environment).

    ``metadata_url`` is Airflow's own database (SQLAlchemy URL); by default SQLite in the
    Airflow home, which is enough for one machine. ``host`` defaults to loopback: this is a
    development setup and should not be reachable from the network. ``parallelism`` defaults to
    ``AIRFLOW__CORE__PARALLELISM`` when set, else ``default_parallelism()``.
    """
    project_dir = project_dir.resolve()
    home = airflow_home(project_dir)
    venv_bin = str(Path(sys.executable).parent)
    if parallelism is None:
        configured = os.environ.get("AIRFLOW__CORE__PARALLELISM", "")
        parallelism = int(configured) if configured.isdigit() else default_parallelism()
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_dir / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project_dir / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.loopback_hostname",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url or f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__API__PORT": str(port),
        # Also where task processes find the execution API: it must name the port in use.
        "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": os.environ.get(
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", str(WORKER_LOG_PORT)
        ),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": os.environ.get(
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT", str(TRIGGER_LOG_PORT)
        ),
        # One secret for every component of this start (`airflow standalone` shares one the same
        # way): the scheduler's task tokens are checked by the API server, and the log server
        # checks the API server's log-fetch tokens. Without them each process draws its own, and
        # every task fails with "Invalid auth token".
        "AIRFLOW__API_AUTH__JWT_SECRET": os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET") or secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": os.environ.get("AIRFLOW__API__SECRET_KEY") or secrets.token_urlsafe(32),
        "AIRFLOW_CONN_NEWSDESK_DB": url_to_connection_json(database_url),
        "NEWSDESK_DATABASE_URL": database_url,
        "NEWSDESK_HOME": str(project_dir),
        # Airflow starts its task processes as `airflow ...` found on PATH: use ours.
        "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "")]),
    }


def _airflow_executable() -> str:
    found = Path(sys.executable).parent / "airflow"
    return str(found) if found.exists() else (shutil.which("airflow") or "airflow")


def component_commands(env: Mapping[str, str]) -> dict[str, list[str]]:
    """What ``airflow standalone`` runs, with the log servers replaced by one on loopback."""
    airflow = _airflow_executable()
    log_ports = f"{env['AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT']},{env['AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT']}"
    return {
        "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
        "dag-processor": [airflow, "dag-processor"],
        "triggerer": [airflow, "triggerer", "--skip-serve-logs"],
        "api-server": [airflow, "api-server"],
        "log-server": [sys.executable, "-m", "newsdesk_airflow.standalone", "serve-logs", log_ports],
    }


def serve_logs_on_loopback(ports: Sequence[int], host: str = "127.0.0.1") -> None:
    """Airflow's log server app on ``host`` (one process, one socket per port)."""
    import uvicorn
    from airflow.utils.serve_logs.log_server import get_app

    sockets = []
    for port in ports:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sockets.append(sock)
    config = uvicorn.Config(get_app(), log_config=None, access_log=False, log_level="warning")
    uvicorn.Server(config).run(sockets=sockets)


def prepare(env: Mapping[str, str]) -> None:
    """Migrate Airflow's metadata DB and create the newsdesk_http pool, in a child process
    (Airflow reads its configuration once, at import, from the environment it starts with)."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    code = "from newsdesk_airflow.runner import prepare_metadata_db; prepare_metadata_db()"
    subprocess.run([sys.executable, "-c", code], env=dict(env), check=True)


def pid_file(project_dir: Path) -> Path:
    return airflow_home(project_dir.resolve()) / "newsdesk-up.pid"


def running_standalone_pid(project_dir: Path) -> int | None:
    """The pid of a ``newsdesk up`` running from this checkout, else None."""
    try:
        pid = int(pid_file(project_dir).read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _copy_lines(name: str, stream: IO[bytes], out: IO[bytes]) -> None:
    prefix = f"{name:<13} | ".encode()
    for line in stream:
        out.write(prefix + line)
        out.flush()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def supervise(
    commands: Mapping[str, Sequence[str]],
    env: Mapping[str, str],
    *,
    on_tick: Callable[[], None] | None = None,
    optional: Sequence[str] = (),
    grace_s: float = STOP_GRACE_S,
    out: IO[bytes] | None = None,
) -> int:
    """Run ``commands`` in one new process group until a signal or the first exit; stop them all.

    SIGINT, SIGTERM and SIGHUP ask for a stop -- except SIGINT when it was ignored when we
    started (a background job's Ctrl-C belongs to the foreground). A stop sends SIGTERM to the
    group (each Airflow component shuts down in order), waits up to ``grace_s``, then SIGKILLs
    what is left of the group, grandchildren included. Returns 0 after a requested stop, else
    the status of the component that exited first. An ``optional`` component that exits is
    reported and the rest go on. ``on_tick`` is called about once a second (the ready banner).
    """
    out = out if out is not None else sys.stdout.buffer
    stop = threading.Event()
    reason: list[str] = []

    def request_stop(signum: int, _frame: object) -> None:
        reason.append(signal.Signals(signum).name)
        stop.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous: dict[signal.Signals, object] = {}
    if in_main:
        for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if stop_signal == signal.SIGINT and signal.getsignal(stop_signal) == signal.SIG_IGN:
                continue
            previous[stop_signal] = signal.signal(stop_signal, request_stop)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    pgid = 0
    status = 0
    try:
        for name, argv in commands.items():
            # the first component leads a new group; the others join it
            processes[name] = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                process_group=pgid,
            )
            pgid = pgid or processes[name].pid
            stream = processes[name].stdout
            assert stream is not None
            threading.Thread(target=_copy_lines, args=(name, stream, out), daemon=True).start()
        ticks = 0
        reported: set[str] = set()
        while not stop.wait(0.2):
            exited = {name: p.returncode for name, p in processes.items() if p.poll() is not None}
            for name in exited.keys() & set(optional) - reported:
                log.warning("%s exited with status %s; the other components go on", name, exited[name])
                reported.add(name)
            exited = {name: code for name, code in exited.items() if name not in optional}
            if exited:
                name, status = next(iter(exited.items()))
                log.error("%s exited with status %s; stopping the other components", name, status)
                status = status or 1
                break
            ticks += 1
            if on_tick is not None and ticks % 5 == 0:
                on_tick()
        else:
            out.write(f"newsdesk up: {reason[0] if reason else 'stop'}: stopping every component\n".encode())
            out.flush()
    finally:
        if pgid:
            _signal_group(pgid, signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            while time.monotonic() < deadline and any(p.poll() is None for p in processes.values()):
                time.sleep(0.1)
            # what did not stop in time, and whatever the components left behind in the group
            _signal_group(pgid, signal.SIGKILL)
            for p in processes.values():
                p.wait()
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)  # type: ignore[arg-type]
    return status


def run_standalone(
    project_dir: Path,
    database_url: str,
    *,
    port: int = 8080,
    host: str = "127.0.0.1",
    metadata_url: str | None = None,
) -> int:
    """Run Airflow's components in the foreground until Ctrl-C / SIGTERM; returns the exit status."""
    env = {
        **os.environ,
        **standalone_env(project_dir, database_url, port=port, host=host, metadata_url=metadata_url),
    }
    # Airflow imports thousands of modules in each of its processes: let them cache bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    prepare(env)
    home = Path(env["AIRFLOW_HOME"])
    print(
        f"newsdesk up: starting Airflow (parallelism {env['AIRFLOW__CORE__PARALLELISM']}) ...",
        flush=True,
    )
    shown = False

    def banner() -> None:
        nonlocal shown
        if not shown and _port_open(port):
            shown = True
            print(
                f"newsdesk up: Airflow is ready on http://localhost:{port} -- user admin, password in "
                f"{home / PASSWORD_FILE}; Ctrl-C (or SIGTERM) stops it",
                flush=True,
            )

    pids = pid_file(project_dir)
    pids.write_text(f"{os.getpid()}\n", encoding="utf-8")
    try:
        # Without its log server the UI still shows task logs (the API server reads the files on
        # this machine), so a busy port 8793 should not stop Airflow.
        return supervise(component_commands(env), env, on_tick=banner, optional=("log-server",))
    finally:
        pids.unlink(missing_ok=True)


if __name__ == "__main__":  # python -m newsdesk_airflow.standalone serve-logs 8793,8794
    if sys.argv[1:2] == ["serve-logs"] and len(sys.argv) == 3:
        serve_logs_on_loopback([int(p) for p in sys.argv[2].split(",")])
    else:
        sys.exit("usage: python -m newsdesk_airflow.standalone serve-logs PORT[,PORT]")
