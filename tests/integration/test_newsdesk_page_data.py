"""What the Newsdesk page reads for archive data and edited wire copies: the top-entities period
falls back from today's articles to those stored in the last 48 h, then to the latest day; a
commitment an outlet reworded in its copy is still shown once per near-duplicate cluster."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from newsdesk.models import (
    ENTITY_NAMESPACE,
    Analysis,
    Commitment,
    CommitmentKind,
    EntityLabel,
    EntityRef,
    Firmness,
    Mention,
    Polarity,
)
from newsdesk.store.analysis import replace_analysis
from newsdesk.store.db import Conn, connect
from newsdesk.store.reports import entity_period, latest_commitments, top_entities
from tests.conftest import one

NOW = datetime.now(UTC).replace(microsecond=0)


def _article(conn: Conn, url: str, *, published: datetime, fetched: datetime, duplicate_of: int | None = None) -> int:
    row = conn.execute(
        """INSERT INTO articles (canonical_url, url, title, text, content_hash, published_at, fetched_at,
                                 duplicate_of)
           VALUES (%s, %s, %s, 'Rutte sprak in Brussel.', md5(%s), %s, %s, %s) RETURNING article_id""",
        (url, url, f"Titel {url}", url, published, fetched, duplicate_of),
    ).fetchone()
    assert row is not None
    return int(row["article_id"])


def _mention(text: str, label: EntityLabel, start: int) -> Mention:
    entity = EntityRef(str(uuid.uuid5(ENTITY_NAMESPACE, f"{label}:{text.lower()}")), text, label)
    return Mention(text, label, start, start + len(text), 0, entity)


def _commitment(actor: str, action: str, action_key: str, start: int = 0) -> Commitment:
    return Commitment(
        actor=actor,
        action=action,
        kind=CommitmentKind.PLAN,
        polarity=Polarity.POSITIVE,
        firmness=Firmness.FIRM,
        sentence=0,
        start=start,
        end=start + 5,
        confidence=0.9,
        extractor_version="test",
        action_key=action_key,
    )


def test_top_entities_fall_back_for_archive_data(clean_db: str) -> None:
    with connect(clean_db) as conn:
        # the demo's sample: published in 2025, stored a minute ago
        old = _article(
            conn, "https://x/old", published=datetime(2025, 3, 14, 9, tzinfo=UTC), fetched=NOW - timedelta(minutes=1)
        )
        conn.commit()
        replace_analysis(conn, old, Analysis("test", (_mention("Rutte", EntityLabel.PER, 0),), ()), now=NOW)
        period = entity_period(conn, NOW)
        assert (period.basis, period.label) == ("stored", "stored in the last 48 h")
        assert [e.name for e in top_entities(conn, NOW, period=period)] == ["Rutte"]
        assert top_entities(conn, NOW) == []  # "today" alone shows nothing: the panel used to be empty

        # stored long ago too: the latest day that has articles
        later = NOW + timedelta(days=3)
        period = entity_period(conn, later)
        assert (period.basis, period.label) == ("published", "published on 2025-03-14, the latest day")
        assert [e.name for e in top_entities(conn, later, period=period)] == ["Rutte"]

        # an article of today wins
        new = _article(conn, "https://x/new", published=NOW - timedelta(seconds=1), fetched=NOW - timedelta(seconds=1))
        conn.commit()
        replace_analysis(conn, new, Analysis("test", (_mention("Brussel", EntityLabel.LOC, 14),), ()), now=NOW)
        period = entity_period(conn, NOW)
        assert (period.basis, period.label) == ("published", "today")
        assert [e.name for e in top_entities(conn, NOW, period=period)] == ["Brussel"]


def test_a_reworded_wire_copy_shows_its_commitment_once(clean_db: str) -> None:
    released = _commitment("Europese Commissie", "tot 800 miljard euro vrijmaken voor defensie", "vrijmaken defensie")
    reworded = _commitment("Europese Commissie", "tot 800 miljard euro vrij te maken voor defensie", "maken defensie")
    borrow = _commitment("Europese Commissie", "150 miljard euro lenen op de kapitaalmarkt", "lenen kapitaalmarkt", 40)
    with connect(clean_db) as conn:
        original = _article(conn, "https://nos.example/1", published=NOW - timedelta(hours=3), fetched=NOW)
        copy = _article(
            conn, "https://regio.example/1", published=NOW - timedelta(hours=1), fetched=NOW, duplicate_of=original
        )
        other = _article(conn, "https://nu.example/2", published=NOW - timedelta(hours=2), fetched=NOW)
        conn.commit()
        replace_analysis(conn, original, Analysis("test", (), (released, borrow)), now=NOW)
        replace_analysis(conn, copy, Analysis("test", (), (reworded, borrow)), now=NOW)
        # the same words in a story of its own are another report, not a copy
        replace_analysis(conn, other, Analysis("test", (), (reworded,)), now=NOW)
        shown = latest_commitments(conn, NOW)
    assert [(c.article_id, c.action, c.articles) for c in shown] == [
        (other, "tot 800 miljard euro vrij te maken voor defensie", 1),
        (original, "tot 800 miljard euro vrijmaken voor defensie", 2),  # the original's words, copy counted
        (original, "150 miljard euro lenen op de kapitaalmarkt", 2),
    ]


def test_a_failing_feed_says_why_and_since_when(clean_db: str) -> None:
    """Status, reason and since when as data (v_feed_health) and in the daily report, from the
    polls the real policy recorded."""
    from newsdesk.config import PollSettings
    from newsdesk.models import Feed, FeedPoll, FetchStatus
    from newsdesk.store.feeds import apply_poll, sync_feeds
    from newsdesk.store.health import write_health_report

    url = "https://gone.example/rss"
    policy = PollSettings()
    with connect(clean_db) as conn:
        sync_feeds(conn, [Feed(url, "Gone")])
        feed_id = one(conn.execute("SELECT feed_id FROM feeds"))["feed_id"]
        first = NOW - timedelta(hours=3)
        apply_poll(conn, FeedPoll(feed_id, url, FetchStatus.OK, first - timedelta(hours=1), 200), policy, now=first)
        for hours in (3, 2, 1):
            at = NOW - timedelta(hours=hours)
            poll = FeedPoll(feed_id, url, FetchStatus.HARD, at, 404, error="HTTP 404 Not Found")
            apply_poll(conn, poll, policy, now=at)
        row = one(conn.execute("SELECT status, reason, since, last_error FROM v_feed_health"))
        assert (row["status"], row["reason"], row["since"]) == ("failing", "HTTP 404 Not Found", first)
        report = write_health_report(conn, NOW.date())
        assert report[0].health == "failing"
        assert report[0].detail == (
            f"3 consecutive failures since {first:%Y-%m-%d %H:%M} UTC, last status hard: HTTP 404 Not Found"
        )
        apply_poll(conn, FeedPoll(feed_id, url, FetchStatus.OK, NOW, 200), policy, now=NOW)
        row = one(conn.execute("SELECT status, reason, since, last_error, last_error_at FROM v_feed_health"))
        assert (row["status"], row["reason"], row["since"]) == ("ok", None, None)
        assert (row["last_error"], row["last_error_at"]) == ("HTTP 404 Not Found", NOW - timedelta(hours=1))
