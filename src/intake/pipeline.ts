import type { InboundMessage, ReceiveResult } from '../../channels/types.js';
import type { Database, Tx } from '../db/database.js';
import type { DialogRunner, ConversationContext } from '../dialog/runner.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { receiveFast } from './fast-path.js';
import { resolveContact } from './identity.js';
import { recordEvent, storeInbound, upsertConversation } from './steps.js';

export interface OpenConversation {
  channel: string;
  threadKey: string;
  reference: InboundMessage['reference'];
  matchKey?: string;
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

  /**
   * [mib] Commands handled before the dialog (`subscribe <service>` in any chat): `matches` keeps such a message
   * off the fast path, `handle` runs in the event's transaction and returns true when it answered the message.
   */
  private commands: { matches: (text: string | undefined) => boolean; handle: (tx: Tx, conversation: ConversationContext, msg: InboundMessage) => Promise<boolean> } | undefined;
  handleCommands(commands: NonNullable<IntakePipeline['commands']>): void {
    this.commands = commands;
  }

  async receive(msg: InboundMessage): Promise<ReceiveResult> {
    const timer = this.metrics.dialogStep.startTimer({ channel: msg.channel });
    const result = (await this.tryFast(msg)) ?? (await this.transaction((tx) => this.step(tx, msg)));
    timer();
    this.counted([msg], [result]);
    return result.duplicate && msg.fingerprint !== undefined ? this.original(msg, result) : result;
  }

  /**
   * A duplicate of a keyed client request (an HTTP Idempotency-Key): what the first request stored, so its
   * response can be replayed, and whether this request differs from it (the same key reused: a conflict).
   * Events recorded without a fingerprint match any request, as they did before fingerprints were kept.
   */
  private async original(msg: InboundMessage, result: ReceiveResult): Promise<ReceiveResult> {
    const { rows } = await this.db.pool.query<{ fingerprint: string | null; message_id: string | null; conversation_id: string | null }>(
      `SELECT e.fingerprint, m.id::text AS message_id, m.conversation_id::text
         FROM inbound_event e
         LEFT JOIN LATERAL (SELECT id, conversation_id FROM message
                             WHERE external_id = e.external_id AND direction = 'in'
                               AND conversation_id IN (SELECT id FROM conversation WHERE channel = e.channel AND thread_key = $3)
                             ORDER BY seq LIMIT 1) m ON true
        WHERE e.channel = $1 AND e.external_id = $2`,
      [msg.channel, msg.eventId, msg.threadKey],
    );
    const row = rows[0];
    const conflict = row?.fingerprint != null && row.fingerprint !== msg.fingerprint;
    return { ...result, conversationId: row?.conversation_id ?? result.conversationId, ...(row?.message_id ? { messageId: row.message_id } : {}), conflict };
  }

