import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../channels/types.js';
import type { Tx } from '../db/database.js';

export interface OutboxTarget {
  id: string;
  channel: string;
}

/** What the dispatcher hands to `ChannelAdapter.send`; stored as the outbox row's payload. */
export interface OutboxPayload {
  message: OutboundMessage;
}

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
  const author = message.author.kind === 'agent' ? `agent:${message.author.name}` : message.author.kind;
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
  const payload: OutboxPayload = { message: { ...message, messageId } };
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
