import type { ChannelAdapter, OutboundMessage } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import { formatIncidentNumber } from '../incidents/number.js';
import type { Logger } from '../logger.js';
import { enqueueMessage, type OutboxPayload } from './enqueue.js';

/** A message the dispatcher gave up on because the person cannot be reached in that conversation any more. */
export interface UnreachableDelivery {
  outboxId: string;
  conversationId: string;
  channel: string;
  payload: OutboxPayload;
  idempotencyKey: string;
  reason: string;
}

/**
 * Business continuity for reporter notices: when a channel says the reporter cannot be reached in their
 * conversation any more (the Teams bot was removed from the chat), the notice goes out once on the next channel
 * the person has — in `order`, among the running channels that can write first — in a conversation linked to
 * the same incident, so their answer comes back to it. The incident's timeline says so (internal), and agents
 * see where the notice went. Card edits and agent-side threads never fall back.
 *
 * Runs in its own transaction after the dead letter is recorded; the copy's idempotency key is derived from the
 * original's, so a second attempt for the same message queues nothing.
 */
export function createNoticeFallback(deps: {
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  channels: ReadonlyMap<string, ChannelAdapter>;
  order: readonly string[];
  logger: Logger;
}): (failed: UnreachableDelivery) => Promise<void> {
  return async (failed) => {
    if (failed.payload.op === 'edit') return;
    const moved = await deps.transaction(async (tx) => {
      const conversation = await tx.conversation.findUnique({
        where: { id: failed.conversationId },
        select: { kind: true, contactId: true, incidentId: true, locale: true, contact: { select: { email: true, identities: { select: { channel: true, externalId: true } } } } },
      });
      if (!conversation || conversation.kind !== 'reporter' || !conversation.incidentId) return undefined;
      const incident = await tx.incident.findUnique({ where: { id: conversation.incidentId }, select: { id: true, number: true, title: true } });
      if (!incident) return undefined;
      for (const name of deps.order) {
        const adapter = deps.channels.get(name);
        if (name === failed.channel || !adapter?.startConversation) continue;
        const address = name === 'email'
          ? (conversation.contact.email ?? conversation.contact.identities.find((i) => i.channel === 'email')?.externalId)
          : conversation.contact.identities.find((i) => i.channel === name)?.externalId;
        if (!address) continue;
        const number = formatIncidentNumber(incident.number);
        // Later notices of the same incident continue the thread the first one started.
        const existing = await tx.conversation.findFirst({
          where: { channel: name, incidentId: incident.id, contactId: conversation.contactId, kind: 'reporter' },
          orderBy: { createdAt: 'desc' },
          select: { id: true, channel: true },
        });
        const target = existing ?? (await (async () => {
          const { threadKey, reference } = adapter.startConversation!(address, { incidentNumber: number, title: incident.title });
          return tx.conversation.upsert({
            where: { channel_threadKey: { channel: name, threadKey } },
            create: { channel: name, threadKey, reference, contactId: conversation.contactId, incidentId: incident.id, locale: conversation.locale },
            update: {},
            select: { id: true, channel: true },
          });
        })());
        const message: OutboundMessage = { ...(failed.payload.message as OutboundMessage), incidentNumber: number };
        delete message.messageId;
        await enqueueMessage(tx, target, message, `${failed.idempotencyKey}:fallback:${name}`);
        await tx.incidentEvent.create({
          data: {
            incidentId: incident.id,
            type: 'delivery_fallback',
            actor: 'system',
            internal: true,
            body: `The reporter could not be reached on ${failed.channel} (${failed.reason}); the notice was sent by ${name} to ${address} instead.`,
            data: { from: failed.channel, to: name, address, outboxId: failed.outboxId },
          },
        });
        return { channel: name, address };
      }
      return undefined;
    });
    if (moved) deps.logger.info({ outboxId: failed.outboxId, from: failed.channel, to: moved.channel }, 'notice sent on a fallback channel');
    else deps.logger.warn({ outboxId: failed.outboxId, channel: failed.channel }, 'reporter unreachable and no other channel to reach them');
  };
}
