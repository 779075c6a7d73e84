"""Typed records handed between the pipeline stages.

Every stage takes and returns these frozen dataclasses; third-party objects (feedparser
entries, httpx responses, spaCy docs) are converted into them at the stage's edge. Nothing
here does I/O.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

# Namespace for stable entity ids: uuid5(ENTITY_NAMESPACE, "LABEL:normalised name") gives the
# same id for the same name in every database and every run.
ENTITY_NAMESPACE = uuid.UUID("6f0a5d2e-2b7c-5b8e-9d61-3c1f4e7a9b20")


class FetchStatus(StrEnum):
    """Outcome of one HTTP fetch (a feed poll or an article download)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"  # HTTP 304 on a conditional GET
    UNCHANGED = "unchanged"  # 200, but the body hash equals the previous poll's
    TEMPORARY = "temporary"  # timeout, 5xx, 429, connection reset: retry with backoff
    SOFT = "soft"  # parse problems, wrong content: counted, retried later
    HARD = "hard"  # 404/410, refused target, permanent: counts towards disabling
    BLOCKED = "blocked"  # refused by policy before any request (robots.txt, SSRF guard)


class ArticleStatus(StrEnum):
    """What extraction made of a fetched page (each is also the page's status, see PageStatus)."""

    OK = "ok"
    NOT_ARTICLE = "not_article"  # index page, live-blog shell
    PAYWALL = "paywall"
    TOO_SHORT = "too_short"  # near-empty page
    NO_TEXT = "no_text"
    DUPLICATE = "duplicate"  # exact duplicate of an existing article's text
    ERROR = "error"  # the page could not be parsed, or its article could not be stored


class PageStatus(StrEnum):
    """A page's status in the queue (``pages.status``; the SQL CHECK is held to this by a test)."""

    PENDING = "pending"  # known from a feed entry or a sitemap, not fetched yet
    OK = "ok"  # an article
    NOT_ARTICLE = "not_article"
    PAYWALL = "paywall"
    TOO_SHORT = "too_short"
    NO_TEXT = "no_text"
    DUPLICATE = "duplicate"
    ERROR = "error"
    FETCH_FAILED = "fetch_failed"  # the download failed (HTTP error, timeout, refused connection)
    BLOCKED = "blocked"  # refused by policy (robots.txt, the SSRF guard): never retried
    GAVE_UP = "gave_up"  # a retryable failure that used up its attempts

    @classmethod
    def of_article(cls, status: ArticleStatus) -> PageStatus:
        return cls(status.value)


# Page statuses worth trying again later: the page may come back or be fixed.
RETRYABLE_PAGE_STATUSES = frozenset(
    {PageStatus.FETCH_FAILED, PageStatus.ERROR, PageStatus.NO_TEXT, PageStatus.TOO_SHORT}
)


class EntityLabel(StrEnum):
    PER = "PER"
    ORG = "ORG"
    LOC = "LOC"
    MISC = "MISC"


class LinkKind(StrEnum):
    """How a mention denotes its entity (the mention's own label is what the text says)."""

    SAME = "same"  # the mention names the entity by its canonical name
    ALIAS_OF = "alias_of"  # another name of the entity: "VK", "NATO", "Groot-Brittannië"
    SHORT_FORM_OF = "short_form_of"  # a shorter form of a name the article gives in full: "de Commissie"
    SURNAME_OF = "surname_of"  # a person's surname: "Schoof" for Dick Schoof
    DEMONYM_OF = "demonym_of"  # a nationality adjective or inhabitants' name: "Britse", "Britten"
    PART_OF_COMPOUND = "part_of_compound"  # the entity's name opens a compound: "NAVO-landen"


class CommitmentKind(StrEnum):
    PLEDGE = "pledge"
    PLAN = "plan"
    AGREEMENT = "agreement"
    WILLINGNESS = "willingness"
    INTENT = "intent"
    REFUSAL = "refusal"


