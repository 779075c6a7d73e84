"""A backfill worker killed with SIGKILL in the middle of a WARC file: the next reading resumes
at the record the last commit reached, and every page ends stored exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from faultkit import wait_for

from newsdesk.sources.warc import Response, write_warc
from tests.conftest import one

PAGES = 240
CHILD = r"""
import sys
from datetime import datetime
from newsdesk.config import Settings
from newsdesk.pipeline.backfill import backfill_file
from newsdesk.store.db import connect

with connect(sys.argv[1]) as conn:
    backfill_file(conn, sys.argv[2], Settings(), now=datetime.fromisoformat(sys.argv[3]))
print("child finished", flush=True)
"""


def _page(i: int) -> Response:
    words = " ".join(f"onderwerp{i}w{j}" for j in range(80))
    body = f"""<html lang="nl"><head><title>Raadsbesluit {i}</title></head><body><article>
<h1>De raad besluit over voorstel {i}</h1>
<p>De gemeenteraad heeft besloten voorstel {i} uit te voeren. {words}.</p>
<p>De wethouder belooft de bewoners voor de zomer een brief over de uitvoering van het plan.</p>
</article></body></html>"""
    return Response(f"https://archief.example/raad/{i}.html", body.encode(), datetime(2025, 3, 3, tzinfo=UTC))


def test_killed_backfill_resumes_and_stores_each_page_once(clean_db: str, tmp_path: Path) -> None:
    warc = tmp_path / "raad.warc.gz"
    with warc.open("wb") as out:
        write_warc(out, [_page(i) for i in range(PAGES)])
    now = datetime(2026, 1, 5, tzinfo=UTC).isoformat()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, clean_db, str(warc), now],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )

    def committed() -> int:
        with psycopg.connect(clean_db) as conn:
            row = conn.execute("SELECT next_offset FROM backfill_files").fetchone()
        return row[0] if row else 0

    try:
        wait_for(committed, timeout=120, what="the child's first commit")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    with psycopg.connect(clean_db) as conn:
        before = one(conn.execute("SELECT count(*) FROM articles"))[0]
        state = one(conn.execute("SELECT status, next_offset FROM backfill_files"))
    assert 0 < before < PAGES and state[0] == "running"

    done = subprocess.run(
        [sys.executable, "-c", CHILD, clean_db, str(warc), now],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with psycopg.connect(clean_db) as conn:
        articles = conn.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
        captures = conn.execute("SELECT count(*), count(DISTINCT page_id) FROM warc_captures").fetchone()
        pages = one(conn.execute("SELECT count(*) FROM pages WHERE article_id IS NULL"))[0]
        state = one(conn.execute("SELECT status, counts FROM backfill_files"))
    assert articles == (PAGES, PAGES)
    assert captures == (PAGES, PAGES)
    assert pages == 0
    assert state[0] == "done"
    # the counts of the first reading (up to its last commit) and of the resumed one add up
    assert state[1]["new"] == PAGES
