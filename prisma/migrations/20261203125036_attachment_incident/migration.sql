BEGIN;

-- AlterTable
ALTER TABLE "attachment" ADD COLUMN     "incident_id" UUID;

-- CreateIndex
CREATE INDEX "attachment_incident_id_idx" ON "attachment"("incident_id");

-- AddForeignKey
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMIT;
