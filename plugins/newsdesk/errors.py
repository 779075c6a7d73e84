"""The project's exceptions: one root, translated from third-party errors at each boundary."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Root of every error newsdesk raises on purpose."""


class ConfigError(NewsdeskError):
    """Settings or seed files are missing or invalid."""


class DatabaseError(NewsdeskError):
    """The warehouse could not be reached or rejected a statement."""


class UnstorableError(DatabaseError):
    """PostgreSQL refused one item's data (or it could not be encoded for it): that item's failure.

    Raised by the store's error boundary for data exceptions, constraint violations, program
    limits (an index row or a tsvector too large) and text encoding errors; the pipeline records
    it on the item's row and goes on with the rest of the batch.
    """


class StoreConflictError(DatabaseError):
    """A concurrent writer got in the way (deadlock, serialisation failure): try the item again later."""


class MigrationError(DatabaseError):
    """A migration failed, or an applied migration was edited after the fact."""


class FetchError(NewsdeskError):
    """A download was refused or failed (used where a status value cannot be returned)."""


class UnsafeURLError(FetchError):
    """The URL's scheme or resolved address is not allowed (SSRF guard)."""


class ExtractionError(NewsdeskError):
    """A page could not be turned into an article."""


class AnalysisError(NewsdeskError):
    """The NLP pipeline could not be loaded or failed on a document."""


class ArchiveError(NewsdeskError):
    """An archive file (WARC/ARC) cannot be opened or read on from here: cut short, not an
    archive, unreachable. The records before the damage were read."""
