"""Static checks of the production stack (docker-compose.yml, Dockerfile, docker/): no Docker engine
is needed. When the docker CLI has the compose plugin, ``docker compose config -q`` validates too.

What a first ``docker compose up`` needs and these check: every named volume mounted where the
image lets uid 50000 write; the image installs, from uv.lock, no embedded PostgreSQL and only
packages with a wheel for linux x86_64 and aarch64 (or an sdist); the FAB auth manager with an
admin user created by airflow-init; the Celery provider, celery and the Redis client locked;
``change-me`` placeholders and an invalid Fernet key refused before anything starts
(docker/check-config.sh is run here, with the values of docker/env.example and others)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import one

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
CHECK = "config-check"
ONE_SHOTS = {ONE_SHOT, CHECK}
CHECK_SCRIPT = PROJECT_DIR / "docker" / "check-config.sh"
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
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
        if name in ONE_SHOTS:
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
            expected = "service_completed_successfully" if dependency in ONE_SHOTS else "service_healthy"
            assert spec.get("condition") == expected, (name, dependency, spec)
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert {"postgres", "redis", ONE_SHOT} <= set(depends), name
    assert {"postgres", "redis"} == set(services[ONE_SHOT]["depends_on"])
    # the configuration is checked before anything starts (PostgreSQL would otherwise initialise
    # its volume with a placeholder password, and keep it)
    assert "depends_on" not in services[CHECK]
    for name in ("postgres", "redis"):
        assert set(services[name]["depends_on"]) == {CHECK}, name


def test_workers_can_be_scaled(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["command"] == "celery worker"
    # A fixed name anywhere would also stop `--scale` of that service; none is needed.
    assert not [name for name, service in services.items() if "container_name" in service]


def test_airflow_services_are_built_from_this_repository(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES | ONE_SHOTS:
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
        owner_url = psycopg.conninfo.make_conninfo(database_url, dbname=name, user=name, password="it's-a-test")
        assert "0001_create_core_tables" in migrate(owner_url)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


# --- what a first `docker compose up` needs ---------------------------------------------------

# Folders of the image that uid 50000 (airflow) may write: the official image's AIRFLOW_HOME/logs,
# and what the Dockerfile copies with --chown=airflow.
BASE_IMAGE_AIRFLOW_DIRS = {"/opt/airflow/logs"}


def _image_writable_dirs() -> set[str]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    copied = {m.rstrip("/") for m in re.findall(r"^COPY --chown=airflow\S* .+ (/\S+)$", text, re.M)}
    return BASE_IMAGE_AIRFLOW_DIRS | copied


def test_named_volumes_mount_where_the_airflow_user_can_write(compose: dict[str, Any]) -> None:
    """A named volume at a path the image lacks is created root-owned: uid 50000 cannot write it."""
    services = compose["services"]
    named = set(compose.get("volumes") or {})
    writable = _image_writable_dirs()
    for name in AIRFLOW_SERVICES | ONE_SHOTS:
        assert services[name]["user"].startswith("${AIRFLOW_UID:-50000}"), name
        for volume in services[name].get("volumes", []):
            source, target = volume.split(":")[:2]
            if source in named:
                assert target.rstrip("/") in writable, (name, volume, writable)
    used = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])}
    assert named <= used, f"declared but never mounted: {named - used}"


def test_production_auth_is_the_fab_auth_manager_with_an_admin_created_by_init(services: dict[str, Any]) -> None:
    import importlib

    module, _, cls = FAB_AUTH_MANAGER.rpartition(".")
    assert getattr(importlib.import_module(module), cls).__name__ == cls  # the locked provider has it
    for name in AIRFLOW_SERVICES | {ONE_SHOT}:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER, name
        assert not [key for key in env if "SIMPLE_AUTH_MANAGER" in key], name
    script = INIT_SCRIPT.read_text(encoding="utf-8")
    assert re.search(r"airflow users create --username admin .*--role Admin", script)
    assert 'airflow users reset-password --username admin --password "${AIRFLOW_ADMIN_PASSWORD}"' in script
    assert "airflow db migrate" in script  # migrates the FAB tables too (the provider's DB manager)


# --- the image's packages, from uv.lock ---------------------------------------------------------

# The base image (apache/airflow:*-python3.11) is Debian bookworm: glibc 2.36, CPython 3.11.
IMAGE_PYTHON = (3, 11)
IMAGE_GLIBC_MINOR = 36
ARCHES = ("x86_64", "aarch64")


def _lock() -> dict[str, Any]:
    import tomllib

    return tomllib.loads((PROJECT_DIR / "uv.lock").read_text(encoding="utf-8"))


def image_packages(arch: str) -> dict[str, dict[str, Any]]:
    """{name==version: lock entry} the Dockerfile installs on ``arch``: the project's dependencies
    (no dependency group: what `uv export --no-default-groups` writes), markers evaluated."""
    from packaging.markers import Marker

    by_name: dict[str, list[dict[str, Any]]] = {}
    for package in _lock()["package"]:
        by_name.setdefault(package["name"], []).append(package)
    version = ".".join(map(str, IMAGE_PYTHON))
    env = {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_version": f"{version}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": arch,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    out: dict[str, tuple[dict[str, Any], set[str]]] = {}
    todo = list(by_name["newsdesk"][0]["dependencies"])
    while todo:
        dep = todo.pop()
        if "marker" in dep and not Marker(dep["marker"]).evaluate(env):
            continue
        candidates = [p for p in by_name[dep["name"]] if "version" not in dep or p["version"] == dep["version"]]
        assert len(candidates) == 1, dep
        package = candidates[0]
        key = f"{package['name']}=={package['version']}"
        extras = set(dep.get("extra", []))
        known = out[key][1] if key in out else None
        if known is None:
            todo += package.get("dependencies", [])
            known = set()
        for extra in extras - known:
            todo += package.get("optional-dependencies", {}).get(extra, [])
        out[key] = (package, known | extras)
    return {key: package for key, (package, _) in out.items()}


def _installable_tags(arch: str) -> set[Any]:
    from packaging.tags import compatible_tags, cpython_tags

    platforms = [f"manylinux_2_{minor}_{arch}" for minor in range(IMAGE_GLIBC_MINOR, 4, -1)]
    platforms += [f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}"]
    abi = f"cp{IMAGE_PYTHON[0]}{IMAGE_PYTHON[1]}"
    return set(cpython_tags(IMAGE_PYTHON, abis=[abi, "abi3", "none"], platforms=platforms)) | set(
        compatible_tags(IMAGE_PYTHON, abi, platforms)
    )


@pytest.mark.parametrize("arch", ARCHES)
def test_every_package_the_image_installs_has_a_wheel_for_the_platform(arch: str) -> None:
    """`pip install --require-hashes` of the exported lock on linux/amd64 and linux/arm64: a wheel
    for the platform, else an sdist (built from source). The embedded PostgreSQL is not in it."""
    from packaging.utils import parse_wheel_filename

    tags = _installable_tags(arch)
    packages = image_packages(arch)
    assert not [key for key in packages if key.startswith("pgserver==")], "pgserver is not for the image"
    missing: list[str] = []
    from_source: list[str] = []
    for key, package in sorted(packages.items()):
        wheels = [w["url"].rsplit("/", 1)[1] for w in package.get("wheels", [])]
        if not any(parse_wheel_filename(wheel)[3] & tags for wheel in wheels):
            (from_source if package.get("sdist") else missing).append(key)
    assert not missing, f"no {arch} wheel and no sdist in uv.lock: {missing}"
    assert not from_source, f"built from source on {arch} (the image has no compiler): {from_source}"


def test_the_executor_and_auth_packages_are_locked_for_the_image() -> None:
    packages = {key.split("==")[0] for key in image_packages("x86_64")}
    for name in ("apache-airflow-providers-celery", "celery", "kombu", "redis", "apache-airflow-providers-fab"):
        assert name in packages, name
    # the embedded server is a dependency group of its own (dev machines, tests), not the project's
    lock = _lock()
    root = next(p for p in lock["package"] if p["name"] == "newsdesk")
    assert "pgserver" not in {d["name"] for d in root["dependencies"]}
    assert "pgserver" in {d["name"] for d in root["dev-dependencies"]["embedded"]}
    assert "--no-default-groups" in DOCKERFILE.read_text(encoding="utf-8")


# --- placeholders and bad keys are refused before anything starts ------------------------------


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import sys

    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])  # its python
    return subprocess.run(
        ["bash", str(CHECK_SCRIPT)], env={"PATH": path, **env}, capture_output=True, text=True, timeout=60
    )


def _good_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "AIRFLOW_ADMIN_PASSWORD": "correct-horse-battery",
        "AIRFLOW_DB_PASSWORD": "db_Password-0123",
        "NEWSDESK_DB_PASSWORD": "wh.Password~4567",
        "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_API_SECRET_KEY": "s" * 43,
        "AIRFLOW_JWT_SECRET": "j" * 43,
    }


def test_the_config_check_gets_every_secret_and_runs_first(services: dict[str, Any]) -> None:
    secrets = {key for key in env_example() if any(w in key for w in ("PASSWORD", "SECRET", "FERNET"))}
    assert set(_good_env()) == secrets
    check = services[CHECK]
    assert check["entrypoint"] == ["bash", "/opt/airflow/docker/check-config.sh"]
    assert secrets <= set(check["environment"])
    assert secrets <= set(services[ONE_SHOT]["environment"])
    assert "check-config.sh" in INIT_SCRIPT.read_text(encoding="utf-8")
    assert re.search(r"^COPY .*docker/check-config\.sh", DOCKERFILE.read_text(encoding="utf-8"), re.M)


def test_env_example_as_it_is_is_refused_with_a_line_per_value() -> None:
    result = _check(env_example())
    assert result.returncode == 1
    for key in _good_env():
        assert f"{key} is still the placeholder 'change-me'" in result.stderr, (key, result.stderr)


def test_good_values_pass_the_check() -> None:
    result = _check(_good_env())
    assert result.returncode == 0, result.stderr
    assert "configuration checked" in result.stdout


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("AIRFLOW_FERNET_KEY", "bm90LWEta2V5LWF0LWFsbC1qdXN0LWJhc2U2NC1vZi10ZXh0", "is not a valid Fernet key"),
        ("AIRFLOW_FERNET_KEY", "x" * 44, "is not a valid Fernet key"),
        ("AIRFLOW_FERNET_KEY", "", "is empty"),
        ("AIRFLOW_DB_PASSWORD", "p@ss/word:with-url-chars", "not URL-safe"),
        ("NEWSDESK_DB_PASSWORD", "Change-Me-Later-123", "still the placeholder"),
        ("AIRFLOW_JWT_SECRET", "short", "use at least 32"),
    ],
)
def test_a_bad_value_is_refused_clearly(key: str, value: str, message: str) -> None:
    result = _check({**_good_env(), key: value})
    assert result.returncode == 1
    assert key in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def _uri(url: str, dbname: str) -> str:
    """postgresql://user:password@host:port/dbname (a socket directory as host percent-encoded)."""
    from urllib.parse import quote

    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(url)
    auth = quote(str(info.get("user") or ""), safe="")
    if info.get("password"):
        auth += ":" + quote(str(info["password"]), safe="")
    host = quote(str(info.get("host") or "localhost"), safe="")
    return f"postgresql://{auth}@{host}:{info.get('port') or 5432}/{dbname}"


