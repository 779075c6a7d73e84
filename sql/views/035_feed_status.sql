-- Each feed's status in one word, why, and since when: what the feed-health view, the Newsdesk
-- page, its JSON and the daily report show.
--   status  new (never polled) | ok | failing (the last poll failed) | disabled
--   reason  disabled: the disabled reason; failing: the last poll's error ("HTTP 404 Not Found",
--           "refused: ... cloud metadata address"); otherwise NULL
--   since   disabled: when it was disabled; failing: the first failed poll after the last good
--           one (as far as the fetch log reaches back); new: when it was added
--   last_error / last_error_at   the newest failed poll's reason and time, whatever the status
CREATE VIEW v_feed_status AS
SELECT f.feed_id,
       f.feed_set,
       CASE WHEN NOT f.enabled OR f.disabled_reason IS NOT NULL THEN 'disabled'
            WHEN f.last_status IS NULL THEN 'new'
            WHEN f.last_status IN ('temporary', 'soft', 'hard', 'blocked') THEN 'failing'
            ELSE 'ok' END AS status,
       CASE WHEN NOT f.enabled OR f.disabled_reason IS NOT NULL
                 THEN coalesce(f.disabled_reason, 'disabled')
            WHEN f.last_status IN ('temporary', 'soft', 'hard', 'blocked')
                 THEN coalesce(e.reason, f.last_status) END AS reason,
       CASE WHEN NOT f.enabled OR f.disabled_reason IS NOT NULL THEN coalesce(f.disabled_at, f.updated_at)
            WHEN f.last_status IS NULL THEN f.created_at
            WHEN f.last_status IN ('temporary', 'soft', 'hard', 'blocked')
                 THEN coalesce(s.since, e.started_at) END AS since,
       e.reason AS last_error,
       e.started_at AS last_error_at
  FROM feeds f
  -- the newest failed poll (feed_fetches_feed_time_idx, newest first)
  LEFT JOIN LATERAL (
        SELECT ff.started_at,
               coalesce(nullif(ff.error, ''), nullif(ff.parse_problem, ''),
                        ff.status || coalesce(' (HTTP ' || ff.http_status || ')', '')) AS reason
          FROM feed_fetches ff
         WHERE ff.feed_id = f.feed_id AND ff.status IN ('temporary', 'soft', 'hard', 'blocked')
         ORDER BY ff.started_at DESC, ff.fetch_id DESC
         LIMIT 1) e ON true
  -- a failing feed: its first failed poll after the newest good one
  LEFT JOIN LATERAL (
        SELECT min(ff.started_at) AS since
          FROM feed_fetches ff
         WHERE f.last_status IN ('temporary', 'soft', 'hard', 'blocked')
           AND ff.feed_id = f.feed_id
           AND ff.started_at > coalesce(
                 (SELECT max(ok.started_at) FROM feed_fetches ok
                   WHERE ok.feed_id = f.feed_id AND ok.status IN ('ok', 'not_modified', 'unchanged')),
                 '-infinity')) s ON true;
