"""Hostile input sweep: hostile pages and feeds through the whole path (newsdesk_ingest, then
newsdesk_analyze), served by the fault-injecting server. Zero crashes: both DAG runs succeed;
every feed poll and every page ends with a recorded status, and a reason when it is not ok.

Everything hostile is generated here: deeply nested HTML, a 10 MB page, invalid UTF-8 and NUL
bytes, a page of scripts only, binary junk, an empty body, a gzip bomb, a truncated body, a
server that never answers, absurd metadata, a redirect to the cloud-metadata address; feeds that
are an entity-expansion bomb, binary junk, 100k levels deep, JSON of the wrong shape, an HTML
page, and a valid feed whose entries carry javascript:, file:, data: and over-long links.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import psycopg
import pytest
from faultkit import PROJECT_DIR

from newsdesk.sample import render

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
SEED_PAGE = PROJECT_DIR / "seeds" / "sample" / "site" / "nieuws" / "2025" / "03" / "coalitie-vredesplan-oekraine.html"
SENTENCE = (
    "De gemeenteraad van Utrecht besprak dinsdag het plan om de binnenstad autovrij te maken; "
    "wethouder De Vries wil dat voor 2027 regelen, zei zij tegen verslaggevers in het stadhuis."
)
NOT_AN_ARTICLE = {"no_text", "too_short", "not_article"}


def _article(paragraphs: list[bytes], head: bytes = b"<title>Autovrije binnenstad</title>") -> bytes:
    body = b"".join(b"<p>" + p + b"</p>\n" for p in paragraphs)
    return b"<!doctype html><html><head>" + head + b"</head><body><article>" + body + b"</article></body></html>"


def _ten_megabytes() -> bytes:
    """A 10 MB article page: distinct paragraphs of prose until the page weighs 10,000,000 bytes."""
    paragraphs, size, i = [], 0, 0
    while size < 10_000_000 - 200:
        p = f"Alinea {i}: {SENTENCE}".encode()
        paragraphs.append(p)
        size += len(p) + 8
        i += 1
    page = _article(paragraphs)
    return page[:10_000_000] if len(page) > 10_000_000 else page + b" " * (10_000_000 - len(page))


def _invalid_utf8() -> bytes:
    """Declared UTF-8, with stray continuation bytes, overlong forms, lone surrogates and NULs."""
    junk = [b"\xff\xfe", b"\x80\x81", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\xf8\x88\x80\x80\x80"]
    return _article([SENTENCE.encode().replace(b" ", b" " + junk[i % len(junk)], 3) for i in range(12)])


def _hostile_metadata() -> bytes:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Kop\u0000" + "x" * 100_000,
        "datePublished": "0001-01-01T00:00:00+14:00",
        "dateModified": "99999-99-99",
        "author": [{"@type": "Person", "name": f"Auteur {i}"} for i in range(5_000)],
    }
    head = b'<script type="application/ld+json">' + json.dumps(ld).encode() + b"</script>"
    head += b'<meta property="article:published_time" content="not a date">'
    return _article([f"Alinea {i}: {SENTENCE}".encode() for i in range(8)], head)


def hostile_pages(fs) -> dict[str, tuple[object, set[str]]]:
    """{path: (handler, the statuses that are a right answer)}."""
    junk = random.Random(7).randbytes(200_000)
    return {
        "/h/control.html": (None, {"ok"}),  # the seed article: proves the path works at all
        "/h/nested.html": (
            fs.respond(200, b"<html><body>" + b"<div>" * 100_000 + b"<p>Diep.</p>" + b"</div>" * 100_000, HTML),
            NOT_AN_ARTICLE,
        ),
        "/h/ten-megabytes.html": (fs.respond(200, _ten_megabytes(), HTML), {"ok"}),
        "/h/invalid-utf8.html": (fs.respond(200, _invalid_utf8(), HTML), {"ok"}),
        "/h/scripts-only.html": (
            fs.respond(
                200,
                b"<html><head><script>"
                + b"var a=1;" * 20_000
                + b"</script></head><body>"
                + b"<script>document.write('<p>hallo</p>')</script>" * 50
                + b"</body></html>",
                HTML,
            ),
            NOT_AN_ARTICLE,
        ),
        "/h/binary.html": (fs.respond(200, junk, HTML), {"error"}),
        "/h/empty.html": (fs.respond(200, b"", HTML), {"no_text", "fetch_failed"}),
        "/h/gzip-bomb.html": (fs.gzip_bomb(30_000_000), {"fetch_failed"}),
        "/h/truncated.html": (fs.truncated(_article([SENTENCE.encode()])[:200], 100_000, HTML), {"fetch_failed"}),
        "/h/never-answers.html": (fs.silent(3.0), {"fetch_failed"}),
        # absurd metadata (a NUL in a 100,000-character headline, 5,000 authors, impossible dates):
        # the NUL is dropped at extraction, the rest is stored as it is or ignored
        "/h/metadata.html": (fs.respond(200, _hostile_metadata(), HTML), {"ok"}),
        "/h/to-metadata-ip.html": (fs.redirect("http://169.254.169.254/latest/meta-data/"), {"blocked"}),
    }


BAD_LINKS = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "mailto:redactie@example.org",
]


def _rss(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def hostile_feeds(fs, server, pages: list[str]) -> dict[str, object]:
    items = [f"<item><guid>{p}</guid><title>{p}</title><link>{server.url(p)}</link></item>" for p in pages]
    items += [
        f"<item><guid>bad-{i}</guid><link>{link.replace('<', '&lt;')}</link></item>" for i, link in enumerate(BAD_LINKS)
    ]
    items += [
        f"<item><guid>long</guid><link>{server.url('/h/' + 'x' * 5_000)}</link></item>",  # longer than any URL key
        "<item><guid>no-link</guid><title>zonder link</title></item>",
        f"<item><guid>{pages[0]}</guid><link>{server.url('/h/same-guid-again.html')}</link></item>",  # guid reused
    ]
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
        )
        + b']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>'
    )
    broken_json = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": 5, "items": [{"id": 1, "url": ["x"]}, "s", None, 7]}
    ).encode()
    return {
        "/f/pages.xml": fs.respond(200, _rss(items), RSS),
        "/f/entity-bomb.xml": fs.respond(200, laughs, RSS),
        "/f/junk.xml": fs.respond(200, random.Random(8).randbytes(100_000), RSS),
        "/f/deep.xml": fs.respond(200, _rss(["<item>" * 100_000 + "</item>" * 100_000]), RSS),
        "/f/wrong-shape.json": fs.respond(200, broken_json, {"Content-Type": "application/feed+json"}),
        "/f/a-page.xml": fs.respond(200, SEED_PAGE.read_bytes(), HTML),
    }


@pytest.fixture
def hostile_site(fs):
    with fs.FaultServer() as server:
        pages = hostile_pages(fs)
        for path, (handler, _) in pages.items():
            if handler is None:
                handler = fs.respond(200, render(SEED_PAGE.read_text(encoding="utf-8"), server.url("")).encode(), HTML)
            server.route(path, handler)
        feeds = hostile_feeds(fs, server, list(pages))
        for path, handler in feeds.items():
            server.route(path, handler)
        yield server, {server.url(p): ok for p, (_, ok) in pages.items()}, [server.url(p) for p in feeds]


def test_hostile_pages_and_feeds_all_end_with_a_recorded_status(clean_db, dag_runner, hostile_site, tmp_path):
    server, expected, feed_urls = hostile_site
    feeds_file = tmp_path / "hostile-feeds.toml"
    feeds_file.write_text("".join(f'[[feed]]\nurl = "{u}"\nname = "{u.rsplit("/", 1)[1]}"\n\n' for u in feed_urls))
    env = {
        "NEWSDESK_FEEDS_FILE": str(feeds_file),
        "NEWSDESK_ALLOW_PRIVATE": server.host_port,  # this server only: 169.254.169.254 stays forbidden
        "NEWSDESK_READ_TIMEOUT": "1",
        "NEWSDESK_PER_HOST_DELAY": "0",
        "NEWSDESK_PER_HOST_CONCURRENCY": "4",
    }
    # zero crashes: every task of both DAG runs succeeds
    dag_runner.run(clean_db, "newsdesk_ingest", datetime(2025, 6, 5, tzinfo=UTC), env=env)
    dag_runner.run(clean_db, "newsdesk_analyze", datetime(2025, 6, 5, 1, tzinfo=UTC), env=env)

    with psycopg.connect(clean_db) as conn:
        polls = conn.execute(
            """SELECT f.url, f.last_status, x.status, x.error, x.entries_seen
                 FROM feeds f JOIN feed_fetches x USING (feed_id) ORDER BY f.url"""
        ).fetchall()
        pages = conn.execute("SELECT p.url, p.status, p.reason, p.article_id FROM pages p ORDER BY p.url").fetchall()
        analysed, unanalysed = conn.execute(
            "SELECT count(analyzed_at), count(*) - count(analyzed_at) FROM articles"
        ).fetchone()
        analysis_failed = conn.execute(
            "SELECT sum((counts->>'failed')::int) FROM pipeline_runs WHERE task_id = 'analyze_articles'"
        ).fetchone()[0]
        runs = conn.execute("SELECT task_id, status, error FROM pipeline_runs").fetchall()

    # every feed polled once, its status on the feed and in the fetch log, a reason when not ok
    assert sorted(url for url, *_ in polls) == sorted(feed_urls)
    for url, last_status, status, error, _ in polls:
        assert last_status == status, url
        assert status == "ok" or error, (url, status)
    listing = next(p for p in polls if p[0].endswith("/f/pages.xml"))
    assert listing[2] == "ok"
    # every page of the listing is known (nothing dropped), links that can never be pages are not
    page_status = {url: (status, reason, article_id) for url, status, reason, article_id in pages}
    assert set(expected) <= set(page_status)
    assert not [u for u in page_status if u.startswith(("javascript:", "file:", "data:", "mailto:"))]
    assert not [u for u in page_status if len(u) > 2048]
    # every page ends with a status: an article, or the reason it is none
    for url, (status, reason, article_id) in page_status.items():
        assert status != "pending", url
        assert (status == "ok") == (article_id is not None), (url, status)
        assert status == "ok" or reason, (url, status)
    # and the right one for what it is
    wrong = {
        url.rsplit("/", 1)[1]: page_status[url][:2] for url, ok in expected.items() if page_status[url][0] not in ok
    }
    assert wrong == {}
    # the stored articles went through analysis too: analysed, or counted as failed in the run's
    # record (and left unanalysed, to be tried again) when spaCy cannot take the text
    assert analysed > 0 and unanalysed == analysis_failed
    # every task run recorded as a success
    assert runs and all(status == "success" and error is None for _, status, error in runs), runs
