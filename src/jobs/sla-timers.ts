import { coalesced } from '../db/coalesce.js';
import type { Incident, Tx } from '../db/database.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import type { Logger } from '../logger.js';
import { type Milestone, type MilestoneSettings, type PlannedMilestone, plannedMilestones } from '../sla/milestones.js';
import { type PgBoss, type RunTransaction, txExecutor } from './job-queue.js';

export const MILESTONE_QUEUE = 'sla-milestone';

export interface MilestoneJob {
  incidentId: string;
  milestone: Milestone;
  /** The due time the job was queued for (also part of its singleton key). */
  at: string;
}

export type MilestoneOutcome = 'done' | 'requeued' | 'skipped';

const TIERS = ['L1', 'L2', 'L3'];
/** A job may start a little before its time by the app's clock when the database clock runs ahead. */
const CLOCK_SKEW_MS = 1_000;

/** The next support tier on breach; the last tier stays where it is. */
export function nextTier(tier: string): string {
  const i = TIERS.indexOf(tier);
  return i < 0 ? tier : TIERS[Math.min(i + 1, TIERS.length - 1)]!;
}

/**
 * SLA milestones as pg-boss jobs: 75 % warning and breach of the first-response and resolution clocks, and
 * auto-close of resolved incidents. Whenever an incident is created or its status or priority changes, the
 * milestones still ahead are queued with `startAfter` in the same transaction. The singleton key is
 * incident + milestone + due time, so a milestone is queued once per due time; a job whose due time moved
 * (pause, priority change) finds that out when it runs and re-queues for the new time. Each job locks the
 * incident and re-checks it, and the milestone columns make every effect happen once, whichever instance runs it.
 */
export class SlaTimers {
  constructor(
    private readonly boss: PgBoss,
    private readonly transaction: RunTransaction,
    private readonly incidents: IncidentService,
    private readonly settings: MilestoneSettings,
    private readonly logger?: Logger,
  ) {}

  /** Incident listener: queues the milestones of a new or re-timed incident inside the change's transaction. */
  readonly onIncidentChange = async (tx: Tx, change: IncidentChange): Promise<void> => {
    if (change.kind === 'created' || change.changes?.status || change.changes?.priority) await this.enqueue(tx, change.incident);
  };

  /** Queues every milestone still ahead of the incident (already queued ones are left alone). */
  async enqueue(tx: Tx, incident: Incident): Promise<void> {
    await this.send(tx, incident.id, plannedMilestones(incident, this.settings));
  }

  /**
   * Queues the milestones of timed incidents that have no milestone job waiting: incidents from before the
   * timers ran on pg-boss, or whose jobs were lost (e.g. a restored database). Safe to repeat: singleton keys.
   */
  async backfill(): Promise<number> {
    const rows = await this.transaction((tx) => tx.$queryRaw<{ id: string }[]>`
      SELECT i.id::text FROM incident i
      WHERE i.status IN ('new', 'assigned', 'in_progress', 'reopened', 'resolved') AND i.sla_paused_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = ${MILESTONE_QUEUE} AND j.state < 'completed'
                          AND j.data->>'incidentId' = i.id::text)`);
    for (let i = 0; i < rows.length; i += 100) {
      const ids = rows.slice(i, i + 100).map((r) => r.id);
      await this.transaction(async (tx) => {
        for (const incident of await tx.incident.findMany({ where: { id: { in: ids } } })) await this.enqueue(tx, incident);
      });
    }
    if (rows.length) this.logger?.info({ incidents: rows.length }, 'SLA milestones queued for incidents without jobs');
    return rows.length;
  }

