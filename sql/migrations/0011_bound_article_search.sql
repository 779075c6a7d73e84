-- The full-text vector of an article is bounded: PostgreSQL refuses a tsvector over 1 MB of
-- lexemes ("string is too long for tsvector"), which a page of ~9 MB of distinct words reached,
-- and the page then failed on every run. The first 1,000 characters of the title and the first
-- 100,000 of the text (about 15,000 words) are indexed: at most ~0.5 MB of lexemes and positions
-- even when every character takes four bytes. The text itself is stored whole.
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('dutch', left(coalesce(title, ''), 1000)), 'A')
    || setweight(to_tsvector('dutch', left(text, 100000)), 'B')) STORED;
CREATE INDEX articles_search_idx ON articles USING gin (search);
