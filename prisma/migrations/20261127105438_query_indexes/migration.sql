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

-- A version stops being the answer at the earliest recorded_at of any later version.
UPDATE "diplomatic_event_versions" v
   SET "valid_until" = u."until"
  FROM (SELECT "diplomatic_event_id", "version",
               min("recorded_at") OVER (PARTITION BY "diplomatic_event_id" ORDER BY "version" DESC
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "until"
          FROM "diplomatic_event_versions") u
 WHERE v."diplomatic_event_id" = u."diplomatic_event_id" AND v."version" = u."version"
   AND u."until" IS NOT NULL;

ALTER TABLE "diplomatic_event_versions" ALTER COLUMN "confidence" SET NOT NULL,
ALTER COLUMN "event_date" SET NOT NULL,
ALTER COLUMN "type" SET NOT NULL;

-- Events: one search document over all their sources' titles and texts (q=).
-- AlterTable
ALTER TABLE "diplomatic_events" ADD COLUMN     "search_vector" tsvector;

UPDATE "diplomatic_events" e
   SET "search_vector" = d."document"
  FROM (SELECT s."diplomatic_event_id",
               to_tsvector('english'::regconfig, string_agg(a."title" || ' ' || a."text", ' ' ORDER BY a."id")) AS "document"
          FROM "diplomatic_event_sources" s JOIN "articles" a ON a."id" = s."article_id"
         GROUP BY s."diplomatic_event_id") d
 WHERE e."id" = d."diplomatic_event_id";

-- CreateIndex
CREATE INDEX "diplomatic_event_sources_feed_urls_idx" ON "diplomatic_event_sources" USING GIN ("feed_urls");

-- CreateIndex
CREATE INDEX "diplomatic_event_sources_published_at_idx" ON "diplomatic_event_sources"("published_at");

-- CreateIndex
CREATE INDEX "diplomatic_event_versions_countries_idx" ON "diplomatic_event_versions" USING GIN ("countries");

-- CreateIndex
CREATE INDEX "diplomatic_event_versions_event_date_diplomatic_event_id_idx" ON "diplomatic_event_versions"("event_date" DESC, "diplomatic_event_id" DESC);

-- CreateIndex
CREATE INDEX "diplomatic_event_versions_confidence_diplomatic_event_id_idx" ON "diplomatic_event_versions"("confidence" DESC, "diplomatic_event_id" DESC);

-- CreateIndex
CREATE INDEX "diplomatic_events_search_vector_idx" ON "diplomatic_events" USING GIN ("search_vector");
