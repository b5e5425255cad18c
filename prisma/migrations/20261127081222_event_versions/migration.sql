-- CreateTable
CREATE TABLE "diplomatic_event_versions" (
    "diplomatic_event_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "stream_sequence" BIGINT NOT NULL,
    "change" TEXT NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "diplomatic_event_versions_pkey" PRIMARY KEY ("diplomatic_event_id","version")
);

-- CreateIndex
CREATE INDEX "diplomatic_event_versions_recorded_at_idx" ON "diplomatic_event_versions"("recorded_at");

-- AddForeignKey
ALTER TABLE "diplomatic_event_versions" ADD CONSTRAINT "diplomatic_event_versions_diplomatic_event_id_fkey" FOREIGN KEY ("diplomatic_event_id") REFERENCES "diplomatic_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
