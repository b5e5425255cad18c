-- CreateTable
CREATE TABLE "articles" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "canonical_url" TEXT NOT NULL,
    "guid" TEXT,
    "feed_url" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "raw_content" TEXT,
    "language" TEXT,
    "author" TEXT,
    "published_at" TIMESTAMPTZ(3),
    "ingested_at" TIMESTAMPTZ(3) NOT NULL,
    "content_hash" TEXT NOT NULL,
    "relevant" BOOLEAN,
    "relevance" DOUBLE PRECISION,
    "rules_version" TEXT,
    "classified_at" TIMESTAMPTZ(3),
    "classification" JSONB,
    "last_sequence" BIGINT NOT NULL,

    CONSTRAINT "articles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "diplomatic_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "countries" TEXT[],
    "actors" JSONB NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "summary" TEXT NOT NULL,
    "start_date" DATE,
    "end_date" DATE,
    "event_date" DATE NOT NULL,
    "place" TEXT,
    "topics" TEXT[],
    "rules_version" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "source_count" INTEGER NOT NULL,
    "last_sequence" BIGINT NOT NULL,

    CONSTRAINT "diplomatic_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "diplomatic_event_sources" (
    "diplomatic_event_id" TEXT NOT NULL,
    "article_id" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "evidence" JSONB NOT NULL,
    "context" JSONB NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "diplomatic_event_sources_pkey" PRIMARY KEY ("diplomatic_event_id","article_id")
);

-- CreateTable
CREATE TABLE "projection_checkpoints" (
    "name" TEXT NOT NULL,
    "last_sequence" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "projection_checkpoints_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "articles_published_at_idx" ON "articles"("published_at" DESC);

-- CreateIndex
CREATE INDEX "articles_feed_url_idx" ON "articles"("feed_url");

-- CreateIndex
CREATE INDEX "diplomatic_events_countries_idx" ON "diplomatic_events" USING GIN ("countries");

-- CreateIndex
CREATE INDEX "diplomatic_events_type_first_seen_at_idx" ON "diplomatic_events"("type", "first_seen_at" DESC);

-- CreateIndex
CREATE INDEX "diplomatic_events_event_date_id_idx" ON "diplomatic_events"("event_date" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "diplomatic_event_sources_article_id_idx" ON "diplomatic_event_sources"("article_id");

-- AddForeignKey
ALTER TABLE "diplomatic_event_sources" ADD CONSTRAINT "diplomatic_event_sources_diplomatic_event_id_fkey" FOREIGN KEY ("diplomatic_event_id") REFERENCES "diplomatic_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "diplomatic_event_sources" ADD CONSTRAINT "diplomatic_event_sources_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;
