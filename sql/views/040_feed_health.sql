-- Per-feed health for monitoring: status, reason and since when (v_feed_status), last poll,
-- failures, what the last week brought.
CREATE VIEW v_feed_health AS
SELECT f.feed_id,
       f.name,
       f.url,
       f.enabled,
       st.feed_set,
       st.status,
       st.reason,
       st.since,
       st.last_error,
       st.last_error_at,
       f.disabled_reason,
       f.last_status,
       f.last_polled_at,
       f.last_success_at,
       f.last_new_entry_at,
       f.next_poll_at,
       f.poll_interval_s,
       f.consecutive_failures,
       f.moved_to,
       coalesce(w.polls_7d, 0) AS polls_7d,
       coalesce(w.errors_7d, 0) AS errors_7d,
       coalesce(w.new_entries_7d, 0) AS new_entries_7d,
       round(coalesce(w.new_entries_7d, 0) / 7.0, 2) AS new_entries_per_day,
       w.median_duration_ms
  FROM feeds f
  JOIN v_feed_status st ON st.feed_id = f.feed_id
  LEFT JOIN LATERAL (
        SELECT count(*) AS polls_7d,
               count(*) FILTER (WHERE ff.status IN ('temporary', 'soft', 'hard', 'blocked')) AS errors_7d,
               sum(ff.entries_new) AS new_entries_7d,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ff.duration_ms) AS median_duration_ms
          FROM feed_fetches ff
         WHERE ff.feed_id = f.feed_id AND ff.started_at > now() - interval '7 days') w ON true;
