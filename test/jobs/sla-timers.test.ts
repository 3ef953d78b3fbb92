import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/db/database.js';
import type { IncidentChange } from '../../src/incidents/service.js';
import { nextTier } from '../../src/jobs/sla-timers.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

const HOUR = 3_600_000;
const at = (t0: Date, hours: number) => new Date(t0.getTime() + hours * HOUR);

describe('nextTier', () => {
  it('escalates L1 → L2 → L3 and stays at the top', () => {
    expect([nextTier('L1'), nextTier('L2'), nextTier('L3'), nextTier('custom')]).toEqual(['L2', 'L3', 'L3', 'custom']);
  });
});

describe.each(DB_KINDS)('SLA timers on $kind', ({ kind, skip }) => {
  let t: TestApp;
  let reporterId: string;
  const slaChanges: IncidentChange[] = [];

  beforeAll(async () => {
    if (skip) return;
    // The timer is off: every pass below is driven by hand with an injected clock.
    t = await startTestApp(kind, { env: { SLA_SWEEP_ENABLED: 'false' } });
    t.frontline.incidents.onChange(async (_tx, change) => {
      if (change.changes?.sla) slaChanges.push(change);
    });
    reporterId = (await t.frontline.db.prisma.contact.create({ data: { displayName: 'Sam' } })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  /** impact × urgency 2/2 → P3 (24 h to resolve); 1/2 → P2 (8 h). */
  const file = (t0: Date, impact = 2, urgency = 2) =>
    t.frontline.pipeline.transaction((tx) => t.frontline.incidents.create(tx, { title: 'VPN drops', description: 'every hour', reporterId, impact, urgency }, t0));
  const row = (id: string) => t.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id } });
  const events = (id: string, type: string) => t.frontline.db.prisma.incidentEvent.findMany({ where: { incidentId: id, type } });
  const sweep = (now: Date) => t.frontline.sweeper.sweep(now);

  it.skipIf(skip)('warns once when 75 % of the resolution time has passed', async () => {
    const t0 = new Date();
    const inc = await file(t0);
    expect(inc.priority).toBe('P3');
    await sweep(at(t0, 17.9));
    expect((await row(inc.id)).slaWarnedAt).toBeNull();
    const first = await sweep(at(t0, 18));
    expect(first.sla?.warned).toBeGreaterThanOrEqual(1);
    await sweep(at(t0, 19));
    const after = await row(inc.id);
    expect(after.slaWarnedAt?.getTime()).toBe(at(t0, 18).getTime());
    expect(after.slaBreachedAt).toBeNull();
    const warnings = await events(inc.id, 'sla_warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.internal).toBe(true);
    const emitted = slaChanges.filter((c) => c.incident.id === inc.id);
    expect(emitted.map((c) => c.changes?.sla)).toEqual([{ from: 'ok', to: 'warning' }]);
  });

  it.skipIf(skip)('on breach escalates the tier once and records it on the timeline', async () => {
    const t0 = new Date();
    const inc = await file(t0, 1, 2);
    expect(inc.priority).toBe('P2');
    await sweep(at(t0, 8.5));
    await sweep(at(t0, 9));
    await sweep(at(t0, 30));
    const after = await row(inc.id);
    expect(after.tier).toBe('L2');
    expect(after.slaBreachedAt?.getTime()).toBe(at(t0, 8.5).getTime());
    expect((await events(inc.id, 'sla_breached')).length).toBe(1);
    const tierEvents = await events(inc.id, 'tier_changed');
    expect(tierEvents.map((e) => [e.actor, e.data])).toEqual([['sla', { from: 'L1', to: 'L2' }]]);
    // A sweep that comes late sends the breach only, never a stale warning after it.
    expect(await events(inc.id, 'sla_warning')).toHaveLength(0);
    expect(slaChanges.filter((c) => c.incident.id === inc.id).map((c) => c.changes?.sla)).toEqual([{ from: 'ok', to: 'breached' }]);
  });

  it.skipIf(skip)('pauses the clocks while pending and shifts the due times by the paused time', async () => {
    const t0 = new Date();
    const inc = await file(t0); // P3: due t0 + 24 h
    const update = (status: 'pending' | 'in_progress', h: number) =>
      t.frontline.pipeline.transaction((tx) => t.frontline.incidents.update(tx, inc.id, { status }, 'agent', at(t0, h)));
    await update('pending', 1);
    expect((await row(inc.id)).slaPausedAt?.getTime()).toBe(at(t0, 1).getTime());
    await sweep(at(t0, 30)); // past the original due time, but waiting on the reporter
    let now = await row(inc.id);
    expect([now.slaWarnedAt, now.slaBreachedAt, now.tier]).toEqual([null, null, 'L1']);
    await update('in_progress', 11); // 10 h paused
    now = await row(inc.id);
    expect(now.slaPausedAt).toBeNull();
    expect(now.slaPausedMinutes).toBe(600);
    expect(now.resolutionDueAt?.getTime()).toBe(at(inc.resolutionDueAt!, 10).getTime());
    expect(now.responseDueAt?.getTime()).toBe(at(inc.responseDueAt!, 10).getTime());
    await sweep(at(t0, 27.9)); // 17.9 h of the 24 h ran: not yet 75 %
    expect((await row(inc.id)).slaWarnedAt).toBeNull();
    await sweep(at(t0, 28)); // 18 h ran
    now = await row(inc.id);
    expect(now.slaWarnedAt?.getTime()).toBe(at(t0, 28).getTime());
    expect(now.slaBreachedAt).toBeNull();
    await sweep(at(t0, 34));
    now = await row(inc.id);
    expect(now.slaBreachedAt?.getTime()).toBe(at(t0, 34).getTime());
    expect(now.tier).toBe('L2');
  });

  it.skipIf(skip)('a priority change keeps the paused time in the new due times', async () => {
    const t0 = new Date();
    const inc = await file(t0);
    const tx = <T>(fn: Parameters<typeof t.frontline.pipeline.transaction<T>>[0]) => t.frontline.pipeline.transaction(fn);
    await tx((x) => t.frontline.incidents.update(x, inc.id, { status: 'pending' }, 'agent', at(t0, 1)));
    await tx((x) => t.frontline.incidents.update(x, inc.id, { status: 'in_progress' }, 'agent', at(t0, 3)));
    const changed = await tx((x) => t.frontline.incidents.update(x, inc.id, { priority: 'P2' }, 'agent', at(t0, 4)));
    expect(changed.resolutionDueAt?.getTime()).toBe(at(t0, 2 + 8).getTime());
  });

  it.skipIf(skip)('auto-closes resolved incidents after autoCloseDays', async () => {
    const t0 = new Date();
    const inc = await file(t0, 3, 3);
    await t.frontline.pipeline.transaction((tx) => t.frontline.incidents.update(tx, inc.id, { status: 'resolved', resolution: 'rebooted' }, 'agent', at(t0, 2)));
    await sweep(at(t0, 2 + 5 * 24 - 0.1));
    expect((await row(inc.id)).status).toBe('resolved');
    await sweep(at(t0, 2 + 5 * 24));
    const closed = await row(inc.id);
    expect(closed.status).toBe('closed');
    expect(closed.closedAt?.getTime()).toBe(at(t0, 2 + 5 * 24).getTime());
    const statusEvents = await events(inc.id, 'status_changed');
    expect(statusEvents.map((e) => [e.actor, (e.data as { to: string }).to])).toEqual([['agent', 'resolved'], ['auto-close', 'closed']]);
    // Resolved incidents are not timed: no warning or breach while waiting to close.
    expect([closed.slaWarnedAt, closed.slaBreachedAt]).toEqual([null, null]);
  });

  it.skipIf(skip)('concurrent sweepers never double-warn or double-escalate', async () => {
    const t0 = new Date();
    const p2: Incident[] = [];
    const p3: Incident[] = [];
    for (let i = 0; i < 6; i++) {
      p2.push(await file(t0, 1, 2));
      p3.push(await file(t0, 2, 2));
    }
    // At t0 + 20 h the P2s are breached and the P3s are past 75 %; four passes race for the same rows.
    const passes = await Promise.all([1, 2, 3, 4].map(() => sweep(at(t0, 20))));
    for (const inc of p2) {
      expect((await row(inc.id)).tier).toBe('L2');
      expect(await events(inc.id, 'sla_breached')).toHaveLength(1);
      expect(await events(inc.id, 'tier_changed')).toHaveLength(1);
    }
    for (const inc of p3) expect(await events(inc.id, 'sla_warning')).toHaveLength(1);
    const total = (k: 'warned' | 'breached') => passes.reduce((n, p) => n + (p.sla?.[k] ?? 0), 0);
    expect(total('breached')).toBeGreaterThanOrEqual(p2.length);
    expect(total('warned')).toBeGreaterThanOrEqual(p3.length);
  }, 30_000);
});
