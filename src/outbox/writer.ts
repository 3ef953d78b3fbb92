import type { ConversationReference, OutboundMessage, OutboxWriter } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import { resolveContact } from '../intake/identity.js';
import { enqueueEdit, enqueueMessage } from './enqueue.js';

/**
 * The `OutboxWriter` channels get when they observe incident changes: everything it queues belongs to the
 * observing transaction. Service-desk threads (triage cards) are conversations of kind `agent`, owned by the
 * service-desk system contact, so the outbox orders and retries them like any other conversation.
 */
export function createOutboxWriter(tx: Tx): OutboxWriter {
  return {
    async post(target, message, options) {
      const conversation = await agentConversation(tx, target.channel, target.threadKey, target.reference);
      return enqueueMessage(tx, conversation, message, options?.idempotencyKey);
    },
    async edit(messageId, message) {
      await enqueueEdit(tx, messageId, message);
    },
    async getLink(incidentId, key) {
      const row = await tx.incidentLink.findUnique({ where: { incidentId_key: { incidentId, key } }, select: { value: true } });
      return row?.value;
    },
    async setLink(incidentId, key, value) {
      await tx.incidentLink.upsert({ where: { incidentId_key: { incidentId, key } }, create: { incidentId, key, value }, update: { value } });
    },
    async externalIdOf(messageId) {
      const row = await tx.message.findUnique({ where: { id: messageId }, select: { externalId: true, deliveredAt: true } });
      return row?.deliveredAt ? (row.externalId ?? undefined) : undefined;
    },
  };
}

async function agentConversation(tx: Tx, channel: string, threadKey: string, reference: ConversationReference) {
  const existing = await tx.conversation.findUnique({ where: { channel_threadKey: { channel, threadKey } }, select: { id: true, channel: true } });
  if (existing) return existing;
  const contactId = await resolveContact(tx, 'system', { externalId: 'service-desk', displayName: 'Service desk' });
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO conversation (id, channel, thread_key, reference, kind, contact_id, created_at, updated_at)
    VALUES (gen_random_uuid(), ${channel}, ${threadKey}, ${JSON.stringify(reference)}::jsonb, 'agent', ${contactId}::uuid, now(), now())
    ON CONFLICT (channel, thread_key) DO UPDATE SET updated_at = now()
    RETURNING id::text`;
  return { id: rows[0]!.id, channel };
}

export type { OutboundMessage };