  /**
   * See `ChannelHost.receiveMany`. Messages are split into rounds holding each thread at most once (a thread's
   * messages keep their order across rounds); a round is one transaction in which every message runs its own
   * flow concurrently, and the flows' statements are grouped (db/coalesce.ts): a round of fifty new mails costs
   * about as many statements as one. A large round runs as two such transactions at once, so that one's
   * JavaScript runs while the database works on the other's statements.
   */
  async receiveMany(messages: InboundMessage[]): Promise<ReceiveResult[]> {
    if (messages.length === 1) return [await this.receive(messages[0]!)];
    const results = new Array<ReceiveResult>(messages.length);
    for (const round of rounds(messages)) {
      // One connection (the embedded database) runs one transaction at a time: splitting would only add statements.
      const parts = this.db.pool.options.max > 1 ? halves(round, (i) => `${messages[i]!.channel}\u0000${messages[i]!.user.externalId}`) : [round];
      const settled = await Promise.allSettled(parts.map((part) => this.receiveRound(part.map((i) => messages[i]!))));
      settled.forEach((s, p) => {
        if (s.status === 'fulfilled') parts[p]!.forEach((i, k) => (results[i] = s.value[k]!));
      });
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return results;
  }

  /**
   * Independent messages in one transaction. Should it fail as a whole (a conflict that outlasted the retries, or
   * one bad message), the messages are received one by one, so one message cannot hold up the others; the first
   * error is then reported (the caller retries, and the others are duplicates by then).
   */
  private async receiveRound(messages: InboundMessage[]): Promise<ReceiveResult[]> {
    const timer = this.metrics.dialogStep.startTimer({ channel: messages[0]!.channel });
    try {
      const out = await this.transaction((tx) => Promise.all(messages.map((m) => this.step(tx, m))));
      timer();
      this.counted(messages, out);
      return Promise.all(out.map((r, i) => (r.duplicate && messages[i]!.fingerprint !== undefined ? this.original(messages[i]!, r) : r)));
    } catch (err) {
      this.metrics.intakeFallbacks.inc();
      this.logger.warn({ err, messages: messages.length }, 'batch intake failed; receiving its messages one by one');
      const out: ReceiveResult[] = [];
      let failure: unknown;
      for (const m of messages) {
        try {
          out.push(await this.receive(m));
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) throw failure;
      return out;
    }
  }

  /**
   * One inbound event inside the caller's transaction: record the event under its unique key (a redelivery
   * stops here), resolve person and conversation (locking it), store the message with the session loaded, and
   * run the dialog step, whose state, transcript, incident changes and outbox rows commit with it.
   */
  private async step(tx: Tx, msg: InboundMessage): Promise<ReceiveResult> {
    if (!(await recordEvent(tx, msg.channel, msg.eventId, msg.fingerprint))) {
      const conv = await tx.conversation.findUnique({
        where: { channel_threadKey: { channel: msg.channel, threadKey: msg.threadKey } },
        select: { id: true },
      });
      return { duplicate: true, conversationId: conv?.id ?? '' };
    }
    const conversation = await this.conversation(tx, msg);
    const stored = await storeInbound(tx, {
      conversationId: conversation.id,
      text: msg.text ?? null,
      choice: msg.choice ?? null,
      eventId: msg.eventId,
      attachments: msg.attachments?.length ? msg.attachments : null,
    });
    if (this.commands?.matches(msg.text) && (await this.commands.handle(tx, conversation, msg))) {
      return { duplicate: false, conversationId: conversation.id, messageId: stored.messageId };
    }
    await this.runner.handle(tx, conversation, {
      type: 'message',
      text: msg.text,
      choice: msg.choice,
      attachments: msg.attachments,
      ...(msg.fields ? { fields: msg.fields } : {}),
    }, { session: stored.session });
    return { duplicate: false, conversationId: conversation.id, messageId: stored.messageId };
  }

  private counted(messages: InboundMessage[], results: ReceiveResult[]): void {
    let committed = false;
    results.forEach((result, i) => {
      const msg = messages[i]!;
      if (result.duplicate) {
        this.metrics.inboundDuplicates.inc({ channel: msg.channel });
        this.logger.debug({ channel: msg.channel, eventId: msg.eventId }, 'duplicate inbound event ignored');
      } else {
        this.metrics.inboundEvents.inc({ channel: msg.channel });
        committed = true;
      }
    });
    if (committed) this.onCommitted();
  }

  private async tryFast(msg: InboundMessage): Promise<ReceiveResult | undefined> {
    if (msg.newThread) return undefined; // the fast path only serves known conversations: save its round trips
    if (this.commands?.matches(msg.text)) return undefined; // [mib] commands run on the general path
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
    const row = await upsertConversation(tx, {
      channel: msg.channel,
      threadKey: msg.threadKey,
      reference: msg.reference,
      matchKey: msg.matchKey ?? null,
      contactId,
      locale: msg.locale ?? msg.user.locale ?? null,
    });
    return { id: row.id, channel: msg.channel, contactId: row.contactId, locale: row.locale ?? 'en', incidentId: row.incidentId };
  }

  /** Runs `fn` in a transaction, retrying on deadlocks and serialization failures. */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.prisma.$transaction(fn, { maxWait: 30_000, timeout: 30_000 });
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
        this.metrics.intakeConflicts.inc();
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

/**
 * Indexes of `messages` split into rounds in which every thread appears at most once, in order: the k-th message
 * of a thread goes to round k.
 */
export function rounds(messages: readonly Pick<InboundMessage, 'channel' | 'threadKey'>[]): number[][] {
  const seen = new Map<string, number>();
  const out: number[][] = [];
  messages.forEach((m, i) => {
    const key = `${m.channel}\u0000${m.threadKey}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    (out[k] ??= []).push(i);
  });
  return out;
}

/** Below this many messages a round is one transaction: splitting would only add statements. */
const SPLIT_FROM = 16;

/**
 * A round in two parts of about equal size, keeping the messages of one person together (two transactions
 * creating the same new contact would wait on each other); one part when the round is small.
 */
export function halves(round: number[], personOf: (i: number) => string): number[][] {
  if (round.length < SPLIT_FROM) return [round];
  const parts: [number[], number[]] = [[], []];
  const placed = new Map<string, 0 | 1>();
  for (const i of round) {
    const person = personOf(i);
    let p = placed.get(person);
    if (p === undefined) placed.set(person, (p = parts[0].length <= parts[1].length ? 0 : 1));
    parts[p].push(i);
  }
  return parts.filter((part) => part.length > 0);
}
