BEGIN;

-- AlterTable
ALTER TABLE "message" ADD COLUMN     "delivery_status" TEXT,
ADD COLUMN     "delivery_status_at" TIMESTAMP(3);

COMMIT;
