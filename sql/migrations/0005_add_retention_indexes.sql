-- articles_duplicate_of_idx: the copies of an article, followed when an earlier-published
--   original arrives late and takes its copies over, and by the foreign key when an article is
--   deleted; without it both scan every article.
-- feed_fetches_started_idx: the maintenance DAG deletes fetch-log rows past their retention.
CREATE INDEX articles_duplicate_of_idx ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX feed_fetches_started_idx ON feed_fetches (started_at);
