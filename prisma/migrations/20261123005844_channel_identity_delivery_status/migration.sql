BEGIN;

-- AlterTable
ALTER TABLE "channel_identity" ADD COLUMN     "bounce_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "failing_since" TIMESTAMP(3),
ADD COLUMN     "last_bounce_at" TIMESTAMP(3),
ADD COLUMN     "last_bounce_reason" TEXT,
ADD COLUMN     "last_bounce_status" TEXT;

COMMIT;
