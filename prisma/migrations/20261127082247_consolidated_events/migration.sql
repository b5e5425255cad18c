-- AlterTable
ALTER TABLE "diplomatic_event_sources" ADD COLUMN     "last_sequence" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "diplomatic_event_aliases" (
    "alias" TEXT NOT NULL,
    "diplomatic_event_id" TEXT NOT NULL,
    "first_sequence" BIGINT NOT NULL,

    CONSTRAINT "diplomatic_event_aliases_pkey" PRIMARY KEY ("alias")
);

-- CreateTable
CREATE TABLE "alert_subscriptions" (
    "id" TEXT NOT NULL,
    "owner_key_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "options" JSONB NOT NULL,
    "channels" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "secret_sealed" TEXT NOT NULL,
    "last_alert_seq" INTEGER NOT NULL DEFAULT 0,
    "digested_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "diplomatic_event_id" TEXT,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "channel_key" TEXT NOT NULL,
    "channel_type" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "receiver_key" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_until" TIMESTAMPTZ(3),
    "lease_token" TEXT,
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_delivery_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "status" INTEGER,
    "error" TEXT,

    CONSTRAINT "alert_delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerted_events" (
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "last_sequence" BIGINT NOT NULL,
    "first_recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "alerted_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_spike_counts" (
    "key" TEXT NOT NULL,
    "week_start" DATE NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "alert_spike_counts_pkey" PRIMARY KEY ("key","week_start")
);

-- CreateIndex
CREATE INDEX "diplomatic_event_aliases_diplomatic_event_id_idx" ON "diplomatic_event_aliases"("diplomatic_event_id");

-- CreateIndex
CREATE INDEX "alert_subscriptions_owner_key_id_created_at_idx" ON "alert_subscriptions"("owner_key_id", "created_at");

-- CreateIndex
CREATE INDEX "alerts_diplomatic_event_id_kind_idx" ON "alerts"("diplomatic_event_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_subscription_id_seq_key" ON "alerts"("subscription_id", "seq");

-- CreateIndex
CREATE INDEX "alert_deliveries_state_next_attempt_at_idx" ON "alert_deliveries"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "alert_deliveries_subscription_id_id_idx" ON "alert_deliveries"("subscription_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "alert_deliveries_alert_id_channel_key_key" ON "alert_deliveries"("alert_id", "channel_key");

-- CreateIndex
CREATE INDEX "alert_delivery_attempts_delivery_id_id_idx" ON "alert_delivery_attempts"("delivery_id", "id");

-- CreateIndex
CREATE INDEX "alerted_events_first_recorded_at_idx" ON "alerted_events"("first_recorded_at");

-- CreateIndex
CREATE INDEX "diplomatic_events_type_event_date_idx" ON "diplomatic_events"("type", "event_date");

-- AddForeignKey
ALTER TABLE "diplomatic_event_aliases" ADD CONSTRAINT "diplomatic_event_aliases_diplomatic_event_id_fkey" FOREIGN KEY ("diplomatic_event_id") REFERENCES "diplomatic_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "alert_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "alert_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_delivery_attempts" ADD CONSTRAINT "alert_delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "alert_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand: rows projected before consolidation keep their meaning. Each event is
-- known by its own merge key, and a source counts as changed at its event's last sequence
-- (a replay of anything older then changes nothing).
INSERT INTO "diplomatic_event_aliases" ("alias", "diplomatic_event_id", "first_sequence")
SELECT "id", "id", "last_sequence" FROM "diplomatic_events"
ON CONFLICT ("alias") DO NOTHING;

UPDATE "diplomatic_event_sources" s SET "last_sequence" = e."last_sequence"
  FROM "diplomatic_events" e WHERE e."id" = s."diplomatic_event_id";
