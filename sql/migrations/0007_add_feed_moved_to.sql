-- Where a feed moved for good: the target of the permanent redirects (301/308) its URL answered
-- with. feed_fetches keeps it per poll; feeds keeps the latest successful poll's, shown in the
-- feed-health report so that someone updates the feed file (newsdesk keeps polling the URL the
-- file names: the file is the source of truth).
ALTER TABLE feed_fetches ADD COLUMN moved_to text;
ALTER TABLE feeds ADD COLUMN moved_to text;
