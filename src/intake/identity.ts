import type { InboundUser } from '../../channels/types.js';
import type { Tx } from '../db/database.js';

/**
 * Finds or creates the person behind a channel account. One person may write from several channels: a
 * platform-verified email links a new account to the existing contact with that email.
 *
 * One statement (a round trip matters on every first contact): the existing identity wins; otherwise the contact
 * with the verified email, otherwise a new contact; the identity insert then links it. A concurrent first message
 * from the same account may have won the race: `ON CONFLICT … RETURNING` gives its contact (our new contact row,
 * if any, stays unused, as before).
 */
export async function resolveContact(tx: Tx, channel: string, user: InboundUser): Promise<string> {
  const email = user.email?.toLowerCase() ?? null;
  const rows = await tx.$queryRaw<{ contact_id: string }[]>`
    WITH existing AS (
      SELECT contact_id FROM channel_identity WHERE channel = ${channel} AND external_id = ${user.externalId}
    ), by_email AS (
      SELECT id FROM contact
       WHERE ${Boolean(user.email && user.emailVerified)} AND email = ${email} AND NOT EXISTS (SELECT 1 FROM existing)
       ORDER BY created_at LIMIT 1
    ), created AS (
      INSERT INTO contact (id, display_name, email, locale, created_at, updated_at)
      SELECT gen_random_uuid(), ${user.displayName ?? null}, ${email}, ${user.locale ?? null}, now(), now()
       WHERE NOT EXISTS (SELECT 1 FROM existing) AND NOT EXISTS (SELECT 1 FROM by_email)
      RETURNING id
    ), linked AS (
      INSERT INTO channel_identity (id, channel, external_id, contact_id, created_at)
      SELECT gen_random_uuid(), ${channel}, ${user.externalId}, COALESCE((SELECT id FROM by_email), (SELECT id FROM created)), now()
       WHERE NOT EXISTS (SELECT 1 FROM existing)
      ON CONFLICT (channel, external_id) DO UPDATE SET channel = EXCLUDED.channel
      RETURNING contact_id
    )
    SELECT COALESCE((SELECT contact_id FROM existing), (SELECT contact_id FROM linked))::text AS contact_id`;
  return rows[0]!.contact_id;
}
