"""Benchmark: poll 1,000 feeds of 50 items served from 127.0.0.1 with the real code path
(Fetcher -> poll_feeds -> apply_polls) into a fresh PostgreSQL database.

Figures: wall and CPU time of a cold poll (everything new), and CPU time per feed of a second
poll where nothing changed, with the rows written by it counted. By default the feed server
ignores conditional requests (every poll is a 200 with the same body: the body-hash path, the
expensive case); ``--etag`` makes it answer 304 instead.

CPU is this process's, all threads (the feed server runs in a subprocess; PostgreSQL is not
counted). On a shared machine compare CPU figures rather than wall times, and read them with
the load average printed.

    .venv/bin/python bench/poll.py [--feeds 1000] [--items 50] [--etag]

The load figure of the fault-tolerance table is ``--feeds 10000``: peak memory of the poller and
every feed accounted for in feed_fetches (the script fails otherwise).
Database: NEWSDESK_DATABASE_URL (a fresh database is created on that server and dropped), else
the embedded server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# --- the feed server (runs in a subprocess so its CPU is not counted as ours) ----------------------


def feed_body(feed: int, items: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {feed}</title><link>https://bench{feed % 50}.example.nl/</link>"
        "<description>bench</description><language>nl</language>"
    ]
    for item in range(items):
        minute = item * 17 + feed % 13
        parts.append(
            f"<item><title>Bericht {item} van feed {feed}: minister belooft actie</title>"
            f"<link>https://bench{feed % 50}.example.nl/artikel/{feed}-{item}?utm_source=rss</link>"
            f'<guid isPermaLink="false">bench-{feed}-{item}</guid>'
            f"<description>&lt;p&gt;Samenvatting van bericht {item} in feed {feed}, met wat tekst "
            f"om het realistisch te houden.&lt;/p&gt;</description>"
            f"<pubDate>Tue, 04 Mar 2025 {10 + minute // 60 % 12:02d}:{minute % 60:02d}:00 +0100</pubDate>"
            f'<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Redactie</dc:creator></item>'
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def serve(port_file: str, feeds: int, items: int, etag: bool) -> None:
    bodies = {f"/feed/{i}": feed_body(i, items) for i in range(feeds)}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                body = bodies.get(path)
                tag = f'"{path}"'
                if body is None:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif etag and headers.get("if-none-match") == tag:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {tag}\r\nContent-Length: 0\r\n\r\n".encode())
                else:
                    extra = f"ETag: {tag}\r\n" if etag else ""
                    writer.write(
                        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n{extra}"
                        f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- the benchmark -----------------------------------------------------------------------------


def counts(conn) -> dict[str, int]:
    return {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("pages", "feed_entries", "feed_fetches")
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg
    from _common import one, scratch_database  # puts plugins/ on the path; here so tests can import feed_body

    from newsdesk.config import HttpSettings, Settings
    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.polling import poll_feeds
    from newsdesk.store.feeds import due_feeds, sync_feeds

    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    port_file = tmp / "port"
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port_file),
            "--feeds",
            str(args.feeds),
            "--items",
            str(args.items),
        ]
        + (["--etag"] if args.etag else [])
    )
    with ExitStack() as cleanup:  # unwinds in reverse: the database is dropped, then the server stops
        cleanup.callback(server.wait, timeout=10)
        cleanup.callback(server.terminate)
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        port = int(port_file.read_text())
        url, _ = cleanup.enter_context(scratch_database(tmp, "newsdesk_bench_poll"))
        http = HttpSettings(
            allow_private=(f"127.0.0.1:{port}",),
            # one local host stands in for 1,000 publishers: per-host politeness would measure
            # the delay, not the code, so it is opened up to the global bound here
            per_host_concurrency=args.concurrency,
            per_host_delay_s=0.0,
            concurrency=args.concurrency,
        )
        settings = Settings(database_url=url, http=http)
        feeds = [Feed(f"http://127.0.0.1:{port}/feed/{i}", f"bench {i}") for i in range(args.feeds)]
        with psycopg.connect(url) as conn, Fetcher(http) as fetcher:
            sync_feeds(conn, feeds)
            conn.commit()
            now = datetime.now(UTC) + timedelta(minutes=1)
            states = due_feeds(conn, now)
            load_before = os.getloadavg()[0]
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            cold = poll_feeds(conn, fetcher, states, settings, now=now)
            cold_wall, cold_cpu = time.perf_counter() - wall, time.process_time() - cpu
            cold_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            accounted = one(conn.execute("SELECT count(DISTINCT feed_id) FROM feed_fetches"))[0]
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            after_cold = counts(conn)

            later = now + timedelta(days=1)
            states = due_feeds(conn, later)
            conn.commit()
            wall, cpu = time.perf_counter(), time.process_time()
            warm = poll_feeds(conn, fetcher, states, settings, now=later)
            warm_wall, warm_cpu = time.perf_counter() - wall, time.process_time() - cpu
            after_warm = counts(conn)
            feeds_touched = one(conn.execute("SELECT count(*) FROM feeds WHERE updated_at = %s", (later,)))[0]
    written = {t: after_warm[t] - after_cold[t] for t in after_cold}
    return {
        "feeds": args.feeds,
        "items_per_feed": args.items,
        "server_mode": "etag/304" if args.etag else "ignores conditional requests (hash path)",
        "cold_wall_s": round(cold_wall, 2),
        "cold_cpu_s": round(cold_cpu, 2),
        "cold_cpu_ms_per_feed": round(cold_cpu * 1000 / max(cold.feeds, 1), 3),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cold_summary": cold.as_dict(),
        "cold_peak_rss_mb": round(cold_peak_mb, 1),
        "feeds_in_fetch_log": accounted,
        "cold_rows": after_cold,
        "warm_wall_s": round(warm_wall, 2),
        "warm_cpu_ms_per_feed": round(warm_cpu * 1000 / max(warm.feeds, 1), 3),
        "warm_summary": warm.as_dict(),
        "warm_rows_written": written,
        "warm_feed_rows_updated": feeds_touched,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--etag", action="store_true", help="the server honours If-None-Match (304)")
    parser.add_argument("--profile", help="write cProfile stats of the cold poll (main thread) to this file")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.feeds, args.items, args.etag)
        return
    result = run(args)
    rows = [
        ("feeds x items", f"{result['feeds']} x {result['items_per_feed']}"),
        ("server", result["server_mode"]),
        ("cold poll wall (s)", result["cold_wall_s"]),
        ("cold poll CPU (s)", result["cold_cpu_s"]),
        ("cold poll CPU per feed (ms)", result["cold_cpu_ms_per_feed"]),
        ("cold new entries", result["cold_summary"]["new_entries"]),
        ("peak RSS after the cold poll (MB)", result["cold_peak_rss_mb"]),
        ("feeds with a fetch-log row", f"{result['feeds_in_fetch_log']} of {result['feeds']}"),
        ("cold rows pages/feed_entries/feed_fetches", "/".join(str(v) for v in result["cold_rows"].values())),
        ("unchanged poll wall (s)", result["warm_wall_s"]),
        ("unchanged poll CPU per feed (ms)", result["warm_cpu_ms_per_feed"]),
        (
            "unchanged poll statuses",
            f"ok={result['warm_summary']['ok']} unchanged={result['warm_summary']['unchanged']} "
            f"not_modified={result['warm_summary']['not_modified']} "
            f"errors={result['warm_summary']['errors']}",
        ),
        (
            "rows written pages/feed_entries/feed_fetches",
            "/".join(str(v) for v in result["warm_rows_written"].values()),
        ),
        ("feed rows updated (schedule)", result["warm_feed_rows_updated"]),
        ("load average 1 min (start, end)", " ".join(str(v) for v in result["load_average_1m"])),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print(json.dumps(result))
    if result["feeds_in_fetch_log"] != result["feeds"]:
        raise SystemExit("not every feed is accounted for in feed_fetches")


if __name__ == "__main__":
    main()
