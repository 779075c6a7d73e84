"""Write the offline sample's archive files from the sample site, reproducibly.

    .venv/bin/python scripts/make_sample_archive.py

``seeds/sample/archive/hetdagblad-2025-03.warc.gz``: every page of ``seeds/sample/site`` as a
crawler would have captured it from ``https://www.hetdagblad.example`` (HTML pages, the feeds
and robots.txt, which the backfill skips as not HTML, and a 404), with capture dates taken from
the pages. Record ids are derived from URL and date, so the same site gives the same file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.sources.warc import Response, write_warc

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "seeds" / "sample" / "site"
OUT = ROOT / "seeds" / "sample" / "archive" / "hetdagblad-2025-03.warc.gz"
HOST = "https://www.hetdagblad.example"
_PUBLISHED = re.compile(rb'"datePublished"\s*:\s*"([^"]+)"|article:published_time"\s+content="([^"]+)"')
DEFAULT_DATE = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".txt": "text/plain",
}


def _captured(body: bytes) -> datetime:
    """An hour after the page says it was published (the crawler came by later)."""
    match = _PUBLISHED.search(body)
    if not match:
        return DEFAULT_DATE
    value = (match.group(1) or match.group(2)).decode()
    published = datetime.fromisoformat(value.replace("Z", "+00:00"))
    published = published if published.tzinfo else published.replace(tzinfo=UTC)
    return published.astimezone(UTC).replace(microsecond=0) + timedelta(hours=1)


def responses() -> list[Response]:
    out = []
    for path in sorted(p for p in SITE.rglob("*") if p.is_file()):
        body = path.read_bytes()
        url = f"{HOST}/{path.relative_to(SITE).as_posix()}"
        out.append(
            Response(url, body, _captured(body), content_type=TYPES.get(path.suffix, "application/octet-stream"))
        )
    out.append(
        Response(f"{HOST}/nieuws/verdwenen.html", b"<html><body>Niet gevonden</body></html>", DEFAULT_DATE, status=404)
    )
    return out


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("wb") as out:
        written = write_warc(out, responses())
    print(f"{OUT.relative_to(ROOT)}: {written} records, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
