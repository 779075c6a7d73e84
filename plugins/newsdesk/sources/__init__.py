"""sources stage: which feeds exist (the feeds file), what a feed body says (parsing), and one
canonical spelling per URL."""

from newsdesk.sources.feeds_file import FeedsFile, load_feeds, read_feeds_file
from newsdesk.sources.parse import ParsedFeed, parse_feed
from newsdesk.sources.urls import canonicalize_url

__all__ = ["FeedsFile", "ParsedFeed", "canonicalize_url", "load_feeds", "parse_feed", "read_feeds_file"]
