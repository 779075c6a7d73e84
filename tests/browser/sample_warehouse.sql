-- A small, hand-written warehouse for the Newsdesk page tests (plugin app and browser).
-- Times are relative to now() so "today" and "the last 48 hours" always hold the same rows:
-- "mid" is halfway between UTC midnight and now, so it is today and in the past at any hour.
-- Expected figures are asserted in tests/dags/test_plugin_app.py.

CREATE TEMP TABLE clock ON COMMIT DROP AS
SELECT now() AS now,
       date_trunc('day', now(), 'UTC') AS today,
       date_trunc('day', now(), 'UTC') + (now() - date_trunc('day', now(), 'UTC')) / 2 AS mid;

INSERT INTO feeds (feed_id, url, name, site, language, enabled, poll_interval_s, next_poll_at,
                   last_polled_at, last_success_at, last_status, consecutive_failures,
                   disabled_reason, disabled_at)
OVERRIDING SYSTEM VALUE
SELECT 1, 'https://feeds.nos.nl/nosnieuwspolitiek', 'NOS Politiek', 'nos.nl', 'nl', true, 900,
       now + interval '10 minutes', now - interval '5 minutes', now - interval '5 minutes', 'ok', 0,
       NULL::text, NULL::timestamptz FROM clock
UNION ALL
SELECT 2, 'https://www.nu.nl/rss/Politiek', 'NU.nl Politiek', 'nu.nl', 'nl', true, 1800,
       now + interval '25 minutes', now - interval '12 minutes', now - interval '3 hours', 'temporary', 2,
       NULL, NULL FROM clock
UNION ALL
SELECT 3, 'https://www.trouw.nl/politiek/rss.xml', 'Trouw Politiek', 'trouw.nl', 'nl', false, 21600,
       now + interval '6 hours', now - interval '2 days', now - interval '9 days', 'hard', 10,
       'HTTP 410 Gone on 10 consecutive polls', now - interval '2 days' FROM clock;

-- New entries per feed and UTC day: NOS 5 days with items (today 4), NU.nl two days, Trouw none.
INSERT INTO feed_fetches (feed_id, started_at, status, http_status, duration_ms, bytes, entries_seen, entries_new)
SELECT 1, today - make_interval(days => d) + interval '12 hours', 'ok', 200, 180, 24000, 20, n
  FROM clock, (VALUES (6, 12), (5, 9), (3, 15), (1, 11)) AS v(d, n)
UNION ALL SELECT 1, mid, 'ok', 200, 150, 23000, 20, 4 FROM clock
UNION ALL SELECT 1, mid, 'not_modified', 304, 40, 0, 0, 0 FROM clock
UNION ALL SELECT 2, today - interval '2 days' + interval '8 hours', 'ok', 200, 300, 51000, 30, 6 FROM clock
UNION ALL SELECT 2, mid, 'ok', 200, 280, 50000, 30, 3 FROM clock
UNION ALL SELECT 2, mid, 'temporary', 503, 15000, 0, 0, 0 FROM clock
UNION ALL SELECT 3, now - interval '2 days', 'hard', 410, 90, 0, 0, 0 FROM clock
-- Outside the 7-day window: must not be counted.
UNION ALL SELECT 1, today - interval '9 days', 'ok', 200, 100, 1000, 5, 99 FROM clock;

-- Articles: two from today, two from yesterday within 48 h, one three days old (outside).
INSERT INTO articles (article_id, canonical_url, url, title, published_at, language, site_name, text,
                      content_hash, fetched_at)
OVERRIDING SYSTEM VALUE
SELECT 1, 'https://nos.nl/artikel/2550001', 'https://nos.nl/artikel/2550001-kabinet-verhoogt-huurtoeslag',
       'Kabinet verhoogt huurtoeslag per 1 januari 2027', mid, 'nl', 'NOS',
       'Premier Dick Schoof zei dat het kabinet de huurtoeslag per 1 januari 2027 verhoogt.', 'h1', mid FROM clock
UNION ALL
SELECT 2, 'https://www.nu.nl/politiek/6300002', 'https://www.nu.nl/politiek/6300002/geen-nieuwe-belastingen.html',
       'Minister: geen nieuwe belastingen', mid, 'nl', 'NU.nl',
       'De minister van Financiën zegt in de Tweede Kamer geen nieuwe belastingen in te voeren.', 'h2', mid FROM clock
UNION ALL
SELECT 3, 'https://nos.nl/artikel/2549903', 'https://nos.nl/artikel/2549903-amsterdam-bouwt-sociale-huur',
       'Amsterdam wil duizend sociale huurwoningen bouwen', now - interval '30 hours', 'nl', 'NOS',
       'De gemeente Amsterdam wil in 2026 duizend sociale huurwoningen bouwen.', 'h3',
       now - interval '30 hours' FROM clock
