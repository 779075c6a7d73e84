-- Mentions per entity per day (by the article's publication day, UTC; fetch day when unknown).
-- Counted through the mentions' links: an article saying "Britse" or "NAVO-landen" counts for the
-- United Kingdom or NATO; named_mentions counts only the mentions that name the entity.
CREATE VIEW v_entity_mentions_daily AS
SELECT (coalesce(a.published_at, a.fetched_at) AT TIME ZONE 'UTC')::date AS day,
       e.entity_id,
       e.canonical_name,
       e.label,
       count(*) AS mentions,
       count(DISTINCT m.article_id) AS articles,
       count(*) FILTER (WHERE m.link IN ('same', 'alias_of', 'short_form_of', 'surname_of')) AS named_mentions
  FROM mentions m
  JOIN entities e USING (entity_id)
  JOIN articles a USING (article_id)
 WHERE a.duplicate_of IS NULL
 GROUP BY 1, e.entity_id, e.canonical_name, e.label;

-- Which articles involve an entity, and how: one row per entity and article. "Britse" involves
-- the United Kingdom (links {demonym_of}), "Starmer" Keir Starmer ({surname_of}).
CREATE VIEW v_entity_articles AS
SELECT e.entity_id,
       e.canonical_name,
       e.label,
       a.article_id,
       a.canonical_url AS article_url,
       a.title,
       a.published_at,
       a.duplicate_of,
       count(*) AS mentions,
       array_agg(DISTINCT m.link ORDER BY m.link) AS links,
       array_agg(DISTINCT m.text ORDER BY m.text) AS surfaces,
       min(m.sentence) AS first_sentence
  FROM mentions m
  JOIN entities e USING (entity_id)
  JOIN articles a USING (article_id)
 GROUP BY e.entity_id, e.canonical_name, e.label, a.article_id, a.canonical_url, a.title, a.published_at,
          a.duplicate_of;
