BEGIN;

-- CreateEnum
CREATE TYPE "problem_status" AS ENUM ('open', 'known_error', 'closed');

-- AlterEnum
ALTER TYPE "api_role" ADD VALUE 'alerts';

-- CreateTable
CREATE TABLE "monitoring_alert" (
    "id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'alertmanager',
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "service_id" TEXT,
    "ci_id" TEXT,
    "incident_id" UUID,
    "starts_at" TIMESTAMP(3) NOT NULL,
    "resolved_at" TIMESTAMP(3),
    "flap_count" INTEGER NOT NULL DEFAULT 0,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "monitoring_alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "problem" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "service_id" TEXT,
    "ci_id" TEXT,
    "status" "problem_status" NOT NULL DEFAULT 'open',
    "workaround" TEXT,
    "kb_article_id" TEXT,
    "created_by" TEXT NOT NULL,
    "closed_at" TIMESTAMP(3),
    "resolution" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "problem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "problem_incident" (
    "problem_id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "problem_incident_pkey" PRIMARY KEY ("problem_id","incident_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "monitoring_alert_fingerprint_key" ON "monitoring_alert"("fingerprint");

-- CreateIndex
CREATE INDEX "monitoring_alert_service_id_status_idx" ON "monitoring_alert"("service_id", "status");

-- CreateIndex
CREATE INDEX "monitoring_alert_incident_id_idx" ON "monitoring_alert"("incident_id");

-- CreateIndex
CREATE UNIQUE INDEX "problem_number_key" ON "problem"("number");

-- CreateIndex
CREATE INDEX "problem_service_id_status_idx" ON "problem"("service_id", "status");

-- CreateIndex
CREATE INDEX "problem_incident_incident_id_idx" ON "problem_incident"("incident_id");

-- AddForeignKey
ALTER TABLE "problem_incident" ADD CONSTRAINT "problem_incident_problem_id_fkey" FOREIGN KEY ("problem_id") REFERENCES "problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
