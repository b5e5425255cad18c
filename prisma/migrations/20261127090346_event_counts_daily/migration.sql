-- CreateTable
CREATE TABLE "diplomatic_event_counts_daily" (
    "day" DATE NOT NULL,
    "country_a" TEXT NOT NULL,
    "country_b" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "events" INTEGER NOT NULL,
    "sources" INTEGER NOT NULL,

    CONSTRAINT "diplomatic_event_counts_daily_pkey" PRIMARY KEY ("day","country_a","country_b","type")
);

-- Written by hand: the counts of events projected before this table, and the dashboards' view
-- reads the table from now on (same columns as before).
INSERT INTO "diplomatic_event_counts_daily" ("day", "country_a", "country_b", "type", "events", "sources")
SELECT e."event_date", a.country, b.country, e."type", count(*)::int, sum(e."source_count")::int
  FROM "diplomatic_events" e
 CROSS JOIN LATERAL unnest(e."countries") AS a(country)
 CROSS JOIN LATERAL unnest(e."countries") AS b(country)
 WHERE a.country < b.country
 GROUP BY e."event_date", a.country, b.country, e."type";

CREATE OR REPLACE VIEW analytics.event_counts_daily AS
SELECT c.day, c.country_a, c.country_b, c.type, c.events, c.sources
  FROM public.diplomatic_event_counts_daily c;