def test_airflow_init_initialises_a_fresh_stack_with_the_fab_admin(database_url: str, tmp_path: Path) -> None:
    """docker/airflow-init.sh as the airflow-init service runs it (no Docker: this machine's Airflow,
    the same locked packages), against fresh databases on the test server; then the admin user's
    password is the one from .env."""
    import sys
    import uuid

    import psycopg
    from psycopg import sql

    from tests.distributed.celery_cluster import sqlalchemy_url

    names = [f"nd_init_af_{uuid.uuid4().hex[:8]}", f"nd_init_wh_{uuid.uuid4().hex[:8]}"]
    urls = [_uri(database_url, name) for name in names]  # a URI, as compose writes it
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "HOME": str(tmp_path),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),
        "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(urls[0]),
        "NEWSDESK_DATABASE_URL": urls[1],
        **_good_env(),
    }
    try:
        result = subprocess.run(["bash", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert 'User "admin" created with role "Admin"' in result.stdout
        with psycopg.connect(urls[0]) as conn:
            stored = conn.execute(
                "SELECT u.password FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
                "JOIN ab_role r ON r.id = ur.role_id WHERE u.username = 'admin' AND r.name = 'Admin'"
            ).fetchone()
            pools = conn.execute("SELECT slots FROM slot_pool WHERE pool = 'newsdesk_http'").fetchone()
        from werkzeug.security import check_password_hash

        assert stored and check_password_hash(stored[0], env["AIRFLOW_ADMIN_PASSWORD"])
        assert pools == (16,)
        with psycopg.connect(urls[1]) as conn:
            assert one(conn.execute("SELECT count(*) FROM schema_migrations"))[0] >= 14
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
