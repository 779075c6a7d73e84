-- paywalled: the page marks the article as for subscribers (isAccessibleForFree false, paywall
--   markup); what the page shows is stored and analysed all the same.
-- partial: the text is known or likely to be incomplete (a paywall teaser, a page cut before
--   parsing).
-- duplicate_checked: the near-duplicate links of the article were confirmed by the pass that
--   runs after the fetch shards (link_duplicates): two shards storing near-duplicates at the same
--   time cannot see each other's uncommitted article. Rows that exist already count as checked
--   (the default is stored once, not written to every row); new rows start unchecked.
ALTER TABLE articles
    ADD COLUMN paywalled boolean NOT NULL DEFAULT false,
    ADD COLUMN partial boolean NOT NULL DEFAULT false,
    ADD COLUMN duplicate_checked boolean NOT NULL DEFAULT true;
ALTER TABLE articles ALTER COLUMN duplicate_checked SET DEFAULT false;
CREATE INDEX articles_duplicate_unchecked_idx ON articles (article_id) WHERE NOT duplicate_checked;
