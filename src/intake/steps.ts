import type { InboundMessage } from '../../channels/types.js';
import { asJson, coalesced, distinctRuns } from '../db/coalesce.js';
import type { Tx } from '../db/database.js';
import type { SessionRow } from '../dialog/runner.js';

/**
 * The intake pipeline's own statements, each shared by the concurrent flows of a batch transaction (see
 * db/coalesce.ts): a batch of fifty mails records its events in one statement, not fifty.
 */

/** Records an inbound event under its unique key; false when it was recorded before (a redelivery). */
export function recordEvent(tx: Tx, channel: string, eventId: string, fingerprint?: string): Promise<boolean> {
  return coalesced(tx, recordEvents).load({ channel, eventId, fingerprint: fingerprint ?? null });
}

async function recordEvents(tx: Tx, events: readonly { channel: string; eventId: string; fingerprint: string | null }[]): Promise<boolean[]> {
  // One event twice in a batch: the first occurrence is fresh, the second a duplicate (as if sent one by one).
  return distinctRuns(events, (e) => `${e.channel}\u0000${e.eventId}`, async (part) => {
    const fresh = await tx.$queryRawUnsafe<{ channel: string; external_id: string }[]>(
      `INSERT INTO inbound_event (id, channel, external_id, received_at, fingerprint)
       SELECT gen_random_uuid(), e.channel, e.external_id, now(), e.fingerprint
         FROM jsonb_to_recordset($1::jsonb) AS e(channel text, external_id text, fingerprint text)
        -- in key order: two instances recording overlapping batches wait on each other in one order, never in a cycle
        ORDER BY e.channel, e.external_id
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING channel, external_id`,
      asJson(part.map((e) => ({ channel: e.channel, external_id: e.eventId, fingerprint: e.fingerprint }))),
    );
    const recorded = new Set(fresh.map((r) => `${r.channel}\u0000${r.external_id}`));
    return part.map((e) => recorded.has(`${e.channel}\u0000${e.eventId}`));
  });
}

export interface ConversationRow {
  id: string;
  contactId: string;
  locale: string | null;
  incidentId: string | null;
}

export interface ConversationInput {
  channel: string;
  threadKey: string;
  reference: InboundMessage['reference'];
  matchKey: string | null;
  contactId: string;
  locale: string | null;
}

/**
 * Finds or creates the conversation of a thread and takes its row lock (one event per conversation at a time).
 * Rows are upserted in thread-key order, so two batches lock shared conversations in the same order.
 */
export function upsertConversation(tx: Tx, input: ConversationInput): Promise<ConversationRow> {
  return coalesced(tx, upsertConversations).load(input);
}

async function upsertConversations(tx: Tx, inputs: readonly ConversationInput[]): Promise<ConversationRow[]> {
  return distinctRuns(inputs, (c) => `${c.channel}\u0000${c.threadKey}`, async (part) => {
    const rows = await tx.$queryRawUnsafe<{ channel: string; thread_key: string; id: string; contact_id: string; locale: string | null; incident_id: string | null }[]>(
      `INSERT INTO conversation (id, channel, thread_key, reference, match_key, locale, contact_id, created_at, updated_at)
       SELECT gen_random_uuid(), r.channel, r.thread_key, r.reference, r.match_key,
              -- the language a person chose or was detected in before wins over the channel's guess
              COALESCE((SELECT locale FROM contact WHERE id = r.contact_id), r.locale), r.contact_id, now(), now()
         FROM jsonb_to_recordset($1::jsonb) AS r(channel text, thread_key text, reference jsonb, match_key text, contact_id uuid, locale text)
        ORDER BY r.channel, r.thread_key
       -- the match key stays the one the conversation was opened with
       ON CONFLICT (channel, thread_key) DO UPDATE SET reference = EXCLUDED.reference,
              match_key = COALESCE(conversation.match_key, EXCLUDED.match_key), updated_at = now()
       RETURNING channel, thread_key, id::text, contact_id::text, locale, incident_id::text`,
      asJson(part.map((c) => ({ channel: c.channel, thread_key: c.threadKey, reference: c.reference, match_key: c.matchKey, contact_id: c.contactId, locale: c.locale }))),
    );
    const byKey = new Map(rows.map((r) => [`${r.channel}\u0000${r.thread_key}`, r]));
    return part.map((c) => {
      const r = byKey.get(`${c.channel}\u0000${c.threadKey}`)!;
      return { id: r.id, contactId: r.contact_id, locale: r.locale, incidentId: r.incident_id };
    });
  });
}

export interface InboundRow {
  conversationId: string;
  text: string | null;
  choice: string | null;
  eventId: string;
  attachments: unknown[] | null;
}

/**
 * Stores the reporter's message and loads the conversation's dialog session in the same statement. A pressed
 * button is stored with the label the reporter saw on the last question offering choices.
 */
export function storeInbound(tx: Tx, row: InboundRow): Promise<{ messageId: string; session: SessionRow | undefined }> {
  return coalesced(tx, storeInbounds).load(row);
}

async function storeInbounds(tx: Tx, rows: readonly InboundRow[]): Promise<{ messageId: string; session: SessionRow | undefined }[]> {
  const out = await tx.$queryRawUnsafe<(SessionRow & { ord: number; message_id: string })[]>(
    `WITH r AS (
       SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (conversation_id uuid, text text, choice text, event_id text, attachments jsonb))
         WITH ORDINALITY AS x(conversation_id, text, choice, event_id, attachments, ord)
     ), msg AS (
       INSERT INTO message (id, conversation_id, direction, author, text, external_id, attachments, created_at)
       SELECT gen_random_uuid(), r.conversation_id, 'in', 'reporter',
              COALESCE(r.text,
                       (SELECT ch.value->>'label'
                          FROM (SELECT choices FROM message
                                 WHERE conversation_id = r.conversation_id AND direction = 'out' AND choices IS NOT NULL
                                 ORDER BY seq DESC LIMIT 1) last,
                               jsonb_array_elements(CASE WHEN jsonb_typeof(last.choices) = 'array' THEN last.choices ELSE '[]'::jsonb END)
                                 WITH ORDINALITY AS ch(value, ord)
                         WHERE ch.value->>'id' = r.choice ORDER BY ch.ord LIMIT 1),
                       r.choice, ''),
              r.event_id, r.attachments, now()
         FROM r ORDER BY r.ord
       RETURNING id, external_id, conversation_id)
     SELECT r.ord::int AS ord, msg.id::text AS message_id, s.definition_id AS "definitionId",
            s.definition_version AS "definitionVersion", s.state, s.version
       FROM r JOIN msg ON msg.conversation_id = r.conversation_id AND msg.external_id = r.event_id
       LEFT JOIN dialog_session s ON s.conversation_id = r.conversation_id`,
    asJson(rows.map((r) => ({ conversation_id: r.conversationId, text: r.text, choice: r.choice, event_id: r.eventId, attachments: r.attachments }))),
  );
  const byOrd = new Map(out.map((o) => [Number(o.ord), o]));
  return rows.map((_, i) => {
    const o = byOrd.get(i + 1)!;
    const session = o.definitionId === null ? undefined : { definitionId: o.definitionId, definitionVersion: o.definitionVersion, state: o.state, version: o.version };
    return { messageId: o.message_id, session };
  });
}
