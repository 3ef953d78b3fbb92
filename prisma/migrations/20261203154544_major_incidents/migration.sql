BEGIN;

-- CreateEnum
CREATE TYPE "major_incident_status" AS ENUM ('candidate', 'declared', 'resolved', 'dismissed');

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "ci_id" TEXT,
ADD COLUMN     "major_incident_id" UUID;

-- CreateTable
CREATE TABLE "major_incident" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "service_id" TEXT NOT NULL,
    "ci_id" TEXT,
    "title" TEXT NOT NULL,
    "status" "major_incident_status" NOT NULL DEFAULT 'candidate',
    "restricted" BOOLEAN NOT NULL DEFAULT false,
    "declared_at" TIMESTAMP(3),
    "declared_by" TEXT,
    "resolved_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "major_incident_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "major_incident_number_key" ON "major_incident"("number");

-- CreateIndex
CREATE INDEX "major_incident_status_service_id_idx" ON "major_incident"("status", "service_id");

-- CreateIndex
CREATE INDEX "incident_major_incident_id_idx" ON "incident"("major_incident_id");

-- CreateIndex
CREATE INDEX "incident_service_created_at_idx" ON "incident"("service", "created_at");

-- AddForeignKey
ALTER TABLE "incident" ADD CONSTRAINT "incident_major_incident_id_fkey" FOREIGN KEY ("major_incident_id") REFERENCES "major_incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMIT;
