-- The copies of an article: followed when an earlier-published original arrives late and takes
-- its copies over, and by the foreign key when an article is deleted. Without it both scan
-- every article.
CREATE INDEX articles_duplicate_of_idx ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
