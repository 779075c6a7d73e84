-- When each feed set was last synced from its feeds file, and from which file. A set whose file
-- nobody syncs any more (the demo's sample while `make up` runs the deployment's file) is not
-- polled either, so the freshness check judges a feed against its own set's last sync.
CREATE TABLE feed_sets (
    feed_set   text PRIMARY KEY,
    source     text,                 -- the feeds file last synced (a path, for people)
    synced_at  timestamptz NOT NULL,
    feeds      integer NOT NULL DEFAULT 0 CHECK (feeds >= 0)
);
INSERT INTO feed_sets (feed_set, synced_at, feeds)
SELECT feed_set, max(updated_at), count(*) FROM feeds GROUP BY feed_set;
