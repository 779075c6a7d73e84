"""Poison pills: one feed or one page that stopped ingestion for everybody, on every run, until a
person intervened. Each is served next to a healthy feed of 50 pages and goes through the real
DAGs (newsdesk_ingest, then newsdesk_analyze) once; every test checks its own item and that
everything else was stored and every task succeeded.

* a JSON Feed with lone surrogates in every field; an RSS item with ``&#xD800;``
* a same-host canonical link of 3,000 characters (over the btree key limit)
* ~9 MB of distinct words (more than a tsvector holds)
* a lone surrogate in the JSON-LD headline and author
* a complete article marked as paywalled (kept, flagged, analysed)
* right-to-left overrides in title, byline and text; a Latin-1 page labelled UTF-8
* a direct link to the cloud-metadata address (blocked, not a robots.txt failure)
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from faultkit import load_poison
from psycopg.rows import dict_row

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
JSON_FEED = {"Content-Type": "application/feed+json"}
HEALTHY = 50
METADATA_LINK = "http://169.254.169.254/latest/meta-data/"
POISON_PAGES = ("long-canonical", "distinct-words", "surrogate-jsonld", "paywalled", "bidi", "latin1")


@pytest.fixture(scope="module")
def poisoned(fs, dag_runner, scratch_database, tmp_path_factory):
    """The site, one newsdesk_ingest and one newsdesk_analyze run; yields (database, server)."""
    pz = load_poison()
    url = scratch_database("newsdesk_poison")
    with fs.FaultServer() as server:
        healthy = [
            server.route(f"/healthy/{i}.html", fs.respond(200, pz.healthy_page(i), HTML)) for i in range(HEALTHY)
        ]
        server.route(
            "/healthy.xml", fs.respond(200, pz.rss([(f"h{i}", u, f"Bericht {i}") for i, u in enumerate(healthy)]), RSS)
        )
        json_links = [server.route(f"/pj/{i}.html", fs.respond(200, pz.healthy_page(100 + i), HTML)) for i in range(5)]
        server.route("/poison.json", fs.respond(200, pz.surrogate_json_feed(json_links), JSON_FEED))
        rss_links = [server.route(f"/pr/{i}.html", fs.respond(200, pz.healthy_page(200 + i), HTML)) for i in range(5)]
        server.route("/charref.xml", fs.respond(200, pz.charref_rss(rss_links), RSS))
        pages = {
            "long-canonical": pz.long_canonical_page(server.url("")),
            "distinct-words": pz.distinct_words_page(),
            "surrogate-jsonld": pz.surrogate_jsonld_page(),
            "paywalled": pz.paywalled_complete_page(),
            "bidi": pz.bidi_page(),
            "latin1": pz.latin1_page(),  # served as UTF-8: the header lies
        }
        links = {name: server.route(f"/p/{name}.html", fs.respond(200, body, HTML)) for name, body in pages.items()}
        links["forbidden"] = METADATA_LINK
        server.route("/pages.xml", fs.respond(200, pz.rss([(n, u, n) for n, u in links.items()]), RSS))
        feeds = {name: server.url(f"/{name}") for name in ("healthy.xml", "poison.json", "charref.xml", "pages.xml")}
        feeds_file = tmp_path_factory.mktemp("poison") / "feeds.toml"
        feeds_file.write_text("".join(f'[[feed]]\nurl = "{u}"\nname = "{n}"\n\n' for n, u in feeds.items()))
        env = {
            "NEWSDESK_FEEDS_FILE": str(feeds_file),
            "NEWSDESK_ALLOW_PRIVATE": server.host_port,  # this server only: the metadata address stays forbidden
            "NEWSDESK_PER_HOST_DELAY": "0",
            "NEWSDESK_PER_HOST_CONCURRENCY": "4",
        }
        dag_runner.run(url, "newsdesk_ingest", datetime(2025, 6, 7, tzinfo=UTC), env=env)
        dag_runner.run(url, "newsdesk_analyze", datetime(2025, 6, 7, 1, tzinfo=UTC), env=env)
        yield url, {"healthy": healthy, "json": json_links, "rss": rss_links, "pages": links, "feeds": feeds}


def _rows(url: str, query: str, params: tuple = ()) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def _article(url: str, page_url: str) -> dict:
    rows = _rows(
        url,
        """SELECT a.*, p.status AS page_status FROM pages p JOIN articles a USING (article_id)
            WHERE p.url = %s""",
        (page_url,),
    )
    assert len(rows) == 1, f"{page_url}: no article"
    return rows[0]


def assert_everything_else_stored(url: str, site: dict, *, item: str) -> None:
    """Every page but the forbidden link is an article, every feed polled ok, every task succeeded."""
    pages = {r["url"]: r for r in _rows(url, "SELECT url, status, reason, article_id FROM pages")}
    expected = [
        *site["healthy"],
        *site["json"],
        *site["rss"],
        *(u for n, u in site["pages"].items() if n != "forbidden"),
    ]
    missing = {
        u: (pages[u]["status"], pages[u]["reason"]) for u in expected if pages.get(u, {}).get("article_id") is None
    }
    assert missing == {}, f"besides {item}, pages not stored: {missing}"
    polls = {r["url"]: r["last_status"] for r in _rows(url, "SELECT url, last_status FROM feeds")}
    assert polls == dict.fromkeys(site["feeds"].values(), "ok")
    runs = _rows(url, "SELECT task_id, map_index, status, error FROM pipeline_runs")
    assert runs and all(r["status"] == "success" and r["error"] is None for r in runs), runs


def test_a_feed_with_lone_surrogates_is_stored_cleaned(poisoned) -> None:
    url, site = poisoned
    entries = _rows(
        url,
        """SELECT e.entry_guid, e.title, e.summary, e.authors FROM feed_entries e JOIN feeds f USING (feed_id)
            WHERE f.url = %s ORDER BY e.entry_guid""",
        (site["feeds"]["poison.json"],),
    )
    assert [e["entry_guid"] for e in entries] == [f"item-{i}-" for i in range(5)]
    assert entries[0]["title"] == "Kop 0 met een half teken"
    assert entries[0]["summary"] == "Samenvatting" and entries[0]["authors"] == ["Redactie"]
    for link in site["json"]:
        assert _article(url, link)["page_status"] == "ok"
    assert_everything_else_stored(url, site, item="the surrogate JSON Feed")


def test_an_rss_item_with_a_reference_to_no_character_costs_nothing_else(poisoned) -> None:
    url, site = poisoned
    entries = _rows(
        url,
        """SELECT e.entry_guid, e.title FROM feed_entries e JOIN feeds f USING (feed_id)
            WHERE f.url = %s ORDER BY e.entry_guid""",
        (site["feeds"]["charref.xml"],),
    )
    assert [e["entry_guid"] for e in entries] == [f"g{i}" for i in range(5)]
    assert entries[0]["title"] == "Kop 0 \ufffd stuk"
    (poll,) = _rows(
        url,
        "SELECT x.status, x.parse_problem FROM feed_fetches x JOIN feeds f USING (feed_id) WHERE f.url = %s",
        (site["feeds"]["charref.xml"],),
    )
    assert poll["status"] == "ok" and "replaced by U+FFFD" in poll["parse_problem"]
    assert_everything_else_stored(url, site, item="the &#xD800; RSS item")


def test_a_canonical_link_over_the_key_limit_gives_way_to_the_page_url(poisoned) -> None:
    url, site = poisoned
    article = _article(url, site["pages"]["long-canonical"])
    assert article["canonical_url"] == site["pages"]["long-canonical"]
    assert_everything_else_stored(url, site, item="the long canonical link")


def test_megabytes_of_distinct_words_are_stored_with_a_bounded_search_vector(poisoned) -> None:
    url, site = poisoned
    article = _article(url, site["pages"]["distinct-words"])
    assert len(article["text"]) > 1_000_000
    assert article["partial"] is True  # the page was cut before parsing
    (search,) = _rows(
        url, "SELECT length(search) AS lexemes FROM articles WHERE article_id = %s", (article["article_id"],)
    )
    assert 0 < search["lexemes"] < 100_000
    assert_everything_else_stored(url, site, item="the page of distinct words")


def test_a_lone_surrogate_in_the_json_ld_headline_is_cleaned(poisoned) -> None:
    url, site = poisoned
    article = _article(url, site["pages"]["surrogate-jsonld"])
    assert article["title"] == "Kop met half teken"
    assert article["authors"] == ["Auteur"]
    assert_everything_else_stored(url, site, item="the surrogate JSON-LD headline")


def test_a_paywalled_complete_article_keeps_its_text_and_is_analysed(poisoned) -> None:
    url, site = poisoned
    article = _article(url, site["pages"]["paywalled"])
    expected = load_poison().prose(9004, 120)
    assert article["text"].split("\n\n") == expected
    assert article["paywalled"] is True
    assert article["analyzed_at"] is not None
    assert_everything_else_stored(url, site, item="the paywalled article")


def test_bidirectional_controls_are_removed_from_every_field(poisoned) -> None:
    url, site = poisoned
    article = _article(url, site["pages"]["bidi"])
    controls = ("\u202e", "\u202c", "\u2066", "\u2069")
    for value in (article["title"], article["text"], *article["authors"]):
        assert not any(c in value for c in controls), value
    assert article["title"] == "Kop esrever"
    assert article["authors"] == ["Jan Jansen"]
    assert article["text"].startswith("Begin esrever en isolaat.")
    assert_everything_else_stored(url, site, item="the bidi page")


def test_a_latin1_page_labelled_utf8_is_stored_as_written(poisoned) -> None:
    url, site = poisoned
    article = _article(url, site["pages"]["latin1"])
    assert article["title"] == "Eén café, één façade"
    assert article["text"].startswith("Eén café aan de façade:")
    assert_everything_else_stored(url, site, item="the Latin-1 page")


def test_a_direct_link_to_a_forbidden_address_is_blocked_for_good(poisoned) -> None:
    url, site = poisoned
    (page,) = _rows(url, "SELECT status, reason, attempts FROM pages WHERE url = %s", (METADATA_LINK,))
    assert page["status"] == "blocked" and page["attempts"] == 1
    assert "metadata" in page["reason"] and "robots" not in page["reason"]
    assert_everything_else_stored(url, site, item="the forbidden link")
