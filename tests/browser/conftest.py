"""Browser tests: Airflow as ``make up`` runs it (its components under newsdesk's supervisor; our
plugin, our DAGs) in a throw-away home,
a warehouse filled by the real DAGs from the offline sample (what ``make demo`` leaves), a feeds
file of its own on a local site with new articles and two failing feeds (what ``make up`` then
reads), and headless Chromium driven by Playwright.

Every wait is bounded; the standalone process group is always torn down, first with SIGINT
(the supervisor then stops the scheduler, dag-processor, triggerer and API server), then SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import psutil
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
LIVE_FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "browser"
OUTPUT_DIR = PROJECT_DIR / "test-output"
CHROMIUM = os.environ.get("NEWSDESK_CHROMIUM", "/usr/bin/chromium")
STARTUP_TIMEOUT_S = 360  # a cold standalone on 2 busy cores took 150 s
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Standalone:
    base_url: str
    home: Path
    log: Path
    password: str
    database_url: str


@dataclass(frozen=True)
class LiveSite:
    base_url: str
    feeds_file: Path
    published: datetime  # the date its articles carry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def sample_warehouse(database_url: str, empty_warehouse, run_sample_dags) -> str:
    """The session warehouse emptied, then filled by the real DAGs from the offline sample."""
    empty_warehouse(database_url)
    run_sample_dags(database_url, "newsdesk_ingest", "newsdesk_analyze")
    return database_url


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """tests/fixtures/browser/site, its articles dated a minute ago, on 127.0.0.1, and the feeds
    file naming its feed plus two that fail (404; the cloud metadata address)."""
    from newsdesk.sample import SampleSite, render

    root = tmp_path_factory.mktemp("live-site")
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    site = root / "site"
    shutil.copytree(LIVE_FIXTURES / "site", site)
    for path in site.rglob("*.*"):
        if path.suffix in (".html", ".xml"):
            text = path.read_text(encoding="utf-8")
            text = text.replace("{{TODAY_ISO}}", published.isoformat())
            text = text.replace("{{TODAY_RFC822}}", format_datetime(published))
            path.write_text(text, encoding="utf-8")
    with SampleSite(site) as server:
        feeds = root / "feeds.toml"
        feeds.write_text(render((LIVE_FIXTURES / "feeds.toml").read_text(encoding="utf-8"), server.base_url))
        yield LiveSite(base_url=server.base_url, feeds_file=feeds, published=published)


SUPERVISE = """
import os, sys
from newsdesk_airflow.standalone import component_commands, supervise
env = dict(os.environ)
sys.exit(supervise(component_commands(env), env, optional=("log-server",)))
"""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT for an orderly stop, then SIGKILL whatever is left: of the process group we made,
    and of the components, which run in a group of their own. The supervisor gives them
    STOP_GRACE_S before it kills them itself, so it is given longer than that."""
    from newsdesk_airflow.standalone import STOP_GRACE_S

    try:
        components = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        components = []
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_GRACE_S + 30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group is the session started for this process
    except ProcessLookupError:
        pass
    process.wait(timeout=10)
    for component in components:
        try:
            component.kill()
        except psutil.NoSuchProcess:
            pass


@pytest.fixture(scope="module")
def airflow_standalone(
    sample_warehouse: str, live_site: LiveSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Standalone]:
    from newsdesk_airflow.standalone import PASSWORD_FILE, prepare, standalone_env

    if not Path(CHROMIUM).exists():  # `make test` installs it (scripts/ensure-chromium.sh)
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set NEWSDESK_CHROMIUM")
    home = tmp_path_factory.mktemp("airflow-standalone")
    port = _free_port()
    env = {
        **os.environ,
        **standalone_env(PROJECT_DIR, sample_warehouse, port=port),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "NO_COLOR": "1",
        # what `make up` would read from seeds/feeds.toml, on the local site instead of the network
        "NEWSDESK_FEEDS_FILE": str(live_site.feeds_file),
        "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1",
        "NEWSDESK_PER_HOST_DELAY": "0.02",
        "NEWSDESK_INGEST_SHARDS": "1",  # fewer task processes to start on a busy machine
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # five Airflow processes start faster with cached bytecode
    started = time.monotonic()
    prepare(env)
    log_path = home / "standalone.log"
    with log_path.open("wb") as log:
        # What `make up` (newsdesk up) runs: Airflow's components under newsdesk's supervisor.
        process = subprocess.Popen(
            [sys.executable, "-c", SUPERVISE],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base_url = f"http://localhost:{port}"
        password_file = home / PASSWORD_FILE
        while True:
            if process.poll() is not None:
                pytest.fail(f"airflow standalone exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
            if time.monotonic() - started > STARTUP_TIMEOUT_S:
                tail = log_path.read_text()[-4000:]
                pytest.fail(f"airflow standalone not ready after {STARTUP_TIMEOUT_S} s:\n{tail}")
            try:
                ready = httpx.get(f"{base_url}/api/v2/monitor/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                ready = False
            if ready and password_file.exists():
                break
            time.sleep(1)
        password = json.loads(password_file.read_text())["admin"]
        print(f"airflow standalone ready after {time.monotonic() - started:.0f} s on {base_url}")
        yield Standalone(base_url=base_url, home=home, log=log_path, password=password, database_url=sample_warehouse)
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives Chromium a fresh temporary profile (--user-data-dir) and removes it after.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()
