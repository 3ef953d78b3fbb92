BEGIN;

-- CreateTable
CREATE TABLE "major_incident_update" (
    "id" UUID NOT NULL,
    "major_incident_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "public_text" JSONB NOT NULL,
    "internal_text" TEXT,
    "restricted" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT NOT NULL DEFAULT 'all',
    "automatic" BOOLEAN NOT NULL DEFAULT false,
    "author" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "major_incident_update_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "broadcast" (
    "id" UUID NOT NULL,
    "update_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'planning',
    "recipients" INTEGER NOT NULL DEFAULT 0,
    "leased_until" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "planned_at" TIMESTAMP(3),

    CONSTRAINT "broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "broadcast_delivery" (
    "broadcast_id" UUID NOT NULL,
    "recipient_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "conversation_id" UUID NOT NULL,
    "outbox_key" TEXT NOT NULL,
    "fallback_channel" TEXT,
    "fallback_address" TEXT,
    "fallback_key" TEXT,
    "fallback_at" TIMESTAMP(3),
    "failed_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broadcast_delivery_pkey" PRIMARY KEY ("broadcast_id","recipient_key")
);

-- CreateTable
CREATE TABLE "subscription" (
    "id" UUID NOT NULL,
    "service_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "contact_id" UUID,
    "conversation_id" UUID,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "clearance" TEXT NOT NULL DEFAULT 'public',
    "locale" TEXT,
    "group_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMP(3),
    "unsubscribed_at" TIMESTAMP(3),

    CONSTRAINT "subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "distribution_group" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "clearance" TEXT NOT NULL DEFAULT 'internal',
    "services" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "slack_channel" TEXT,
    "teams_channel" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "distribution_group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "group_member" (
    "group_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT,
    "locale" TEXT,

    CONSTRAINT "group_member_pkey" PRIMARY KEY ("group_id","email")
);

-- CreateTable
CREATE TABLE "maintenance" (
    "id" UUID NOT NULL,
    "service_id" TEXT NOT NULL,
    "title" JSONB NOT NULL,
    "starts_at" TIMESTAMP(3) NOT NULL,
    "ends_at" TIMESTAMP(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "major_incident_update_major_incident_id_created_at_idx" ON "major_incident_update"("major_incident_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "broadcast_update_id_key" ON "broadcast"("update_id");

-- CreateIndex
CREATE INDEX "broadcast_status_idx" ON "broadcast"("status");

-- CreateIndex
CREATE UNIQUE INDEX "broadcast_delivery_outbox_key_key" ON "broadcast_delivery"("outbox_key");

-- CreateIndex
CREATE INDEX "subscription_service_id_status_idx" ON "subscription"("service_id", "status");

-- CreateIndex
CREATE INDEX "subscription_group_id_idx" ON "subscription"("group_id");

-- CreateIndex
CREATE UNIQUE INDEX "subscription_service_id_channel_address_key" ON "subscription"("service_id", "channel", "address");

-- CreateIndex
CREATE UNIQUE INDEX "distribution_group_name_key" ON "distribution_group"("name");

-- CreateIndex
CREATE INDEX "maintenance_ends_at_idx" ON "maintenance"("ends_at");

-- AddForeignKey
ALTER TABLE "broadcast" ADD CONSTRAINT "broadcast_update_id_fkey" FOREIGN KEY ("update_id") REFERENCES "major_incident_update"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "broadcast_delivery" ADD CONSTRAINT "broadcast_delivery_broadcast_id_fkey" FOREIGN KEY ("broadcast_id") REFERENCES "broadcast"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_member" ADD CONSTRAINT "group_member_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "distribution_group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
