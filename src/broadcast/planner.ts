import type { ChannelAdapter, OutboundMessage } from '../../channels/types.js';
import { asJson } from '../db/coalesce.js';
import type { Tx } from '../db/database.js';
import { resolveContact } from '../intake/identity.js';
import type { Logger } from '../logger.js';
import { formatMajorIncidentNumber } from '../major/records.js';
import { enqueueMessage } from '../outbox/enqueue.js';
import type { ServiceCatalog } from '../services/catalog.js';
import type { UpdateStatus } from '../status/render.js';
import { signLink } from '../subscriptions/tokens.js';
import { findOtherChannel } from './failover.js';
import { updateText } from './messages.js';
import { listRecipients, type Recipient } from './recipients.js';

/** Recipients queued per transaction: big enough to amortise round trips, small enough to keep locks short. */
export const PLAN_BATCH = 500;
const LEASE_MS = 60_000;

export interface PlannerDeps {
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  channels: ReadonlyMap<string, ChannelAdapter>;
  catalog: ServiceCatalog;
  /** Failover order for a reporter whose channel is down (NOTICE_FALLBACK_CHANNELS). */
  order: readonly string[];
  secret: string;
  baseUrl: string;
  /** Wakes the dispatcher after a batch committed. */
  kick: () => void;
  logger: Logger;
  pollMs: number;
}

/**
 * Turns a broadcast into one outbox row per recipient, in batches, resumably. A broadcast row is created in the
 * same transaction as its update; any instance claims it with a lease, lists the recipients (policy applied),
 * and queues them PLAN_BATCH at a time. Each batch is one transaction that inserts the delivery rows — unique
 * per (broadcast, recipient) — and their outbox rows together, so a crash (kill -9) mid-plan leaves whole batches
 * only, and the next claim skips every recipient already queued. The dispatcher delivers them under the channels'
 * rate limits like every other message.
 */
