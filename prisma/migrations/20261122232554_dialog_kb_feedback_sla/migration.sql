BEGIN;

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "sla_breached_at" TIMESTAMP(3),
ADD COLUMN     "sla_paused_at" TIMESTAMP(3),
ADD COLUMN     "sla_paused_minutes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sla_warned_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "kb_feedback" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "article_id" TEXT NOT NULL,
    "conversation_id" UUID,
    "language" TEXT NOT NULL,
    "category" TEXT,
    "helped" BOOLEAN,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kb_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "kb_feedback_kind_created_at_idx" ON "kb_feedback"("kind", "created_at");

-- CreateIndex
CREATE INDEX "kb_feedback_article_id_idx" ON "kb_feedback"("article_id");

COMMIT;
