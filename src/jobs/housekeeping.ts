import type { ChannelAdapter } from '../../channels/types.js';
import type { Database } from '../db/database.js';
import { purgeAuditLog } from '../audit/retention.js';

/** Rows per DELETE, so pruning a long backlog never holds locks on the hot tables for long. */
const BATCH = 5_000;

export interface HousekeepingResult {
  inboundEvents: number;
  channelState: number;
  auditEntries?: number;
}

/**
 * Daily pruning of what only grows: inbound-event dedupe keys older than the retention (platforms redeliver
 * within minutes; Slack for ~5 min, so 30 days is generous) and channel state the adapter calls ephemeral.
 * Channels that need their keys for ever (email) say so in `retention.keepInboundEvents`.
 */
export class Housekeeping {
  constructor(
    private readonly db: Database,
    private readonly channels: () => Iterable<ChannelAdapter>,
    private readonly inboundEventRetentionDays: number,
    private readonly auditRetentionDays = 0, // [audit] 0 keeps the audit log for ever
  ) {}

  async run(now = new Date()): Promise<HousekeepingResult> {
    const result: HousekeepingResult = { inboundEvents: 0, channelState: 0 };
    const channels = [...this.channels()];
    if (this.inboundEventRetentionDays > 0) {
      const keep = channels.filter((c) => c.retention?.keepInboundEvents).map((c) => c.name);
      const cutoff = new Date(now.getTime() - this.inboundEventRetentionDays * 86_400_000);
      result.inboundEvents = await this.inBatches(
        `DELETE FROM inbound_event WHERE id IN (
           SELECT id FROM inbound_event WHERE received_at < $1 AND NOT (channel = ANY($2::text[])) LIMIT ${BATCH})`,
        [cutoff, keep],
      );
    }
    for (const channel of channels) {
      for (const { prefix, maxAgeDays } of channel.retention?.ephemeralState ?? []) {
        const cutoff = new Date(now.getTime() - maxAgeDays * 86_400_000);
        result.channelState += await this.inBatches(
          `DELETE FROM channel_state WHERE (channel, key) IN (
             SELECT channel, key FROM channel_state WHERE channel = $1 AND starts_with(key, $2) AND updated_at < $3 LIMIT ${BATCH})`,
          [channel.name, prefix, cutoff],
        );
      }
    }
    // [audit] through the one path the append-only trigger allows.
    if (this.auditRetentionDays > 0) result.auditEntries = await purgeAuditLog(this.db, this.auditRetentionDays, now);
    return result;
  }

  private async inBatches(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.db.pool.query(sql, params);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < BATCH) return total;
    }
  }
}
