-- Generated diff, edited by hand: the generated column (Prisma renders it as a DEFAULT, which
-- Postgres refuses: a default cannot read other columns), the backfill, and the order.

-- An event's search document moves to a row of its own. The event row is rewritten by every
-- report (source count, last seen), and with the document on it every such update recomputed
-- the generated search_pairs, wrote the document's TOAST again and, not being HOT, added
-- entries to both GIN indexes: about half of Postgres's statement time in bench:e2e. The
-- projector now writes this row only when the document changes.

-- CreateTable
CREATE TABLE "event_search_documents" (
    "diplomatic_event_id" TEXT NOT NULL,
    "search_vector" tsvector NOT NULL,
    "search_pairs" TEXT[] GENERATED ALWAYS AS (tsvector_adjacent_pairs("search_vector")) STORED,

    CONSTRAINT "event_search_documents_pkey" PRIMARY KEY ("diplomatic_event_id")
);

-- Written by hand: the documents of events projected before this table (their pairs are
-- generated again), before the indexes, which are then built once.
INSERT INTO "event_search_documents" ("diplomatic_event_id", "search_vector")
SELECT "id", "search_vector" FROM "diplomatic_events" WHERE "search_vector" IS NOT NULL;

-- CreateIndex
CREATE INDEX "event_search_documents_search_vector_idx" ON "event_search_documents" USING GIN ("search_vector");

-- CreateIndex
CREATE INDEX "event_search_documents_search_pairs_idx" ON "event_search_documents" USING GIN ("search_pairs");

-- AddForeignKey
ALTER TABLE "event_search_documents" ADD CONSTRAINT "event_search_documents_diplomatic_event_id_fkey" FOREIGN KEY ("diplomatic_event_id") REFERENCES "diplomatic_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- DropIndex
DROP INDEX "diplomatic_events_search_pairs_idx";

-- DropIndex
DROP INDEX "diplomatic_events_search_vector_idx";

-- AlterTable
ALTER TABLE "diplomatic_events" DROP COLUMN "search_pairs",
DROP COLUMN "search_vector";
