-- Mentions per entity per day (by the article's publication day, UTC; fetch day when unknown).
CREATE VIEW v_entity_mentions_daily AS
SELECT (coalesce(a.published_at, a.fetched_at) AT TIME ZONE 'UTC')::date AS day,
       e.entity_id,
       e.canonical_name,
       e.label,
       count(*) AS mentions,
       count(DISTINCT m.article_id) AS articles
  FROM mentions m
  JOIN entities e USING (entity_id)
  JOIN articles a USING (article_id)
 WHERE a.duplicate_of IS NULL
 GROUP BY 1, e.entity_id, e.canonical_name, e.label;
