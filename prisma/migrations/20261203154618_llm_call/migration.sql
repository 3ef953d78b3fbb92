BEGIN;

-- CreateTable
CREATE TABLE "llm_call" (
    "id" UUID NOT NULL,
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "latency_ms" INTEGER NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "incident_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_call_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "llm_call_created_at_idx" ON "llm_call"("created_at");

-- CreateIndex
CREATE INDEX "llm_call_incident_id_idx" ON "llm_call"("incident_id");

COMMIT;
