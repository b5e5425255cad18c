-- Query latency (issue "Event history for analysts"): columns the projector copies so the API's
-- filters read one indexed table each. Written by hand from the generated diff: the new
-- columns are filled from the rows already projected before NOT NULL is set.

-- Sources: the article's feeds and publication time (feed= and published*= need no join).
-- AlterTable
ALTER TABLE "diplomatic_event_sources" ADD COLUMN     "feed_urls" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "published_at" TIMESTAMPTZ(3);

UPDATE "diplomatic_event_sources" s
   SET "published_at" = a."published_at",
       "feed_urls" = ARRAY(SELECT f."feed_url" FROM "article_feeds" f
                            WHERE f."article_id" = s."article_id" ORDER BY f."feed_url")
  FROM "articles" a
 WHERE a."id" = s."article_id";

-- Versions: the filterable fields of their state, and when each was superseded (asOf).
-- AlterTable
ALTER TABLE "diplomatic_event_versions" ADD COLUMN     "confidence" DOUBLE PRECISION,
ADD COLUMN     "countries" TEXT[],
ADD COLUMN     "event_date" DATE,
ADD COLUMN     "type" TEXT,
ADD COLUMN     "valid_until" TIMESTAMPTZ(3);

UPDATE "diplomatic_event_versions"
   SET "type" = "state"->>'type',
       "countries" = ARRAY(SELECT jsonb_array_elements_text("state"->'countries')),
       "event_date" = ("state"->>'eventDate')::date,
       "confidence" = ("state"->>'confidence')::float8;

-- A version stops being the answer at the earliest recorded_at of any later version (never
-- before its own recorded_at: one superseded before it was recorded is never the answer).
UPDATE "diplomatic_event_versions" v
   SET "valid_until" = GREATEST(v."recorded_at", u."until")
  FROM (SELECT "diplomatic_event_id", "version",
               min("recorded_at") OVER (PARTITION BY "diplomatic_event_id" ORDER BY "version" DESC
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "until"
          FROM "diplomatic_event_versions") u
 WHERE v."diplomatic_event_id" = u."diplomatic_event_id" AND v."version" = u."version"
   AND u."until" IS NOT NULL;

ALTER TABLE "diplomatic_event_versions" ALTER COLUMN "confidence" SET NOT NULL,
ALTER COLUMN "event_date" SET NOT NULL,
ALTER COLUMN "type" SET NOT NULL;

-- Events: one search document over their sources' titles and texts (q=); the first 50 sources
-- by article id, 20,000 characters of each, as the projector writes it (SEARCH_DOCUMENT_*).
-- AlterTable
ALTER TABLE "diplomatic_events" ADD COLUMN     "search_vector" tsvector;

UPDATE "diplomatic_events" e
   SET "search_vector" = d."document"
  FROM (SELECT r."diplomatic_event_id",
               to_tsvector('english'::regconfig, string_agg(r."body", ' ' ORDER BY r."id")) AS "document"
          FROM (SELECT s."diplomatic_event_id", a."id", a."title" || ' ' || left(a."text", 20000) AS "body",
                       row_number() OVER (PARTITION BY s."diplomatic_event_id" ORDER BY a."id") AS "n"
                  FROM "diplomatic_event_sources" s JOIN "articles" a ON a."id" = s."article_id") r
         WHERE r."n" <= 50
         GROUP BY r."diplomatic_event_id") d
 WHERE e."id" = d."diplomatic_event_id";

-- CreateIndex
CREATE INDEX "diplomatic_event_sources_feed_urls_idx" ON "diplomatic_event_sources" USING GIN ("feed_urls");

-- CreateIndex
CREATE INDEX "diplomatic_event_sources_published_at_idx" ON "diplomatic_event_sources"("published_at");

-- CreateIndex
CREATE INDEX "diplomatic_event_sources_diplomatic_event_id_published_at_f_idx" ON "diplomatic_event_sources"("diplomatic_event_id", "published_at", "feed_urls");

-- CreateIndex
CREATE INDEX "diplomatic_events_event_date_type_countries_idx" ON "diplomatic_events"("event_date", "type", "countries");

-- CreateIndex
CREATE INDEX "diplomatic_events_search_vector_idx" ON "diplomatic_events" USING GIN ("search_vector");

-- Written by hand (Prisma cannot express these; its diff ignores indexes on expressions).
-- asOf: the versions known at a moment, [recorded_at, valid_until) containing it, nearest
-- event date (or confidence) first. btree_gist lets one GiST index hold the range and the sort
-- key, and answer ORDER BY event_date <-> 'far date' (a K-nearest-neighbour scan) while it
-- checks the range: the page is read without visiting versions of other moments.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX "diplomatic_event_versions_known_idx" ON "diplomatic_event_versions" USING GIST
  (tstzrange("recorded_at", "valid_until", '[)'), "event_date", "confidence");
