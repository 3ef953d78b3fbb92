BEGIN;

-- CreateTable
CREATE TABLE "kb_embedding" (
    "article_id" TEXT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "category" TEXT,
    "content_hash" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "vector" REAL[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kb_embedding_pkey" PRIMARY KEY ("article_id","chunk")
);

-- CreateIndex
CREATE INDEX "kb_embedding_language_idx" ON "kb_embedding"("language");

COMMIT;
