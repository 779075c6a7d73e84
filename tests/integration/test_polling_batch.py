"""apply_polls (a batch of polls in one transaction) against apply_poll one poll at a time, and
the poller's fallback when a batch cannot be stored, on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from newsdesk.config import PollSettings, Settings
from newsdesk.models import Feed, FeedEntry, FeedPoll, FetchStatus
from newsdesk.pipeline.polling import _record
from newsdesk.store.feeds import apply_poll, apply_polls, sync_feeds

# An hour ahead: feeds inserted during a long test session (next_poll_at = now()) are still due.
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
POLICY = PollSettings(disable_after_failures=2)
FEED_STATE = (
    "poll_interval_s, next_poll_at, last_polled_at, last_success_at, last_new_entry_at, last_status, "
    "http_etag, http_last_modified, last_body_hash, consecutive_failures, consecutive_hard_failures, "
    "enabled, disabled_reason, disabled_at"
)


@pytest.fixture
def conn(clean_db):
    with psycopg.connect(clean_db, row_factory=dict_row, autocommit=True) as connection:
        yield connection


def entry(guid: str, link: str, hours: int = 1) -> FeedEntry:
    return FeedEntry(
        guid=guid, link=link, title=f"title {guid}", authors=("A",), published=NOW - timedelta(hours=hours)
    )


def scenario(ids: dict[str, int], prefix: str) -> list[list[FeedPoll]]:
    """Rounds of polls over feeds a..e; links are shared between feeds and with the other prefix."""
    a, b, c, d, e = (ids[k] for k in "abcde")
    shared = "https://news.example/shared"
    first = [
        FeedPoll(
            a,
            "a",
            FetchStatus.OK,
            NOW,
            200,
            etag='"a1"',
            body_hash="ha",
            entries=(entry("g1", shared), entry("g2", f"https://{prefix}.example/2", 3), entry("g2", "x")),
        ),
        FeedPoll(b, "b", FetchStatus.OK, NOW, 200, body_hash="hb", entries=(entry("b1", shared),)),
        FeedPoll(c, "c", FetchStatus.HARD, NOW, 404, error="HTTP 404"),
        FeedPoll(d, "d", FetchStatus.TEMPORARY, NOW, 503, retry_after_s=7200),
        FeedPoll(999_999, "gone", FetchStatus.OK, NOW, 200, entries=(entry("z", shared),)),
        # the same feed twice in one batch: applied in order, the second sees the first's state
        FeedPoll(e, "e", FetchStatus.OK, NOW, 200, body_hash="he", entries=(entry("e1", shared),)),
        FeedPoll(
            e,
            "e",
            FetchStatus.OK,
            NOW,
            200,
            body_hash="he2",
            entries=(entry("e1", shared), entry("e2", f"https://{prefix}.example/e2")),
        ),
    ]
    second = [
        FeedPoll(a, "a", FetchStatus.NOT_MODIFIED, NOW, 304),
        FeedPoll(b, "b", FetchStatus.UNCHANGED, NOW, 200, body_hash="hb"),
        FeedPoll(c, "c", FetchStatus.HARD, NOW, 404, error="HTTP 404"),  # second hard failure: disabled
        FeedPoll(d, "d", FetchStatus.OK, NOW, 200, body_hash="hd", entries=(entry("d1", shared),)),
        FeedPoll(e, "e", FetchStatus.SOFT, NOW, 200, error="not a feed"),
    ]
    return [first, second]


def snapshot(conn: psycopg.Connection, ids: dict[str, int]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, feed_id in sorted(ids.items()):
        out[f"feed {name}"] = conn.execute(f"SELECT {FEED_STATE} FROM feeds WHERE feed_id = %s", (feed_id,)).fetchone()
        out[f"fetches {name}"] = conn.execute(
            "SELECT status, http_status, entries_seen, entries_new, error, retry_after_s, run_id "
            "FROM feed_fetches WHERE feed_id = %s ORDER BY fetch_id",
            (feed_id,),
        ).fetchall()
        out[f"entries {name}"] = conn.execute(
            "SELECT fe.entry_guid, p.url, fe.title, fe.authors, fe.published_at, p.feed_published_at "
            "FROM feed_entries fe JOIN pages p USING (page_id) WHERE fe.feed_id = %s ORDER BY 1",
            (feed_id,),
        ).fetchall()
    return out


def test_apply_polls_equals_apply_poll_one_by_one(conn):
    feeds = [Feed(f"https://{p}{k}.example/rss", k) for p in ("one", "batch") for k in "abcde"]
    sync_feeds(conn, feeds)
    rows = conn.execute("SELECT feed_id, url FROM feeds").fetchall()
    by_url = {r["url"]: r["feed_id"] for r in rows}
    one = {k: by_url[f"https://one{k}.example/rss"] for k in "abcde"}
    batch = {k: by_url[f"https://batch{k}.example/rss"] for k in "abcde"}

    singles = [[apply_poll(conn, p, POLICY, now=NOW, run_id=None) for p in r] for r in scenario(one, "one")]
    batched = [apply_polls(conn, r, POLICY, now=NOW) for r in scenario(batch, "batch")]

    assert singles == batched == [[2, 1, 0, 0, 0, 1, 1], [0, 0, 0, 1, 0]]
    want, got = snapshot(conn, one), snapshot(conn, batch)
    for key in want:  # links of the "one" feeds carry their prefix; the shared link is one page
        assert str(got[key]).replace("batch", "one") == str(want[key]), key
    assert got["feed c"]["enabled"] is False and got["feed c"]["consecutive_hard_failures"] == 2
    assert conn.execute("SELECT count(*) AS n FROM pages").fetchone()["n"] == 5
    assert conn.execute("SELECT count(*) AS n FROM feed_fetches WHERE feed_id = 999999").fetchone()["n"] == 0
    assert apply_polls(conn, [], POLICY, now=NOW) == []


def test_apply_polls_inside_a_callers_transaction(clean_db):
    """Two batches in one outer transaction: the entries' temporary table does not collide."""
    with psycopg.connect(clean_db) as conn:
        sync_feeds(conn, [Feed("https://a.example/rss", "a")])
        feed_id = conn.execute("SELECT feed_id FROM feeds").fetchone()[0]
        with conn.transaction():
            for n in range(2):
                poll = FeedPoll(
                    feed_id,
                    "a",
                    FetchStatus.OK,
                    NOW,
                    200,
                    entries=(entry(f"g{n}", f"https://a.example/{n}"),),
                )
                assert apply_polls(conn, [poll], POLICY, now=NOW) == [1]
        assert conn.execute("SELECT count(*) FROM feed_entries").fetchone()[0] == 2


