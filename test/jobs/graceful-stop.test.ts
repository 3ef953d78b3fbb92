import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/database.js';
import { MAJOR_CADENCE_QUEUE } from '../../src/jobs/major-cadence.js';
import { HOUSEKEEPING_QUEUE, IDLE_QUEUE } from '../../src/jobs/timers.js';
import { startTestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

describe.each(DB_KINDS)('timer jobs on stop ($kind)', ({ kind, skip }) => {
  it.skipIf(skip)('close() waits for a running milestone job before the database closes', async () => {
    const t = await startTestApp(kind, { env: { SLA_TIMERS_POLL_SECONDS: '0.5' } });
    try {
      expect((await t.frontline.timers.boss.getSchedules()).map((s) => [s.name, s.cron]).sort()).toEqual([[HOUSEKEEPING_QUEUE, '17 3 * * *'], [IDLE_QUEUE, '* * * * *'], [MAJOR_CADENCE_QUEUE, '* * * * *']].sort());
      let entered!: () => void;
      const inJob = new Promise<void>((resolve) => (entered = resolve));
      // A slow listener on the warning keeps the job's transaction open while the app is told to stop.
      t.frontline.incidents.onChange(async (_tx, change) => {
        if (change.changes?.sla) {
          entered();
          await new Promise((r) => setTimeout(r, 1_500));
        }
      });
      const reporterId = (await t.frontline.db.prisma.contact.create({ data: { displayName: 'Sam' } })).id;
      const inc = await t.frontline.pipeline.transaction((tx) =>
        t.frontline.incidents.create(tx, { title: 'VPN', description: 'drops', reporterId, impact: 2, urgency: 2 }, new Date(Date.now() - 18.5 * 3_600_000)));
      await inJob;
      await t.frontline.close();

      const config = loadConfig({ ...t.db.env, FRONTLINE_AUTO_MIGRATE: 'false', LOG_LEVEL: 'silent' });
      const db = await openDatabase(config);
      try {
        const row = await db.prisma.incident.findUniqueOrThrow({ where: { id: inc.id } });
        expect(row.slaWarnedAt).not.toBeNull();
        const { rows } = await db.pool.query<{ state: string }>(
          `SELECT state FROM pgboss.job WHERE data->>'incidentId' = $1 AND data->>'milestone' = 'resolution_warning'`, [inc.id]);
        expect(rows.map((r) => r.state)).toEqual(['completed']);
      } finally {
        await db.close();
      }
    } finally {
      await t.frontline.close();
      await t.db.drop();
    }
  }, 60_000);

  it.skipIf(skip)('with SLA_TIMERS_ENABLED=false jobs are queued but not worked here', async () => {
    const t = await startTestApp(kind, { env: { SLA_TIMERS_ENABLED: 'false' } });
    try {
      const reporterId = (await t.frontline.db.prisma.contact.create({ data: { displayName: 'Sam' } })).id;
      const inc = await t.frontline.pipeline.transaction((tx) =>
        t.frontline.incidents.create(tx, { title: 'VPN', description: 'drops', reporterId, impact: 1, urgency: 1 }, new Date(Date.now() - 3_600_000)));
      const states = async () => (await t.frontline.db.pool.query<{ state: string }>(
        `SELECT state FROM pgboss.job WHERE data->>'incidentId' = $1`, [inc.id])).rows.map((r) => r.state);
      // P1 filed an hour ago: all four milestones are due, queued in the incident's transaction.
      expect(await states()).toEqual(['created', 'created', 'created', 'created']);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await states()).toEqual(['created', 'created', 'created', 'created']);
      expect((await t.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id: inc.id } })).slaBreachedAt).toBeNull();
    } finally {
      await t.close();
    }
  }, 60_000);
});
