-- Feed polling policy state (the polling policy and sync_feeds own these columns).
--   consecutive_hard_failures: hard failures (404, refused, blocked ...) since the last success;
--     only these count towards disabling a feed, temporary trouble (5xx, timeouts) never does.
--   seed_enabled: the feeds file's last word on the feed, so that sync_feeds can tell a feed the
--     operator disabled (re-enabled by flipping the flag back) from one the policy disabled.
ALTER TABLE feeds
    ADD COLUMN consecutive_hard_failures integer NOT NULL DEFAULT 0
        CHECK (consecutive_hard_failures >= 0),
    ADD COLUMN seed_enabled boolean NOT NULL DEFAULT true;
