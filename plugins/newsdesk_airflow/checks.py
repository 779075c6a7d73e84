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
    # Every enabled feed was polled within four of its poll intervals (at least an hour).
    "active_feeds_are_fresh": """
        SELECT count(*) = 0 FROM feeds
         WHERE enabled
           AND (last_polled_at IS NULL
                OR last_polled_at < now() - make_interval(secs => greatest(poll_interval_s * 4, 3600)))
    """,
}
