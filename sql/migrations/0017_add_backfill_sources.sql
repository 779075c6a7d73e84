-- Backfill from archives: WARC/ARC files read by `newsdesk backfill warc` and the
-- newsdesk_backfill DAG. Pages read from an archive are never downloaded again.
--
-- backfill_files: one row per file (its location as given). next_offset is where the next
--   unread record starts; it is committed with the pages stored before it, so a killed backfill
--   resumes there and stores each record once. counts: what the reading met so far (records,
--   responses, stored, skipped by kind, ...), for the run report and the Airflow task log.
-- warc_captures: provenance of an archived page — which file, which record, when the crawler
--   fetched it. A page captured in several files has a row per capture.
-- pages.source: where the page came from ('feed' for every page known before this migration).
CREATE TABLE backfill_files (
    file_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location     text NOT NULL UNIQUE,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    next_offset  bigint NOT NULL DEFAULT 0 CHECK (next_offset >= 0),
    counts       jsonb NOT NULL DEFAULT '{}',
    reason       text,
    passes       integer NOT NULL DEFAULT 1,
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);

CREATE TABLE warc_captures (
    file_id        bigint NOT NULL REFERENCES backfill_files ON DELETE CASCADE,
    record_offset  bigint NOT NULL,
    page_id        bigint NOT NULL REFERENCES pages ON DELETE CASCADE,
    record_id      text,
    captured_at    timestamptz,
    PRIMARY KEY (file_id, record_offset)
);
CREATE INDEX warc_captures_page_idx ON warc_captures (page_id);

ALTER TABLE pages ADD COLUMN source text NOT NULL DEFAULT 'feed'
    CHECK (source IN ('feed', 'sitemap', 'warc'));
