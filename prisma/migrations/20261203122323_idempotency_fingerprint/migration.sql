BEGIN;

-- AlterTable
ALTER TABLE "inbound_event" ADD COLUMN     "fingerprint" TEXT,
ADD COLUMN     "response" JSONB;

COMMIT;
