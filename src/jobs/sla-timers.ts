import { Prisma, type Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../logger.js';
import type { SlaConfig } from '../sla/config.js';

import type { RunTransaction, SweepTask } from './sla-sweeper.js';

export interface SlaSweepResult {
  warned: number;
  breached: number;
  autoClosed: number;
}

/** Incidents claimed per pass and kind, so one pass stays short even after a long outage. */
const BATCH = 50;
const TIERS = ['L1', 'L2', 'L3'];

/** The next support tier on breach; the last tier stays where it is. */
export function nextTier(tier: string): string {
  const i = TIERS.indexOf(tier);
  return i < 0 ? tier : TIERS[Math.min(i + 1, TIERS.length - 1)]!;
}

/**
 * SLA timers: the 75 % warning, the breach escalation and auto-close of resolved incidents. Any number of
 * instances may sweep at once: each incident is claimed with `FOR UPDATE SKIP LOCKED` in its own short
 * transaction, and the claim's WHERE clause (re-checked by PostgreSQL on the locked row) plus the
 * `sla_warned_at`/`sla_breached_at` columns make every milestone happen once. Pending incidents are skipped:
 * their clocks are paused (see IncidentService.update).
 */
export class SlaTimers implements SweepTask {
  readonly name = 'sla';

  constructor(
    private readonly transaction: RunTransaction,
    private readonly incidents: IncidentService,
    private readonly sla: Pick<SlaConfig, 'warnAt' | 'autoCloseDays'>,
    private readonly logger?: Logger,
  ) {}

  async run(now: Date): Promise<Record<string, number>> {
    const result: SlaSweepResult = { warned: 0, breached: 0, autoClosed: 0 };
    result.breached = await this.each(now, (tx, skip) => this.claimBreached(tx, now, skip), async (tx, id) => {
      const before = await this.incidents.get(tx, id);
      if (!(await this.incidents.recordSla(tx, id, 'breached', 'sla', now))) return false;
      // Through update() so the tier change reaches the timeline, the Slack card and any other listener.
      await this.incidents.update(tx, id, { tier: nextTier(before.tier) }, 'sla', now);
      return true;
    });
    result.warned = await this.each(now, (tx, skip) => this.claimWarning(tx, now, skip), async (tx, id) =>
      Boolean(await this.incidents.recordSla(tx, id, 'warning', 'sla', now)));
    result.autoClosed = await this.each(now, (tx, skip) => this.claimAutoClose(tx, now, skip), async (tx, id) => {
      await this.incidents.update(tx, id, { status: 'closed' }, 'auto-close', now);
      return true;
    });
    return { ...result };
  }

  /**
   * Claims one due incident at a time, each in its own transaction, until none is left or the batch is done.
   * A failing incident is logged and left for the next pass; it is not retried in this one.
   */
  private async each(now: Date, claim: (tx: Tx, skip: Prisma.Sql) => Promise<string | undefined>, handle: (tx: Tx, id: string) => Promise<boolean>): Promise<number> {
    let done = 0;
    const failed = new Set<string>();
    for (let i = 0; i < BATCH; i++) {
      let claimed: string | undefined;
      const skip = failed.size ? Prisma.sql`AND id NOT IN (${Prisma.join([...failed].map((id) => Prisma.sql`${id}::uuid`))})` : Prisma.empty;
      try {
        const outcome = await this.transaction(async (tx) => {
          claimed = await claim(tx, skip);
          return claimed ? handle(tx, claimed) : undefined;
        });
        if (outcome === undefined) break;
        if (outcome) done++;
        else failed.add(claimed!); // nothing to do after all: do not claim it again in this pass
      } catch (err) {
        if (!claimed) throw err;
        failed.add(claimed);
        this.logger?.error({ err, incidentId: claimed, at: now.toISOString() }, 'SLA timer failed for incident');
      }
    }
    return done;
  }

  private async claimBreached(tx: Tx, now: Date, skip: Prisma.Sql): Promise<string | undefined> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM incident
      WHERE status IN ('new', 'assigned', 'in_progress', 'reopened') AND sla_paused_at IS NULL
        AND sla_breached_at IS NULL AND resolution_due_at <= ${now}
        ${skip}
      ORDER BY resolution_due_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
    return rows[0]?.id;
  }

  /** Due for the warning once `warnAt` of the resolution target (excluding paused time) has passed. */
  private async claimWarning(tx: Tx, now: Date, skip: Prisma.Sql): Promise<string | undefined> {
    const remaining = 1 - this.sla.warnAt;
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM incident
      WHERE status IN ('new', 'assigned', 'in_progress', 'reopened') AND sla_paused_at IS NULL
        AND sla_warned_at IS NULL AND sla_breached_at IS NULL AND resolution_due_at IS NOT NULL
        AND resolution_due_at - (resolution_due_at - created_at - make_interval(mins => sla_paused_minutes)) * ${remaining}::float8 <= ${now}
        ${skip}
      ORDER BY resolution_due_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
    return rows[0]?.id;
  }

  private async claimAutoClose(tx: Tx, now: Date, skip: Prisma.Sql): Promise<string | undefined> {
    const cutoff = new Date(now.getTime() - this.sla.autoCloseDays * 86_400_000);
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM incident
      WHERE status = 'resolved' AND resolved_at <= ${cutoff} ${skip}
      ORDER BY resolved_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
    return rows[0]?.id;
  }
}
