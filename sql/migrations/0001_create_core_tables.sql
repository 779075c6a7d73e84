-- newsdesk core schema. Forward-only: never edit this file once applied; add a new migration.

CREATE TABLE feeds (
    feed_id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                   text NOT NULL UNIQUE,
    name                  text NOT NULL,
    site                  text,
    language              text,
    tags                  text[] NOT NULL DEFAULT '{}',
    enabled               boolean NOT NULL DEFAULT true,
    -- poll interval configured in seeds/feeds.toml (NULL: adaptive within the global bounds)
    configured_interval_s integer CHECK (configured_interval_s > 0),
    -- polling state, owned by the polling policy
    poll_interval_s       integer NOT NULL DEFAULT 900 CHECK (poll_interval_s > 0),
    next_poll_at          timestamptz NOT NULL DEFAULT now(),
    last_polled_at        timestamptz,
    last_success_at       timestamptz,
    last_new_entry_at     timestamptz,
    last_status           text,
    http_etag             text,
    http_last_modified    text,
    last_body_hash        text,
    consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    disabled_reason       text,
    disabled_at           timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE enabled;

CREATE TABLE feed_fetches (
    fetch_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id        bigint NOT NULL REFERENCES feeds ON DELETE CASCADE,
    started_at     timestamptz NOT NULL,
    status         text NOT NULL CHECK (status IN
                     ('ok', 'not_modified', 'unchanged', 'temporary', 'soft', 'hard', 'blocked')),
    http_status    integer,
    duration_ms    integer NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    bytes          bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    entries_seen   integer NOT NULL DEFAULT 0,
    entries_new    integer NOT NULL DEFAULT 0,
    error          text,
    parse_problem  text,
    retry_after_s  integer,
    run_id         bigint
);
CREATE INDEX feed_fetches_feed_time_idx ON feed_fetches (feed_id, started_at DESC);

CREATE TABLE pipeline_runs (
    run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dag_id          text NOT NULL,
    airflow_run_id  text NOT NULL,
    task_id         text NOT NULL DEFAULT '',
    map_index       integer NOT NULL DEFAULT -1,
    interval_start  timestamptz,
    interval_end    timestamptz,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed')),
    counts          jsonb NOT NULL DEFAULT '{}',
    error           text,
    UNIQUE (dag_id, airflow_run_id, task_id, map_index)
);
ALTER TABLE feed_fetches ADD CONSTRAINT feed_fetches_run_fk
    FOREIGN KEY (run_id) REFERENCES pipeline_runs ON DELETE SET NULL;

-- Pages known from feed entries; the work queue of the fetch stage. A page that could not be
-- fetched or extracted keeps its status and reason here and is retried at next_attempt_at.
CREATE TABLE pages (
    page_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url              text NOT NULL UNIQUE,          -- canonicalised entry link
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN
                       ('pending', 'ok', 'not_article', 'paywall', 'too_short', 'no_text', 'duplicate',
                        'error', 'fetch_failed', 'blocked', 'gave_up')),
    reason           text,
    attempts         integer NOT NULL DEFAULT 0,
    http_status      integer,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    feed_published_at timestamptz,
    article_id       bigint,
    raw_html         bytea,                          -- pruned after the retention period
    raw_fetched_at   timestamptz
);
CREATE INDEX pages_todo_idx ON pages (next_attempt_at) WHERE article_id IS NULL;

CREATE TABLE articles (
    article_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    canonical_url   text NOT NULL UNIQUE,
    url             text NOT NULL,
    title           text,
    authors         text[] NOT NULL DEFAULT '{}',
    published_at    timestamptz,
    updated_at      timestamptz,
    language        text,
    site_name       text,
    text            text NOT NULL,
    content_hash    text NOT NULL,
    minhash         bigint[],
    duplicate_of    bigint REFERENCES articles ON DELETE SET NULL,
    version         integer NOT NULL DEFAULT 1,
    change_count    integer NOT NULL DEFAULT 0,
    fetched_at      timestamptz NOT NULL DEFAULT now(),
    last_checked_at timestamptz NOT NULL DEFAULT now(),
    analyzed_at     timestamptz,
    analyzer_version text,
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('dutch', coalesce(title, '')), 'A')
                        || setweight(to_tsvector('dutch', text), 'B')) STORED,
    CHECK (duplicate_of IS NULL OR duplicate_of <> article_id)
);
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_published_idx ON articles (published_at DESC);
CREATE INDEX articles_content_hash_idx ON articles (content_hash);
CREATE INDEX articles_unanalyzed_idx ON articles (article_id) WHERE analyzed_at IS NULL;
ALTER TABLE pages ADD CONSTRAINT pages_article_fk
    FOREIGN KEY (article_id) REFERENCES articles ON DELETE SET NULL;

-- Which feed entries led to an article: an article reached via two feeds has two rows.
CREATE TABLE article_sources (
    article_id     bigint NOT NULL REFERENCES articles ON DELETE CASCADE,
    feed_id        bigint NOT NULL REFERENCES feeds ON DELETE CASCADE,
    entry_guid     text NOT NULL,
    entry_link     text,
    entry_title    text,
    entry_published_at timestamptz,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (feed_id, entry_guid)
);
CREATE INDEX article_sources_article_idx ON article_sources (article_id);

