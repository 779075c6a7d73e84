"""sources stage: which feeds exist (the feeds file), what a feed body says (parsing), and one
canonical spelling per URL."""

from newsdesk.sources.feeds_file import load_feeds
from newsdesk.sources.parse import ParsedFeed, parse_feed
from newsdesk.sources.urls import canonicalize_url

__all__ = ["ParsedFeed", "canonicalize_url", "load_feeds", "parse_feed"]
