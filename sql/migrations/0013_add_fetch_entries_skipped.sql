-- Entries of a poll that could not be stored, so that every entry a feed offered is accounted
-- for: entries_seen = stored + already known + entries_skipped. Why they were skipped (no http(s)
-- link, a link too long to be a key, data the database refused) is added to parse_problem.
ALTER TABLE feed_fetches ADD COLUMN entries_skipped integer NOT NULL DEFAULT 0;
