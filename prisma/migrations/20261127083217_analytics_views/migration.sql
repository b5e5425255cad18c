-- Written by hand (Prisma does not model views or roles): the `analytics` schema, the stable
-- SQL interface for dashboards (Grafana, Metabase, Superset), and the read-only role
-- `diplowatch_readonly` that may read these views and nothing else. Documented in
-- docs/read-models.md. Column names and meanings here are a contract: add columns, do not
-- rename or remove them. The views read the read-model tables in `public`; `npm run rebuild`
-- re-points them at the rebuilt tables in the same transaction as the switch-over.

CREATE SCHEMA IF NOT EXISTS analytics;

-- One row per consolidated diplomatic event.
CREATE OR REPLACE VIEW analytics.diplomatic_events AS
SELECT e.id,
       e.type,
       e.countries,
       ARRAY(SELECT a ->> 'name' FROM jsonb_array_elements(e.actors) AS a) AS actor_names,
       e.actors,
       e.confidence,
       e.summary,
       e.event_date,
       e.start_date,
       e.end_date,
       e.place,
       e.topics,
       e.source_count,
       e.first_seen_at,
       e.last_seen_at,
       e.rules_version
  FROM public.diplomatic_events e;

-- One row per (diplomatic event, country): filter and group events by country.
CREATE OR REPLACE VIEW analytics.event_countries AS
SELECT e.id AS diplomatic_event_id, c.country, e.type, e.event_date, e.confidence, e.source_count
  FROM public.diplomatic_events e
 CROSS JOIN LATERAL unnest(e.countries) AS c(country);

-- One row per (diplomatic event, unordered country pair), country_a < country_b.
CREATE OR REPLACE VIEW analytics.event_country_pairs AS
SELECT e.id AS diplomatic_event_id, a.country AS country_a, b.country AS country_b, e.type, e.event_date,
       e.confidence, e.source_count
  FROM public.diplomatic_events e
 CROSS JOIN LATERAL unnest(e.countries) AS a(country)
 CROSS JOIN LATERAL unnest(e.countries) AS b(country)
 WHERE a.country < b.country;

-- The time series: diplomatic events per day (event date) × country pair × type.
CREATE OR REPLACE VIEW analytics.event_counts_daily AS
SELECT p.event_date AS day, p.country_a, p.country_b, p.type, count(*)::int AS events,
       sum(p.source_count)::int AS sources
  FROM analytics.event_country_pairs p
 GROUP BY p.event_date, p.country_a, p.country_b, p.type;

-- The articles that report each diplomatic event, with the evidence.
CREATE OR REPLACE VIEW analytics.event_sources AS
SELECT s.diplomatic_event_id, s.article_id, a.title, a.url, a.feed_url, a.published_at, s.confidence,
       s.evidence, s.detected_at
  FROM public.diplomatic_event_sources s
  JOIN public.articles a ON a.id = s.article_id;

-- Articles with their classification (the text, not the raw feed markup).
CREATE OR REPLACE VIEW analytics.articles AS
SELECT a.id, a.url, a.canonical_url, a.feed_url, a.title, a.text, a.language, a.author, a.published_at,
       a.ingested_at, a.relevant, a.relevance, a.rules_version, a.classified_at
  FROM public.articles a;

-- Every feed each article was found in.
CREATE OR REPLACE VIEW analytics.article_feeds AS
SELECT f.article_id, f.feed_url, f.url, f.first_seen_at
  FROM public.article_feeds f;

-- Actor lookup: each named actor, the country given for them, and how many events name them.
CREATE OR REPLACE VIEW analytics.actors AS
SELECT a ->> 'name' AS name, a ->> 'country' AS country, count(DISTINCT e.id)::int AS events,
       min(e.event_date) AS first_event_date, max(e.event_date) AS last_event_date
  FROM public.diplomatic_events e
 CROSS JOIN LATERAL jsonb_array_elements(e.actors) AS a
 GROUP BY a ->> 'name', a ->> 'country';

-- Country lookup: each country (or ASEAN) with its events.
CREATE OR REPLACE VIEW analytics.countries AS
SELECT c.country, count(*)::int AS events, min(c.event_date) AS first_event_date,
       max(c.event_date) AS last_event_date
  FROM analytics.event_countries c
 GROUP BY c.country;

COMMENT ON SCHEMA analytics IS 'Stable SQL views over the diplowatch read models, for dashboards (docs/read-models.md)';
COMMENT ON VIEW analytics.diplomatic_events IS 'One row per consolidated diplomatic event';
COMMENT ON VIEW analytics.event_countries IS 'One row per (diplomatic event, country)';
COMMENT ON VIEW analytics.event_country_pairs IS 'One row per (diplomatic event, country pair), country_a < country_b';
COMMENT ON VIEW analytics.event_counts_daily IS 'Diplomatic events per event day x country pair x type';
COMMENT ON VIEW analytics.event_sources IS 'Articles reporting each diplomatic event, with evidence';
COMMENT ON VIEW analytics.articles IS 'Articles with their classification';
COMMENT ON VIEW analytics.article_feeds IS 'Feeds each article was found in';
COMMENT ON VIEW analytics.actors IS 'Actor lookup: names, countries, number of events';
COMMENT ON VIEW analytics.countries IS 'Country lookup: number of events, first and last event dates';

-- The read-only role: NOLOGIN, granted to the login roles of dashboard tools (see the docs).
-- Roles are shared by all databases of a server, so it may exist already; without the
-- CREATEROLE privilege the migration still applies and says how to create it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'diplowatch_readonly') THEN
    CREATE ROLE diplowatch_readonly NOLOGIN;
  END IF;
  EXECUTE 'GRANT USAGE ON SCHEMA analytics TO diplowatch_readonly';
  EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO diplowatch_readonly';
  EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO diplowatch_readonly';
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'diplowatch_readonly not created (no CREATEROLE): create it as described in docs/read-models.md';
END
$$;
