BEGIN;

-- DropIndex
DROP INDEX "channel_identity_contact_id_idx";

-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "match_key" TEXT;

-- Backfill: email conversations were found by reference fields (sender + normalised subject) and keep
-- being found by the same pair, now as their match key (channels/email/reference.ts emailMatchKey).
UPDATE "conversation" SET "match_key" = ("reference"->>'to') || E'\n' || ("reference"->>'subjectKey')
 WHERE "channel" = 'email' AND "reference"->>'to' IS NOT NULL AND "reference"->>'subjectKey' IS NOT NULL;

-- CreateIndex
CREATE INDEX "channel_identity_contact_id_channel_idx" ON "channel_identity"("contact_id", "channel");

-- CreateIndex
CREATE INDEX "conversation_channel_match_key_idx" ON "conversation"("channel", "match_key");

-- CreateIndex
CREATE INDEX "message_external_id_seq_idx" ON "message"("external_id", "seq");

COMMIT;
