import type { InboundMessage, ReceiveResult } from '../../channels/types.js';
import type { Database, Tx } from '../db/database.js';
import type { DialogRunner, ConversationContext, SessionRow } from '../dialog/runner.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { receiveFast } from './fast-path.js';
import { resolveContact } from './identity.js';

export interface OpenConversation {
  channel: string;
  threadKey: string;
  reference: InboundMessage['reference'];
  user: InboundMessage['user'];
  locale?: string;
}

const RETRYABLE_PG = new Set(['40001', '40P01']); // serialization failure, deadlock
const MAX_ATTEMPTS = 5;

/**
 * The intake pipeline every channel feeds. One inbound event = one transaction: record the event under its
 * unique key (a redelivery stops here), resolve person and conversation, lock the conversation, run the
 * dialog step, and commit state, transcript, incident changes and outbox rows together.
 */
export class IntakePipeline {
  constructor(
    private readonly db: Database,
    private readonly runner: DialogRunner,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Called after each commit that queued outbound messages (wakes the local dispatcher). */
    private readonly onCommitted: () => void,
  ) {}

  async receive(msg: InboundMessage): Promise<ReceiveResult> {
    const timer = this.metrics.dialogStep.startTimer({ channel: msg.channel });
    const result = (await this.tryFast(msg)) ?? (await this.transaction(async (tx) => {
      const fresh = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO inbound_event (id, channel, external_id, received_at)
        VALUES (gen_random_uuid(), ${msg.channel}, ${msg.eventId}, now())
        ON CONFLICT (channel, external_id) DO NOTHING RETURNING id::text`;
      if (fresh.length === 0) {
        const conv = await tx.conversation.findUnique({
          where: { channel_threadKey: { channel: msg.channel, threadKey: msg.threadKey } },
          select: { id: true },
        });
        return { duplicate: true, conversationId: conv?.id ?? '' };
      }
      const conversation = await this.conversation(tx, msg);
      // One statement stores the message and loads the dialog session (a round trip is most of a statement's
      // cost). A pressed button is stored with the label the reporter saw on the last question offering choices.
      const [row] = await tx.$queryRaw<(SessionRow & { message_id: string })[]>`
        WITH msg AS (
          INSERT INTO message (id, conversation_id, direction, author, text, external_id, attachments, created_at)
          VALUES (gen_random_uuid(), ${conversation.id}::uuid, 'in', 'reporter',
                  COALESCE(${msg.text ?? null}::text,
                           (SELECT ch.value->>'label'
                              FROM (SELECT choices FROM message
                                     WHERE conversation_id = ${conversation.id}::uuid AND direction = 'out' AND choices IS NOT NULL
                                     ORDER BY seq DESC LIMIT 1) last,
                                   jsonb_array_elements(CASE WHEN jsonb_typeof(last.choices) = 'array' THEN last.choices ELSE '[]'::jsonb END)
                                     WITH ORDINALITY AS ch(value, ord)
                             WHERE ch.value->>'id' = ${msg.choice ?? null}::text ORDER BY ch.ord LIMIT 1),
                           ${msg.choice ?? null}::text, ''),
                  ${msg.eventId}, ${msg.attachments?.length ? JSON.stringify(msg.attachments) : null}::jsonb, now())
          RETURNING id)
        SELECT (SELECT id::text FROM msg) AS message_id, s.definition_id AS "definitionId",
               s.definition_version AS "definitionVersion", s.state, s.version
          FROM (SELECT 1) one LEFT JOIN dialog_session s ON s.conversation_id = ${conversation.id}::uuid`;
      const session = row!.definitionId === null ? undefined : { definitionId: row!.definitionId, definitionVersion: row!.definitionVersion, state: row!.state, version: row!.version };
      await this.runner.handle(tx, conversation, {
        type: 'message',
        text: msg.text,
        choice: msg.choice,
        attachments: msg.attachments,
        ...(msg.fields ? { fields: msg.fields } : {}),
      }, { session });
      return { duplicate: false, conversationId: conversation.id, messageId: row!.message_id };
    }));
    timer();
    if (result.duplicate) {
      this.metrics.inboundDuplicates.inc({ channel: msg.channel });
      this.logger.debug({ channel: msg.channel, eventId: msg.eventId }, 'duplicate inbound event ignored');
    } else {
      this.metrics.inboundEvents.inc({ channel: msg.channel });
      this.onCommitted();
    }
    return result;
  }

  private async tryFast(msg: InboundMessage): Promise<ReceiveResult | undefined> {
    if (msg.newThread) return undefined; // the fast path only serves known conversations: save its round trips
    try {
      return await receiveFast(this.db.pool, this.runner, msg);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      return undefined; // a conflict: the general path retries with backoff
    }
  }

  /**
   * Opens a conversation before the reporter has written (e.g. a web chat page), queueing the greeting.
   * Idempotent per thread key.
   */
  async open(input: OpenConversation): Promise<{ conversationId: string; contactId: string }> {
    const out = await this.transaction(async (tx) => {
      const conversation = await this.conversation(tx, input);
      const [{ exists }] = await tx.$queryRaw<[{ exists: boolean }]>`
        SELECT EXISTS (SELECT 1 FROM dialog_session WHERE conversation_id = ${conversation.id}::uuid) AS exists`;
      if (!exists) await this.runner.begin(tx, conversation);
      return { conversationId: conversation.id, contactId: conversation.contactId };
    });
    this.onCommitted();
    return out;
  }

  /** Finds or creates the conversation and takes its row lock: one event per conversation at a time. */
  private async conversation(tx: Tx, msg: OpenConversation): Promise<ConversationContext> {
    const contactId = await resolveContact(tx, msg.channel, msg.user);
    const rows = await tx.$queryRaw<{ id: string; contact_id: string; locale: string | null; incident_id: string | null }[]>`
      INSERT INTO conversation (id, channel, thread_key, reference, locale, contact_id, created_at, updated_at)
      VALUES (gen_random_uuid(), ${msg.channel}, ${msg.threadKey}, ${JSON.stringify(msg.reference)}::jsonb,
              -- the language a person chose or was detected in before wins over the channel's guess
              COALESCE((SELECT locale FROM contact WHERE id = ${contactId}::uuid), ${msg.locale ?? msg.user.locale ?? null}),
              ${contactId}::uuid, now(), now())
      ON CONFLICT (channel, thread_key) DO UPDATE SET reference = EXCLUDED.reference, updated_at = now()
      RETURNING id::text, contact_id::text, locale, incident_id::text`;
    const row = rows[0]!;
    return {
      id: row.id,
      channel: msg.channel,
      contactId: row.contact_id,
      locale: row.locale ?? 'en',
      incidentId: row.incident_id,
    };
  }

  /** Runs `fn` in a transaction, retrying on deadlocks and serialization failures. */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.prisma.$transaction(fn, { maxWait: 30_000, timeout: 30_000 });
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
        this.logger.debug({ err, attempt }, 'transaction conflict, retrying');
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
      }
    }
  }
}

function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string }; cause?: { code?: string }; message?: string };
  if (e.code === 'P2034') return true;
  const code = e.meta?.code ?? e.cause?.code ?? e.code;
  return (code !== undefined && RETRYABLE_PG.has(code)) || /deadlock detected|could not serialize/i.test(e.message ?? '');
}
