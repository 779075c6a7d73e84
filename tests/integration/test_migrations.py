"""Migrations apply in order, are recorded with checksums, and an edited one is refused."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from newsdesk.errors import MigrationError
from newsdesk.store.db import load_migrations, migrate, sql_dir

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
    yield psycopg.conninfo.make_conninfo(**info)
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
        hits = conn.execute(
            "SELECT count(*) FROM articles WHERE search @@ plainto_tsquery('dutch', 'belasting kabinetten')"
        ).fetchone()[0]
        plan = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'articles_search_idx'").fetchone()[0]
    assert hits == 1
    assert "gin" in plan.lower()


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
        article = conn.execute(
            "INSERT INTO articles (canonical_url, url, text, content_hash) "
            "VALUES ('https://x.nl/a', 'https://x.nl/a', 'De Britse premier.', 'h') RETURNING article_id"
        ).fetchone()[0]
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
