"""Data-quality checks on the warehouse, as SQL the common-sql check operators run.

Each query returns one row of booleans; any false value fails the check task visibly.
"""

from __future__ import annotations

QUALITY_CHECKS: dict[str, str] = {
    "articles_have_text_and_language": """
        SELECT count(*) = 0 FROM articles WHERE length(btrim(text)) = 0 OR language IS NULL
    """,
    "mention_offsets_inside_articles": """
        SELECT count(*) = 0
          FROM mentions m JOIN articles a USING (article_id)
         WHERE m.end_char > length(a.text)
            OR substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text
    """,
    "no_duplicate_canonical_urls": """
        SELECT count(*) = 0 FROM (SELECT canonical_url FROM articles GROUP BY 1 HAVING count(*) > 1) d
    """,
    # Every enabled feed of a set synced in the last day (its ingest runs) was polled within four of
    # its poll intervals (at least an hour) of that sync. A set nobody syncs (the demo's sample
    # while `make up` runs the deployment's file) is not polled, and not judged.
    "active_feeds_are_fresh": """
        SELECT count(*) = 0 FROM feeds f JOIN feed_sets s ON s.feed_set = f.feed_set
         WHERE f.enabled
           AND s.synced_at > now() - interval '1 day'
           AND coalesce(f.last_polled_at, f.created_at)
               < s.synced_at - make_interval(secs => greatest(f.poll_interval_s * 4, 3600))
    """,
}
