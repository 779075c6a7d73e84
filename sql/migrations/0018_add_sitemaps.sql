-- Sitemaps as a source. A feed of the feeds file may name its site's sitemap (`sitemap = true`:
-- found through robots.txt or the usual paths; or the sitemap's URL) with a date window; the
-- URLs it lists go into the page queue under that feed, like the feed's own entries.
--
-- feed_sitemaps: what the feeds file says (synced with the file).
-- sitemaps: one row per sitemap read (roots and the children of an index): conditional-GET
--   validators, the lastmod an index gave the child when it was last read (an unchanged child is
--   not fetched again), when to read it next, and what the last reading found.
CREATE TABLE feed_sitemaps (
    feed_id   bigint PRIMARY KEY REFERENCES feeds ON DELETE CASCADE,
    root      text NOT NULL,             -- 'auto' or the sitemap's URL
    since     timestamptz,
    until     timestamptz
);

CREATE TABLE sitemaps (
    sitemap_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id         bigint NOT NULL REFERENCES feeds ON DELETE CASCADE,
    url             text NOT NULL,
    parent_id       bigint REFERENCES sitemaps ON DELETE CASCADE,
    kind            text CHECK (kind IN ('index', 'urlset')),
    http_etag       text,
    http_last_modified text,
    lastmod_seen    timestamptz,
    last_read_at    timestamptz,
    next_read_at    timestamptz NOT NULL DEFAULT now(),
    status          text,
    reason          text,
    urls_listed     integer NOT NULL DEFAULT 0,
    urls_new        integer NOT NULL DEFAULT 0,
    UNIQUE (feed_id, url)
);
