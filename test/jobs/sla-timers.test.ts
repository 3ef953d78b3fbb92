import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, Tx } from '../../src/db/database.js';
import type { IncidentChange } from '../../src/incidents/service.js';
import { MILESTONE_QUEUE, type MilestoneJob, nextTier } from '../../src/jobs/sla-timers.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

const HOUR = 3_600_000;
const at = (t0: Date, hours: number) => new Date(t0.getTime() + hours * HOUR);
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR);

describe('nextTier', () => {
  it('escalates L1 → L2 → L3 and stays at the top', () => {
    expect([nextTier('L1'), nextTier('L2'), nextTier('L3'), nextTier('custom')]).toEqual(['L2', 'L3', 'L3', 'custom']);
  });
});

/**
 * Real pg-boss workers on a real database: incidents are filed with a clock in the past, so their milestones
 * are already due when the jobs are queued and the workers (polling every 0.5 s) pick them up at once.
 */
describe.each(DB_KINDS)('SLA milestone jobs on $kind', ({ kind, skip }) => {
  let t: TestApp;
  let reporterId: string;
  const slaChanges: IncidentChange[] = [];

  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { env: { SLA_TIMERS_POLL_SECONDS: '0.5' } });
    t.frontline.incidents.onChange(async (_tx, change) => {
      if (change.changes?.sla || change.changes?.slaResponse) slaChanges.push(change);
      if (change.changes?.sla && change.incident.title === 'boom') throw new Error('card update failed');
    });
    reporterId = (await t.frontline.db.prisma.contact.create({ data: { displayName: 'Sam' } })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const tx = <T>(fn: (x: Tx) => Promise<T>) => t.frontline.pipeline.transaction(fn);
  /** impact × urgency 2/2 → P3 (2 h response, 24 h resolution); 1/2 → P2 (30 min, 8 h); 3/3 → P5. */
  const fileIn = (x: Tx, t0: Date, impact = 2, urgency = 2) =>
    t.frontline.incidents.create(x, { title: 'VPN drops', description: 'every hour', reporterId, impact, urgency }, t0);
  const file = (t0: Date, impact = 2, urgency = 2) => tx((x) => fileIn(x, t0, impact, urgency));
  const row = (id: string) => t.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  const events = (id: string, type: string) => t.frontline.db.prisma.incidentEvent.findMany({ where: { incidentId: id, type } });
  const jobs = async (id: string) =>
    (await t.frontline.db.pool.query<{ state: string; data: MilestoneJob; start_after: Date }>(
      `SELECT state, data, start_after FROM pgboss.job WHERE name = $1 AND data->>'incidentId' = $2 ORDER BY start_after`, [MILESTONE_QUEUE, id])).rows;
  /** Waits until every job of the incident that is due has been worked. */
  const settled = (id: string) =>
    eventually(async () => (await jobs(id)).every((j) => j.start_after.getTime() > Date.now() || ['completed', 'failed'].includes(j.state)), 15_000, `jobs of ${id} worked`);
  const sla = () => t.frontline.timers.handlers.sla!;

  it.skipIf(skip)('warns once at 75 % of the resolution time; the response breach stands in for its warning', async () => {
    const inc = await file(hoursAgo(18.5)); // P3: 75 % of 24 h passed half an hour ago, 2 h response long gone
    expect(inc.priority).toBe('P3');
    await eventually(async () => (await row(inc.id)).slaWarnedAt, 15_000, 'resolution warning');
    await settled(inc.id);
    const after = await row(inc.id);
    expect(after.slaBreachedAt).toBeNull();
    expect(after.tier).toBe('L1');
    expect(after.responseBreachedAt).not.toBeNull();
    expect(after.responseWarnedAt?.getTime()).toBe(after.responseBreachedAt?.getTime());
    const warnings = await events(inc.id, 'sla_warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.internal).toBe(true);
    expect(await events(inc.id, 'sla_response_breached')).toHaveLength(1);
    expect(await events(inc.id, 'sla_response_warning')).toHaveLength(0);
    expect(slaChanges.filter((c) => c.incident.id === inc.id).map((c) => c.changes).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
      .toEqual([{ sla: { from: 'ok', to: 'warning' } }, { slaResponse: { from: 'ok', to: 'breached' } }]);
    // The resolution breach is queued for its due time, 5.5 h from now.
    const breach = (await jobs(inc.id)).find((j) => j.data.milestone === 'resolution_breach');
    expect(breach?.state).toBe('created');
    expect(breach?.start_after.getTime()).toBe(after.resolutionDueAt!.getTime());
  });

  it.skipIf(skip)('on breach escalates the tier once, never sends a stale warning after it', async () => {
    const inc = await file(hoursAgo(9), 1, 2); // P2: 8 h to resolve
    expect(inc.priority).toBe('P2');
    await eventually(async () => (await row(inc.id)).slaBreachedAt, 15_000, 'breach');
    await settled(inc.id);
    const after = await row(inc.id);
    expect(after.tier).toBe('L2');
    expect(await events(inc.id, 'sla_breached')).toHaveLength(1);
    const tierEvents = await events(inc.id, 'tier_changed');
    expect(tierEvents.map((e) => [e.actor, e.data])).toEqual([['sla', { from: 'L1', to: 'L2' }]]);
    expect(await events(inc.id, 'sla_warning')).toHaveLength(0);
    // Running the same milestone again (a retry, another instance) changes nothing.
    const job: MilestoneJob = { incidentId: inc.id, milestone: 'resolution_breach', at: after.resolutionDueAt!.toISOString() };
    const outcomes = await Promise.all([1, 2, 3].map(() => sla().fire(job)));
    expect(outcomes).toEqual(['skipped', 'skipped', 'skipped']);
    expect((await row(inc.id)).tier).toBe('L2');
  });

  it.skipIf(skip)('racing runs of one due milestone record it once', async () => {
    const t0 = hoursAgo(1);
    // Filed and, in the same transaction, waiting on the reporter: the queued jobs find it paused.
    const inc = await tx(async (x) => {
      const created = await fileIn(x, t0, 1, 2);
      await t.frontline.incidents.update(x, created.id, { status: 'pending' }, 'agent', t0);
      return created;
    });
    await settled(inc.id);
    const job: MilestoneJob = { incidentId: inc.id, milestone: 'resolution_breach', at: inc.resolutionDueAt!.toISOString() };
    // Resume 0 h later (paused no time), then four runs at 9 h race for the breach.
    await tx((x) => t.frontline.incidents.update(x, inc.id, { status: 'in_progress' }, 'agent', t0));
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => sla().fire(job, at(t0, 9))));
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
    expect(await events(inc.id, 'sla_breached')).toHaveLength(1);
    expect(await events(inc.id, 'tier_changed')).toHaveLength(1);
  });

  it.skipIf(skip)('a pause holds the clocks; on resume the milestones are re-queued for the shifted times', async () => {
    const t0 = hoursAgo(20);
    const inc = await tx(async (x) => {
      const created = await fileIn(x, t0); // P3: warning due at t0 + 18 h, 2 h ago
      await t.frontline.incidents.update(x, created.id, { status: 'pending' }, 'agent', at(t0, 1));
      return created;
    });
    await settled(inc.id);
    let now = await row(inc.id);
    expect([now.slaWarnedAt, now.slaBreachedAt, now.tier]).toEqual([null, null, 'L1']);
    expect(now.firstRespondedAt?.getTime()).toBe(at(t0, 1).getTime()); // asking the reporter is a response
    await tx((x) => t.frontline.incidents.update(x, inc.id, { status: 'in_progress' }, 'agent', at(t0, 11))); // 10 h paused
    now = await row(inc.id);
    expect(now.slaPausedAt).toBeNull();
    expect(now.slaPausedMinutes).toBe(600);
    expect(now.resolutionDueAt?.getTime()).toBe(at(t0, 34).getTime());
    const queued = (await jobs(inc.id)).filter((j) => j.state === 'created').map((j) => [j.data.milestone, j.start_after.getTime()]);
    expect(queued).toContainEqual(['resolution_warning', at(t0, 28).getTime()]);
    expect(queued).toContainEqual(['resolution_breach', at(t0, 34).getTime()]);
    // A job still queued for the old time (or a re-delivery) re-queues instead of firing early.
    const stale: MilestoneJob = { incidentId: inc.id, milestone: 'resolution_warning', at: at(t0, 18).toISOString() };
    expect(await sla().fire(stale, at(t0, 27.9))).toBe('requeued');
    expect((await row(inc.id)).slaWarnedAt).toBeNull();
    expect(await sla().fire(stale, at(t0, 28))).toBe('done');
    expect((await row(inc.id)).slaWarnedAt?.getTime()).toBe(at(t0, 28).getTime());
  });

  it.skipIf(skip)('a priority change re-times the milestones and keeps the paused time', async () => {
    const t0 = hoursAgo(6);
    const inc = await file(t0, 3, 3); // P5: far from any milestone
    await tx((x) => t.frontline.incidents.update(x, inc.id, { status: 'pending' }, 'agent', at(t0, 1)));
    await tx((x) => t.frontline.incidents.update(x, inc.id, { status: 'in_progress' }, 'agent', at(t0, 2)));
    const changed = await tx((x) => t.frontline.incidents.update(x, inc.id, { priority: 'P1' }, 'agent', at(t0, 3)));
    expect(changed.resolutionDueAt?.getTime()).toBe(at(t0, 1 + 4).getTime()); // 4 h from t0, plus 1 h paused
    await eventually(async () => (await row(inc.id)).slaBreachedAt, 15_000, 'breach after the priority change');
    await settled(inc.id);
    expect((await row(inc.id)).tier).toBe('L2');
    expect(await events(inc.id, 'sla_breached')).toHaveLength(1);
  });

  it.skipIf(skip)('taking the incident is the first response and stops the response clock', async () => {
    const t0 = new Date(Date.now() - 10 * 60_000);
    const inc = await file(t0, 1, 1); // P1: 15 min to respond
    expect(inc.priority).toBe('P1');
    const taken = await tx((x) => t.frontline.incidents.update(x, inc.id, { assignee: 'maria' }, 'api:maria'));
    expect(taken.firstRespondedAt).not.toBeNull();
    expect(taken.status).toBe('assigned');
    const job: MilestoneJob = { incidentId: inc.id, milestone: 'response_breach', at: inc.responseDueAt!.toISOString() };
    expect(await sla().fire(job, new Date(Date.now() + HOUR))).toBe('skipped');
    expect((await row(inc.id)).responseBreachedAt).toBeNull();
  });

  it.skipIf(skip)('auto-closes resolved incidents after autoCloseDays', async () => {
    const t0 = hoursAgo(5 * 24 + 2);
    const inc = await tx(async (x) => {
      const created = await fileIn(x, t0, 3, 3);
      await t.frontline.incidents.update(x, created.id, { status: 'resolved', resolution: 'rebooted' }, 'agent', at(t0, 1));
      return created;
    });
    await eventually(async () => (await row(inc.id)).status === 'closed', 15_000, 'auto-close');
    const closed = await row(inc.id);
    const statusEvents = await events(inc.id, 'status_changed');
    expect(statusEvents.map((e) => [e.actor, (e.data as { to: string }).to])).toEqual([['agent', 'resolved'], ['auto-close', 'closed']]);
    // Resolved incidents are not timed: no warning or breach while waiting to close.
    expect([closed.slaWarnedAt, closed.slaBreachedAt]).toEqual([null, null]);
  });

  it.skipIf(skip)('a failing milestone rolls back and is left to pg-boss to retry', async () => {
    const inc = await tx((x) => t.frontline.incidents.create(x, { title: 'boom', description: 'x', reporterId, impact: 2, urgency: 2 }, hoursAgo(18.5)));
    const warning = async () => (await jobs(inc.id)).find((j) => j.data.milestone === 'resolution_warning');
    await eventually(async () => (await warning())?.state === 'retry', 15_000, 'warning job in retry');
    expect((await row(inc.id)).slaWarnedAt).toBeNull();
    expect(await events(inc.id, 'sla_warning')).toHaveLength(0);
    await eventually(async () => (await row(inc.id)).responseBreachedAt, 15_000, 'the other milestones go on');
  });

  it.skipIf(skip)('backfills incidents without milestone jobs (filed before the timers, lost jobs)', async () => {
    const inc = await file(hoursAgo(1), 3, 3); // P5: nothing due for hours
    await settled(inc.id);
    await t.frontline.db.pool.query(`DELETE FROM pgboss.job WHERE name = $1 AND data->>'incidentId' = $2`, [MILESTONE_QUEUE, inc.id]);
    expect(await sla().backfill()).toBeGreaterThanOrEqual(1);
    const queued = (await jobs(inc.id)).map((j) => [j.data.milestone, j.state]).sort();
    expect(queued).toEqual([['resolution_breach', 'created'], ['resolution_warning', 'created'], ['response_breach', 'created'], ['response_warning', 'created']]);
    await sla().backfill(); // again: nothing is queued twice
    expect(await jobs(inc.id)).toHaveLength(4);
  });

  it.skipIf(skip || kind !== 'postgres')('two instances share the jobs without firing anything twice', async () => {
    const second = await startTestApp(kind, { db: t.db, env: { SLA_TIMERS_POLL_SECONDS: '0.5' } });
    try {
      const p2: Incident[] = [];
      const p3: Incident[] = [];
      await tx(async (x) => {
        for (let i = 0; i < 8; i++) {
          p2.push(await fileIn(x, hoursAgo(20), 1, 2)); // breached
          p3.push(await fileIn(x, hoursAgo(20), 2, 2)); // past 75 %
        }
      });
      for (const inc of [...p2, ...p3]) await settled(inc.id);
      for (const inc of p2) {
        expect((await row(inc.id)).tier).toBe('L2');
        expect(await events(inc.id, 'sla_breached')).toHaveLength(1);
        expect(await events(inc.id, 'tier_changed')).toHaveLength(1);
        expect(await events(inc.id, 'sla_response_breached')).toHaveLength(1);
      }
      for (const inc of p3) {
        expect(await events(inc.id, 'sla_warning')).toHaveLength(1);
        expect(await events(inc.id, 'sla_response_breached')).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
  }, 60_000);
});
