-- The feed whose entry first linked a page. The fetch queue takes pages round-robin across
-- feeds, a share each, so one feed that publishes 100,000 items cannot starve the others; this
-- index gives each feed's due pages, oldest first, without reading any other feed's backlog.
-- Pages known before this migration get the feed of their earliest entry (queued pages only:
-- the others are articles already and never queued again).
ALTER TABLE pages ADD COLUMN feed_id bigint REFERENCES feeds ON DELETE SET NULL;
UPDATE pages p
   SET feed_id = (SELECT fe.feed_id FROM feed_entries fe WHERE fe.page_id = p.page_id
                   ORDER BY fe.first_seen_at, fe.feed_id LIMIT 1)
 WHERE p.article_id IS NULL;
-- Only pages the queue takes (store.pages.QUEUED): pages that are not articles for good (index
-- pages, blocked, given up) would otherwise be read again by every run.
CREATE INDEX pages_feed_queue_idx ON pages (feed_id, next_attempt_at, page_id)
    WHERE article_id IS NULL AND status IN ('pending', 'error', 'fetch_failed', 'no_text', 'too_short');