def test_text_postgresql_cannot_hold_is_cleaned_at_the_store(conn):
    """Lone surrogates (a JSON Feed's "\\ud800", an RSS &#xD800;), NUL and bidi overrides in any
    field of an entry: the entry is stored without them, with the rest of the batch."""
    sync_feeds(conn, [Feed("https://good.example/rss", "good"), Feed("https://bad.example/rss", "bad")])
    ids = {r["url"]: r["feed_id"] for r in conn.execute("SELECT feed_id, url FROM feeds").fetchall()}
    good, bad = ids["https://good.example/rss"], ids["https://bad.example/rss"]
    poison = FeedEntry(
        guid="b\ud800",
        link="https://bad.example/1",
        title="nul \x00 here \ud800",
        summary="over\u202eride",
        authors=("\udfffAuteur", "\u2066"),
        language="nl\x00",
    )
    polls = [
        FeedPoll(good, "good", FetchStatus.OK, NOW, 200, entries=(entry("g", "https://good.example/1"),)),
        FeedPoll(bad, "bad", FetchStatus.OK, NOW, 200, etag='"e\ud800"', entries=(poison,)),
    ]
    recorded = _record(conn, polls, Settings(poll=POLICY), NOW, None)
    assert [(p.feed_id, p.status, n) for p, n in recorded] == [(good, FetchStatus.OK, 1), (bad, FetchStatus.OK, 1)]
    row = conn.execute(
        "SELECT entry_guid, title, summary, authors, language FROM feed_entries WHERE feed_id = %s", (bad,)
    ).fetchone()
    assert row == {
        "entry_guid": "b",
        "title": "nul  here ",
        "summary": "override",
        "authors": ["Auteur"],
        "language": "nl",
    }


@pytest.fixture
def refusing_titles(conn):
    """A constraint the test adds: the database refuses one entry's data, as it would a value
    beyond one of its limits."""
    conn.execute("ALTER TABLE feed_entries ADD CONSTRAINT test_refuses CHECK (title IS DISTINCT FROM 'refused')")
    yield
    conn.execute("ALTER TABLE feed_entries DROP CONSTRAINT test_refuses")


def test_an_entry_the_database_refuses_costs_only_that_entry(conn, refusing_titles):
    sync_feeds(conn, [Feed("https://good.example/rss", "good"), Feed("https://bad.example/rss", "bad")])
    ids = {r["url"]: r["feed_id"] for r in conn.execute("SELECT feed_id, url FROM feeds").fetchall()}
    good, bad = ids["https://good.example/rss"], ids["https://bad.example/rss"]
    refused = FeedEntry(guid="r", link="https://bad.example/r", title="refused")
    polls = [
        FeedPoll(good, "good", FetchStatus.OK, NOW, 200, entries=(entry("g", "https://good.example/1"),)),
        FeedPoll(
            bad,
            "bad",
            FetchStatus.OK,
            NOW,
            200,
            entries=(entry("b1", "https://bad.example/1"), refused, entry("b2", "https://bad.example/2")),
        ),
    ]
    recorded = _record(conn, polls, Settings(poll=POLICY), NOW, None)
    assert [(p.feed_id, p.status, n) for p, n in recorded] == [(good, FetchStatus.OK, 1), (bad, FetchStatus.OK, 2)]
    logged = conn.execute(
        "SELECT status, entries_seen, entries_new, entries_skipped, parse_problem FROM feed_fetches WHERE feed_id = %s",
        (bad,),
    ).fetchone()
    assert (logged["status"], logged["entries_seen"], logged["entries_new"], logged["entries_skipped"]) == (
        "ok",
        3,
        2,
        1,
    )
    assert "1 entries skipped (not storable" in logged["parse_problem"]
    guids = [r["entry_guid"] for r in conn.execute("SELECT entry_guid FROM feed_entries ORDER BY 1").fetchall()]
    assert guids == ["b1", "b2", "g"]


