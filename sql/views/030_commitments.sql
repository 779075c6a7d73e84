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
       c.extractor_version
  FROM commitments c
  JOIN articles a USING (article_id)
  LEFT JOIN entities ea ON ea.entity_id = c.actor_entity_id
  LEFT JOIN entities es ON es.entity_id = c.speaker_entity_id;

-- The same commitment reported by several articles, tracked under one key.
CREATE VIEW v_commitment_tracking AS
SELECT k.commitment_key,
       k.actor,
       k.actor_entity_id,
       k.action,
       min(coalesce(a.published_at, a.fetched_at)) AS first_seen,
       max(coalesce(a.published_at, a.fetched_at)) AS last_seen,
       count(DISTINCT c.article_id) AS articles,
       max(c.deadline) AS deadline,
       bool_or(c.polarity = 'negative') AS any_refusal
  FROM commitment_keys k
  JOIN commitments c USING (commitment_key)
  JOIN articles a USING (article_id)
 GROUP BY k.commitment_key, k.actor, k.actor_entity_id, k.action;

-- Positive commitments whose deadline has not passed yet.
CREATE VIEW v_open_commitments AS
SELECT t.*
  FROM v_commitment_tracking t
 WHERE t.deadline IS NOT NULL
   AND t.deadline >= current_date
   AND NOT t.any_refusal;
