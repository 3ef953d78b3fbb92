BEGIN;

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "response_breached_at" TIMESTAMP(3),
ADD COLUMN     "response_warned_at" TIMESTAMP(3);

COMMIT;
