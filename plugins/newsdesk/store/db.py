"""Connections to the warehouse and the migration runner.

Migrations are plain numbered SQL files in ``sql/migrations`` (forward-only, each applied once
in its own transaction and recorded with a checksum, so an edited migration is detected), and
consumer views in ``sql/views`` are recreated on every migrate. Concurrent migrators are
serialised by a PostgreSQL advisory lock.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row

from newsdesk.config import PROJECT_DIR
from newsdesk.errors import DatabaseError, MigrationError

log = logging.getLogger(__name__)

SQL_DIR = PROJECT_DIR / "sql"
# Every newsdesk connection returns rows as dicts.
Conn = psycopg.Connection[DictRow]

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Arbitrary constant identifying "newsdesk migrate" among advisory locks.
_MIGRATE_LOCK = 7_361_290_114


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def sql_dir() -> Path:
    """The sql/ folder: the source checkout's, or the copy shipped inside the package."""
    shipped = Path(__file__).resolve().parent.parent / "sql"
    return SQL_DIR if SQL_DIR.is_dir() else shipped


def load_migrations(directory: Path | None = None) -> list[Migration]:
    directory = directory or sql_dir() / "migrations"
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name not of the form NNNN_verb_object.sql: {path.name}")
        found.append(Migration(int(match.group(1)), path.stem, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number in {directory}")
    return found


def connect(url: str, *, autocommit: bool = False) -> Conn:
    """Open a connection, translating connection failures into DatabaseError."""
    try:
        return psycopg.connect(url, autocommit=autocommit, row_factory=dict_row)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to the newsdesk database: {exc}") from exc


@contextmanager
def transaction(url: str) -> Iterator[Conn]:
    """A connection whose work commits on success and rolls back on any exception."""
    with connect(url) as conn:
        with conn.transaction():
            yield conn


def migrate(url: str, *, directory: Path | None = None) -> list[str]:
    """Apply pending migrations and recreate the views. Returns the names applied."""
    base = directory or sql_dir()
    migrations = load_migrations(base / "migrations")
    applied_now: list[str] = []
    with connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATE_LOCK,))
        try:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version integer PRIMARY KEY,
                       name text NOT NULL,
                       checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            done = {
                row["version"]: row
                for row in conn.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
            }
            for migration in migrations:
                previous = done.get(migration.version)
                if previous is not None:
                    if previous["checksum"] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.name} was edited after it was applied "
                            f"(checksum {previous['checksum'][:12]} in the database, "
                            f"{migration.checksum[:12]} on disk); add a new migration instead"
                        )
                    continue
                log.info("applying migration %s", migration.name)
                try:
                    with conn.transaction():
                        conn.execute(migration.sql.encode())
                        conn.execute(
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                except psycopg.Error as exc:
                    raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
                applied_now.append(migration.name)
            _recreate_views(conn, base / "views")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATE_LOCK,))
    return applied_now


def _recreate_views(conn: Conn, directory: Path) -> None:
    """Views are derived objects: drop and recreate them all in one transaction, in file order."""
    files = sorted(directory.glob("*.sql")) if directory.is_dir() else []
    try:
        with conn.transaction():
            for path in reversed(files):
                for name in re.findall(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(\w+)", path.read_text(), re.I):
                    conn.execute(sql.SQL("DROP VIEW IF EXISTS {} CASCADE").format(sql.Identifier(name)))
            for path in files:
                conn.execute(path.read_bytes())
    except psycopg.Error as exc:
        raise MigrationError(f"view definitions failed: {exc}") from exc


def applied_migrations(url: str) -> list[str]:
    with connect(url) as conn:
        rows = conn.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()
    return [row["name"] for row in rows]
