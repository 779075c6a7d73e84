-- Feeds belong to a named feed set: the `set` of the feeds file that lists them (`default` when
-- the file names none; the demo's sample is `sample`). Syncing a file adds, updates and retires
-- the feeds of its own set only, and the ingest DAG polls its file's set, so the demo and a
-- deployment share one warehouse without retiring or polling each other's feeds. Rows from
-- before this migration are `default`: the next sync of the file that lists them claims them.
ALTER TABLE feeds ADD COLUMN feed_set text NOT NULL DEFAULT 'default';
CREATE INDEX feeds_set_idx ON feeds (feed_set);