def test_a_poll_the_database_refuses_is_recorded_without_its_data(conn):
    """A value beyond PostgreSQL's integer range (a server's Retry-After of 10^11 s) is clamped;
    a poll refused all the same is recorded as a soft failure with the reason, the batch goes on."""
    sync_feeds(conn, [Feed("https://good.example/rss", "good"), Feed("https://bad.example/rss", "bad")])
    ids = {r["url"]: r["feed_id"] for r in conn.execute("SELECT feed_id, url FROM feeds").fetchall()}
    good, bad = ids["https://good.example/rss"], ids["https://bad.example/rss"]
    conn.execute("ALTER TABLE feed_fetches ADD CONSTRAINT test_refuses CHECK (error IS DISTINCT FROM 'refused')")
    try:
        polls = [
            FeedPoll(good, "good", FetchStatus.TEMPORARY, NOW, 503, retry_after_s=10**11),
            FeedPoll(bad, "bad", FetchStatus.TEMPORARY, NOW, 503, error="refused"),
        ]
        recorded = _record(conn, polls, Settings(poll=POLICY), NOW, None)
    finally:
        conn.execute("ALTER TABLE feed_fetches DROP CONSTRAINT test_refuses")
    assert [(p.feed_id, p.status) for p, _ in recorded] == [(good, FetchStatus.TEMPORARY), (bad, FetchStatus.SOFT)]
    rows = conn.execute("SELECT feed_id, status, retry_after_s, error FROM feed_fetches ORDER BY fetch_id").fetchall()
    assert [(r["feed_id"], r["status"]) for r in rows] == [(good, "temporary"), (bad, "soft")]
    assert rows[0]["retry_after_s"] == 2**31 - 1
    assert rows[1]["error"].startswith("could not store")


class FakeFetcher:
    """Hands out prepared downloads, then optionally fails like a crashed fetch batch."""

    def __init__(self, downloads, error: Exception | None = None) -> None:
        self.downloads, self.error = downloads, error

    def fetch_feeds(self, states, *, now, deadline=None):
        yield from self.downloads
        if self.error is not None:
            raise self.error


def test_poll_feeds_batches_and_records_what_was_fetched_before_a_crash(clean_db, monkeypatch):
    import newsdesk.pipeline.polling as polling
    from newsdesk.errors import FetchError
    from newsdesk.models import FeedDownload
    from newsdesk.store.feeds import due_feeds

    monkeypatch.setattr(polling, "BATCH_FEEDS", 2)
    with psycopg.connect(clean_db) as conn:
        sync_feeds(conn, [Feed(f"https://f{i}.example/rss", str(i)) for i in range(5)])
        states = due_feeds(conn, NOW)
        conn.commit()
        downloads = [FeedDownload(s.feed_id, s.url, FetchStatus.NOT_MODIFIED, NOW, 304, etag='"x"') for s in states]
        summary = polling.poll_feeds(conn, FakeFetcher(downloads), states, Settings(poll=POLICY), now=NOW)
        assert (summary.feeds, summary.not_modified) == (5, 5)
        later = NOW + timedelta(days=1)
        with pytest.raises(FetchError):
            polling.poll_feeds(
                conn, FakeFetcher(downloads[:3], FetchError("boom")), states, Settings(poll=POLICY), now=later
            )
        logged = conn.execute("SELECT count(*) FROM feed_fetches WHERE started_at = %s", (NOW,)).fetchone()
        assert logged[0] == 5 + 3  # the three downloads before the crash were recorded


def test_poll_feeds_fails_when_the_database_cannot_record_anything(clean_db):
    from newsdesk.errors import DatabaseError
    from newsdesk.models import FeedDownload, FeedState
    from newsdesk.pipeline.polling import poll_feeds

    conn = psycopg.connect(clean_db)
    conn.close()
    state = FeedState(1, "https://x.example/rss", None, None, None, 0, 900, NOW)
    download = FeedDownload(1, state.url, FetchStatus.NOT_MODIFIED, NOW, 304)
    with pytest.raises(DatabaseError):
        poll_feeds(conn, FakeFetcher([download]), [state], Settings(poll=POLICY), now=NOW)
