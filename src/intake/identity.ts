import type { InboundUser } from '../../channels/types.js';
import { asJson, coalesced } from '../db/coalesce.js';
import type { Tx } from '../db/database.js';

/**
 * Finds or creates the person behind a channel account. One person may write from several channels: a
 * platform-verified email links a new account to the existing contact whose email is verified too (an address
 * a web chat visitor typed links nobody: anyone can type anyone's address).
 *
 * One statement for all accounts resolved at once (first contacts of a batch share it): the existing identity
 * wins; otherwise the contact with the verified email, otherwise a new contact; the identity insert then links
 * it. A concurrent first message from the same account may have won the race: `ON CONFLICT … RETURNING` gives its
 * contact (our new contact row, if any, stays unused, as before).
 */
export function resolveContact(tx: Tx, channel: string, user: InboundUser): Promise<string> {
  return coalesced(tx, resolveContacts).load({ channel, user });
}

interface Account {
  channel: string;
  user: InboundUser;
}

async function resolveContacts(tx: Tx, accounts: readonly Account[]): Promise<string[]> {
  // The same account twice in one batch resolves once (a row may not be inserted twice by one statement).
  const index = new Map<string, number>();
  const rows: object[] = [];
  const slot = accounts.map(({ channel, user }) => {
    const key = `${channel}\u0000${user.externalId}`;
    let i = index.get(key);
    if (i === undefined) {
      index.set(key, (i = rows.length));
      const email = user.email?.toLowerCase() ?? null;
      rows.push({ i, channel, external_id: user.externalId, display_name: user.displayName ?? null, email, verified: Boolean(user.email && user.emailVerified), locale: user.locale ?? null });
    }
    return i;
  });
  const found = await tx.$queryRawUnsafe<{ i: number; contact_id: string }[]>(
    `WITH u AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS (i int, channel text, external_id text, display_name text, email text, verified boolean, locale text)
     ), existing AS (
       SELECT u.i, ci.contact_id FROM u JOIN channel_identity ci ON ci.channel = u.channel AND ci.external_id = u.external_id
     ), by_email AS (
       SELECT DISTINCT ON (u.i) u.i, c.id FROM u JOIN contact c ON u.verified AND c.email_verified AND c.email = u.email
        WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.i = u.i) ORDER BY u.i, c.created_at
     ), fresh AS MATERIALIZED (
       SELECT u.*, gen_random_uuid() AS new_id FROM u
        WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.i = u.i) AND NOT EXISTS (SELECT 1 FROM by_email b WHERE b.i = u.i)
     ), created AS (
       INSERT INTO contact (id, display_name, email, email_verified, locale, created_at, updated_at)
       -- Trusted for linking: vouched for by the platform, or the account's own address (an email sender: replies
       -- reach whoever owns it). An address a web chat visitor typed is neither.
       SELECT new_id, display_name, email, email IS NOT NULL AND (verified OR external_id = email), locale, now(), now() FROM fresh
       RETURNING id
     ), linked AS (
       INSERT INTO channel_identity (id, channel, external_id, contact_id, created_at)
       SELECT gen_random_uuid(), u.channel, u.external_id, COALESCE(b.id, f.new_id), now()
         FROM u LEFT JOIN by_email b ON b.i = u.i LEFT JOIN fresh f ON f.i = u.i
        WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.i = u.i)
        ORDER BY u.channel, u.external_id -- a fixed order: concurrent batches never wait on each other in a cycle
       ON CONFLICT (channel, external_id) DO UPDATE SET channel = EXCLUDED.channel
       RETURNING channel, external_id, contact_id
     )
     SELECT u.i, COALESCE(e.contact_id, l.contact_id)::text AS contact_id
       FROM u LEFT JOIN existing e ON e.i = u.i LEFT JOIN linked l ON l.channel = u.channel AND l.external_id = u.external_id`,
    asJson(rows),
  );
  const byIndex = new Map(found.map((r) => [Number(r.i), r.contact_id]));
  return slot.map((i) => byIndex.get(i)!);
}
