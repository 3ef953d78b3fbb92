import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../channels/types.js';
import type { Tx } from '../db/database.js';

export interface OutboxTarget {
  id: string;
  channel: string;
}

/**
 * What the dispatcher hands to the channel; stored as the outbox row's payload. `edit` replaces the content
 * of a message sent earlier in the same conversation (per-conversation order guarantees it was sent first).
 */
export type OutboxPayload = { op?: 'send'; message: OutboundMessage } | { op: 'edit'; targetMessageId: string; message: OutboundMessage };

/** How the transcript names who spoke: `bot`, `system`, or `agent:<name>`. */
export const authorLabel = (message: OutboundMessage): string =>
  message.author.kind === 'agent' ? `agent:${message.author.name}` : message.author.kind;

export const sendPayload = (message: OutboundMessage, messageId: string): OutboxPayload => ({ message: { ...message, messageId } });

/**
 * Queues an outbound message inside the caller's transaction: the transcript row and the outbox row commit
 * together with whatever state change caused them, or not at all. Returns our message id.
 */
export async function enqueueMessage(
  tx: Tx,
  target: OutboxTarget,
  message: OutboundMessage,
  idempotencyKey: string = randomUUID(),
): Promise<string> {
  // Every writer to a conversation holds its row lock, so message sequence numbers commit in order and a
  // transcript reader never skips a message that commits late.
  await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${target.id}::uuid FOR UPDATE`;
  const messageId = randomUUID();
  const author = authorLabel(message);
  await tx.message.create({
    data: {
      id: messageId,
      conversationId: target.id,
      direction: 'out',
      author,
      text: message.text,
      choices: message.choices ? (message.choices as never) : undefined,
      attachments: message.attachments ? (message.attachments as never) : undefined,
    },
  });
  const payload = sendPayload(message, messageId);
  await tx.outboxMessage.create({
    data: {
      conversationId: target.id,
      channel: target.channel,
      messageId,
      payload: payload as never,
      idempotencyKey,
    },
  });
  return messageId;
}

/** Queues an in-place edit of an earlier outbound message (e.g. a triage card after the incident changed). */
export async function enqueueEdit(tx: Tx, targetMessageId: string, message: OutboundMessage, idempotencyKey: string = randomUUID()): Promise<void> {
  const target = await tx.message.findUnique({
    where: { id: targetMessageId },
    select: { conversationId: true, conversation: { select: { channel: true } } },
  });
  if (!target) throw new Error(`cannot edit unknown message ${targetMessageId}`);
  await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${target.conversationId}::uuid FOR UPDATE`;
  await tx.message.update({ where: { id: targetMessageId }, data: { text: message.text } });
  const payload: OutboxPayload = { op: 'edit', targetMessageId, message: { ...message, messageId: targetMessageId } };
  await tx.outboxMessage.create({
    data: { conversationId: target.conversationId, channel: target.conversation.channel, payload: payload as never, idempotencyKey },
  });
}
