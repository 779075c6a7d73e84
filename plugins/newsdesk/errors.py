"""The project's exceptions: one root, translated from third-party errors at each boundary."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Root of every error newsdesk raises on purpose."""


class ConfigError(NewsdeskError):
    """Settings or seed files are missing or invalid."""


class DatabaseError(NewsdeskError):
    """The warehouse could not be reached or rejected a statement."""


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
