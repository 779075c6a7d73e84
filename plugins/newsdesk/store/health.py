"""The daily feed-health report: each feed classified as ok, failing, dead, silent, slow or disabled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from newsdesk.store.db import Conn

# Thresholds are deliberately simple and visible in the report's detail text.
SILENT_DAYS = 7
SLOW_MS = 5000
FAILING_AFTER = 3


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """One feed's line of the day's report."""

    feed_id: int
    name: str
    health: str  # dead, failing, silent, slow, disabled or ok
    detail: str


def write_health_report(conn: Conn, day: date) -> list[FeedHealth]:
    """Classify every feed from v_feed_health, upsert the day's rows, return them (worst first)."""
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO feed_health_reports (report_date, feed_id, health, detail, new_entries_7d, errors_7d,
                                             median_duration_ms)
            SELECT %(day)s, h.feed_id, c.health, c.detail, h.new_entries_7d, h.errors_7d,
                   h.median_duration_ms::int
              FROM v_feed_health h
             CROSS JOIN LATERAL (SELECT
                CASE WHEN NOT h.enabled AND h.disabled_reason IS NOT NULL THEN 'dead'
                     WHEN NOT h.enabled THEN 'disabled'
                     WHEN h.consecutive_failures >= %(failing)s THEN 'failing'
                     WHEN h.last_success_at IS NOT NULL AND coalesce(h.last_new_entry_at, h.last_success_at)
                          < now() - make_interval(days => %(silent)s) THEN 'silent'
                     WHEN h.median_duration_ms > %(slow)s THEN 'slow'
                     ELSE 'ok' END AS health,
                CASE WHEN NOT h.enabled THEN coalesce('disabled: ' || h.disabled_reason, 'disabled in the feed file')
                     WHEN h.consecutive_failures >= %(failing)s
                          THEN h.consecutive_failures || ' consecutive failures'
                               || coalesce(' since '
                                           || to_char(h.since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), '')
                               || ', last status ' || h.last_status || coalesce(': ' || h.reason, '')
                     WHEN h.last_success_at IS NOT NULL AND coalesce(h.last_new_entry_at, h.last_success_at)
                          < now() - make_interval(days => %(silent)s)
                          THEN 'no new entry since ' || coalesce(h.last_new_entry_at, h.last_success_at)::date
                     WHEN h.median_duration_ms > %(slow)s
                          THEN 'median poll ' || h.median_duration_ms::int || ' ms'
                     ELSE coalesce('moved permanently to ' || h.moved_to || ' (update the feed file); ', '')
                          || h.new_entries_7d || ' new entries in 7 days' END AS detail) c
            ON CONFLICT (report_date, feed_id) DO UPDATE
               SET health = EXCLUDED.health, detail = EXCLUDED.detail, new_entries_7d = EXCLUDED.new_entries_7d,
                   errors_7d = EXCLUDED.errors_7d, median_duration_ms = EXCLUDED.median_duration_ms
            """,
            {"day": day, "failing": FAILING_AFTER, "silent": SILENT_DAYS, "slow": SLOW_MS},
        )
        rows = conn.execute(
            """
            SELECT r.feed_id, f.name, r.health, r.detail
              FROM feed_health_reports r JOIN feeds f USING (feed_id)
             WHERE r.report_date = %s
             ORDER BY array_position(ARRAY['dead', 'failing', 'silent', 'slow', 'disabled', 'ok'], r.health), f.name
            """,
            (day,),
        ).fetchall()
    return [FeedHealth(**row) for row in rows]
