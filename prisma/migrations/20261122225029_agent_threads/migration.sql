BEGIN;

-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'reporter';

-- CreateTable
CREATE TABLE "incident_link" (
    "incident_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_link_pkey" PRIMARY KEY ("incident_id","key")
);

-- AddForeignKey
ALTER TABLE "incident_link" ADD CONSTRAINT "incident_link_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
