-- CreateTable
CREATE TABLE "article_feeds" (
    "article_id" TEXT NOT NULL,
    "feed_url" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "guid" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_sequence" BIGINT NOT NULL,

    CONSTRAINT "article_feeds_pkey" PRIMARY KEY ("article_id","feed_url")
);

-- CreateIndex
CREATE INDEX "article_feeds_feed_url_idx" ON "article_feeds"("feed_url");

-- AddForeignKey
ALTER TABLE "article_feeds" ADD CONSTRAINT "article_feeds_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand: articles projected before this table keep the feed they came from.
INSERT INTO "article_feeds" ("article_id", "feed_url", "url", "guid", "first_seen_at", "last_sequence")
SELECT "id", "feed_url", "url", "guid", "ingested_at", "last_sequence" FROM "articles"
ON CONFLICT DO NOTHING;
