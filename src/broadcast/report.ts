import type { Tx } from '../db/database.js';

export interface DeliveryReportRow {
  recipient: string;
  kind: string;
  channel: string;
  address: string;
  language: string;
  decision: string;
  /** queued | sent | failed (dead on every channel tried) | fallback_queued | fallback_sent */
  status: string;
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
  fallback: { channel: string; address: string | null; at: string | null; status: string | null; sentAt: string | null } | null;
  failedReason: string | null;
}

/** Per-recipient delivery report of one broadcast (which channel, when, failed where), for agents. */
export async function deliveryReport(tx: Tx, broadcastId: string, options: { recipient?: string; limit: number; offset: number }): Promise<{ total: number; counts: Record<string, number>; items: DeliveryReportRow[] }> {
  const filter = options.recipient ? `%${options.recipient.toLowerCase()}%` : '%';
  const rows = await tx.$queryRaw<{
    recipient_key: string; kind: string; channel: string; address: string; language: string; decision: string; failed_reason: string | null;
    fallback_channel: string | null; fallback_address: string | null; fallback_at: Date | null;
    status: string | null; attempts: number | null; sent_at: Date | null; last_error: string | null; fb_status: string | null; fb_sent_at: Date | null;
  }[]>`
    SELECT d.recipient_key, d.kind, d.channel, d.address, d.language, d.decision, d.failed_reason,
           d.fallback_channel, d.fallback_address, d.fallback_at,
           o.status::text AS status, o.attempts, o.sent_at, o.last_error, f.status::text AS fb_status, f.sent_at AS fb_sent_at
      FROM broadcast_delivery d
      LEFT JOIN outbox_message o ON o.idempotency_key = d.outbox_key
      LEFT JOIN outbox_message f ON f.idempotency_key = d.fallback_key
     WHERE d.broadcast_id = ${broadcastId}::uuid AND (lower(d.address) LIKE ${filter} OR d.recipient_key LIKE ${filter})
     ORDER BY d.created_at, d.recipient_key
     LIMIT ${options.limit} OFFSET ${options.offset}`;
  const counts = await tx.$queryRaw<{ status: string; n: number }[]>`
    SELECT CASE WHEN f.status = 'sent' OR (d.fallback_key IS NULL AND d.fallback_channel IS NOT NULL AND o.status = 'sent') THEN 'fallback_sent'
                WHEN o.status = 'sent' THEN 'sent'
                WHEN d.fallback_channel IS NOT NULL AND coalesce(f.status, o.status) = 'pending' THEN 'fallback_queued'
                WHEN o.status = 'dead' AND (f.status IS NULL OR f.status = 'dead') THEN 'failed'
                ELSE 'queued' END AS status, count(*)::int AS n
      FROM broadcast_delivery d
      LEFT JOIN outbox_message o ON o.idempotency_key = d.outbox_key
      LEFT JOIN outbox_message f ON f.idempotency_key = d.fallback_key
     WHERE d.broadcast_id = ${broadcastId}::uuid GROUP BY 1`;
  const byStatus = Object.fromEntries(counts.map((c) => [c.status, c.n]));
  const total = counts.reduce((n, c) => n + c.n, 0);
  return {
    total,
    counts: byStatus,
    items: rows.map((r) => {
      // A plan-time failover (channel down) queued the original key on the other channel directly.
      const planTime = r.fallback_channel !== null && r.fb_status === null && r.fallback_at !== null && r.status !== 'dead';
      const fbStatus = planTime ? r.status : r.fb_status;
      const status = fbStatus === 'sent' ? 'fallback_sent' : r.status === 'sent' ? 'sent' : r.fallback_channel && fbStatus === 'pending' ? 'fallback_queued' : r.status === 'dead' && (!fbStatus || fbStatus === 'dead') ? 'failed' : 'queued';
      return {
        recipient: r.recipient_key, kind: r.kind, channel: r.channel, address: r.address, language: r.language, decision: r.decision, status,
        attempts: r.attempts ?? 0, sentAt: (planTime ? null : r.sent_at)?.toISOString() ?? null, lastError: r.last_error, failedReason: r.failed_reason,
        fallback: r.fallback_channel ? { channel: r.fallback_channel, address: r.fallback_address, at: r.fallback_at?.toISOString() ?? null, status: fbStatus, sentAt: (planTime ? r.sent_at : r.fb_sent_at)?.toISOString() ?? null } : null,
      };
    }),
  };
}
