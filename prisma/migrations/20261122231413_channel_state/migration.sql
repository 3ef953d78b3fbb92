BEGIN;

-- CreateTable
CREATE TABLE "channel_state" (
    "channel" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_state_pkey" PRIMARY KEY ("channel","key")
);

COMMIT;
