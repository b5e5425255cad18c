-- Written by hand from the generated diff (Prisma renders a generated column as a DEFAULT,
-- which Postgres refuses: a default cannot read other columns).

-- Actor names (GET /events?actor=) as a stored generated column instead of an index on the
-- expression: walking events in date order, the filter then reads the stored value rather
-- than recomputing jsonb_path_query_array and to_tsvector on every row (0.1 ms a row). The
-- index keeps its name and now covers the column; the API's query names the column.
DROP INDEX "diplomatic_events_actor_names_idx";

-- AlterTable
ALTER TABLE "diplomatic_events" ADD COLUMN "actor_names" tsvector
  GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, jsonb_path_query_array("actors", '$[*].name'::jsonpath))) STORED;

-- CreateIndex
CREATE INDEX "diplomatic_events_actor_names_idx" ON "diplomatic_events" USING GIN ("actor_names");

-- Per-country daily counts (GET /stats/timeseries?groupBy=country), kept by the projector.
-- CreateTable
CREATE TABLE "diplomatic_event_country_counts_daily" (
    "day" DATE NOT NULL,
    "country" TEXT NOT NULL,
    "events" INTEGER NOT NULL,

    CONSTRAINT "diplomatic_event_country_counts_daily_pkey" PRIMARY KEY ("day","country")
);

-- Written by hand: the counts of events projected before this table.
INSERT INTO "diplomatic_event_country_counts_daily" ("day", "country", "events")
SELECT e."event_date", c.country, count(*)::int
  FROM "diplomatic_events" e
 CROSS JOIN LATERAL (SELECT DISTINCT unnest(e."countries")) AS c(country)
 GROUP BY e."event_date", c.country;