UNION ALL
SELECT 4, 'https://www.nu.nl/politiek/6300004', 'https://www.nu.nl/politiek/6300004/debat.html',
       'Debat over stikstof', now - interval '40 hours', 'nl', 'NU.nl',
       'De Tweede Kamer debatteerde in Den Haag over stikstof.', 'h4', now - interval '40 hours' FROM clock
UNION ALL
SELECT 5, 'https://nos.nl/artikel/2549000', 'https://nos.nl/artikel/2549000-oud', 'Oud bericht',
       now - interval '3 days', 'nl', 'NOS', 'Lodewijk Asscher sprak in Den Haag.', 'h5',
       now - interval '3 days' FROM clock;

INSERT INTO article_sources (article_id, feed_id, entry_guid, entry_link)
VALUES (1, 1, 'nos-2550001', 'https://nos.nl/artikel/2550001-kabinet-verhoogt-huurtoeslag'),
       (2, 2, 'nu-6300002', 'https://www.nu.nl/politiek/6300002/geen-nieuwe-belastingen.html'),
       (3, 1, 'nos-2549903', 'https://nos.nl/artikel/2549903-amsterdam-bouwt-sociale-huur'),
       (4, 2, 'nu-6300004', 'https://www.nu.nl/politiek/6300004/debat.html'),
       (5, 1, 'nos-2549000', 'https://nos.nl/artikel/2549000-oud');

INSERT INTO entities (entity_id, canonical_name, label) VALUES
    ('00000000-0000-5000-8000-000000000001', 'Tweede Kamer', 'ORG'),
    ('00000000-0000-5000-8000-000000000002', 'Dick Schoof', 'PER'),
    ('00000000-0000-5000-8000-000000000003', 'Den Haag', 'LOC'),
    ('00000000-0000-5000-8000-000000000004', 'Lodewijk Asscher', 'PER'),
    ('00000000-0000-5000-8000-000000000005', 'Ministerie van Financiën', 'ORG');

-- Today: Tweede Kamer 3 mentions in 2 articles, Dick Schoof 2 in 1, Ministerie van Financiën 1.
-- Den Haag and Lodewijk Asscher are mentioned only in older articles.
INSERT INTO mentions (article_id, start_char, end_char, entity_id, text, label, sentence) VALUES
    (1, 8, 19, '00000000-0000-5000-8000-000000000002', 'Dick Schoof', 'PER', 0),
    (1, 60, 71, '00000000-0000-5000-8000-000000000002', 'Schoof', 'PER', 1),
    (1, 30, 42, '00000000-0000-5000-8000-000000000001', 'Tweede Kamer', 'ORG', 0),
    (2, 45, 57, '00000000-0000-5000-8000-000000000001', 'Tweede Kamer', 'ORG', 0),
    (2, 70, 82, '00000000-0000-5000-8000-000000000001', 'Kamer', 'ORG', 0),
    (2, 3, 25, '00000000-0000-5000-8000-000000000005', 'minister van Financiën', 'ORG', 0),
    (4, 3, 15, '00000000-0000-5000-8000-000000000001', 'Tweede Kamer', 'ORG', 0),
    (4, 32, 40, '00000000-0000-5000-8000-000000000003', 'Den Haag', 'LOC', 0),
    (5, 0, 16, '00000000-0000-5000-8000-000000000004', 'Lodewijk Asscher', 'PER', 0),
    (5, 26, 34, '00000000-0000-5000-8000-000000000003', 'Den Haag', 'LOC', 0);

INSERT INTO commitments (article_id, actor, speaker, action, kind, polarity, conditional, condition,
                         deadline_text, deadline, deadline_precision, firmness, sentence, start_char,
                         end_char, confidence, extractor_version)
VALUES
    (1, 'het kabinet', 'Dick Schoof', 'de huurtoeslag verhogen', 'pledge', 'positive', false, NULL,
     'per 1 januari 2027', DATE '2027-01-01', 'day', 'firm', 0, 20, 84, 0.9, 'sample'),
    (2, 'de minister van Financiën', 'de minister van Financiën', 'geen nieuwe belastingen invoeren',
     'refusal', 'negative', false, NULL, NULL, NULL, NULL, 'firm', 0, 0, 88, 0.85, 'sample'),
    (3, 'de gemeente Amsterdam', NULL, 'duizend sociale huurwoningen bouwen', 'plan', 'positive',
     true, 'als het Rijk meebetaalt', 'in 2026', DATE '2026-12-31', 'year', 'tentative', 0, 0, 70, 0.7,
     'sample');

SELECT setval(pg_get_serial_sequence('feeds', 'feed_id'), 100);
SELECT setval(pg_get_serial_sequence('articles', 'article_id'), 100);
