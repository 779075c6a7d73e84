-- One row per article, with where it came from and how much analysis it has.
CREATE VIEW v_articles AS
SELECT a.article_id,
       a.canonical_url,
       a.title,
       a.authors,
       a.published_at,
       a.updated_at,
       a.language,
       a.site_name,
       a.version,
       a.change_count,
       a.duplicate_of,
       (a.duplicate_of IS NULL) AS is_original,
       a.paywalled,
       a.partial,
       coalesce(src.feeds, '{}') AS feeds,
       (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id) AS mention_count,
       (SELECT count(*) FROM commitments c WHERE c.article_id = a.article_id) AS commitment_count,
       a.analyzer_version,
       a.fetched_at,
       a.text
  FROM articles a
  LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT f.name ORDER BY f.name) AS feeds
          FROM article_sources s JOIN feeds f USING (feed_id)
         WHERE s.article_id = a.article_id) src ON true;
