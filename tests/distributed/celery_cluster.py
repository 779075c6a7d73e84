"""A real Airflow deployment on the CeleryExecutor, as separate processes on this machine.

``CeleryCluster`` starts what an operator runs: ``airflow db migrate`` on a PostgreSQL database of
its own (Airflow's metadata), then the scheduler, the dag-processor, the API server and N
``airflow celery worker`` processes (one slot each, distinct Celery and Airflow host names), with
Redis as the broker and the metadata database as Celery's result backend. The DAGs are the
project's own folder; the warehouse is the ``newsdesk_db`` connection (an ``AIRFLOW_CONN_``
variable every process gets). It is driven through the REST API (``/api/v2``, a JWT from
``/auth/token`` of the simple auth manager) like any client would.

Test-only settings, and why:
* ``[core] hostname_callable`` reads ``NEWSDESK_WORKER_NAME``: every worker runs on this one
  machine, and the task instances must say which worker ran them;
* a cluster policy (``airflow_local_settings.py``) shortens the tasks' retry delay to seconds
  and ``[scheduler] task_instance_heartbeat_timeout`` to 20 s: a worker killed mid-task is
  detected and its task retried within the test's time, by the same mechanism as in production;
* the ingest schedule is a date years away: the runs are the ones the test triggers;
* the Celery queue is one of the cluster's own, so nothing else on a shared Redis takes its tasks;
* workers skip the log server (two workers on one machine would share its port); the task logs
  are files under the cluster's AIRFLOW_HOME.

Used by tests/distributed and by bench/scale_out.py.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
REDIS_PORT = 6379
INGEST, ANALYZE = "newsdesk_ingest", "newsdesk_analyze"

HOSTNAME_MODULE = '''
"""[core] hostname_callable of the test cluster: each worker names itself (one machine, N workers)."""
import os
import socket


def hostname() -> str:
    return os.environ.get("NEWSDESK_WORKER_NAME") or socket.getfqdn()
'''

LOCAL_SETTINGS = '''
"""Cluster policy of the test cluster: retries after seconds, not minutes (see celery_cluster.py)."""
from datetime import timedelta


def task_policy(task):
    task.retry_delay = timedelta(seconds={retry_delay_s})
    task.retry_exponential_backoff = 0
'''


class ClusterError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_dbname(url: str, dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo("", **info)


def _text(value: str | int | None) -> str | None:
    """A libpq setting as SQLAlchemy takes it: text, or None when it is not set."""
    return None if value is None else str(value)


def sqlalchemy_url(url: str, driver: str = "postgresql+psycopg2") -> str:
    """A libpq URL (TCP or a Unix socket directory) as a SQLAlchemy URL."""
    from sqlalchemy.engine import URL

    info = psycopg.conninfo.conninfo_to_dict(url)
    host = str(info.get("host") or "")
    query = {"host": host} if host.startswith("/") else {}
    return URL.create(
        driver,
        username=_text(info.get("user")),
        password=_text(info.get("password")),
        host=None if host.startswith("/") else host or None,
        port=int(str(info["port"])) if info.get("port") and not host.startswith("/") else None,
        database=str(info["dbname"]),
        query=query,
    ).render_as_string(hide_password=False)


def create_database(server_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_dbname(server_url, name)


def drop_database(server_url: str, url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name))))


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    """The broker: the Redis on 127.0.0.1:6379 when one answers, else a ``redis-server`` of our own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None
        self.port = REDIS_PORT

    def start(self) -> str:
        if not _redis_answers(self.port):
            binary = shutil.which("redis-server")
            if binary is None:
                raise ClusterError(
                    "the distributed tests need Redis (the Celery broker): none answers on 127.0.0.1:6379 and "
                    "there is no redis-server on PATH; install it (Debian: apt-get install redis-server) "
                    "or start one on port 6379"
                )
            self.port = free_port()
            self.root.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.root),
                ],
                stdout=(self.root / "redis.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            _wait(lambda: _redis_answers(self.port), 20, "redis-server to answer")
        # A database number of its own on a shared server (the queue name is the cluster's too).
        return f"redis://127.0.0.1:{self.port}/{1 + secrets.randbelow(15)}"

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process, "redis-server")


