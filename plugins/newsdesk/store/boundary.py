"""The store's error boundary: what may reach PostgreSQL, and what its refusals become.

Every store function sends text through ``clean`` (one rule for every field: lone surrogates,
NUL and the other C0 controls but tab and line breaks, and bidirectional override, embedding
and isolate controls are removed) and keeps btree keys under ``MAX_KEY_BYTES`` with
``bounded_key``. Whatever PostgreSQL (or the encoding on the way to it) still refuses is
translated by ``translated`` / ``@boundary`` into the project's errors:

* ``UnstorableError``: the item's own data was refused (SQLSTATE classes 22 data exception,
  23 integrity constraint, 54 program limit such as an oversized index row or tsvector; a
  ``UnicodeError`` while encoding). The pipeline records it on the item and goes on.
* ``StoreConflictError``: a concurrent writer was in the way (class 40: deadlock, serialisation
  failure; a unique violation that an upsert did not absorb). The item is tried again later.
* ``DatabaseError``: anything else (connection lost, server shut down, a bug in our SQL): the
  batch fails and Airflow retries the task.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import psycopg

from newsdesk.errors import DatabaseError, NewsdeskError, StoreConflictError, UnstorableError

P = ParamSpec("P")
T = TypeVar("T")

# PostgreSQL's btree refuses index rows over ~2,700 bytes (a third of a page); every value that
# is (part of) a unique key stays under this many UTF-8 bytes.
MAX_KEY_BYTES = 2000

# C0 controls except tab, line feed and carriage return (NUL is refused by text columns), DEL,
# the bidirectional embeddings/overrides (U+202A-U+202E) and isolates (U+2066-U+2069) that can
# make a title or byline display as something it is not, and lone surrogates (no UTF-8 form).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean(value: str | None) -> str | None:
    """``value`` without the characters a stored text must not hold (see the module notes)."""
    if value is None or _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub("", value)


def clean_all(values: Iterable[str]) -> list[str]:
    """``clean`` of each value; values left empty are dropped (a list of names, tags)."""
    return [c for v in values if (c := clean(v))]


INT4_MAX = 2**31 - 1


def int4(value: int | None) -> int | None:
    """``value`` within PostgreSQL's integer range (a server's Retry-After of 10^11 seconds)."""
    return None if value is None else max(-INT4_MAX - 1, min(INT4_MAX, value))


def key_bytes(value: str) -> int:
    return len(value.encode("utf-8", "surrogatepass"))


def bounded_key(value: str, limit: int = MAX_KEY_BYTES) -> str:
    """``value`` if it fits a btree key, else its beginning and a SHA-256 of the whole (stable)."""
    if len(value) * 4 <= limit or key_bytes(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    head = value.encode("utf-8", "surrogatepass")[:200].decode("utf-8", "ignore")
    return f"{head}…sha256:{digest}"


def _translate(exc: BaseException, what: str) -> NewsdeskError | None:
    if isinstance(exc, UnicodeError):
        return UnstorableError(f"{what}: text cannot be encoded: {exc}")
    if not isinstance(exc, psycopg.Error):
        return None
    state = exc.sqlstate or ""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if state.startswith("40") or state == "23505":
        return StoreConflictError(f"{what}: concurrent update: {detail}")
    if state.startswith(("22", "23", "54")) or (not state and isinstance(exc, psycopg.DataError)):
        return UnstorableError(f"{what}: refused by the database: {detail}")
    return DatabaseError(f"{what}: {detail}")


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Translate database and encoding errors raised inside the block (see the module notes)."""
    try:
        yield
    except NewsdeskError:
        raise
    except (psycopg.Error, UnicodeError) as exc:
        mapped = _translate(exc, what)
        assert mapped is not None
        raise mapped from exc


def boundary(what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator form of ``translated`` for a store function."""

    def wrap(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def inner(*args: P.args, **kwargs: P.kwargs) -> T:
            with translated(what):
                return func(*args, **kwargs)

        return inner

    return wrap


def is_item_failure(exc: BaseException) -> bool:
    """True for errors that belong to one item (its data, or a conflict to retry), not the batch."""
    return isinstance(exc, UnstorableError | StoreConflictError)
