-- Written by hand from the generated diff: Prisma renders a generated column as a DEFAULT
-- (which Postgres refuses, a default cannot read other columns) and cannot express an
-- index on an expression (its diff ignores such indexes, so they do not count as drift).

-- Full-text search over articles (GET /events?q=): generated, so every writer keeps it right.
-- AlterTable
ALTER TABLE "articles" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "title" || ' ' || "text")) STORED;

-- CreateIndex
CREATE INDEX "articles_search_vector_idx" ON "articles" USING GIN ("search_vector");

-- Sorting by confidence (GET /events?sort=confidence), keyset-paged on (confidence, id).
-- CreateIndex
CREATE INDEX "diplomatic_events_confidence_id_idx" ON "diplomatic_events"("confidence" DESC, "id" DESC);

-- Actor names, matched word by word and case-insensitively (GET /events?actor=). The API's
-- query repeats this expression exactly, or the planner cannot use the index.
-- CreateIndex
CREATE INDEX "diplomatic_events_actor_names_idx" ON "diplomatic_events" USING GIN
  (to_tsvector('simple'::regconfig, jsonb_path_query_array("actors", '$[*].name'::jsonpath)));
