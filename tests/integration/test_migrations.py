"""Migrations apply in order, are recorded with checksums, and an edited one is refused."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from newsdesk.errors import MigrationError
from newsdesk.store.db import load_migrations, migrate, sql_dir
from tests.conftest import one

VIEWS = {
    "v_articles",
    "v_entity_mentions_daily",
    "v_entity_articles",
    "v_commitments",
    "v_commitment_tracking",
    "v_open_commitments",
    "v_feed_health",
}
TABLES = {
    "feeds",
    "feed_fetches",
    "pages",
    "feed_entries",
    "articles",
    "article_sources",
    "article_versions",
    "article_bands",
    "entities",
    "entity_aliases",
    "mentions",
    "commitments",
    "commitment_keys",
    "pipeline_runs",
    "schema_migrations",
}


@pytest.fixture
def empty_db(database_url: str):
    name = f"newsdesk_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info = psycopg.conninfo.conninfo_to_dict(database_url)
    info["dbname"] = name
    yield psycopg.conninfo.make_conninfo("", **info)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_migrate_creates_schema_and_is_idempotent(empty_db: str) -> None:
    applied = migrate(empty_db)
    assert applied == [m.name for m in load_migrations()]
    assert migrate(empty_db) == []
    with psycopg.connect(empty_db) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        views = {r[0] for r in conn.execute("SELECT viewname FROM pg_views WHERE schemaname='public'")}
        recorded = conn.execute("SELECT count(*), bool_and(length(checksum) = 64) FROM schema_migrations").fetchone()
    assert TABLES <= tables
    assert VIEWS <= views
    assert recorded == (len(applied), True)


def test_edited_migration_is_detected(empty_db: str, tmp_path: Path) -> None:
    migrate(empty_db)
    copy = tmp_path / "sql"
    shutil.copytree(sql_dir(), copy)
    first = sorted((copy / "migrations").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after release\n")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(empty_db, directory=copy)


def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "add_stuff.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_verb_object"):
        load_migrations(tmp_path / "migrations")


def test_dutch_full_text_search(clean_db: str) -> None:
    with psycopg.connect(clean_db) as conn:
        conn.execute(
            "INSERT INTO articles (canonical_url, url, title, text, content_hash) VALUES "
            "('https://x.nl/a', 'https://x.nl/a', 'Kabinet belooft lagere lasten', "
            "'De ministers beloofden vrijdag dat de belastingen omlaag gaan.', 'h1')"
        )
        hits = one(
            conn.execute(
                "SELECT count(*) FROM articles WHERE search @@ plainto_tsquery('dutch', 'belasting kabinetten')"
            )
        )[0]
        plan = one(conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'articles_search_idx'"))[0]
    assert hits == 1
    assert "gin" in plan.lower()


def _old_commitment_key(actor_key: str, action_key: str) -> str:
    """The key as the store computed it before 0009 (actor: entity id, else case-folded words)."""
    return hashlib.sha256(f"{actor_key}\x1f{action_key}".encode()).hexdigest()[:32]


def test_rekeying_commitments_on_a_database_with_data(empty_db: str, tmp_path: Path) -> None:
    # The warehouse as it was before 0009: migrations up to 0007, commitments keyed the old way.
    before = tmp_path / "sql"
    shutil.copytree(sql_dir(), before)
    for path in (before / "migrations").glob("*.sql"):
        if int(path.name[:4]) >= 9:
            path.unlink()
    for path in (before / "views").glob("*.sql"):
        path.unlink()  # today's views read columns later migrations add; the full migrate below makes them
    migrate(empty_db, directory=before)
    entity = str(uuid.uuid5(uuid.NAMESPACE_URL, "commissie"))
    titled = _old_commitment_key("staatssecretaris eddie van marum", "groningers helpen")
    plain = _old_commitment_key("eddie van marum", "groningers helpen")
    linked = _old_commitment_key(entity, "geld lenen")
    stale = _old_commitment_key("niemand", "niets")
    with psycopg.connect(empty_db) as conn:
        conn.execute(
            "INSERT INTO entities (entity_id, canonical_name, label) VALUES (%s, 'Europese Commissie', 'ORG')",
            (entity,),
        )
        insert = (
            "INSERT INTO articles (canonical_url, url, text, content_hash, published_at, duplicate_of) "
            "VALUES (%s, %s, 'tekst', md5(%s), now(), %s) RETURNING article_id"
        )
        a1 = one(conn.execute(insert, ("https://x/1", "https://x/1", "1", None)))[0]
        a2 = one(conn.execute(insert, ("https://x/2", "https://x/2", "2", a1)))[0]  # a wire copy of a1
        a3 = one(conn.execute(insert, ("https://x/3", "https://x/3", "3", None)))[0]
        conn.execute(
            """INSERT INTO commitment_keys (commitment_key, actor_key, action_key, actor, action, actor_entity_id)
               VALUES (%s, 'staatssecretaris eddie van marum', 'groningers helpen',
                       'Staatssecretaris Eddie van Marum', 'Groningers helpen', NULL),
                      (%s, 'eddie van marum', 'groningers helpen', 'Eddie van Marum', 'Groningers helpen', NULL),
                      (%s, %s, 'geld lenen', 'de Commissie', 'geld lenen', %s),
                      (%s, 'niemand', 'niets', 'niemand', 'niets', NULL)""",
            (titled, plain, linked, entity, entity, stale),
        )
        conn.execute(
            """INSERT INTO commitments (article_id, commitment_key, actor, actor_entity_id, action, kind, polarity,
                                        firmness, sentence, start_char, end_char, confidence, extractor_version)
               VALUES (%(a1)s, %(titled)s, 'Staatssecretaris Eddie van Marum', NULL, 'Groningers helpen', 'pledge',
                       'positive', 'firm', 0, 0, 10, 0.9, 'old'),
                      (%(a3)s, %(plain)s, 'Eddie van Marum', NULL, 'Groningers helpen', 'pledge',
                       'positive', 'firm', 0, 0, 10, 0.9, 'old'),
                      (%(a1)s, %(linked)s, 'de Commissie', %(entity)s, 'geld lenen', 'plan',
                       'positive', 'firm', 0, 20, 30, 0.9, 'old'),
                      (%(a2)s, %(linked)s, 'De Europese Commissie', %(entity)s, 'geld lenen', 'plan',
                       'positive', 'firm', 0, 20, 30, 0.9, 'old')""",
            {"a1": a1, "a2": a2, "a3": a3, "titled": titled, "plain": plain, "linked": linked, "entity": entity},
        )

    applied = migrate(empty_db)
    assert "0009_rekey_commitments_by_actor" in applied
    with psycopg.connect(empty_db) as conn:
        keys: dict[str, str] = dict(conn.execute("SELECT actor, commitment_key FROM commitments").fetchall())
        key_rows = {r[0] for r in conn.execute("SELECT commitment_key FROM commitment_keys")}
        new_plain = one(conn.execute("SELECT commitment_tracking_key('eddie van marum', 'groningers helpen')"))[0]
        tracked = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT actor_key, articles, articles_with_copies, actor_canonical FROM v_commitment_tracking"
            )
        }
    # The titled and the plain name are one actor now; the linked key was right already.
    assert keys["Staatssecretaris Eddie van Marum"] == keys["Eddie van Marum"] == new_plain == plain
    assert keys["de Commissie"] == keys["De Europese Commissie"] == linked
    # Every key row is carried by a commitment: the stale and the superseded ones are gone.
    assert key_rows == {plain, linked}
    assert tracked == {"eddie van marum": (2, 2, None), entity: (1, 2, "Europese Commissie")}

    # The store writes the keys the migration computed: re-analysing changes none of them.
    from newsdesk.models import Analysis, Commitment, CommitmentKind, Firmness, Polarity
    from newsdesk.store.analysis import replace_analysis
    from newsdesk.store.db import connect

    again = Commitment(
        actor="Staatssecretaris Eddie van Marum",
        action="Groningers helpen",
        kind=CommitmentKind.PLEDGE,
        polarity=Polarity.POSITIVE,
        firmness=Firmness.FIRM,
        sentence=0,
        start=0,
        end=10,
        confidence=0.9,
        extractor_version="new",
        action_key="groningers helpen",
    )
    with connect(empty_db) as conn:
        replace_analysis(conn, a1, Analysis("new", (), (again,)), now=datetime.now(UTC))
        rekeyed = conn.execute("SELECT commitment_key FROM commitments WHERE article_id = %s", (a1,)).fetchall()
    assert [r["commitment_key"] for r in rekeyed] == [plain]


def test_mention_link_migration_keeps_existing_rows(empty_db: str, tmp_path: Path) -> None:
    """0008 adds mentions.link: rows written before it read 'same', unknown kinds are refused."""
    before = tmp_path / "sql"
    shutil.copytree(sql_dir(), before)
    for path in (before / "migrations").glob("*.sql"):
        if int(path.name[:4]) >= 8:
            path.unlink()
    shutil.rmtree(before / "views")  # today's views read the new column
    migrate(empty_db, directory=before)
    with psycopg.connect(empty_db) as conn:
        article = one(
            conn.execute(
                "INSERT INTO articles (canonical_url, url, text, content_hash) "
                "VALUES ('https://x.nl/a', 'https://x.nl/a', 'De Britse premier.', 'h') RETURNING article_id"
            )
        )[0]
        conn.execute(
            "INSERT INTO entities (entity_id, canonical_name, label) "
            "VALUES ('6f0a5d2e-0000-5000-8000-000000000001', 'Verenigd Koninkrijk', 'LOC')"
        )
        conn.execute(
            "INSERT INTO mentions (article_id, start_char, end_char, entity_id, text, label, sentence) "
            "VALUES (%s, 3, 9, '6f0a5d2e-0000-5000-8000-000000000001', 'Britse', 'LOC', 0)",
            (article,),
        )
    assert [name for name in migrate(empty_db)] == [m.name for m in load_migrations() if m.version >= 8]
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT link FROM mentions").fetchone() == ("same",)
        conn.execute("UPDATE mentions SET link = 'demonym_of', label = 'MISC'")
        assert conn.execute("SELECT canonical_name, links FROM v_entity_articles").fetchone() == (
            "Verenigd Koninkrijk",
            ["demonym_of"],
        )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE mentions SET link = 'related_to'")


def test_page_status_check_is_the_enum(database_url: str) -> None:
    """pages.status's CHECK names exactly the PageStatus values (one vocabulary, written once in Python)."""
    import re

    from newsdesk.models import PageStatus

    with psycopg.connect(database_url) as conn:
        definition = one(
            conn.execute(
                """SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = 'pages'::regclass AND c.contype = 'c'
                  AND pg_get_constraintdef(c.oid) LIKE '%%status%%'"""
            )
        )[0]
    assert set(re.findall(r"'([a-z_]+)'::text", definition)) == {s.value for s in PageStatus}
