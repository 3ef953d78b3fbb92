BEGIN;

-- CreateTable
CREATE TABLE "agent_override" (
    "id" UUID NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'slack',
    "key" TEXT NOT NULL,
    "display_name" TEXT,
    "email" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "agent_override_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agent_override_channel_key_key" ON "agent_override"("channel", "key");

COMMIT;
