"""Write the offline sample's archive files from the sample site, reproducibly.

    .venv/bin/python scripts/make_sample_archive.py

* ``seeds/sample/site/sitemap-news.xml``: a Google News sitemap of the site's articles (title,
  publication date, language), and ``sitemap_index.xml``, the index that lists it (robots.txt
  names the index). URLs use the site's ``{{BASE_URL}}`` placeholder, as its feeds do.
* ``seeds/sample/archive/hetdagblad-2025-03.warc.gz``: every file of ``seeds/sample/site`` as a
  crawler would have captured it from ``https://www.hetdagblad.example`` (HTML pages; the feeds,
  sitemaps and robots.txt, which the backfill skips as not HTML; and a 404), captured an hour
  after each page says it was published. Record ids derive from URL and date, so the same site
  gives the same file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from newsdesk.sample import PLACEHOLDER, render
from newsdesk.sources.warc import Response, write_warc

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "seeds" / "sample" / "site"
OUT = ROOT / "seeds" / "sample" / "archive" / "hetdagblad-2025-03.warc.gz"
HOST = "https://www.hetdagblad.example"
# JSON-LD datePublished, else the Open Graph article:published_time, else a <time datetime>.
_PUBLISHED = re.compile(
    r'"datePublished"\s*:\s*"([^"]+)"|published_time"\s+content="([^"]+)"|<time[^>]*datetime="([^"]+)"'
)
_TITLE = re.compile(r"<title>([^<]*)</title>")
DEFAULT_DATE = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".txt": "text/plain",
}
TEXT = (".html", ".xml", ".atom", ".json", ".txt")


def _published(text: str) -> datetime | None:
    match = _PUBLISHED.search(text)
    if not match:
        return None
    published = datetime.fromisoformat(next(g for g in match.groups() if g))
    return published if published.tzinfo else published.replace(tzinfo=UTC)


def articles() -> list[tuple[str, str, datetime | None]]:
    """(path, title, published) of the site's article pages."""
    out = []
    for path in sorted(SITE.glob("*/20*/**/*.html")):
        text = path.read_text(encoding="utf-8")
        match = _TITLE.search(text)
        title = match.group(1).rsplit(" | ", 1)[0].strip() if match else path.stem
        out.append((path.relative_to(SITE).as_posix(), title, _published(text)))
    return out


def news_sitemap() -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    for path, title, published in articles():
        lines.append(f"  <url><loc>{PLACEHOLDER}/{path}</loc>")
        lines.append("    <news:news><news:publication><news:name>Het Dagblad</news:name>")
        lines.append("      <news:language>nl</news:language></news:publication>")
        if published is not None:
            lines.append(f"      <news:publication_date>{published.isoformat()}</news:publication_date>")
        lines.append(f"      <news:title>{escape(title, quote=False)}</news:title></news:news></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_index() -> str:
    latest = max((p for _, _, p in articles() if p is not None), default=DEFAULT_DATE)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <sitemap><loc>{PLACEHOLDER}/sitemap-news.xml</loc><lastmod>{latest.isoformat()}</lastmod></sitemap>\n"
        "</sitemapindex>\n"
    )


def responses() -> list[Response]:
    out = []
    for path in sorted(p for p in SITE.rglob("*") if p.is_file()):
        body = path.read_bytes()
        if path.suffix in TEXT:
            body = render(body.decode("utf-8"), HOST).encode("utf-8")
        published = _published(body.decode("utf-8", "replace")) if path.suffix == ".html" else None
        captured = (published.astimezone(UTC) + timedelta(hours=1)) if published else DEFAULT_DATE
        url = f"{HOST}/{path.relative_to(SITE).as_posix()}"
        out.append(Response(url, body, captured, content_type=TYPES.get(path.suffix, "application/octet-stream")))
    gone = b"<html><body>Niet gevonden</body></html>"
    out.append(Response(f"{HOST}/nieuws/verdwenen.html", gone, DEFAULT_DATE, status=404))
    return out


def main() -> None:
    (SITE / "sitemap-news.xml").write_text(news_sitemap(), encoding="utf-8")
    (SITE / "sitemap_index.xml").write_text(sitemap_index(), encoding="utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("wb") as out:
        written = write_warc(out, responses())
    print(f"{OUT.relative_to(ROOT)}: {written} records, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
