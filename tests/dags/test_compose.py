"""Static checks of the production stack (docker-compose.yml, Dockerfile, docker/): no Docker engine
is needed. When the docker CLI has the compose plugin, ``docker compose config -q`` validates too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yml"
DOCKERFILE = PROJECT_DIR / "Dockerfile"
ENV_EXAMPLE = PROJECT_DIR / "docker" / "env.example"
INIT_SCRIPT = PROJECT_DIR / "docker" / "airflow-init.sh"
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
ONE_SHOT = "airflow-init"
# "$${X}" is escaped: expanded inside the container, not by compose.
_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def test_the_stack_has_every_component(services: dict[str, Any]) -> None:
    assert {"postgres", "redis", ONE_SHOT} | AIRFLOW_SERVICES <= set(services)
    for name in AIRFLOW_SERVICES | {ONE_SHOT}:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert "@postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        # Warehouse and metadata are separate databases on the same server.
        assert env["NEWSDESK_DATABASE_URL"].split("/")[-1] != "airflow", name


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if name == ONE_SHOT:
            assert service.get("restart") == "no"
            assert "healthcheck" not in service
            continue
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), name


def test_depends_on_uses_conditions(services: dict[str, Any]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on must be a mapping with conditions"
        for dependency, spec in depends.items():
            assert dependency in services, (name, dependency)
            assert dependency != name, f"{name} depends on itself"
            expected = "service_completed_successfully" if dependency == ONE_SHOT else "service_healthy"
            assert spec.get("condition") == expected, (name, dependency, spec)
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert {"postgres", "redis", ONE_SHOT} <= set(depends), name
    assert {"postgres", "redis"} == set(services[ONE_SHOT]["depends_on"])


def test_workers_can_be_scaled(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["command"] == "celery worker"
    # A fixed name anywhere would also stop `--scale` of that service; none is needed.
    assert not [name for name, service in services.items() if "container_name" in service]


def test_airflow_services_are_built_from_this_repository(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | {ONE_SHOT}:
        build = services[name]["build"]
        assert (PROJECT_DIR / build["context"]).resolve() == PROJECT_DIR, name
        assert (PROJECT_DIR / build["context"] / build.get("dockerfile", "Dockerfile")).is_file()


def test_bind_mounts_exist(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (PROJECT_DIR / source).exists(), (name, source)


def _dockerfile_args() -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE.read_text(encoding="utf-8"), re.M))


def test_dockerfile_builds_on_the_official_airflow_33_image() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    args = _dockerfile_args()
    bases = [
        re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], line.split()[1])
        for line in text.splitlines()
        if line.startswith("FROM ")
    ]
    final = bases[-1]
    assert re.fullmatch(r"apache/airflow:3\.3\.\d+-python3\.11", final), final
    locked = re.search(r'name = "apache-airflow"\nversion = "([^"]+)"', (PROJECT_DIR / "uv.lock").read_text())
    assert locked and final == f"apache/airflow:{locked.group(1)}-python3.11", "image and uv.lock disagree"
    assert "--frozen" in text and "--require-hashes" in text  # the locked dependencies, verified
    for source in re.findall(r"^COPY (?:--chown=\S+ )?(?!--from)(.+) \S+$", text, re.M):
        for path in source.split():
            assert (PROJECT_DIR / path).exists(), path
    for folder in ("dags/", "plugins/", "sql/", "seeds/"):
        assert re.search(rf"^COPY .*\b{folder} ", text, re.M), folder


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = (PROJECT_DIR / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".env", ".venv", ".newsdesk", ".git"):
        assert entry in ignored, entry


def test_init_migrates_both_databases_and_creates_connection_and_pool(services: dict[str, Any]) -> None:
    from newsdesk_airflow.constants import CONNECTION_ID, HTTP_POOL

    assert "airflow-init.sh" in " ".join(services[ONE_SHOT]["command"])
    script = INIT_SCRIPT.read_text(encoding="utf-8")
    assert "airflow db migrate" in script
    assert "newsdesk migrate" in script
    assert f"airflow connections add {CONNECTION_ID}" in script
    assert f"airflow pools set {HTTP_POOL}" in script
    init_db = (PROJECT_DIR / "docker" / "postgres" / "init-newsdesk-db.sh").read_text(encoding="utf-8")
    assert "CREATE DATABASE" in init_db


def test_env_references_are_documented_and_no_secret_is_committed() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    referenced = {m.group(1) for m in _VAR.finditer(text)}
    required = {m.group(1) for m in _VAR.finditer(text) if (m.group(2) or "").lstrip(":").startswith("?")}
    without_default = {m.group(1) for m in _VAR.finditer(text) if not m.group(2)}
    documented = env_example()
    assert required <= set(documented), required - set(documented)
    assert without_default <= set(documented) | required, without_default - set(documented)
    assert set(documented) <= referenced | {"AIRFLOW_UID"}, set(documented) - referenced
    for key, value in documented.items():
        if any(word in key for word in ("PASSWORD", "SECRET", "FERNET")):
            assert value == "change-me", key
    # Literal credentials in the compose file: anything after "user:" in a URL must be a variable.
    for password in re.findall(r"://[^:/\s]+:([^@\s]+)@", text):
        assert password.startswith("${"), password


def _psql_dir() -> str:
    """psql from PATH, else the one shipped with the embedded server (pgserver): always present."""
    found = shutil.which("psql")
    if found:
        return str(Path(found).parent)
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin")


def test_postgres_init_script_creates_the_warehouse_database(database_url: str) -> None:
    """Run docker/postgres/init-newsdesk-db.sh as the postgres image would, against the test server."""
    import uuid

    import psycopg
    from psycopg import sql

    from newsdesk.store.db import migrate

    psql_dir = _psql_dir()
    info = psycopg.conninfo.conninfo_to_dict(database_url)
    name = f"nd_init_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PATH": psql_dir + os.pathsep + os.environ.get("PATH", ""),
        "PGHOST": str(info.get("host", "")),
        "PGPORT": str(info.get("port", "5432")),
        "PGPASSWORD": str(info.get("password", "")),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_DB": str(info["dbname"]),
        "NEWSDESK_DB_USER": name,
        "NEWSDESK_DB_PASSWORD": "it's-a-test",  # a quote: the script must not build SQL by hand
        "NEWSDESK_DB_NAME": name,
    }
    script = PROJECT_DIR / "docker" / "postgres" / "init-newsdesk-db.sh"
    try:
        result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        owner_url = psycopg.conninfo.make_conninfo(
            database_url, dbname=name, user=name, password="it's-a-test"
        )
        assert "0001_create_core_tables" in migrate(owner_url)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