export class BroadcastPlanner {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: PlannerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.planOne();
      } catch (err) {
        this.deps.logger.error({ err }, 'broadcast planning failed; it resumes at the next poll');
      }
      if (!worked && this.running) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.deps.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Plans the oldest unclaimed broadcast to the end; false when there was none. */
  async planOne(): Promise<boolean> {
    const claimed = await this.deps.transaction((tx) => tx.$queryRaw<{ id: string }[]>`
      UPDATE broadcast SET leased_until = now() + make_interval(secs => ${LEASE_MS / 1000}::double precision)
       WHERE id = (SELECT id FROM broadcast WHERE status = 'planning' AND (leased_until IS NULL OR leased_until < now())
                    ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id::text`);
    const id = claimed[0]?.id;
    if (!id) return false;
    await this.plan(id);
    return true;
  }

  private async plan(broadcastId: string): Promise<void> {
    const { deps } = this;
    const context = await deps.transaction(async (tx) => {
      const b = await tx.broadcast.findUniqueOrThrow({ where: { id: broadcastId }, select: { update: true } });
      const mi = await tx.majorIncident.findUniqueOrThrow({ where: { id: b.update.majorIncidentId } });
      const service = deps.catalog.find(mi.serviceId);
      const recipients = await listRecipients(tx, {
        majorIncidentId: mi.id,
        serviceId: mi.serviceId,
        sensitivity: { updateRestricted: b.update.restricted, incidentRestricted: mi.restricted },
        scope: b.update.scope === 'reporters' ? 'reporters' : 'all',
        ...(service ? { service } : {}),
      });
      return { update: b.update, mi, serviceName: service?.name.en ?? mi.serviceId, recipients };
    });
    // A channel that is down now gets none of this broadcast: its reporters hear it on their next channel.
    const health = new Map<string, { ok: boolean; detail?: string }>();
    for (const name of new Set(context.recipients.map((r) => r.channel))) {
      const adapter = deps.channels.get(name);
      health.set(name, adapter ? await adapter.health().catch((err: unknown) => ({ ok: false, detail: String(err) })) : { ok: false, detail: 'not running' });
    }
    const number = formatMajorIncidentNumber(context.mi.number);
    for (let i = 0; i < context.recipients.length; i += PLAN_BATCH) {
      const batch = context.recipients.slice(i, i + PLAN_BATCH);
      const queued = await deps.transaction(async (tx) => {
        const lease = await tx.$executeRaw`UPDATE broadcast SET leased_until = now() + make_interval(secs => ${LEASE_MS / 1000}::double precision)
                                            WHERE id = ${broadcastId}::uuid AND status = 'planning'`;
        if (lease === 0) return -1; // finished by another instance meanwhile
        return this.queueBatch(tx, broadcastId, batch, { number, title: context.mi.title, status: context.update.status as UpdateStatus, texts: context.update.publicText as Record<string, string> }, health);
      });
      if (queued < 0) return;
      if (queued > 0) deps.kick();
    }
    await deps.transaction((tx) => tx.$executeRaw`
      UPDATE broadcast SET status = 'queued', planned_at = now(), leased_until = NULL,
             recipients = (SELECT count(*)::int FROM broadcast_delivery WHERE broadcast_id = ${broadcastId}::uuid)
       WHERE id = ${broadcastId}::uuid AND status = 'planning'`);
    deps.logger.info({ broadcastId, recipients: context.recipients.length }, 'broadcast queued');
  }

  private async queueBatch(
    tx: Tx,
    broadcastId: string,
    batch: Recipient[],
    update: { number: string; title: string; status: UpdateStatus; texts: Record<string, string> },
    health: ReadonlyMap<string, { ok: boolean; detail?: string }>,
  ): Promise<number> {
    const { deps } = this;
    const done = await tx.$queryRaw<{ recipient_key: string }[]>`
      SELECT recipient_key FROM broadcast_delivery WHERE broadcast_id = ${broadcastId}::uuid AND recipient_key = ANY(${batch.map((r) => r.key)}::text[])`;
    const skip = new Set(done.map((d) => d.recipient_key));
    const planned: { r: Recipient; target: { id: string; channel: string }; fallback?: { channel: string; address: string; reason: string } }[] = [];
    const byEmail: { r: Recipient; address: string; fallback?: { channel: string; address: string; reason: string } }[] = [];
    for (const r of batch) {
      if (skip.has(r.key)) continue;
      const state = health.get(r.channel);
      if (state && !state.ok && r.contactId) {
        const other = await findOtherChannel(tx, r.contactId, [r.channel], deps.order, deps.channels);
        // Starting a conversation elsewhere at plan time is done for email (the usual next channel); others
        // are tried on their own channel and fail over when their delivery is dead-lettered.
        if (other?.channel === 'email') {
          byEmail.push({ r, address: other.address, fallback: { ...other, reason: `${r.channel} unhealthy${state.detail ? `: ${state.detail}` : ''}` } });
          continue;
        }
      }
      if (r.conversationId) planned.push({ r, target: { id: r.conversationId, channel: r.channel } });
      else if (r.channel === 'email') byEmail.push({ r, address: r.address });
      else {
        const target = await this.audienceConversation(tx, r);
        if (target) planned.push({ r, target });
      }
    }
    const mailTargets = await this.mailConversations(tx, byEmail.map((m) => ({ address: m.address, contactId: m.r.contactId })), update);
    byEmail.forEach((m, k) => {
      const target = mailTargets[k];
      if (target) planned.push({ r: m.r, target, ...(m.fallback ? { fallback: m.fallback } : {}) });
    });
    if (planned.length === 0) return 0;
    const rows = planned.map(({ r, target, fallback }) => ({
      recipient_key: r.key, kind: r.kind, channel: r.channel, address: r.address, language: r.language, decision: r.decision,
      conversation_id: target.id, outbox_key: `bc:${broadcastId}:${r.key}`,
      fallback_channel: fallback?.channel ?? null, fallback_address: fallback?.address ?? null, failed_reason: fallback?.reason ?? null,
    }));
    const inserted = await tx.$queryRawUnsafe<{ recipient_key: string }[]>(
      `INSERT INTO broadcast_delivery (broadcast_id, recipient_key, kind, channel, address, language, decision, conversation_id, outbox_key,
                                       fallback_channel, fallback_address, fallback_at, failed_reason, created_at)
       SELECT $2::uuid, r.recipient_key, r.kind, r.channel, r.address, r.language, r.decision, r.conversation_id, r.outbox_key,
              r.fallback_channel, r.fallback_address, CASE WHEN r.fallback_channel IS NULL THEN NULL ELSE now() END, r.failed_reason, now()
         FROM jsonb_to_recordset($1::jsonb) AS r(recipient_key text, kind text, channel text, address text, language text, decision text,
                                                 conversation_id uuid, outbox_key text, fallback_channel text, fallback_address text, failed_reason text)
       ON CONFLICT DO NOTHING
       RETURNING recipient_key`,
      asJson(rows),
      broadcastId,
    );
    const fresh = new Set(inserted.map((x) => x.recipient_key));
    await Promise.all(planned.filter((p) => fresh.has(p.r.key)).map(({ r, target }) => {
      const message: OutboundMessage = {
        text: updateText({
          language: r.language, number: update.number, title: update.title, status: update.status, texts: update.texts, decision: r.decision,
          statusUrl: `${deps.baseUrl}/status?lang=${r.language}`,
          ...(r.subscriptionId ? { unsubscribeUrl: `${deps.baseUrl}/status/unsubscribe?token=${signLink(deps.secret, r.subscriptionId, 'unsubscribe')}` } : {}),
        }),
        author: { kind: 'system' },
        notice: 'status',
      };
      return enqueueMessage(tx, target, message, `bc:${broadcastId}:${r.key}`);
    }));
    return fresh.size;
  }

  /** A Slack/Teams channel as a conversation of its own (kind `audience`), created once and reused. */
  private async audienceConversation(tx: Tx, r: Recipient): Promise<{ id: string; channel: string } | undefined> {
    const adapter = this.deps.channels.get(r.channel);
    if (!adapter?.startConversation) {
      this.deps.logger.warn({ channel: r.channel, address: r.address }, 'audience channel cannot be posted to (channel not running or cannot start conversations)');
      return undefined;
    }
    const { threadKey, reference } = adapter.startConversation(r.address, { incidentNumber: '', title: '' });
    const contactId = await resolveContact(tx, 'system', { externalId: 'service-desk', displayName: 'Service desk' });
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO conversation (id, channel, thread_key, reference, kind, contact_id, created_at, updated_at)
      VALUES (gen_random_uuid(), ${r.channel}, ${threadKey}, ${JSON.stringify(reference)}::jsonb, 'audience', ${contactId}::uuid, now(), now())
      ON CONFLICT (channel, thread_key) DO UPDATE SET updated_at = now()
      RETURNING id::text`;
    return { id: rows[0]!.id, channel: r.channel };
  }

  /**
   * One mail thread per address and major incident (match key `broadcast:<mi>:<address>`), so every update of an
   * outage lands in the same thread and a reply threads back to it. Bulk: one lookup, one insert per batch.
   */
  private async mailConversations(tx: Tx, wanted: { address: string; contactId?: string | undefined }[], update: { number: string; title: string }): Promise<({ id: string; channel: string } | undefined)[]> {
    if (wanted.length === 0) return [];
    const adapter = this.deps.channels.get('email');
    if (!adapter?.startConversation) {
      this.deps.logger.warn({ recipients: wanted.length }, 'email recipients skipped: the email channel is not running');
      return wanted.map(() => undefined);
    }
    const keyOf = (address: string) => `broadcast:${update.number}:${address}`;
    const existing = await tx.$queryRaw<{ id: string; match_key: string }[]>`
      SELECT id::text, match_key FROM conversation WHERE channel = 'email' AND match_key = ANY(${wanted.map((w) => keyOf(w.address))}::text[])`;
    const found = new Map(existing.map((e) => [e.match_key, e.id]));
    const missing = [...new Map(wanted.filter((w) => !found.has(keyOf(w.address))).map((w) => [w.address, w])).values()];
    const contacts = await Promise.all(missing.map((w) => w.contactId ?? resolveContact(tx, 'email', { externalId: w.address, email: w.address })));
    const rows = missing.map((w, k) => {
      const { threadKey, reference } = adapter.startConversation!(w.address, { incidentNumber: update.number, title: `${update.number} ${update.title}` });
      return { thread_key: threadKey, reference, match_key: keyOf(w.address), contact_id: contacts[k] };
    });
    if (rows.length) {
      const created = await tx.$queryRawUnsafe<{ id: string; match_key: string }[]>(
        `INSERT INTO conversation (id, channel, thread_key, reference, match_key, kind, contact_id, created_at, updated_at)
         SELECT gen_random_uuid(), 'email', r.thread_key, r.reference, r.match_key, 'broadcast', r.contact_id, now(), now()
           FROM jsonb_to_recordset($1::jsonb) AS r(thread_key text, reference jsonb, match_key text, contact_id uuid)
         RETURNING id::text, match_key`,
        asJson(rows),
      );
      for (const c of created) found.set(c.match_key, c.id);
    }
    return wanted.map((w) => {
      const id = found.get(keyOf(w.address));
      return id ? { id, channel: 'email' } : undefined;
    });
  }
}
