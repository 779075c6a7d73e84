"""The feeds file (``seeds/feeds.toml``): which feeds to poll, validated at the edge with pydantic.

A file names its **feed set** with a top-level ``set = "..."`` (``default`` when it has none; the
demo's sample says ``set = "sample"``). Syncing a file adds, updates and retires the feeds of its
own set only, and the ingest DAG polls that set: the demo and a deployment share one warehouse
without one retiring or polling the other's feeds.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsdesk.errors import ConfigError
from newsdesk.models import DEFAULT_FEED_SET, Feed

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_POLL_INTERVAL_S = 60  # politeness floor for a configured interval
_SET_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


class _FeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str
    name: str
    site: str | None = None
    language: str | None = None
    poll_interval: int | str | None = None  # seconds, or "15m", "2h"
    tags: list[str] = []
    enabled: bool = True
    sitemap: bool | str | None = None  # true: find it (robots.txt, usual paths); or its URL
    sitemap_since: date | None = None  # only URLs the sitemap dates on or after this day
    sitemap_until: date | None = None  # ... and before this day

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value, re.I) or any(c.isspace() for c in value):
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("sitemap")
    @classmethod
    def _sitemap(cls, value: bool | str | None) -> bool | str | None:
        if isinstance(value, str) and (
            not re.match(r"^https?://[^/\s]+", value, re.I) or any(c.isspace() for c in value)
        ):
            raise ValueError("must be true or an absolute http(s) URL")
        return value

    @field_validator("name")
    @classmethod
    def _non_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise ValueError("must be a language tag such as 'nl' or 'nl-BE'")
        return value.lower()

    @field_validator("poll_interval")
    @classmethod
    def _interval(cls, value: int | str | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, str):
            match = _DURATION.match(value)
            if not match:
                raise ValueError("must be seconds or a duration such as '15m' or '2h'")
            value = int(match.group(1)) * _UNIT_S[match.group(2)]
        if value < MIN_POLL_INTERVAL_S:
            raise ValueError(f"must be at least {MIN_POLL_INTERVAL_S} seconds")
        return value

    def to_feed(self, feed_set: str) -> Feed:
        interval = self.poll_interval if isinstance(self.poll_interval, int) else None
        tags = tuple(dict.fromkeys(tag.strip() for tag in self.tags if tag.strip()))
        sitemap = "auto" if self.sitemap is True else self.sitemap or None
        return Feed(
            self.url,
            self.name,
            self.site,
            self.language,
            interval,
            tags,
            self.enabled,
            feed_set,
            sitemap=sitemap,
            sitemap_since=_day(self.sitemap_since),
            sitemap_until=_day(self.sitemap_until),
        )


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, datetime.min.time(), tzinfo=UTC) if value is not None else None


class _FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feed_set: str = Field(DEFAULT_FEED_SET, alias="set")
    feed: list[_FeedSpec] = []

    @field_validator("feed_set")
    @classmethod
    def _set_name(cls, value: str) -> str:
        value = value.strip().lower()
        if not _SET_NAME.fullmatch(value):
            raise ValueError("must be a short name: letters, digits, '.', '_' or '-' (such as 'sample')")
        return value


@dataclass(frozen=True, slots=True)
class FeedsFile:
    """A validated feeds file: its feed set and its feeds (each carrying the set's name)."""

    path: Path
    feed_set: str
    feeds: tuple[Feed, ...]


def _describe(exc: ValidationError, raw: dict[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "feed" and isinstance(loc[1], int):
            try:
                entry = raw["feed"][loc[1]]
                label = entry.get("name") or entry.get("url") or "?"
            except (KeyError, IndexError, AttributeError, TypeError):
                label = "?"
            where = f"feed #{loc[1] + 1} ({label}): {'.'.join(str(p) for p in loc[2:]) or 'entry'}"
        lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)


def load_feeds(path: Path) -> list[Feed]:
    """Read and validate the feeds file; raise ConfigError naming every problem found."""
    return list(read_feeds_file(path).feeds)


def read_feeds_file(path: Path) -> FeedsFile:
    """The feeds file with its set name; raise ConfigError naming every problem found."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"feeds file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read feeds file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"feeds file {path} is not valid TOML: {exc}") from exc
    try:
        parsed = _FeedsFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"invalid feeds file {path}: {_describe(exc, raw)}") from exc
    feeds = [spec.to_feed(parsed.feed_set) for spec in parsed.feed]
    seen: dict[str, str] = {}
    for feed in feeds:
        if feed.url in seen:
            raise ConfigError(f"invalid feeds file {path}: {feed.url} is listed twice ({seen[feed.url]}, {feed.name})")
        seen[feed.url] = feed.name
    return FeedsFile(Path(path), parsed.feed_set, tuple(feeds))
