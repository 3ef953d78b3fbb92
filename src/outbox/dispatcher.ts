import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { type ChannelAdapter, ChannelSendError, type ConversationReference, type OutboundMessage, type SendContext, type SendResult } from '../../channels/types.js';
import { formatIncidentNumber } from '../incidents/number.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { retryDelayMs } from './backoff.js';
import type { OutboxPayload } from './enqueue.js';
import type { UnreachableDelivery } from './fallback.js';

export interface DispatcherOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  pollMs: number;
  leaseMs: number;
  concurrency: number;
  /** Called once a message is dead-lettered because its recipient cannot be reached there (fallback.ts). */
  onUnreachable?: (failed: UnreachableDelivery) => Promise<void>;
  /**
   * [llm] Rewrites a message just before it is sent, outside any transaction (the LLM layer's translation).
   * null: nothing to send, the row is done. A throw counts as a failed delivery (retried).
   */
  prepare?: (row: { outboxId: string; messageId: string | null; message: OutboundMessage }) => Promise<OutboundMessage | null>;
  /** [mib] Called once for every dead-lettered message, whatever the reason (broadcast failover, broadcast/failover.ts). */
  onDead?: (failed: UnreachableDelivery) => Promise<void>;
}

interface ClaimedRow {
  id: string;
  conversation_id: string;
  channel: string;
  message_id: string | null;
  payload: OutboxPayload;
  idempotency_key: string;
  attempts: number;
  reference: ConversationReference;
  /** Of the incident the conversation is linked to now, if any. */
  incident_number: number | null;
}

/**
 * Delivers outbox rows through the channels. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease
 * (`leased_until`), so any number of instances share the work without waiting on each other, and a crashed
 * instance's lease simply expires. Only the oldest undelivered row of each conversation is eligible, which keeps
 * per-conversation order. Sending happens outside any transaction (PGlite has one connection).
 */
