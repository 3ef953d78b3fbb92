import type { InboundMessage, ReceiveResult } from '../../channels/types.js';
import { type Database, Prisma, type Tx } from '../db/database.js';
import type { DialogRunner, ConversationContext } from '../dialog/runner.js';
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
      const text = msg.text ?? (msg.choice ? await this.choiceLabel(tx, conversation.id, msg.choice) : '');
      const message = await tx.message.create({
        data: {
          conversationId: conversation.id,
          direction: 'in',
          author: 'reporter',
          text,
          externalId: msg.eventId,
          attachments: msg.attachments?.length ? (msg.attachments as never) : undefined,
        },
        select: { id: true },
      });
      await this.runner.handle(tx, conversation, {
        type: 'message',
        text: msg.text,
        choice: msg.choice,
        attachments: msg.attachments,
        ...(msg.fields ? { fields: msg.fields } : {}),
      });
      return { duplicate: false, conversationId: conversation.id, messageId: message.id };
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
      const hasSession = await tx.dialogSession.count({ where: { conversationId: conversation.id } });
      if (!hasSession) await this.runner.begin(tx, conversation);
      return { conversationId: conversation.id, contactId: conversation.contactId };
    });
    this.onCommitted();
    return out;
  }

  /** A button press is shown in the transcript as the label the reporter saw. */
  private async choiceLabel(tx: Tx, conversationId: string, choice: string): Promise<string> {
    const last = await tx.message.findFirst({
      where: { conversationId, direction: 'out', NOT: { choices: { equals: Prisma.DbNull } } },
      orderBy: { seq: 'desc' },
      select: { choices: true },
    });
    const found = (last?.choices as { id: string; label: string }[] | null)?.find((c) => c.id === choice);
    return found?.label ?? choice;
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
