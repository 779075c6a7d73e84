"""Backfill from WARC files on real PostgreSQL: the offline sample's archive, filters,
idempotence, resuming, and damaged files (cut short, a gzip member cut, records that are not
HTML pages)."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from newsdesk.config import PROJECT_DIR, Settings
from newsdesk.errors import ArchiveError
from newsdesk.pipeline.backfill import BackfillFilter, backfill_file
from newsdesk.sources.warc import ReadStats, Response, iter_captures, write_warc
from newsdesk.store.db import connect

SAMPLE_WARC = PROJECT_DIR / "seeds" / "sample" / "archive" / "hetdagblad-2025-03.warc.gz"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SETTINGS = Settings()


def _page(i: int, host: str = "nieuws.example", day: int = 3) -> Response:
    words = " ".join(f"woord{i}x{j}" for j in range(60))
    body = f"""<html lang="nl"><head><title>Bericht {i}</title>
<meta property="article:published_time" content="2025-03-{day:02d}T09:00:00+01:00"></head>
<body><article><h1>Bericht {i} over de gemeenteraad</h1>
<p>De gemeenteraad van Utrecht heeft dinsdag besloten om het plan voor artikel {i} uit te voeren. {words}.</p>
<p>Wethouder Jansen zei dat de uitvoering in het voorjaar begint en dat de kosten binnen de begroting blijven.</p>
<p>De oppositie wil eerst een nieuw onderzoek naar de gevolgen voor de binnenstad en de bewoners.</p>
</article></body></html>"""
    return Response(f"https://{host}/artikel/{i}.html", body.encode(), datetime(2025, 3, day, 10, tzinfo=UTC))


def _warc(path: Path, responses: list[Response], *, gzip: bool = True) -> Path:
    with path.open("wb") as out:
        write_warc(out, responses, gzip=gzip)
    return path


def _rows(url: str, query: str) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query).fetchall()


def _backfill(url: str, location: Path | str, **kwargs: object):
    with connect(url) as conn:
        return backfill_file(conn, str(location), SETTINGS, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_sample_archive_stores_its_articles_once_with_provenance(clean_db: str) -> None:
    first = _backfill(clean_db, SAMPLE_WARC)
    assert first.status == "done", first
    counts = first.counts
    # 24 records: 17 HTML pages; the feeds, sitemaps and robots.txt (not HTML) and a 404 are skipped, counted
    assert counts["records"] == 24 and counts["responses"] == 17
    assert counts["skipped_not_html"] == 6 and counts["skipped_http_404"] == 1
    assert counts["new"] + counts.get("duplicates", 0) == 14 and counts["not_articles"] == 3
    articles = _rows(clean_db, "SELECT count(*) AS n FROM articles")[0]["n"]
    assert articles == 14
    provenance = _rows(
        clean_db,
        """SELECT p.url, p.source, p.next_attempt_at = 'infinity' AS parked, c.record_id, c.captured_at, a.fetched_at
             FROM warc_captures c JOIN pages p USING (page_id) LEFT JOIN articles a ON a.article_id = p.article_id
            ORDER BY p.url""",
    )
    assert len(provenance) == 17
    assert all(r["source"] == "warc" and r["parked"] for r in provenance)  # never downloaded
    assert all(r["record_id"].startswith("<urn:uuid:") for r in provenance)
    stored = [r for r in provenance if r["fetched_at"] is not None]
    assert stored and all(r["fetched_at"] == r["captured_at"] for r in stored)  # the crawler's date

    # Reading the file again: skipped; read again on request: nothing new.
    assert _backfill(clean_db, SAMPLE_WARC).status == "skipped"
    again = _backfill(clean_db, SAMPLE_WARC, again=True)
    assert again.status == "done" and again.counts["known"] == 14 and "new" not in again.counts
    assert _rows(clean_db, "SELECT count(*) AS n FROM articles")[0]["n"] == 14
    assert _rows(clean_db, "SELECT count(*) AS n FROM warc_captures")[0]["n"] == 17
    state = _rows(clean_db, "SELECT status, passes, next_offset FROM backfill_files")[0]
    assert state["status"] == "done" and state["passes"] == 2 and state["next_offset"] > 0


def test_filters_by_host_language_and_date(clean_db: str, tmp_path: Path) -> None:
    pages = [_page(1), _page(2, host="www.ander.example"), _page(3, day=20), _page(4, host="sport.nieuws.example")]
    english = _page(5)
    english = Response(
        english.url,
        b"<html lang='en'><body><article><h1>Council decides</h1><p>"
        + b"The city council decided on Tuesday to go ahead with the plan for the new bridge. " * 8
        + b"</p></article></body></html>",
        english.fetched_at,
    )
    warc = _warc(tmp_path / "mixed.warc.gz", [*pages, english])
    result = _backfill(
        clean_db,
        warc,
        filters=BackfillFilter(
            hosts=("nieuws.example",),
            languages=("nl",),
            since=datetime(2025, 3, 1, tzinfo=UTC),
            until=datetime(2025, 3, 10, tzinfo=UTC),
        ),
    )
    assert result.counts["filtered_host"] == 1  # www.ander.example
    assert result.counts["filtered_date"] == 1  # published on the 20th
    assert result.counts["filtered_language"] == 1
    assert result.counts["new"] == 2  # nieuws.example and its subdomain sport.nieuws.example
    urls = {r["url"] for r in _rows(clean_db, "SELECT url FROM pages")}
    assert urls == {"https://nieuws.example/artikel/1.html", "https://sport.nieuws.example/artikel/4.html"}


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "plain"])
def test_a_file_cut_short_keeps_what_came_before_and_resumes(clean_db: str, tmp_path: Path, compressed: bool) -> None:
    pages = [_page(i) for i in range(1, 9)]
    whole = _warc(tmp_path / "whole.warc", pages, gzip=compressed).read_bytes()
    offsets = [c.offset for c in iter_captures(io.BytesIO(whole), max_body_bytes=10**7)]
    location = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    location.write_bytes(whole[: offsets[5] + 200])  # the sixth record (a gzip member) cut short

    cut = _backfill(clean_db, location)
    assert cut.status == "failed" and "cut short" in (cut.reason or "")
    assert cut.counts["new"] == 5
    state = _rows(clean_db, "SELECT status, reason, next_offset FROM backfill_files")[0]
    assert state["status"] == "failed" and "cut short" in state["reason"]
    # resumes right after the fifth record (an uncompressed record's trailing blank lines aside)
    assert state["next_offset"] <= offsets[5] and whole[state["next_offset"] : offsets[5]].strip() == b""

    # Cut again at the same place: nothing is stored twice; then the whole file arrives.
    assert _backfill(clean_db, location).status == "failed"
    location.write_bytes(whole)
    resumed = _backfill(clean_db, location)
    assert resumed.status == "done" and resumed.counts["new"] == 8
    assert _rows(clean_db, "SELECT count(*) AS n FROM articles")[0]["n"] == 8
    assert _rows(clean_db, "SELECT count(*) AS n, count(DISTINCT page_id) AS d FROM warc_captures")[0] == {
        "n": 8,
        "d": 8,
    }


def test_records_that_are_not_html_pages_are_counted_and_skipped(clean_db: str, tmp_path: Path) -> None:
    when = datetime(2025, 3, 3, tzinfo=UTC)
    responses = [
        Response("https://nieuws.example/logo.png", b"\x89PNG\r\n\x1a\n", when, content_type="image/png"),
        Response("https://nieuws.example/weg.html", b"<html>weg</html>", when, status=404),
        Response("https://nieuws.example/groot.html", b"<html>" + b"x" * 2048 + b"</html>", when),
        _page(1),
    ]
    warc = _warc(tmp_path / "mixed.warc.gz", responses)
    small = Settings(http=SETTINGS.http.__class__(max_body_bytes=1024))
    with connect(clean_db) as conn:
        result = backfill_file(conn, str(warc), small, now=NOW)
    assert result.status == "done"
    assert result.counts["skipped_not_html"] == 1 and result.counts["skipped_http_404"] == 1
    assert result.counts["skipped_too_large"] == 2  # groot.html and the article itself (> 1 KiB)


def test_reader_refuses_what_is_not_a_warc(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError):
        list(iter_captures(io.BytesIO(b"<html>this is a web page, not an archive</html>" * 10), max_body_bytes=10**6))
    with pytest.raises(ArchiveError):
        list(iter_captures(io.BytesIO(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n")), max_body_bytes=10**6))


def test_a_missing_file_is_a_failed_file_with_its_reason(clean_db: str, tmp_path: Path) -> None:
    result = _backfill(clean_db, tmp_path / "nowhere.warc.gz")
    assert result.status == "failed" and "cannot open" in (result.reason or "")
    assert _rows(clean_db, "SELECT status FROM backfill_files")[0]["status"] == "failed"


def test_remote_archives_go_through_the_ssrf_guard(clean_db: str) -> None:
    result = _backfill(clean_db, "http://169.254.169.254/latest/file.warc.gz")
    assert result.status == "failed" and "refused" in (result.reason or "")


def test_sample_archive_is_reproducible() -> None:
    """The committed sample is what scripts/make_sample_archive.py writes from the sample site."""
    import runpy

    module = runpy.run_path(str(PROJECT_DIR / "scripts" / "make_sample_archive.py"))
    out = io.BytesIO()
    write_warc(out, module["responses"]())
    assert out.getvalue() == SAMPLE_WARC.read_bytes()
    stats = ReadStats()
    assert len(list(iter_captures(io.BytesIO(out.getvalue()), max_body_bytes=10**7, stats=stats))) == 17


def test_cli_reports_each_file_and_fails_for_a_bad_one(clean_db: str, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    missing = tmp_path / "weg.warc.gz"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdesk.cli",
            "backfill",
            "warc",
            "--database-url",
            clean_db,
            "--no-analyze",
            str(SAMPLE_WARC),
            str(missing),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["location"], r["status"]) for r in lines] == [(str(SAMPLE_WARC), "done"), (str(missing), "failed")]
    assert done.stderr.strip().splitlines() == [f"newsdesk backfill: {missing}: cannot open: No such file or directory"]