def _wait(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def _stop_group(process: subprocess.Popen[Any], name: str, grace: float = 20) -> None:
    """SIGTERM the process's group (it was started in a session of its own), then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc), parents first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        out.append(current)
        todo += children.get(current, [])
    return out


class CeleryCluster:
    """Scheduler, dag-processor, API server and ``workers`` Celery workers, driven over REST."""

    def __init__(
        self,
        root: Path,
        *,
        server_url: str,
        warehouse_url: str,
        env: dict[str, str],
        workers: int = 2,
        retry_delay_s: int = 3,
        heartbeat_timeout_s: int = 20,
    ) -> None:
        self.root = root
        self.home = root / "airflow"
        self.server_url = server_url
        self.warehouse_url = warehouse_url
        self.worker_names = [f"worker{i + 1}" for i in range(workers)]
        self.retry_delay_s = retry_delay_s
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.extra_env = env
        self.redis = Redis(root / "redis")
        self.metadata_url = ""
        self.port = 0
        self.password = secrets.token_urlsafe(12)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.killed: set[str] = set()  # processes killed on purpose
        self._token = ""
        self.env: dict[str, str] = {}

    # --- life cycle ----------------------------------------------------------------------------

    def __enter__(self) -> CeleryCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        from cryptography.fernet import Fernet

        from newsdesk_airflow.settings import url_to_connection_json

        config = self.home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "newsdesk_worker_name.py").write_text(HOSTNAME_MODULE, encoding="utf-8")
        (config / "airflow_local_settings.py").write_text(
            LOCAL_SETTINGS.format(retry_delay_s=self.retry_delay_s), encoding="utf-8"
        )
        passwords = self.home / "passwords.json"
        passwords.write_text(json.dumps({"admin": self.password}), encoding="utf-8")
        broker = self.redis.start()
        self.metadata_url = create_database(self.server_url, "nd_airflow")
        self.port = free_port()
        queue = f"newsdesk_{uuid.uuid4().hex[:8]}"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSDESK_"))}
        self.env = {
            **base,
            "PYTHONPATH": os.pathsep.join([str(config), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # only the two DAGs under test are unpaused
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "newsdesk_worker_name.hostname",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(self.metadata_url),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__CELERY__BROKER_URL": broker,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(self.metadata_url),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(self.heartbeat_timeout_s),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW_CONN_NEWSDESK_DB": url_to_connection_json(self.warehouse_url),
            "NEWSDESK_INGEST_SCHEDULE": "0 3 29 2 *",  # 29 February: never during a test
            **self.extra_env,
        }
        self._airflow("db", "migrate")
        self._airflow("pools", "set", "newsdesk_http", "8", "newsdesk: concurrent HTTP tasks")
        self._spawn("api-server", "api-server", "--port", str(self.port), "--host", "127.0.0.1", "--workers", "1")
        self._spawn("dag-processor", "dag-processor")
        self._spawn("scheduler", "scheduler")
        for name in self.worker_names:
            self.start_worker(name, queue)
        _wait(self._healthy, 180, "the API server")
        self._token = self._login()
        for dag_id in (INGEST, ANALYZE):
            _wait(partial(self.get, f"/dags/{dag_id}", allow_missing=True), 180, f"DAG {dag_id} to be parsed")
            self.patch(f"/dags/{dag_id}", {"is_paused": False})

    def start_worker(self, name: str, queue: str | None = None) -> None:
        queue = queue or self.env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]
        self.killed.discard(name)
        self._spawn(
            name,
            "celery",
            "worker",
            "--celery-hostname",
            f"{name}@%h",
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--skip-serve-logs",
            extra_env={"NEWSDESK_WORKER_NAME": name},
        )

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            _stop_group(process, name)
        self._forget_queue()
        self.redis.stop()
        if self.metadata_url:
            drop_database(self.server_url, self.metadata_url)
            self.metadata_url = ""

    def _forget_queue(self) -> None:
        """Our queue's keys off the (possibly shared) Redis: the queue and kombu's bindings of it."""
        broker, queue = self.env.get("AIRFLOW__CELERY__BROKER_URL"), self.env.get("AIRFLOW__OPERATORS__DEFAULT_QUEUE")
        if not broker or not queue:
            return
        import redis

        try:
            client = redis.Redis.from_url(broker, socket_timeout=5)
            keys = list(client.scan_iter(match=f"*{queue}*"))  # the name has a random part: only ours
            if keys:
                client.delete(*keys)
            client.close()
        except redis.RedisError as exc:  # the run's result does not depend on it: say so and go on
            print(f"celery_cluster: could not remove queue {queue} from {broker}: {exc}", file=sys.stderr)

    def kill_worker(self, name: str) -> list[int]:
        """SIGKILL the worker and every process below it (its task runners) by PID: a lost machine."""
        process = self.processes[name]
        self.killed.add(name)
        pids = descendants(process.pid)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(10)
        return pids

    def _airflow(self, *args: str) -> None:
        result = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise ClusterError(f"airflow {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")

    def _spawn(self, name: str, *args: str, extra_env: dict[str, str] | None = None) -> None:
        log = (self.root / "logs" / f"{name}.log").resolve()
        log.parent.mkdir(parents=True, exist_ok=True)
        self.processes[name] = subprocess.Popen(
            [AIRFLOW, *args],
            env={**self.env, **(extra_env or {})},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None and name not in self.killed:
                raise ClusterError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    # --- REST API ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _healthy(self) -> bool:
        self._check_alive()
        try:
            return httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def _login(self) -> str:
        response = httpx.post(
            f"{self.url}/auth/token", json={"username": "admin", "password": self.password}, timeout=30
        )
        if response.status_code not in (200, 201):
            raise ClusterError(f"/auth/token answered {response.status_code}: {response.text[:500]}")
        return str(response.json()["access_token"])

    def _request(self, method: str, path: str, body: Any = None, params: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"}
        return httpx.request(method, f"{self.url}/api/v2{path}", json=body, params=params, headers=headers, timeout=60)

    def get(self, path: str, *, allow_missing: bool = False, params: Any = None) -> Any:
        self._check_alive()
        response = self._request("GET", path, params=params)
        if allow_missing and response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ClusterError(f"GET {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def patch(self, path: str, body: Any) -> Any:
        response = self._request("PATCH", path, body)
        if response.status_code != 200:
            raise ClusterError(f"PATCH {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def trigger(self, dag_id: str) -> str:
        response = self._request("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None})
        if response.status_code not in (200, 201):
            raise ClusterError(f"triggering {dag_id}: {response.status_code} {response.text[:500]}")
        return str(response.json()["dag_run_id"])

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        return list(self.get(f"/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"])

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        return list(
            self.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000})["task_instances"]
        )

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600) -> dict[str, Any]:
        """The run once finished; a failed run raises with its failed task instances."""

        def finished() -> dict[str, Any] | None:
            run = self.get(f"/dags/{dag_id}/dagRuns/{run_id}")
            return run if run["state"] in ("success", "failed") else None

        run = _wait(finished, timeout, f"{dag_id} run {run_id}", every=1)
        if run["state"] != "success":
            failed = [
                (ti["task_id"], ti["map_index"], ti["state"], ti["hostname"])
                for ti in self.task_instances(dag_id, run_id)
                if ti["state"] != "success"
            ]
            raise ClusterError(f"{dag_id} run {run_id} ended {run['state']}: {failed}")
        return dict(run)

    def wait_for_new_run(self, dag_id: str, known: set[str], timeout: float = 300) -> str:
        """The id of a run of ``dag_id`` not in ``known`` (one the scheduler created, e.g. from an Asset)."""

        def new() -> str | None:
            runs = [r["dag_run_id"] for r in self.dag_runs(dag_id) if r["dag_run_id"] not in known]
            return runs[0] if runs else None

        return str(_wait(new, timeout, f"a new {dag_id} run", every=1))