class Polarity(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class Firmness(StrEnum):
    FIRM = "firm"
    TENTATIVE = "tentative"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    SEASON = "season"
    YEAR = "year"


DEFAULT_FEED_SET = "default"  # the set of a feeds file without a `set` key (and of feeds from before sets)


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed as configured in seeds/feeds.toml (the source of truth for what to poll)."""

    url: str
    name: str
    site: str | None = None
    language: str | None = None
    poll_interval_s: int | None = None
    tags: tuple[str, ...] = ()
    enabled: bool = True
    # The feed set of the file that lists it: a file's sync retires feeds of its own set only.
    feed_set: str = DEFAULT_FEED_SET
    # The site's sitemap, read for history the feed no longer shows: "auto" (robots.txt, else the
    # usual paths) or its URL; URLs dated outside [since, until) are not taken.
    sitemap: str | None = None
    sitemap_since: datetime | None = None
    sitemap_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedSelection:
    """The feeds one shard of an ingest run polls and reads the sitemaps of: feed_id modulo
    ``shards``, narrowed to ``feed_sets`` / ``feed_ids`` (None: no restriction); ``force`` takes
    them due or not."""

    shard: int = 0
    shards: int = 1
    feed_sets: tuple[str, ...] | None = None
    feed_ids: tuple[int, ...] | None = None
    force: bool = False

    @classmethod
    def of(cls, shard: Mapping[str, Any]) -> FeedSelection:
        """From a planned shard as XCom carries it (a plain dict)."""
        sets, ids = shard.get("feed_sets"), shard.get("feed_ids")
        return cls(
            shard=int(shard["shard"]),
            shards=int(shard["shards"]),
            feed_sets=tuple(sets) if sets is not None else None,
            feed_ids=tuple(ids) if ids is not None else None,
            force=bool(shard.get("force")),
        )

    def narrowing(self) -> dict[str, Any]:
        """As keyword arguments of the store's queries (``due_feeds``, ``due_sitemap_feeds``)."""
        return {
            "shard": self.shard,
            "shards": self.shards,
            "feed_sets": self.feed_sets,
            "feed_ids": self.feed_ids,
            "force": self.force,
        }


# Every feed of every set, in one shard: what a selection defaults to outside an ingest run.
ALL_FEEDS = FeedSelection()


@dataclass(frozen=True, slots=True)
class FeedState:
    """Polling state kept on the feed's row between polls."""

    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_body_hash: str | None = None
    consecutive_failures: int = 0
    poll_interval_s: int | None = None
    next_poll_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item, normalised: datetimes are aware UTC, strings are stripped."""

    guid: str
    link: str | None
    title: str | None = None
    summary: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class FeedFetch:
    """One conditional GET of a feed as the feed's policy and its feed_fetches row see it: when,
    what the server answered, and how it went. A ``FeedDownload`` adds the body; a ``FeedPoll``,
    what parsing it found."""

    feed_id: int
    url: str
    status: FetchStatus
    started_at: datetime
    http_status: int | None = None
    duration_ms: int = 0
    bytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after_s: int | None = None
    moved_to: str | None = None  # the feed's new URL after a permanent redirect (301/308)
    unreachable: bool = False  # no server answered (DNS, refused, no route, connect timeout)


@dataclass(frozen=True, slots=True)
class FeedDownload(FeedFetch):
    """Raw result of one conditional GET of a feed, before parsing."""

    content_type: str | None = None
    body: builtins.bytes = b""


@dataclass(frozen=True, slots=True)
class FeedPoll(FeedFetch):
    """Result of polling one feed once; becomes one feed_fetches row."""

    body_hash: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    parse_problem: str | None = None  # feedparser's bozo exception, entries may still be present


@dataclass(frozen=True, slots=True)
class PageFetch:
    """Result of downloading one article page."""

    url: str
    status: FetchStatus
    final_url: str | None = None
    http_status: int | None = None
    body: builtins.bytes = b""
    content_type: str | None = None
    charset: str | None = None
    duration_ms: int = 0
    error: str | None = None
    retry_after_s: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article (or the reason a page is not one)."""

    url: str
    status: ArticleStatus
    canonical_url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    text: str = ""
    content_hash: str | None = None
    # MinHash signature of the text's word shingles (near-duplicate detection across outlets)
    minhash: tuple[int, ...] = ()
    reason: str | None = None
    # The page marks the article as for subscribers (isAccessibleForFree false, paywall markup):
    # what is public is kept and analysed, flagged.
    paywalled: bool = False
    # The text is known or likely to be incomplete: a paywall teaser, a page cut before parsing.
    partial: bool = False


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A canonical entity: the same (label, key) always yields the same entity_id."""

    entity_id: str
    canonical: str
    label: EntityLabel
    wikidata_id: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention in an article's text; offsets are character offsets into Article.text.

    ``label`` is the mention's type as the text uses it (CoNLL-2002 conventions: "Britse" and
    "NAVO-landen" are MISC); ``entity`` is the entity it denotes, whose own label is the entity's
    type (the United Kingdom, LOC), and ``link`` says how the mention denotes it.
    """

    text: str
    label: EntityLabel
    start: int
    end: int
    sentence: int
    entity: EntityRef
    link: LinkKind = LinkKind.SAME


@dataclass(frozen=True, slots=True)
class Commitment:
    """Who commits (or refuses) to do what, by when, under which condition, according to whom.

    ``actor`` is None when neither the sentence nor the document names who stands behind a passive
    or impersonal plan: the commitment is kept, its actor left open.
    """

    actor: str | None
    action: str
    kind: CommitmentKind
    polarity: Polarity
    firmness: Firmness
    sentence: int
    start: int
    end: int
    confidence: float
    extractor_version: str
    actor_entity_id: str | None = None
    speaker: str | None = None
    speaker_entity_id: str | None = None
    conditional: bool = False
    condition: str | None = None
    deadline_text: str | None = None
    deadline: date | None = None
    deadline_precision: DatePrecision | None = None
    action_key: str | None = None  # normalised action, for tracking across articles
    # The words of the sentence that stand for the actor, when ``actor`` was resolved from them
    # (a pronoun, "ik" in a quote, "de premier"): what an analyst checks the resolution against.
    actor_as_written: str | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analyze stage derives from one article's text."""

    analyzer_version: str
    mentions: tuple[Mention, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    sentences: tuple[tuple[int, int], ...] = field(default=())  # (start, end) per sentence
