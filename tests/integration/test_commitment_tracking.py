"""Commitments tracked across articles: one actor per linked entity (else per normalised words),
one count per near-duplicate cluster (an original and its wire copies), and the Newsdesk page's
latest commitments shown once per story."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from newsdesk.analyze.commitments.lexicon import actor_nouns
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
from newsdesk.store.reports import latest_commitments
from tests.conftest import not_none

NOW = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)
COMMISSIE = EntityRef(
    str(uuid.uuid5(ENTITY_NAMESPACE, "ORG:europese commissie")), "Europese Commissie", EntityLabel.ORG
)


def _article(conn: Conn, url: str, *, published: datetime, duplicate_of: int | None = None) -> int:
    row = conn.execute(
        """INSERT INTO articles (canonical_url, url, title, text, content_hash, published_at, fetched_at,
                                 duplicate_of)
           VALUES (%s, %s, %s, 'tekst', md5(%s), %s, %s, %s) RETURNING article_id""",
        (url, url, f"Titel {url}", url, published, published, duplicate_of),
    ).fetchone()
    assert row is not None
    return int(row["article_id"])


def _commitment(
    actor: str,
    action: str = "tot 800 miljard euro vrijmaken voor defensie",
    *,
    entity: EntityRef | None = None,
    action_key: str | None = "miljard euro vrijmaken defensie",
    deadline: date | None = None,
    start: int = 0,
) -> Commitment:
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
        actor_entity_id=entity.entity_id if entity else None,
        deadline=deadline,
        action_key=action_key,
    )


def _analyse(conn: Conn, article_id: int, *commitments: Commitment) -> None:
    # The actor's entity is stored through a mention, as the analyzer delivers it.
    mentions = tuple(
        Mention(not_none(c.actor), EntityLabel.ORG, c.start, c.start + 5, 0, COMMISSIE)
        for c in commitments
        if c.actor_entity_id == COMMISSIE.entity_id
    )
    replace_analysis(conn, article_id, Analysis("test", mentions, commitments), now=NOW)


def _tracked(conn: Conn) -> list[dict]:
    return conn.execute("SELECT * FROM v_commitment_tracking ORDER BY actor_key, action_key").fetchall()


def test_a_wire_copy_counts_once_in_tracking_and_open_commitments(clean_db: str) -> None:
    pledge = _commitment("De Europese Commissie", entity=COMMISSIE, deadline=date(2099, 1, 1))
    with connect(clean_db) as conn:
        original = _article(conn, "https://nos.example/1", published=NOW - timedelta(hours=2))
        copy = _article(conn, "https://regio.example/1", published=NOW - timedelta(hours=1), duplicate_of=original)
        conn.commit()
        _analyse(conn, original, pledge)
        _analyse(conn, copy, pledge)

        tracked = _tracked(conn)
        assert len(tracked) == 1
        row = tracked[0]
        assert (row["articles"], row["articles_with_copies"]) == (1, 2)
        assert (row["first_seen"], row["last_seen"]) == (NOW - timedelta(hours=2), NOW - timedelta(hours=1))
        assert (row["actor_canonical"], row["actor_key"]) == ("Europese Commissie", COMMISSIE.entity_id)

        open_rows = conn.execute("SELECT commitment_key, articles, articles_with_copies FROM v_open_commitments")
        assert [(r["commitment_key"], r["articles"], r["articles_with_copies"]) for r in open_rows] == [
            (row["commitment_key"], 1, 2)
        ]
        per_article = conn.execute(
            "SELECT article_id, original_article_id, in_copy FROM v_commitments ORDER BY article_id"
        ).fetchall()
        assert [tuple(r.values()) for r in per_article] == [(original, original, False), (copy, original, True)]


def test_the_same_linked_entity_is_one_actor_whatever_the_words(clean_db: str) -> None:
    with connect(clean_db) as conn:
        first = _article(conn, "https://nos.example/2", published=NOW - timedelta(days=2))
        second = _article(conn, "https://nu.example/2", published=NOW - timedelta(days=1))
        conn.commit()
        _analyse(conn, first, _commitment("de Commissie", entity=COMMISSIE))
        _analyse(conn, second, _commitment("De Europese Commissie", entity=COMMISSIE))

        tracked = _tracked(conn)
        assert len(tracked) == 1
        assert (tracked[0]["articles"], tracked[0]["articles_with_copies"]) == (2, 2)
        assert tracked[0]["actor_entity_id"] == uuid.UUID(COMMISSIE.entity_id)
        assert tracked[0]["actor_canonical"] == "Europese Commissie"
        keys = conn.execute("SELECT DISTINCT commitment_key FROM commitments").fetchall()
        assert [k["commitment_key"] for k in keys] == [tracked[0]["commitment_key"]]


def test_unlinked_actors_are_one_actor_without_articles_and_titles(clean_db: str) -> None:
    action = "Groningers met schade binnen zes maanden helpen"
    with connect(clean_db) as conn:
        a1 = _article(conn, "https://nos.example/3", published=NOW - timedelta(days=2))
        a2 = _article(conn, "https://rtv.example/3", published=NOW - timedelta(days=1))
        conn.commit()
        _analyse(
            conn,
            a1,
            _commitment("Staatssecretaris Eddie van Marum", action, action_key="groningers helpen"),
            _commitment("De minister", action, action_key="groningers helpen", start=10),
        )
        _analyse(
            conn,
            a2,
            _commitment("Eddie van Marum", action, action_key="groningers helpen"),
            _commitment("de gemeente", action, action_key="groningers helpen", start=10),
        )
        tracked = {r["actor_key"]: r for r in _tracked(conn)}
        assert sorted(tracked) == ["eddie van marum", "gemeente", "minister"]
        assert tracked["eddie van marum"]["articles"] == 2
        assert tracked["eddie van marum"]["actor_entity_id"] is None


@pytest.mark.parametrize(
    ("actor", "key"),
    [
        ("Staatssecretaris Eddie van Marum", "eddie van marum"),
        ("VVD-fractievoorzitter Dilan Yeşilgöz-Zegerius", "dilan yeşilgöz-zegerius"),
        ("oud-premier Mark Rutte", "mark rutte"),
        ("De minister", "minister"),  # the last word stays
        ("het  Kabinet", "kabinet"),
        ("“De Gemeente” ", "gemeente"),
        ("De regeringsleiders van de EU", "regeringsleiders van de eu"),
        ("De Europese Commissie", "europese commissie"),
    ],
)
def test_actor_key_of_words(clean_db: str, actor: str, key: str) -> None:
    with psycopg.connect(clean_db) as conn:
        got = conn.execute("SELECT commitment_actor_key(NULL, %s)", (actor,)).fetchone()
        linked = conn.execute("SELECT commitment_actor_key(%s, %s)", (COMMISSIE.entity_id, actor)).fetchone()
    assert got == (key,)
    assert linked == (COMMISSIE.entity_id,)


def test_every_title_the_analyzer_knows_is_stripped_from_actor_keys(clean_db: str) -> None:
    # A title the analyzer learns must reach the key too (a new migration replacing the function).
    with psycopg.connect(clean_db) as conn:
        rows = conn.execute(
            "SELECT t, commitment_actor_key(NULL, initcap(t) || ' Jan de Vries') FROM unnest(%s::text[]) AS t",
            (sorted(actor_nouns().titles),),
        ).fetchall()
    kept = [title for title, key in rows if key != "jan de vries"]
    assert not kept, f"titles left in actor keys: {kept}"


def test_copies_of_copies_belong_to_the_root(clean_db: str) -> None:
    pledge = _commitment("De Europese Commissie", entity=COMMISSIE)
    with connect(clean_db) as conn:
        root = _article(conn, "https://nos.example/4", published=NOW - timedelta(hours=3))
        copy = _article(conn, "https://a.example/4", published=NOW - timedelta(hours=2), duplicate_of=root)
        deeper = _article(conn, "https://b.example/4", published=NOW - timedelta(hours=1), duplicate_of=copy)
        conn.commit()
        for article_id in (root, copy, deeper):
            _analyse(conn, article_id, pledge)
        clusters = conn.execute(
            "SELECT article_id, original_article_id, is_copy FROM v_article_clusters ORDER BY article_id"
        ).fetchall()
        assert [tuple(r.values()) for r in clusters] == [(root, root, False), (copy, root, True), (deeper, root, True)]
        tracked = _tracked(conn)
        assert [(r["articles"], r["articles_with_copies"]) for r in tracked] == [(1, 3)]


def test_latest_commitments_show_a_story_once_with_its_copies_counted(clean_db: str) -> None:
    pledge = _commitment("De Europese Commissie", entity=COMMISSIE)
    other = _commitment("De gemeente", "duizend woningen bouwen", action_key="woningen bouwen")
    only_in_copy = _commitment("TenneT", "twee stations bouwen", action_key="stations bouwen")
    with connect(clean_db) as conn:
        original = _article(conn, "https://nos.example/5", published=NOW - timedelta(hours=5))
        copies = [
            _article(conn, f"https://copy{i}.example/5", published=NOW - timedelta(hours=4 - i), duplicate_of=original)
            for i in range(2)
        ]
        newest = _article(conn, "https://nu.example/6", published=NOW - timedelta(minutes=30))
        lone_original = _article(conn, "https://nos.example/7", published=NOW - timedelta(hours=8))
        lone_copy = _article(
            conn, "https://regio.example/7", published=NOW - timedelta(hours=7), duplicate_of=lone_original
        )
        future = _article(conn, "https://nos.example/8", published=NOW + timedelta(hours=1))
        conn.commit()
        _analyse(conn, original, pledge)
        for article_id in copies:
            _analyse(conn, article_id, pledge)
        _analyse(conn, newest, other)
        _analyse(conn, lone_copy, only_in_copy)
        _analyse(conn, future, other)

        shown = latest_commitments(conn, NOW)
    assert [(c.article_id, c.actor, c.articles) for c in shown] == [
        (newest, "De gemeente", 1),
        (original, "De Europese Commissie", 3),  # the original's row, not a copy's
        (lone_copy, "TenneT", 1),  # reported by a copy only: the copy's row
    ]
    assert shown[1].article_url == "https://nos.example/5"


def test_latest_commitments_look_past_a_window_full_of_copies(clean_db: str) -> None:
    # 60 copies newer than their original fill the first window of rows the query examines; the
    # original's row must still be found, once, with every copy counted.
    pledge = _commitment("De Europese Commissie", entity=COMMISSIE)
    with connect(clean_db) as conn:
        original = _article(conn, "https://nos.example/9", published=NOW - timedelta(days=3))
        copies = [
            _article(conn, f"https://c{i}.example/9", published=NOW - timedelta(hours=60 - i), duplicate_of=original)
            for i in range(60)
        ]
        newest = _article(conn, "https://nu.example/10", published=NOW - timedelta(minutes=5))
        conn.commit()
        for article_id in (original, *copies):
            _analyse(conn, article_id, pledge)
        _analyse(conn, newest, _commitment("De gemeente", "woningen bouwen", action_key="woningen bouwen"))

        shown = latest_commitments(conn, NOW, limit=2)
    assert [(c.article_id, c.articles) for c in shown] == [(newest, 1), (original, 61)]
