-- Near-duplicate clusters: every article with the original its cluster is counted as. A wire copy
-- points at its original through articles.duplicate_of; the pipeline keeps those links one step
-- deep, but a copy stored while its original was itself being taken over can point at a copy, so
-- deeper links are followed to the root (bounded, in case a link was ever edited into a loop).
CREATE VIEW v_article_clusters AS
SELECT a.article_id,
       CASE
           WHEN a.duplicate_of IS NULL THEN a.article_id
           WHEN o.duplicate_of IS NULL THEN o.article_id
           ELSE (WITH RECURSIVE up (article_id, duplicate_of, depth) AS (
                     SELECT p.article_id, p.duplicate_of, 1 FROM articles p WHERE p.article_id = o.duplicate_of
                     UNION ALL
                     SELECT p.article_id, p.duplicate_of, up.depth + 1
                       FROM up JOIN articles p ON p.article_id = up.duplicate_of
                      WHERE up.depth < 100)
                 SELECT up.article_id FROM up ORDER BY up.depth DESC LIMIT 1)
       END AS original_article_id,
       (a.duplicate_of IS NOT NULL) AS is_copy
  FROM articles a
  LEFT JOIN articles o ON o.article_id = a.duplicate_of;

-- Commitments with their article and the canonical names of actor and speaker.
CREATE VIEW v_commitments AS
SELECT c.commitment_id,
       c.commitment_key,
       c.article_id,
       a.title AS article_title,
       a.canonical_url AS article_url,
       a.published_at,
       c.actor,
       c.actor_as_written,
       ea.canonical_name AS actor_canonical,
       c.actor_entity_id,
       c.speaker,
       es.canonical_name AS speaker_canonical,
       c.speaker_entity_id,
       c.action,
       c.kind,
       c.polarity,
       c.conditional,
       c.condition,
       c.deadline_text,
       c.deadline,
       c.deadline_precision,
       c.firmness,
       c.sentence,
       c.start_char,
       c.end_char,
       c.confidence,
       c.extractor_version,
       cl.original_article_id,
       cl.is_copy AS in_copy
  FROM commitments c
  JOIN articles a USING (article_id)
  JOIN v_article_clusters cl USING (article_id)
  LEFT JOIN entities ea ON ea.entity_id = c.actor_entity_id
  LEFT JOIN entities es ON es.entity_id = c.speaker_entity_id;

-- The same commitment reported by several articles, tracked under one key: the same actor (the
-- linked entity, else the actor's words without articles and titles) and the same normalised
-- action. "articles" counts near-duplicate clusters (a story and its wire copies count once);
-- "articles_with_copies" counts every article that reported it.
CREATE VIEW v_commitment_tracking AS
SELECT k.commitment_key,
       k.actor,
       k.actor_entity_id,
       k.action,
       min(coalesce(a.published_at, a.fetched_at)) AS first_seen,
       max(coalesce(a.published_at, a.fetched_at)) AS last_seen,
       count(DISTINCT cl.original_article_id) AS articles,
       max(c.deadline) AS deadline,
       bool_or(c.polarity = 'negative') AS any_refusal,
       count(DISTINCT c.article_id) AS articles_with_copies,
       e.canonical_name AS actor_canonical,
       k.actor_key,
       k.action_key
  FROM commitment_keys k
  JOIN commitments c USING (commitment_key)
  JOIN articles a USING (article_id)
  JOIN v_article_clusters cl USING (article_id)
  LEFT JOIN entities e ON e.entity_id = k.actor_entity_id
 GROUP BY k.commitment_key, e.entity_id;

-- Positive commitments whose deadline has not passed yet.
CREATE VIEW v_open_commitments AS
SELECT t.*
  FROM v_commitment_tracking t
 WHERE t.deadline IS NOT NULL
   AND t.deadline >= current_date
   AND NOT t.any_refusal;
