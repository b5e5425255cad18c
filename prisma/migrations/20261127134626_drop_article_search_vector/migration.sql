-- Projector throughput (issue 5): the articles' generated full-text column and its GIN index go.
-- No query reads them since `q` matches diplomatic_events.search_vector (one document per
-- event, migration 20261127105438_query_indexes), yet every article write computed
-- to_tsvector over title and text and inserted its lexemes into the GIN index: the largest
-- single cost of projecting an article.

-- DropIndex
DROP INDEX "articles_search_vector_idx";

-- AlterTable
ALTER TABLE "articles" DROP COLUMN "search_vector";
