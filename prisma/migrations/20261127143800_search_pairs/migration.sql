-- Written by hand (Prisma has no syntax for functions or generated columns).

-- Phrases in full-text search (GET /events?q="joint exercise"): the GIN index on search_vector
-- finds the events holding every word, but a phrase needs word positions, so Postgres read and
-- checked every such document (5,917 for that phrase at the bench's scale, 40 ms or more).
-- The adjacent word pairs of a document, indexed, answer it: "a b" matches exactly the
-- documents holding the pair (a, b) at positions p, p + 1. Derived from the stored tsvector
-- itself, so the pairs agree with what Postgres's phrase operator sees (its positions are
-- capped alike). Generated: the projector's code does not change; Postgres recomputes it when
-- the search document changes.
CREATE FUNCTION tsvector_adjacent_pairs(document tsvector) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}'::text[])
      FROM (SELECT u.lexeme, p FROM unnest(document) AS u, unnest(u.positions) AS p) a
      JOIN (SELECT u.lexeme, p FROM unnest(document) AS u, unnest(u.positions) AS p) b ON b.p = a.p + 1
  $$;

-- AlterTable
ALTER TABLE "diplomatic_events" ADD COLUMN "search_pairs" text[]
  GENERATED ALWAYS AS (tsvector_adjacent_pairs("search_vector")) STORED;

-- CreateIndex
CREATE INDEX "diplomatic_events_search_pairs_idx" ON "diplomatic_events" USING GIN ("search_pairs");
