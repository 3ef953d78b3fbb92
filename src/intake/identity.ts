import type { InboundUser } from '../../channels/types.js';
import type { Tx } from '../db/database.js';

/**
 * Finds or creates the person behind a channel account. One person may write from several channels: a
 * platform-verified email links a new account to the existing contact with that email.
 */
export async function resolveContact(tx: Tx, channel: string, user: InboundUser): Promise<string> {
  const existing = await tx.channelIdentity.findUnique({
    where: { channel_externalId: { channel, externalId: user.externalId } },
    select: { contactId: true },
  });
  if (existing) return existing.contactId;
  let contactId: string | undefined;
  if (user.email && user.emailVerified) {
    const byEmail = await tx.contact.findFirst({ where: { email: user.email.toLowerCase() }, select: { id: true } });
    contactId = byEmail?.id;
  }
  contactId ??= (
    await tx.contact.create({
      data: { displayName: user.displayName ?? null, email: user.email?.toLowerCase() ?? null, locale: user.locale ?? null },
      select: { id: true },
    })
  ).id;
  // A concurrent first message from the same account may have won the race: keep its identity.
  const rows = await tx.$queryRaw<{ contact_id: string }[]>`
    INSERT INTO channel_identity (id, channel, external_id, contact_id, created_at)
    VALUES (gen_random_uuid(), ${channel}, ${user.externalId}, ${contactId}::uuid, now())
    ON CONFLICT (channel, external_id) DO UPDATE SET channel = EXCLUDED.channel
    RETURNING contact_id::text`;
  return rows[0]!.contact_id;
}
