BEGIN;

-- CreateIndex
CREATE INDEX "conversation_reference_idx" ON "conversation" USING GIN ("reference" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "message_external_id_idx" ON "message"("external_id");

COMMIT;
