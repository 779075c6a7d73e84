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

-- v_feed_status reads each feed's newest failed poll: an index lookup, also for a healthy feed
-- whose last failure lies thousands of good polls back (or that never failed).
CREATE INDEX feed_fetches_failed_idx ON feed_fetches (feed_id, started_at DESC)
    WHERE status IN ('temporary', 'soft', 'hard', 'blocked');
