BEGIN;

-- AlterTable
ALTER TABLE "contact" ADD COLUMN     "email_verified" BOOLEAN NOT NULL DEFAULT false;

-- Existing emails: trusted when the person has an account on a channel that vouches for addresses. A web chat
-- visitor's email may have been typed rather than signed by the host page, so it stays unverified.
UPDATE "contact" c SET "email_verified" = true
 WHERE c."email" IS NOT NULL
   AND EXISTS (SELECT 1 FROM "channel_identity" ci WHERE ci."contact_id" = c."id" AND ci."channel" <> 'webchat');

COMMIT;
