"""Feeds table, due feeds, GUID matching and cross-feed de-duplication on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from newsdesk.config import PollSettings
from newsdesk.models import Feed, FeedEntry, FeedPoll, FetchStatus
from newsdesk.store.feeds import apply_poll, due_feeds, enable_feed, sync_feeds

# An hour ahead: feeds inserted during a long test session (next_poll_at = now()) are still due.
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
POLICY = PollSettings()


@pytest.fixture
def conn(clean_db):
    with psycopg.connect(clean_db, row_factory=dict_row) as connection:
        yield connection


def feed_row(conn, url: str) -> dict:
    return conn.execute("SELECT * FROM feeds WHERE url = %s", (url,)).fetchone()


def test_sync_inserts_updates_disables_and_reenables(conn):
    a, b, c = (f"https://{x}.example/rss" for x in "abc")
    first = sync_feeds(
        conn, [Feed(a, "A", poll_interval_s=600, tags=("x",)), Feed(b, "B"), Feed(c, "C", enabled=False)]
    )
    assert (first["inserted"], first["feeds"]) == (3, 3)
    assert feed_row(conn, a)["configured_interval_s"] == 600 and feed_row(conn, a)["tags"] == ["x"]
    assert (
        feed_row(conn, c)["enabled"] is False and feed_row(conn, c)["disabled_reason"] == "disabled in the feeds file"
    )
    again = sync_feeds(
        conn, [Feed(a, "A", poll_interval_s=600, tags=("x",)), Feed(b, "B"), Feed(c, "C", enabled=False)]
    )
    assert again["unchanged"] == 3
    # policy disables b; the file still says enabled: b stays disabled
    conn.execute(
        "UPDATE feeds SET enabled = false, disabled_reason = '10 consecutive hard failures' WHERE url = %s",
        (b,),
    )
    changed = sync_feeds(conn, [Feed(a, "A renamed"), Feed(b, "B"), Feed(c, "C", enabled=True)])
    assert (changed["updated"], changed["enabled"]) == (1, 1)
    assert feed_row(conn, a)["name"] == "A renamed" and feed_row(conn, a)["configured_interval_s"] is None
    assert feed_row(conn, c)["enabled"] is True and feed_row(conn, c)["disabled_reason"] is None
    assert feed_row(conn, b)["enabled"] is False
    # flipping the flag off and on again re-enables and clears the reason
    sync_feeds(conn, [Feed(a, "A renamed"), Feed(b, "B", enabled=False), Feed(c, "C")])
    sync_feeds(conn, [Feed(a, "A renamed"), Feed(b, "B"), Feed(c, "C")])
    row = feed_row(conn, b)
    assert row["enabled"] is True and row["disabled_reason"] is None and row["consecutive_hard_failures"] == 0
    # a feed left out of the file is disabled, not deleted; listing it again brings it back
    gone = sync_feeds(conn, [Feed(a, "A renamed"), Feed(b, "B")])
    assert gone["removed"] == 1 and feed_row(conn, c)["disabled_reason"] == "not in the feeds file"
    back = sync_feeds(conn, [Feed(a, "A renamed"), Feed(b, "B"), Feed(c, "C")])
    assert back["enabled"] == 1 and feed_row(conn, c)["enabled"] is True


def test_enable_feed_after_policy_disabling(conn):
    url = "https://x.example/rss"
    sync_feeds(conn, [Feed(url, "X")])
    apply_poll(conn, FeedPoll(feed_row(conn, url)["feed_id"], url, FetchStatus.HARD, NOW, 410), POLICY, now=NOW)
    assert feed_row(conn, url)["enabled"] is False
    assert enable_feed(conn, url) is True and feed_row(conn, url)["enabled"] is True
    assert enable_feed(conn, "https://nope.example/") is False


def test_due_feeds_shards_and_limit(conn):
    sync_feeds(conn, [Feed(f"https://f{i}.example/rss", str(i)) for i in range(10)])
    conn.execute("UPDATE feeds SET next_poll_at = %s WHERE url = 'https://f0.example/rss'", (NOW + timedelta(hours=1),))
    conn.execute("UPDATE feeds SET enabled = false WHERE url = 'https://f1.example/rss'")
    due = due_feeds(conn, NOW)
    assert len(due) == 8
    shards = [due_feeds(conn, NOW, shard=i, shards=3) for i in range(3)]
    assert sorted(s.feed_id for part in shards for s in part) == sorted(s.feed_id for s in due)
    assert all(s.feed_id % 3 == 1 for s in shards[1])
    assert len(due_feeds(conn, NOW, limit=2)) == 2
    with pytest.raises(ValueError):
        due_feeds(conn, NOW, shard=3, shards=3)


def entry(guid: str, link: str, title: str = "t") -> FeedEntry:
    return FeedEntry(guid=guid, link=link, title=title, authors=("A", "B"), published=NOW - timedelta(hours=1))


def test_guid_matching_and_one_page_for_two_feeds(conn):
    one, two = "https://one.example/rss", "https://two.example/rss"
    sync_feeds(conn, [Feed(one, "one"), Feed(two, "two")])
    id1, id2 = feed_row(conn, one)["feed_id"], feed_row(conn, two)["feed_id"]
    shared = "https://news.example/story"
    new = apply_poll(
        conn,
        FeedPoll(
            id1,
            one,
            FetchStatus.OK,
            NOW,
            200,
            body_hash="h1",
            entries=(
                entry("g1", shared),
                entry("g2", "https://news.example/other"),
                entry("g2", "https://news.example/dupe-in-same-poll"),
                FeedEntry(guid="nolink", link=None, title="x"),
            ),
        ),
        POLICY,
        now=NOW,
    )
    assert new == 2
    # the same story through another feed: a new entry of that feed, the same page
    assert (
        apply_poll(
            conn,
            FeedPoll(id2, two, FetchStatus.OK, NOW, 200, body_hash="h2", entries=(entry("other-guid", shared),)),
            POLICY,
            now=NOW,
        )
        == 1
    )
    pages = conn.execute("SELECT page_id, status FROM pages WHERE url = %s", (shared,)).fetchall()
    assert len(pages) == 1 and pages[0]["status"] == "pending"
    linked = conn.execute(
        "SELECT feed_id FROM feed_entries WHERE page_id = %s ORDER BY feed_id", (pages[0]["page_id"],)
    ).fetchall()
    assert [r["feed_id"] for r in linked] == [id1, id2]
    # a known guid whose link changed is not new, and no page is made for the new link
    later = NOW + timedelta(hours=1)
    assert (
        apply_poll(
            conn,
            FeedPoll(
                id1,
                one,
                FetchStatus.OK,
                later,
                200,
                body_hash="h3",
                entries=(entry("g1", "https://news.example/story-renamed"),),
            ),
            POLICY,
            now=later,
        )
        == 0
    )
    assert conn.execute("SELECT count(*) AS n FROM pages WHERE url LIKE '%%renamed'").fetchone()["n"] == 0
    stored = conn.execute("SELECT authors, published_at FROM feed_entries WHERE entry_guid = 'g1'").fetchone()
    assert stored["authors"] == ["A", "B"] and stored["published_at"] == NOW - timedelta(hours=1)
    fetches = conn.execute(
        "SELECT entries_seen, entries_new FROM feed_fetches WHERE feed_id = %s ORDER BY fetch_id", (id1,)
    ).fetchall()
    assert [(f["entries_seen"], f["entries_new"]) for f in fetches] == [(4, 2), (1, 0)]
    row = feed_row(conn, one)
    assert row["last_body_hash"] == "h3" and row["last_new_entry_at"] == NOW and row["last_success_at"] == later


def test_guid_known_through_article_sources_is_not_new(conn):
    url = "https://one.example/rss"
    sync_feeds(conn, [Feed(url, "one")])
    feed_id = feed_row(conn, url)["feed_id"]
    article = conn.execute(
        "INSERT INTO articles (canonical_url, url, text, content_hash) VALUES ('https://a.example/1', "
        "'https://a.example/1', 'x', 'h') RETURNING article_id"
    ).fetchone()["article_id"]
    conn.execute(
        "INSERT INTO article_sources (article_id, feed_id, entry_guid) VALUES (%s, %s, 'g-old')",
        (article, feed_id),
    )
    new = apply_poll(
        conn,
        FeedPoll(
            feed_id,
            url,
            FetchStatus.OK,
            NOW,
            200,
            entries=(entry("g-old", "https://a.example/1"), entry("g-new", "https://a.example/2")),
        ),
        POLICY,
        now=NOW,
    )
    assert new == 1


def test_poll_of_a_deleted_feed_is_ignored(conn):
    assert apply_poll(conn, FeedPoll(999_999, "https://gone.example/", FetchStatus.OK, NOW), POLICY, now=NOW) == 0
    assert conn.execute("SELECT count(*) AS n FROM feed_fetches").fetchone()["n"] == 0


def test_fetch_log_retention_deletes_only_old_rows(conn):
    from newsdesk.store.feeds import prune_fetch_log

    url = "https://retention.example/rss"
    sync_feeds(conn, [Feed(url, "R")])
    feed_id = feed_row(conn, url)["feed_id"]
    for days in (200, 100, 10, 0):
        apply_poll(
            conn,
            FeedPoll(feed_id, url, FetchStatus.UNCHANGED, NOW - timedelta(days=days), 200),
            POLICY,
            now=NOW - timedelta(days=days),
        )
    conn.commit()
    assert prune_fetch_log(conn, older_than=NOW - timedelta(days=90)) == 2
    conn.commit()
    kept = conn.execute("SELECT started_at FROM feed_fetches WHERE feed_id = %s ORDER BY 1", (feed_id,)).fetchall()
    assert [NOW - r["started_at"] for r in kept] == [timedelta(days=10), timedelta(days=0)]
    assert feed_row(conn, url)["last_status"] == "unchanged"  # the feed's state is untouched
