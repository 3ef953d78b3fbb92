import type { ChannelAdapter, OutboundMessage } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import type { Logger } from '../logger.js';
import { enqueueMessage } from '../outbox/enqueue.js';
import type { UnreachableDelivery } from '../outbox/fallback.js';

/**
 * The next channel a person has, in `order` (NOTICE_FALLBACK_CHANNELS, e.g. teams → email → whatsapp), among the
 * running channels that can write first, skipping those already tried.
 */
export async function findOtherChannel(
  tx: Tx,
  contactId: string,
  tried: readonly string[],
  order: readonly string[],
  channels: ReadonlyMap<string, ChannelAdapter>,
): Promise<{ channel: string; address: string } | undefined> {
  const contact = await tx.contact.findUnique({ where: { id: contactId }, select: { email: true, identities: { select: { channel: true, externalId: true, failingSince: true } } } });
  if (!contact) return undefined;
  for (const name of order) {
    if (tried.includes(name) || !channels.get(name)?.startConversation) continue;
    const identity = contact.identities.find((i) => i.channel === name && !i.failingSince);
    const address = name === 'email' ? (contact.email?.toLowerCase() ?? identity?.externalId) : identity?.externalId;
    if (address) return { channel: name, address };
  }
  return undefined;
}

/**
 * §6 failover for broadcasts: when a broadcast delivery is dead-lettered (failed permanently, or retried out),
 * it goes out once more on the person's next channel, in a conversation of its own, and the delivery row says
 * where, when and why. The copy's idempotency key is derived from the original's, so a second dead letter of
 * the same row queues nothing; a dead copy tries the channel after that.
 */
export function createBroadcastFailover(deps: {
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  channels: ReadonlyMap<string, ChannelAdapter>;
  order: readonly string[];
  kick: () => void;
  logger: Logger;
}): (failed: UnreachableDelivery) => Promise<void> {
  return async (failed) => {
    if (!failed.idempotencyKey.startsWith('bc:') || failed.payload.op === 'edit') return;
    const moved = await deps.transaction(async (tx) => {
      const delivery = await tx.broadcastDelivery.findFirst({
        where: { OR: [{ outboxKey: failed.idempotencyKey }, { fallbackKey: failed.idempotencyKey }] },
        select: { broadcastId: true, recipientKey: true, channel: true, fallbackChannel: true, fallbackKey: true, conversationId: true, failedReason: true, broadcast: { select: { update: { select: { majorIncidentId: true } } } } },
      });
      if (!delivery) return undefined;
      const conversation = await tx.conversation.findUnique({ where: { id: failed.conversationId }, select: { contactId: true, locale: true, kind: true } });
      // Audience channels have no person behind them to reach elsewhere.
      const contactId = delivery.recipientKey.startsWith('contact:') ? delivery.recipientKey.slice('contact:'.length) : conversation?.kind !== 'audience' ? conversation?.contactId : undefined;
      if (!contactId) return undefined;
      const tried = [delivery.channel, ...(delivery.fallbackChannel ? [delivery.fallbackChannel] : []), failed.channel];
      const other = await findOtherChannel(tx, contactId, tried, deps.order, deps.channels);
      if (!other) {
        await tx.broadcastDelivery.update({ where: { broadcastId_recipientKey: { broadcastId: delivery.broadcastId, recipientKey: delivery.recipientKey } }, data: { failedReason: `${failed.channel}: ${failed.reason}; no other channel` } });
        return undefined;
      }
      const adapter = deps.channels.get(other.channel)!;
      const mi = await tx.majorIncident.findUnique({ where: { id: delivery.broadcast.update.majorIncidentId }, select: { number: true, title: true } });
      const { threadKey, reference } = adapter.startConversation!(other.address, { incidentNumber: `MI-${mi?.number ?? ''}`, title: `MI-${mi?.number ?? ''} ${mi?.title ?? ''}` });
      const target = await tx.conversation.upsert({
        where: { channel_threadKey: { channel: other.channel, threadKey } },
        create: { channel: other.channel, threadKey, reference, contactId, kind: 'broadcast', locale: conversation?.locale ?? null },
        update: {},
        select: { id: true, channel: true },
      });
      const key = `${failed.idempotencyKey}:fallback:${other.channel}`;
      const message: OutboundMessage = { ...(failed.payload.message as OutboundMessage) };
      delete message.messageId;
      await enqueueMessage(tx, target, message, key);
      await tx.broadcastDelivery.update({
        where: { broadcastId_recipientKey: { broadcastId: delivery.broadcastId, recipientKey: delivery.recipientKey } },
        data: { fallbackChannel: other.channel, fallbackAddress: other.address, fallbackKey: key, fallbackAt: new Date(), failedReason: `${failed.channel}: ${failed.reason}`.slice(0, 2000) },
      });
      return other;
    }).catch((err: unknown) => {
      // A second dead letter of the same original finds the copy's key taken: nothing more to do.
      if (/Unique constraint|unique/i.test(String(err))) return undefined;
      throw err;
    });
    if (moved) {
      deps.kick();
      deps.logger.info({ outboxId: failed.outboxId, from: failed.channel, to: moved.channel }, 'broadcast delivery sent on the next channel');
    }
  };
}
