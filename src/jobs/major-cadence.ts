import type { Logger } from '../logger.js';
import type { PgBoss } from './job-queue.js';
import { ensureQueue } from './timers.js';

export const MAJOR_CADENCE_QUEUE = 'major-update-cadence';

/**
 * [mib] The update-cadence check for major incidents (src/major/updates-cadence.ts) as a pg-boss cron job every
 * minute; `short` keeps at most one run waiting, and the check itself is idempotent per cadence.
 */
export async function scheduleMajorCadence(boss: PgBoss, options: { work: boolean; pollSeconds: number }, run: () => Promise<number>, logger: Logger): Promise<void> {
  await ensureQueue(boss, { name: MAJOR_CADENCE_QUEUE, policy: 'short', retryLimit: 0 });
  if (!options.work) return;
  await boss.work(MAJOR_CADENCE_QUEUE, { pollingIntervalSeconds: options.pollSeconds }, async () => {
    await run().catch((err: unknown) => logger.error({ err }, 'major-incident cadence check failed'));
  });
  await boss.schedule(MAJOR_CADENCE_QUEUE, '* * * * *');
}
