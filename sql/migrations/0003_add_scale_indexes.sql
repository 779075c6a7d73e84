-- Indexes for a warehouse of millions of articles (found with bench/scale.py).
--   pages_article_idx: the page of an article (re-fetch queue, link back from articles); the
--     foreign key pages.article_id had no index, so every lookup scanned pages.
--   articles_fetched_idx: the re-fetch queue only looks at articles fetched within its window.
--   pages_raw_html_idx: the retention job finds the raw HTML still kept without a scan.
CREATE INDEX pages_article_idx ON pages (article_id);
CREATE INDEX articles_fetched_idx ON articles (fetched_at);
CREATE INDEX pages_raw_html_idx ON pages (raw_fetched_at) WHERE raw_html IS NOT NULL;
