"""Starvation and stalls: one publisher must not hold up the others' news.

* A feed that publishes 100,000 items at once: before, pages were taken oldest first, 500 per
  shard and run, and a healthy feed's 50 new pages waited ~49 runs. Now the queue is fair: the
  healthy feed's pages are all in the first run, the big feed takes the rest of it.
* Pages trickled at a byte per half second: before, a fetch task waited for each to time out
  (30 s apiece, two at a time per host) and held finished articles uncommitted meanwhile. Now the
  task stops at its budget (the stragglers are cut off and retried later, pages not started stay
  queued) and commits finished articles while the stragglers still trickle.

Both through the library calls the DAG tasks make (``poll_feeds``, ``fetch_and_store_pages``).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
from faultkit import load_poison, wait_for
from psycopg.rows import dict_row

from newsdesk.config import HttpSettings, Settings
from newsdesk.fetch import CUT_OFF, Fetcher
from newsdesk.models import Feed
from newsdesk.pipeline.articles import fetch_and_store_pages
from newsdesk.pipeline.polling import poll_feeds
from newsdesk.store.feeds import due_feeds, sync_feeds
from tests.conftest import one

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
BIG_FEED_ITEMS = 100_000
HEALTHY = 50


def _feed_states(conn, now, urls: list[str]):
    states = {s.url: s for s in due_feeds(conn, now)}
    return [states[u] for u in urls]


def test_a_feed_of_100000_items_does_not_starve_a_healthy_feed(clean_db, fs) -> None:
    pz = load_poison()
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    with fs.FaultServer() as server:
        # every item of the big feed links to /big?i=N: one page body for all of them
        server.route("/big", fs.respond(200, pz.healthy_page(1), HTML))
        big_items = "".join(
            f"<item><guid>b{i}</guid><link>{server.url(f'/big?i={i}')}</link></item>" for i in range(BIG_FEED_ITEMS)
        )
        big_rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>{big_items}</channel></rss>'
        big = server.route("/big.xml", fs.respond(200, big_rss.encode(), RSS))
        healthy_pages = [
            server.route(f"/healthy/{i}.html", fs.respond(200, pz.healthy_page(1000 + i), HTML)) for i in range(HEALTHY)
        ]
        healthy = server.route("/healthy.xml", fs.respond(200, pz.rss([(u, u, "t") for u in healthy_pages]), RSS))
        http = HttpSettings(allow_private=(server.host_port,), per_host_delay_s=0.0, per_host_concurrency=8)
        settings = Settings(http=http)
        with psycopg.connect(clean_db, row_factory=dict_row) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, [Feed(big, "big"), Feed(healthy, "healthy")])
            conn.commit()
            # the big feed first: its 100,000 pages are older than the healthy feed's 50
            polled = poll_feeds(
                conn, fetcher, _feed_states(conn, now, [big]), settings, now=now - timedelta(minutes=10)
            )
            assert polled.new_entries == BIG_FEED_ITEMS
            assert (
                poll_feeds(conn, fetcher, _feed_states(conn, now, [healthy]), settings, now=now).new_entries == HEALTHY
            )
            # one run of one shard
            summary = fetch_and_store_pages(conn, fetcher, settings, now=now, limit=500)
            rows = conn.execute(
                """SELECT f.name, count(*) AS n FROM pages p JOIN feeds f USING (feed_id)
                    WHERE p.article_id IS NOT NULL GROUP BY f.name"""
            ).fetchall()
            stored = {r["name"]: r["n"] for r in rows}
    assert summary.pages == 500 and summary.failed == 0 and summary.stored == 500
    assert stored == {"healthy": HEALTHY, "big": 500 - HEALTHY}


def _trickle(seconds: float, ended: dict[str, float], key: str):
    """Headers, then one byte every half second for ``seconds`` (each read is quick, the whole is
    not); records when the client hung up."""

    def handler(conn, request):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                conn.sendall(b" ")
                time.sleep(0.5)
        except OSError:
            ended[key] = time.monotonic()  # the client went away
            return
        ended[key] = float("inf")  # never cut off

    return handler


def test_trickling_pages_are_cut_off_at_the_budget_and_finished_articles_commit_meanwhile(clean_db, fs) -> None:
    pz = load_poison()
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    budget_s = 6.0
    hung_up: dict[str, float] = {}
    with fs.FaultServer() as slow, fs.FaultServer() as site:
        # 8 pages on a host that trickles (two at a time per host: two in flight at the budget)
        slow_pages = [slow.route(f"/slow/{i}", _trickle(120, hung_up, f"/slow/{i}")) for i in range(8)]
        good_pages = [
            site.route(f"/good/{i}.html", fs.respond(200, pz.healthy_page(3000 + i), HTML)) for i in range(20)
        ]
        links = [*slow_pages, *good_pages]
        feed = site.route("/feed.xml", fs.respond(200, pz.rss([(u, u, "t") for u in links]), RSS))
        http = HttpSettings(
            allow_private=(slow.host_port, site.host_port),
            per_host_delay_s=0.0,
            per_host_concurrency=2,
            total_timeout_s=30.0,
        )
        settings = Settings(http=http, fetch_budget_s=budget_s)
        with psycopg.connect(clean_db, row_factory=dict_row) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, [Feed(feed, "mixed")])
            conn.commit()
            poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
            result: dict = {}
            worker = threading.Thread(
                target=lambda: result.update(
                    summary=fetch_and_store_pages(conn, fetcher, settings, now=now), ended=time.monotonic()
                )
            )
            started = time.monotonic()
            worker.start()
            # the 20 finished articles are visible to other workers while the stragglers trickle
            with psycopg.connect(clean_db) as observer:

                def committed() -> bool:
                    return one(observer.execute("SELECT count(*) FROM articles"))[0] == len(good_pages)

                wait_for(committed, timeout=budget_s, what="the finished articles to be committed")
                assert worker.is_alive(), "the task had already ended: nothing shows it committed in time"
            worker.join(timeout=120)
            assert not worker.is_alive()
            pages = {
                r["url"]: r
                for r in conn.execute("SELECT url, status, reason, attempts, next_attempt_at FROM pages").fetchall()
            }
    summary = result["summary"]
    assert summary.stored == len(good_pages)
    assert summary.cut_off == 2 and summary.deferred == 6  # in flight at the budget / never started
    cut = [u for u in slow_pages if pages[u]["status"] == "fetch_failed"]
    untouched = [u for u in slow_pages if pages[u]["status"] == "pending"]
    assert len(cut) == 2 and len(untouched) == 6
    for url in cut:  # retried later, with the reason
        assert CUT_OFF in pages[url]["reason"] and pages[url]["attempts"] == 1 and pages[url]["next_attempt_at"] > now
    for url in untouched:  # not their fault: queued as they were
        assert pages[url]["attempts"] == 0 and pages[url]["next_attempt_at"] <= now
    # the task let go of every straggler's connection long before the trickle (120 s) would end
    wait_for(lambda: len(hung_up) == len(cut), timeout=30, what="the trickling server to see the hang-ups")
    assert sorted(hung_up) == sorted(p.split(slow.host_port)[1] for p in cut)
    assert all(at - started < 60 for at in hung_up.values())
    assert all(pages[u]["status"] == "ok" for u in good_pages)


def test_a_trickling_feed_is_cut_off_at_the_budget_and_the_others_are_recorded(clean_db, fs) -> None:
    pz = load_poison()
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    hung_up: dict[str, float] = {}
    with fs.FaultServer() as server:
        good = [
            server.route(f"/good{i}.xml", fs.respond(200, pz.rss([(f"g{i}", server.url(f"/p{i}"), "t")]), RSS))
            for i in range(3)
        ]
        slow = server.route("/slow.xml", _trickle(120, hung_up, "/slow.xml"))
        http = HttpSettings(allow_private=(server.host_port,), per_host_delay_s=0.0, per_host_concurrency=4)
        settings = Settings(http=http, fetch_budget_s=3.0)
        with psycopg.connect(clean_db, row_factory=dict_row) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, [Feed(u, u) for u in [*good, slow]])
            conn.commit()
            summary = poll_feeds(conn, fetcher, due_feeds(conn, now), settings, now=now)
            polls = {
                r["url"]: r
                for r in conn.execute(
                    "SELECT f.url, x.status, x.error, x.entries_new FROM feed_fetches x JOIN feeds f USING (feed_id)"
                ).fetchall()
            }
        wait_for(lambda: "/slow.xml" in hung_up, timeout=30, what="the trickling server to see the hang-up")
    assert (summary.feeds, summary.ok, summary.errors, summary.new_entries) == (4, 3, 1, 3)
    assert [polls[u]["status"] for u in good] == ["ok"] * 3
    assert polls[slow]["status"] == "temporary" and polls[slow]["error"] == CUT_OFF
