BEGIN;

-- CreateEnum
CREATE TYPE "incident_type" AS ENUM ('incident', 'request');

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "type" "incident_type" NOT NULL DEFAULT 'incident';

COMMIT;
