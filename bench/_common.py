"""Helpers shared by the benchmark scripts (not a benchmark itself: `make bench` skips `_*.py`).

Every benchmark prints a table and then one JSON line; figures are measured on the machine the
script runs on, so each JSON line carries a short description of that machine.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
SHARED = (ROOT / ".." / "shared").resolve()
Row = TypeVar("Row")


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
        "load_1m": round(os.getloadavg()[0], 2),
    }


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MB."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return round(usage.ru_maxrss / 1024, 1)


def print_table(rows: Sequence[tuple[str, object]]) -> None:
    width = max(len(str(key)) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


@contextmanager
def scratch_database(state: Path, prefix: str, template: str | None = None) -> Iterator[tuple[str, str]]:
    """A fresh, migrated database: (its URL, the server's base URL); dropped afterwards.

    The server is $NEWSDESK_DATABASE_URL's, else an embedded one under ``state``. ``template``:
    a database on that server to copy instead of starting empty.
    """
    import psycopg
    from psycopg import sql

    from newsdesk.store.db import migrate

    base = os.environ.get("NEWSDESK_DATABASE_URL")
    if not base:
        from newsdesk.store.server import start_embedded

        base = start_embedded(state / "pgdata", database="postgres", keep_running=False)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(create)
    info = psycopg.conninfo.conninfo_to_dict(base)
    info["dbname"] = name
    url = psycopg.conninfo.make_conninfo("", **info)
    try:
        migrate(url)
        yield url, base
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def one(cursor: psycopg.Cursor[Row]) -> Row:
    """The row a query must return (a count, an aggregate): a missing one fails an assertion that says so."""
    row = cursor.fetchone()
    assert row is not None, "the query returned no row"
    return row


def database_size_mb(url: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        row = one(conn.execute("SELECT pg_database_size(current_database())"))
    return round(row[0] / 2**20, 1)


def table_counts(url: str, tables: Sequence[str]) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as conn:
        return {t: one(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))))[0] for t in tables}
