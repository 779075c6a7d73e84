"""Settings (environment ``NEWSDESK_*``) and the location of the project's seed files.

Settings are read once at the edge (CLI, Airflow adapter) and passed into the stages; the
library never reads the environment elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# plugins/newsdesk -> project root (for a source checkout; installs set NEWSDESK_HOME)
PROJECT_DIR = PACKAGE_DIR.parent.parent
USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk-project/newsdesk; news archive bot)"


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    return int(value) if value not in (None, "") else default


def _env_float(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    return float(value) if value not in (None, "") else default


def _env_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    value = env.get(name, "")
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Bounds for every download: time, size, redirects, and which targets may be reached."""

    user_agent: str = USER_AGENT
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    total_timeout_s: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_decompressed_ratio: int = 100  # decompression-bomb guard: decoded/encoded bytes
    max_redirects: int = 5
    # Hosts/networks (CIDR or host name) that may be reached although private or loopback.
    # Empty in production; tests and the offline replay add 127.0.0.1.
    allow_private: tuple[str, ...] = ()
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    respect_robots: bool = True
    concurrency: int = 16


@dataclass(frozen=True, slots=True)
class PollSettings:
    """Bounds of the adaptive feed schedule and the failure policy."""

    min_interval_s: int = 300
    max_interval_s: int = 6 * 3600
    default_interval_s: int = 900
    max_backoff_s: int = 24 * 3600
    disable_after_failures: int = 10
    page_retry_s: int = 1800
    page_max_attempts: int = 8


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    seeds_dir: Path = PROJECT_DIR / "seeds"
    feeds_file: Path = PROJECT_DIR / "seeds" / "feeds.toml"
    state_dir: Path = PROJECT_DIR / ".newsdesk"
    nlp_model: str | None = None  # spaCy package name or path; None: the bundled Dutch pipeline
    commitment_scorer: Path | None = None  # a commitment scorer file; None: the bundled one
    raw_html_retention_days: int = 30
    fetch_log_retention_days: int = 90
    # Wall-clock budget of one polling or fetching task: downloads still running then are cut off
    # and retried later, so a publisher trickling bytes cannot hold the ingest run (0: no budget).
    fetch_budget_s: float = 600.0
    # Mapped shards of newsdesk_ingest (polling, fetching) and newsdesk_analyze: the parallelism a
    # distributed executor can use.
    ingest_shards: int = 4
    analyze_shards: int = 4
    # The cron schedule of newsdesk_ingest. Airflow needs a schedule when it parses the DAG file,
    # so this one setting is read then: a change applies once the DAG processor parses it again.
    ingest_schedule: str = "*/15 * * * *"
    http: HttpSettings = field(default_factory=HttpSettings)
    poll: PollSettings = field(default_factory=PollSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``NEWSDESK_*`` variables; what is not set keeps the dataclass default
        (the defaults are written once, on the fields above)."""
        env = os.environ if env is None else env
        h, p, d = HttpSettings(), PollSettings(), cls()
        http = HttpSettings(
            user_agent=env.get("NEWSDESK_USER_AGENT", h.user_agent),
            connect_timeout_s=_env_float(env, "NEWSDESK_CONNECT_TIMEOUT", h.connect_timeout_s),
            read_timeout_s=_env_float(env, "NEWSDESK_READ_TIMEOUT", h.read_timeout_s),
            total_timeout_s=_env_float(env, "NEWSDESK_TOTAL_TIMEOUT", h.total_timeout_s),
            max_body_bytes=_env_int(env, "NEWSDESK_MAX_BODY_BYTES", h.max_body_bytes),
            max_redirects=_env_int(env, "NEWSDESK_MAX_REDIRECTS", h.max_redirects),
            allow_private=_env_list(env, "NEWSDESK_ALLOW_PRIVATE") or h.allow_private,
            per_host_concurrency=_env_int(env, "NEWSDESK_PER_HOST_CONCURRENCY", h.per_host_concurrency),
            per_host_delay_s=_env_float(env, "NEWSDESK_PER_HOST_DELAY", h.per_host_delay_s),
            respect_robots=env.get("NEWSDESK_RESPECT_ROBOTS", "1") not in ("0", "false", "no"),
            concurrency=_env_int(env, "NEWSDESK_HTTP_CONCURRENCY", h.concurrency),
        )
        poll = PollSettings(
            min_interval_s=_env_int(env, "NEWSDESK_POLL_MIN_INTERVAL", p.min_interval_s),
            max_interval_s=_env_int(env, "NEWSDESK_POLL_MAX_INTERVAL", p.max_interval_s),
            default_interval_s=_env_int(env, "NEWSDESK_POLL_DEFAULT_INTERVAL", p.default_interval_s),
            disable_after_failures=_env_int(env, "NEWSDESK_DISABLE_AFTER_FAILURES", p.disable_after_failures),
        )
        home = env.get("NEWSDESK_HOME")
        root = Path(home) if home else PROJECT_DIR
        seeds_dir = Path(env.get("NEWSDESK_SEEDS_DIR") or root / "seeds")
        return cls(
            database_url=env.get("NEWSDESK_DATABASE_URL") or None,
            seeds_dir=seeds_dir,
            feeds_file=Path(env.get("NEWSDESK_FEEDS_FILE") or seeds_dir / "feeds.toml"),
            state_dir=Path(env.get("NEWSDESK_STATE_DIR") or root / ".newsdesk"),
            nlp_model=env.get("NEWSDESK_NLP_MODEL") or None,
            commitment_scorer=Path(scorer) if (scorer := env.get("NEWSDESK_COMMITMENT_SCORER")) else None,
            raw_html_retention_days=_env_int(env, "NEWSDESK_RAW_HTML_RETENTION_DAYS", d.raw_html_retention_days),
            fetch_log_retention_days=_env_int(env, "NEWSDESK_FETCH_LOG_RETENTION_DAYS", d.fetch_log_retention_days),
            fetch_budget_s=_env_float(env, "NEWSDESK_FETCH_BUDGET", d.fetch_budget_s),
            ingest_shards=_env_int(env, "NEWSDESK_INGEST_SHARDS", d.ingest_shards),
            analyze_shards=_env_int(env, "NEWSDESK_ANALYZE_SHARDS", d.analyze_shards),
            ingest_schedule=env.get("NEWSDESK_INGEST_SCHEDULE", d.ingest_schedule),
            http=http,
            poll=poll,
        )

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)
