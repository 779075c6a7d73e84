"""A worker that lost its network must not disable every feed (real PostgreSQL, real sockets).

Names under ``.invalid`` never resolve (RFC 2606), the way every name fails on a worker that
lost DNS; a loopback port nobody listens on refuses the connection, the way every host does
behind a dead route. A run in which no server answers at all is recorded, but does not count
against its feeds; one dead feed among working ones still counts, and so does a feed polled
alone (one host cannot tell its own death from the network's).
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from newsdesk.config import HttpSettings, PollSettings, Settings
from newsdesk.fetch import Fetcher
from newsdesk.models import Feed
from newsdesk.pipeline.polling import poll_feeds
from newsdesk.store.feeds import due_feeds, sync_feeds

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
_spec = importlib.util.spec_from_file_location("fault_server", FEEDS / "fault_server.py")
assert _spec is not None and _spec.loader is not None
fs = importlib.util.module_from_spec(_spec)
sys.modules["fault_server"] = fs
_spec.loader.exec_module(fs)

RSS = (FEEDS / "rss20.xml").read_bytes()
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
DISABLE_AFTER = 3
UNRESOLVABLE = ["https://nieuws.invalid/rss", "https://omroep.invalid/feed.xml", "https://krant.invalid/atom"]


def _settings(allow: tuple[str, ...] = ()) -> Settings:
    http = HttpSettings(
        allow_private=allow,
        connect_timeout_s=2.0,
        read_timeout_s=1.0,
        total_timeout_s=3.0,
        per_host_delay_s=0.0,
        respect_robots=False,
    )
    return Settings(http=http, poll=PollSettings(disable_after_failures=DISABLE_AFTER))


@pytest.fixture
def conn(clean_db):
    with psycopg.connect(clean_db, row_factory=psycopg.rows.dict_row) as connection:
        yield connection


def _add(conn, urls: list[str]) -> None:
    sync_feeds(conn, [Feed(url, f"feed {i}") for i, url in enumerate(urls)])
    conn.commit()


def _poll_until_quiet(conn, urls: list[str], settings: Settings, runs: int) -> list[datetime]:
    """Poll ``urls`` ``runs`` times, each time when the first of them is due again."""
    now, times = NOW, []
    for _ in range(runs):
        states = [s for s in due_feeds(conn, now) if s.url in urls]
        assert states, "no feed due"
        with Fetcher(settings.http) as fetcher:
            poll_feeds(conn, fetcher, states, settings, now=now)
        times.append(now)
        now = conn.execute(
            "SELECT min(next_poll_at) AS t FROM feeds WHERE url = ANY(%s) AND enabled", (urls,)
        ).fetchone()["t"]
        if now is None:
            break
    return times


def _feed(conn, url: str) -> dict:
    return conn.execute(
        """SELECT enabled, disabled_reason, consecutive_failures, consecutive_hard_failures, last_status,
                  last_polled_at, next_poll_at, poll_interval_s
             FROM feeds WHERE url = %s""",
        (url,),
    ).fetchone()


def _fetches(conn, url: str) -> list[dict]:
    return conn.execute(
        """SELECT f.status, f.error, f.http_status FROM feed_fetches f JOIN feeds USING (feed_id)
            WHERE url = %s ORDER BY fetch_id""",
        (url,),
    ).fetchall()


def test_every_feed_unresolvable_is_an_outage_not_the_feeds_fault(conn) -> None:
    _add(conn, UNRESOLVABLE)
    runs = DISABLE_AFTER + 2
    times = _poll_until_quiet(conn, UNRESOLVABLE, _settings(), runs)
    assert len(times) == runs
    for url in UNRESOLVABLE:
        feed = _feed(conn, url)
        assert feed["enabled"] and feed["disabled_reason"] is None
        assert (feed["consecutive_failures"], feed["consecutive_hard_failures"]) == (0, 0)
        # recorded with its status and reason, every time
        fetches = _fetches(conn, url)
        assert len(fetches) == runs
        for row in fetches:
            assert row["status"] == "hard" and row["http_status"] is None
            assert "cannot resolve" in row["error"] and "network-wide" in row["error"]
        assert feed["last_status"] == "hard" and feed["last_polled_at"] == times[-1]
        # retried after its normal interval, as if nothing counted
        assert feed["next_poll_at"] == times[-1] + timedelta(seconds=feed["poll_interval_s"])


def test_one_unresolvable_feed_among_working_ones_still_counts(conn) -> None:
    with fs.FaultServer() as server:
        server.route("/good", fs.respond(200, RSS, {"Content-Type": "application/rss+xml"}))
        good, dead = server.url("/good"), UNRESOLVABLE[0]
        _add(conn, [good, dead])
        settings = _settings(allow=(server.host_port,))
        # the dead feed is polled after its backoff; the good one answers in every run it is in
        now = NOW
        for _ in range(DISABLE_AFTER):
            states = [s for s in due_feeds(conn, now) if s.url in (good, dead)]
            assert dead in [s.url for s in states]
            with Fetcher(settings.http) as fetcher:
                poll_feeds(conn, fetcher, states, settings, now=now)
            # both due together next time: the run always holds a working feed
            now = _feed(conn, dead)["next_poll_at"]
            conn.execute("UPDATE feeds SET next_poll_at = %s WHERE url = %s", (now, good))
            conn.commit()
    feed = _feed(conn, dead)
    assert not feed["enabled"] and f"{DISABLE_AFTER} consecutive hard failures" in feed["disabled_reason"]
    assert "cannot resolve" in feed["disabled_reason"]
    assert all("network-wide" not in row["error"] for row in _fetches(conn, dead))
    assert _feed(conn, good)["enabled"] and _feed(conn, good)["consecutive_failures"] == 0


def test_a_feed_polled_alone_is_judged_on_its_own(conn) -> None:
    dead = UNRESOLVABLE[1]
    _add(conn, [dead])
    _poll_until_quiet(conn, [dead], _settings(), DISABLE_AFTER)
    feed = _feed(conn, dead)
    assert not feed["enabled"] and feed["consecutive_hard_failures"] == DISABLE_AFTER


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nobody listens


def test_connection_refused_everywhere_is_an_outage_too(conn) -> None:
    # two hosts (127.0.0.1 and 127.0.0.2 are both this machine's loopback), nothing listening
    urls = [f"http://127.0.0.1:{_closed_port()}/rss", f"http://127.0.0.2:{_closed_port()}/rss"]
    _add(conn, urls)
    _poll_until_quiet(conn, urls, _settings(allow=("127.0.0.0/8",)), DISABLE_AFTER + 1)
    for url in urls:
        feed = _feed(conn, url)
        assert feed["enabled"] and feed["consecutive_hard_failures"] == 0
        assert all(r["error"].startswith("connection refused") for r in _fetches(conn, url))
