import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Housekeeping } from './housekeeping.js';
import type { IdleDialogs } from './idle-dialogs.js';
import { type PgBoss, startJobQueue } from './job-queue.js';
import { MILESTONE_QUEUE, type MilestoneJob, type SlaTimers } from './sla-timers.js';

export const IDLE_QUEUE = 'idle-dialogs';
/** Reminders count in minutes, so once a minute is often enough. */
const IDLE_CRON = '* * * * *';
export const HOUSEKEEPING_QUEUE = 'housekeeping';
/** Daily, at a quiet hour (UTC). */
const HOUSEKEEPING_CRON = '17 3 * * *';

export interface TimerOptions {
  /** Work the queues on this instance (SLA_TIMERS_ENABLED); jobs are queued either way. */
  work: boolean;
  pollSeconds: number;
  /** How long stop() waits for running jobs before giving up on them (pg-boss fails them for a retry). */
  stopTimeoutMs: number;
}

/**
 * The timer jobs on pg-boss: SLA milestones (queued per incident, see SlaTimers) and the idle-dialog
 * reminders (a cron job). `open()` starts pg-boss and creates the queues, so changes can queue milestones
 * from the start; `work()` starts this instance's workers once the rest of the app is ready.
 */
export class Timers {
  private sla: SlaTimers | undefined;
  private idle: IdleDialogs | undefined;
  private stopped = false;

  private constructor(
    readonly boss: PgBoss,
    private readonly options: TimerOptions,
    private readonly logger?: Logger,
  ) {}

  static async open(db: Database, options: TimerOptions, logger?: Logger): Promise<Timers> {
    const boss = await startJobQueue(db.pool, { schedule: options.work, supervise: options.work }, logger);
    // Stately: per singleton key at most one job waiting and one running.
    await ensureQueue(boss, { name: MILESTONE_QUEUE, policy: 'stately', retryLimit: 10, retryDelay: 30, retryBackoff: true });
    // Short: at most one run waiting, so a stopped cluster does not pile up a run per missed minute.
    await ensureQueue(boss, { name: IDLE_QUEUE, policy: 'short', retryLimit: 0 });
    await ensureQueue(boss, { name: HOUSEKEEPING_QUEUE, policy: 'short', retryLimit: 2, retryDelay: 600 });
    return new Timers(boss, options, logger);
  }

  async work(sla: SlaTimers, idle: IdleDialogs, housekeeping?: Housekeeping): Promise<void> {
    this.sla = sla;
    this.idle = idle;
    if (!this.options.work) return;
    await sla.backfill();
    const pollingIntervalSeconds = this.options.pollSeconds;
    await this.boss.work<MilestoneJob>(MILESTONE_QUEUE, { pollingIntervalSeconds, batchSize: 20 }, (jobs) => sla.work(jobs));
    await this.boss.work(IDLE_QUEUE, { pollingIntervalSeconds }, async () => {
      const counts = await idle.run(new Date());
      if (counts.reminded || counts.closed) this.logger?.info({ idle: counts }, 'idle dialogs');
    });
    await this.boss.schedule(IDLE_QUEUE, IDLE_CRON);
    if (housekeeping) {
      // A daily job: polling ten times less often than the timers keeps the idle load down.
      await this.boss.work(HOUSEKEEPING_QUEUE, { pollingIntervalSeconds: Math.min(30, pollingIntervalSeconds * 10) }, async () => {
        const pruned = await housekeeping.run(new Date());
        this.logger?.info({ pruned }, 'housekeeping');
      });
      await this.boss.schedule(HOUSEKEEPING_QUEUE, HOUSEKEEPING_CRON);
    }
  }

  /**
   * Queues a run of the idle-dialog job now and waits until some worker has finished it (tests, operators).
   * Needs a working instance somewhere.
   */
  async runIdleNow(timeoutMs = 30_000): Promise<void> {
    const id = await this.boss.send(IDLE_QUEUE, {});
    if (!id) throw new Error('an idle-dialog run is already waiting');
    await this.waitFor(IDLE_QUEUE, id, timeoutMs);
  }

  /** Waits for a job to finish; rejects if it failed or did not finish in time. */
  async waitFor(queue: string, id: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.boss.getJobById(queue, id, { includeArchive: true });
      if (job?.state === 'completed') return;
      if (job?.state === 'failed' || job?.state === 'cancelled') throw new Error(`job ${queue}/${id} ${job.state}`);
      if (Date.now() > until) throw new Error(`job ${queue}/${id} did not finish in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The handlers behind the queues, for direct runs at a fixed time (tests). */
  get handlers(): { sla: SlaTimers | undefined; idle: IdleDialogs | undefined } {
    return { sla: this.sla, idle: this.idle };
  }

  /** Stops the workers and waits for running jobs, so the database can close after it. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: this.options.stopTimeoutMs });
  }
}

/**
 * Creates a queue unless it exists. Instances starting together on a fresh database can deadlock inside
 * pg-boss's create_queue (each inserts the queue row and creates its partition); PostgreSQL aborts one of
 * them, which then finds the queue made by the other.
 */
export async function ensureQueue(boss: PgBoss, queue: PgBoss.Queue): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await boss.getQueue(queue.name)) return;
    try {
      await boss.createQueue(queue.name, queue);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 5 || (code !== '40P01' && code !== '23505')) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}