  /** Runs one milestone job at `now`: under the incident's lock, re-checks it and records its effect once. */
  async fire(job: MilestoneJob, now = new Date()): Promise<MilestoneOutcome> {
    return this.transaction(async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM incident WHERE id = ${job.incidentId}::uuid FOR UPDATE`;
      const incident = await tx.incident.findUnique({ where: { id: job.incidentId } });
      if (!incident) return 'skipped';
      const plan = plannedMilestones(incident, this.settings);
      const planned = plan.find((p) => p.milestone === job.milestone);
      if (!planned) return 'skipped'; // recorded already, answered, paused, resolved or closed
      if (planned.at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        await this.send(tx, incident.id, [planned]); // moved later; a no-op if that time is already queued
        return 'requeued';
      }
      return (await this.apply(tx, incident, job.milestone, plan, now)) ? 'done' : 'skipped';
    });
  }

  /** pg-boss handler: each job on its own, so one failing incident is retried without holding up the batch. */
  async work(jobs: PgBoss.Job<MilestoneJob>[]): Promise<void> {
    for (const job of jobs) {
      try {
        const outcome = await this.fire(job.data);
        if (outcome !== 'skipped') this.logger?.info({ incidentId: job.data.incidentId, milestone: job.data.milestone, outcome }, 'SLA milestone');
      } catch (err) {
        this.logger?.error({ err, incidentId: job.data.incidentId, milestone: job.data.milestone }, 'SLA milestone failed; pg-boss retries it');
        await this.boss.fail(MILESTONE_QUEUE, job.id, { message: (err as Error).message });
      }
    }
  }

  private async apply(tx: Tx, incident: Incident, milestone: Milestone, plan: PlannedMilestone[], now: Date): Promise<boolean> {
    const due = (m: Milestone) => plan.some((p) => p.milestone === m && p.at.getTime() <= now.getTime() + CLOCK_SKEW_MS);
    switch (milestone) {
      case 'response_warning':
        // When the breach is due as well, its job records both; a warning after the breach would be noise.
        return !due('response_breach') && Boolean(await this.incidents.recordSla(tx, incident.id, 'warning', 'sla', now, 'response'));
      case 'response_breach':
        // The team is told through the normal change path (timeline, Slack card); nobody is escalated for a
        // late first answer: the resolution breach does that.
        return Boolean(await this.incidents.recordSla(tx, incident.id, 'breached', 'sla', now, 'response'));
      case 'resolution_warning':
        return !due('resolution_breach') && Boolean(await this.incidents.recordSla(tx, incident.id, 'warning', 'sla', now));
      case 'resolution_breach':
        if (!(await this.incidents.recordSla(tx, incident.id, 'breached', 'sla', now))) return false;
        // Through update() so the tier change reaches the timeline, the Slack card and any other listener.
        await this.incidents.update(tx, incident.id, { tier: nextTier(incident.tier) }, 'sla', now);
        return true;
      case 'auto_close':
        await this.incidents.update(tx, incident.id, { status: 'closed' }, 'auto-close', now);
        return true;
    }
  }

  /**
   * One statement for all of an incident's milestones (it runs inside every incident change); the incidents
   * filed by concurrent flows of one batch transaction share it.
   */
  private async send(tx: Tx, incidentId: string, planned: PlannedMilestone[]): Promise<void> {
    if (!planned.length) return;
    await coalesced(tx, this.insertJobs).load({ incidentId, planned });
  }

  private readonly insertJobs = async (tx: Tx, batches: readonly { incidentId: string; planned: PlannedMilestone[] }[]): Promise<void[]> => {
    await this.boss.insert(batches.flatMap(({ incidentId, planned }) => planned.map((p) => ({
      name: MILESTONE_QUEUE,
      data: { incidentId, milestone: p.milestone, at: p.at.toISOString() } satisfies MilestoneJob,
      startAfter: p.at,
      singletonKey: `${incidentId}:${p.milestone}:${p.at.getTime()}`,
      // Breaches before warnings when both are due at once (e.g. after an outage).
      priority: p.milestone.endsWith('breach') ? 1 : 0,
    }))), { db: txExecutor(tx) });
    return batches.map(() => undefined);
  };
}
