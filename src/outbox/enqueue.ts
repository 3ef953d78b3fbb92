import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../channels/types.js';
import { asJson, coalesced } from '../db/coalesce.js';
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
 * together with whatever state change caused them, or not at all. Returns our message id. Messages queued by
 * concurrent flows of one batch transaction share a statement (see db/coalesce.ts).
 */
export async function enqueueMessage(
  tx: Tx,
  target: OutboxTarget,
  message: OutboundMessage,
  idempotencyKey: string = randomUUID(),
): Promise<string> {
  const messageId = randomUUID();
  return coalesced(tx, queueMessages).load({
    id: messageId,
    conversation_id: target.id,
    channel: target.channel,
    author: authorLabel(message),
    text: message.text,
    choices: message.choices ?? null,
    attachments: message.attachments ?? null,
    payload: sendPayload(message, messageId),
    key: idempotencyKey,
  });
}

interface QueuedRow {
  id: string;
  conversation_id: string;
  channel: string;
  author: string;
  text: string;
  choices: unknown;
  attachments: unknown;
  payload: OutboxPayload;
  key: string;
}

/**
 * Every writer to a conversation holds its row lock, so message sequence numbers commit in order and a
 * transcript reader never skips a message that commits late. One statement: the inserts read from the locks
 * (taken in id order, so two batches cannot deadlock on them), and rows keep the order they were queued in.
 */
async function queueMessages(tx: Tx, rows: readonly QueuedRow[]): Promise<(string | Error)[]> {
  const inserted = await tx.$queryRawUnsafe<{ id: string }[]>(
    `WITH r AS (
       SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, conversation_id uuid, channel text, author text, text text,
                                                                  choices jsonb, attachments jsonb, payload jsonb, key text))
         WITH ORDINALITY AS x(id, conversation_id, channel, author, text, choices, attachments, payload, key, ord)
     ), locked AS (
       SELECT c.id FROM conversation c WHERE c.id IN (SELECT conversation_id FROM r) ORDER BY c.id FOR UPDATE
     ), msg AS (
       INSERT INTO message (id, conversation_id, direction, author, text, choices, attachments, created_at)
       SELECT r.id, r.conversation_id, 'out', r.author, r.text, r.choices, r.attachments, clock_timestamp()
         FROM r JOIN locked ON locked.id = r.conversation_id ORDER BY r.ord
       RETURNING id, conversation_id)
     INSERT INTO outbox_message (id, conversation_id, channel, message_id, payload, idempotency_key, status, attempts, next_attempt_at, created_at)
     SELECT gen_random_uuid(), msg.conversation_id, r.channel, msg.id, r.payload, r.key, 'pending', 0, now(), clock_timestamp()
       FROM msg JOIN r ON r.id = msg.id ORDER BY r.ord
     RETURNING message_id::text AS id`,
    asJson(rows),
  );
  const done = new Set(inserted.map((r) => r.id));
  return rows.map((r) => (done.has(r.id) ? r.id : new Error(`cannot queue a message: conversation ${r.conversation_id} does not exist`)));
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