-- Feed entries whose page is not an article yet (pending, failed, not an article).
CREATE TABLE feed_entries (
    feed_id        bigint NOT NULL REFERENCES feeds ON DELETE CASCADE,
    entry_guid     text NOT NULL,
    page_id        bigint NOT NULL REFERENCES pages ON DELETE CASCADE,
    title          text,
    summary        text,
    authors        text[] NOT NULL DEFAULT '{}',
    published_at   timestamptz,
    updated_at     timestamptz,
    language       text,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (feed_id, entry_guid)
);
CREATE INDEX feed_entries_page_idx ON feed_entries (page_id);

-- MinHash LSH band hashes: articles sharing a band are near-duplicate candidates.
CREATE TABLE article_bands (
    band        bigint NOT NULL,
    article_id  bigint NOT NULL REFERENCES articles ON DELETE CASCADE,
    PRIMARY KEY (band, article_id)
);
CREATE INDEX article_bands_article_idx ON article_bands (article_id);

CREATE TABLE article_versions (
    article_id    bigint NOT NULL REFERENCES articles ON DELETE CASCADE,
    version       integer NOT NULL CHECK (version >= 1),
    title         text,
    text          text NOT NULL,
    content_hash  text NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, version)
);

CREATE TABLE entities (
    entity_id     uuid PRIMARY KEY,                  -- uuid5 of label and normalised name: stable
    canonical_name text NOT NULL,
    label         text NOT NULL CHECK (label IN ('PER', 'ORG', 'LOC', 'MISC')),
    wikidata_id   text,
    curated       boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (label, canonical_name)
);

CREATE TABLE entity_aliases (
    entity_id  uuid NOT NULL REFERENCES entities ON DELETE CASCADE,
    alias      text NOT NULL,
    PRIMARY KEY (alias, entity_id)
);

CREATE TABLE mentions (
    article_id  bigint NOT NULL REFERENCES articles ON DELETE CASCADE,
    start_char  integer NOT NULL CHECK (start_char >= 0),
    end_char    integer NOT NULL,
    entity_id   uuid NOT NULL REFERENCES entities,
    text        text NOT NULL,
    label       text NOT NULL CHECK (label IN ('PER', 'ORG', 'LOC', 'MISC')),
    sentence    integer NOT NULL CHECK (sentence >= 0),
    PRIMARY KEY (article_id, start_char, end_char),
    CHECK (end_char > start_char)
);
CREATE INDEX mentions_entity_idx ON mentions (entity_id);

-- Commitments tracked across articles: same actor and same normalised action share a key.
CREATE TABLE commitment_keys (
    commitment_key  text PRIMARY KEY,
    actor_key       text NOT NULL,
    action_key      text NOT NULL,
    actor           text NOT NULL,
    action          text NOT NULL,
    actor_entity_id uuid REFERENCES entities
);

CREATE TABLE commitments (
    commitment_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id         bigint NOT NULL REFERENCES articles ON DELETE CASCADE,
    commitment_key     text REFERENCES commitment_keys,
    actor              text NOT NULL,
    actor_entity_id    uuid REFERENCES entities,
    speaker            text,
    speaker_entity_id  uuid REFERENCES entities,
    action             text NOT NULL,
    kind               text NOT NULL CHECK (kind IN
                         ('pledge', 'plan', 'agreement', 'willingness', 'intent', 'refusal')),
    polarity           text NOT NULL CHECK (polarity IN ('positive', 'negative')),
    conditional        boolean NOT NULL DEFAULT false,
    condition          text,
    deadline_text      text,
    deadline           date,
    deadline_precision text CHECK (deadline_precision IN ('day', 'month', 'quarter', 'season', 'year')),
    firmness           text NOT NULL CHECK (firmness IN ('firm', 'tentative')),
    sentence           integer NOT NULL CHECK (sentence >= 0),
    start_char         integer NOT NULL CHECK (start_char >= 0),
    end_char           integer NOT NULL,
    confidence         real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    extractor_version  text NOT NULL,
    CHECK (end_char > start_char),
    CHECK (NOT conditional OR condition IS NOT NULL),
    UNIQUE (article_id, start_char, end_char, action)
);
CREATE INDEX commitments_key_idx ON commitments (commitment_key);
CREATE INDEX commitments_deadline_idx ON commitments (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX commitments_actor_entity_idx ON commitments (actor_entity_id);

-- Daily feed-health report written by newsdesk_maintenance (dead, silent, slow, ok).
CREATE TABLE feed_health_reports (
    report_date  date NOT NULL,
    feed_id      bigint NOT NULL REFERENCES feeds ON DELETE CASCADE,
    health       text NOT NULL CHECK (health IN ('ok', 'dead', 'failing', 'silent', 'slow', 'disabled')),
    detail       text NOT NULL,
    new_entries_7d integer NOT NULL DEFAULT 0,
    errors_7d    integer NOT NULL DEFAULT 0,
    median_duration_ms integer,
    PRIMARY KEY (report_date, feed_id)
);