export class OutboxDispatcher extends EventEmitter<{ delivered: [conversationId: string, messageId: string | null] }> {
  private running = false;
  private wake: (() => void) | undefined;
  private kicked = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly channels: ReadonlyMap<string, ChannelAdapter>,
    private readonly options: DispatcherOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    super();
    this.claimBatch = Math.max(1, Math.floor(options.concurrency / 2));
  }

  /** Free send slots worth a claim while sends are in flight (half the concurrency). */
  private readonly claimBatch: number;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the loop now instead of at the next poll (called after a local commit queued messages). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops claiming new rows and waits for in-flight sends, so a graceful shutdown loses no delivery. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled(this.inFlight);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed: ClaimedRow[] = [];
      const free = this.options.concurrency - this.inFlight.size;
      try {
        this.kicked = false;
        // Claim for several free slots at once, not one slot per finished send: each claim is a query over the
        // due rows, and after a burst it ran once per message. An idle dispatcher claims at once.
        if (free > 0 && (free >= this.claimBatch || this.inFlight.size === 0)) claimed = await this.claim(free);
      } catch (err) {
        this.logger.warn({ err }, 'outbox claim failed; retrying');
      }
      for (const row of claimed) {
        const p = this.deliver(row).finally(() => {
          this.inFlight.delete(p);
          this.kick(); // the conversation's next message (if any) became eligible
        });
        this.inFlight.add(p);
      }
      if (claimed.length === 0 && !this.kicked) await this.sleep(this.options.pollMs);
      else if (this.options.concurrency - this.inFlight.size < this.claimBatch) await this.sleep(this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /**
   * Only rows of channels this instance runs: an instance with fewer channels (`frontline chat`, an instance
   * without Slack) must not lease another channel's messages and push them back as "not enabled".
   */
  private async claim(limit: number): Promise<ClaimedRow[]> {
    if (this.channels.size === 0) return [];
    const { rows } = await this.pool.query<ClaimedRow>(
      // A row is eligible when no older row of its conversation is still pending. Walking the due rows in
      // order and probing for an older one (both indexed) costs the rows claimed, not the whole backlog: a
      // DISTINCT ON over every pending row made each claim scan all of them (thousands after a burst of mail).
      `WITH ready AS (
         SELECT o.id FROM outbox_message o
         WHERE o.status = 'pending' AND o.next_attempt_at <= now() AND o.channel = ANY($3::text[])
           AND (o.leased_until IS NULL OR o.leased_until < now())
           AND NOT EXISTS (SELECT 1 FROM outbox_message p
                            WHERE p.status = 'pending' AND p.conversation_id = o.conversation_id AND p.seq < o.seq)
         ORDER BY o.next_attempt_at LIMIT $1
         FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE outbox_message o
          SET leased_until = now() + make_interval(secs => $2::double precision / 1000), attempts = o.attempts + 1
         FROM ready, conversation c
        WHERE o.id = ready.id AND c.id = o.conversation_id
          AND o.status = 'pending' AND (o.leased_until IS NULL OR o.leased_until < now())
       RETURNING o.id::text, o.conversation_id::text, o.channel, o.message_id::text, o.payload,
                 o.idempotency_key, o.attempts, c.reference,
                 (SELECT i.number FROM incident i WHERE i.id = c.incident_id) AS incident_number`,
      [limit, this.options.leaseMs, [...this.channels.keys()]],
    );
    return rows;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const channel = this.channels.get(row.channel);
    try {
      if (!channel) throw new ChannelSendError(`channel ${row.channel} is not enabled`, { retryable: true, retryAfterMs: 60_000 });
      const context = { idempotencyKey: row.idempotency_key, conversationId: row.conversation_id, attempt: row.attempts };
      const message = row.payload.op === 'edit' || !this.options.prepare ? row.payload.message : await this.options.prepare({ outboxId: row.id, messageId: row.message_id, message: row.payload.message });
      if (!message) {
        // Nothing to send (prepare dropped it): done, and never shown in a transcript (not delivered).
        await this.pool.query(`UPDATE outbox_message SET status = 'sent', sent_at = now(), leased_until = NULL, last_error = NULL WHERE id = $1::uuid`, [row.id]);
        return;
      }
      const result = row.payload.op === 'edit' ? await this.edit(channel, row, context) : await channel.send(row.reference, withIncident(message, row), context);
      await this.pool.query(
        `WITH o AS (
           UPDATE outbox_message SET status = 'sent', sent_at = now(), leased_until = NULL, external_id = $2, last_error = NULL
           WHERE id = $1::uuid RETURNING message_id)
         UPDATE message SET delivered_at = COALESCE(message.delivered_at, now()), external_id = COALESCE($2, message.external_id)
         FROM o WHERE message.id = o.message_id`,
        [row.id, result.externalId ?? null],
      );
      this.metrics.outboundSent.inc({ channel: row.channel });
      this.emit('delivered', row.conversation_id, row.message_id);
    } catch (err) {
      await this.failed(row, err);
    }
  }

  /** Edits the target message in place where the channel can; otherwise sends the new content as a message. */
  private async edit(channel: ChannelAdapter, row: ClaimedRow, context: SendContext): Promise<SendResult> {
    const payload = row.payload as Extract<OutboxPayload, { op: 'edit' }>;
    const { rows } = await this.pool.query<{ external_id: string | null }>('SELECT external_id FROM message WHERE id = $1::uuid', [payload.targetMessageId]);
    const externalId = rows[0]?.external_id;
    if (channel.update && externalId) {
      await channel.update(row.reference, externalId, payload.message, context);
      return { externalId };
    }
    if (channel.update && !externalId) throw new ChannelSendError('the message to edit was never delivered', { retryable: false });
    return channel.send(row.reference, payload.message, context);
  }

  private async failed(row: ClaimedRow, err: unknown): Promise<void> {
    const sendError = err instanceof ChannelSendError ? err : undefined;
    const retryable = sendError ? sendError.retryable : true; // unexpected errors: assume transient
    const dead = !retryable || row.attempts >= this.options.maxAttempts;
    const message = err instanceof Error ? err.message : String(err);
    const delay = retryDelayMs(row.attempts, {
      baseMs: this.options.baseDelayMs,
      maxMs: this.options.maxDelayMs,
      retryAfterMs: sendError?.retryAfterMs,
    });
    try {
      await this.pool.query(
        `UPDATE outbox_message SET status = $2::outbox_status, leased_until = NULL, last_error = $3,
                next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
          WHERE id = $1::uuid`,
        [row.id, dead ? 'dead' : 'pending', message.slice(0, 2000), delay],
      );
    } catch (dbErr) {
      // The lease expires and another attempt happens; nothing is lost.
      this.logger.error({ err: dbErr, outboxId: row.id }, 'could not record outbox failure');
    }
    if (dead) {
      this.metrics.outboundDead.inc({ channel: row.channel });
      this.logger.error({ outboxId: row.id, channel: row.channel, attempts: row.attempts, error: message }, 'outbound message dead-lettered');
      const failed = { outboxId: row.id, conversationId: row.conversation_id, channel: row.channel, payload: row.payload, idempotencyKey: row.idempotency_key, reason: message };
      if (sendError?.unreachable && this.options.onUnreachable) {
        await this.options.onUnreachable(failed).catch((fallbackErr: unknown) => this.logger.error({ err: fallbackErr, outboxId: row.id }, 'notice fallback failed'));
      }
      if (this.options.onDead) await this.options.onDead(failed).catch((fallbackErr: unknown) => this.logger.error({ err: fallbackErr, outboxId: row.id }, 'dead-letter hook failed'));
    } else {
      this.metrics.outboundFailed.inc({ channel: row.channel });
      this.logger.warn({ outboxId: row.id, channel: row.channel, attempts: row.attempts, retryInMs: delay, error: message }, 'outbound delivery failed; will retry');
    }
  }
}

/**
 * Every message of a conversation linked to an incident names it (the email subject token, Slack file origins),
 * read when it is sent, so channels need not remember which incident a conversation filed.
 */
function withIncident(message: OutboundMessage, row: ClaimedRow): OutboundMessage {
  if (message.incidentNumber || row.incident_number === null) return message;
  return { ...message, incidentNumber: formatIncidentNumber(row.incident_number) };
}
