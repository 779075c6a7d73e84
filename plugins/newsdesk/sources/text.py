"""Small text helpers shared by the source parsers: markup to plain text, dates to aware UTC,
the charset a Content-Type or an XML declaration names."""

from __future__ import annotations

import calendar
import html
import re
import time
from datetime import UTC, datetime

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|section|article|header|footer|figure|hr)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# PostgreSQL text cannot hold NUL; other C0 controls are noise in titles and summaries; lone
# surrogates (a JSON Feed's "\ud800") have no UTF-8 form; bidirectional overrides and isolates make
# a title display as something it is not. The store removes the same characters (store.boundary).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# The charset parameter of a Content-Type (group 1), and the encoding of an XML declaration.
CHARSET_PARAM = re.compile(r";\s*charset\s*=\s*\"?([^\s\";]+)\"?", re.I)
XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def charset_param(content_type: str | None) -> str | None:
    """The charset a Content-Type names (``text/html; charset="utf-8"`` → ``utf-8``), else None."""
    match = CHARSET_PARAM.search(content_type or "")
    return match.group(1) if match else None


def clean_text(value: object, *, limit: int | None = None) -> str | None:
    """Markup-free, whitespace-collapsed text, or None when nothing is left."""
    if value is None:
        return None
    text = str(value)
    if "<" in text:
        text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


def clean_token(value: object) -> str | None:
    """An identifier-like string (guid, link): control characters removed, stripped."""
    if value is None:
        return None
    text = _CONTROL.sub("", str(value)).strip()
    return text or None


def clean_language(value: object) -> str | None:
    if not value:
        return None
    tag = str(value).strip().lower().replace("_", "-")
    return tag if _LANGUAGE.match(tag) else None


def struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time -> aware datetime (None for absurd values)."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def iso_to_utc(value: object) -> datetime | None:
    """An RFC 3339 / ISO 8601 string -> aware UTC datetime; naive values are taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
