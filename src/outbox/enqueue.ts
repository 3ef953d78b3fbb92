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
  // transcript reader never skips a message that commits late. One statement: the inserts read from the lock,
  // so the lock is taken before the sequence numbers are drawn (one round trip instead of three).
  const messageId = randomUUID();
  const payload = sendPayload(message, messageId);
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH locked AS (SELECT id FROM conversation WHERE id = ${target.id}::uuid FOR UPDATE),
    msg AS (
      INSERT INTO message (id, conversation_id, direction, author, text, choices, attachments, created_at)
      SELECT ${messageId}::uuid, locked.id, 'out', ${authorLabel(message)}, ${message.text},
             ${message.choices ? JSON.stringify(message.choices) : null}::jsonb, ${message.attachments ? JSON.stringify(message.attachments) : null}::jsonb, clock_timestamp()
        FROM locked
      RETURNING id, conversation_id)
    INSERT INTO outbox_message (id, conversation_id, channel, message_id, payload, idempotency_key, status, attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid(), msg.conversation_id, ${target.channel}, msg.id, ${JSON.stringify(payload)}::jsonb, ${idempotencyKey}, 'pending', 0, now(), clock_timestamp()
      FROM msg
    RETURNING message_id::text AS id`;
  if (rows.length !== 1) throw new Error(`cannot queue a message: conversation ${target.id} does not exist`);
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
