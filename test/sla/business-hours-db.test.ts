import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/database.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import { IncidentService } from '../../src/incidents/service.js';
import { ReporterNotifier } from '../../src/notifications/reporter.js';
import { businessClock } from '../../src/sla/calendar.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

const z = (s: string) => new Date(s);

/** IncidentService with a business-hours calendar, on a real database: due times, pauses, priority changes. */
describe.each(DB_KINDS)('business-hours SLA on $kind', ({ kind, skip }) => {
  let t: TestApp;
  let service: IncidentService;
  let reporterId: string;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { env: { SLA_TIMERS_ENABLED: 'false' } });
    const clock = businessClock({ timezone: 'Europe/Stockholm', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00', holidays: ['2026-12-24'] });
    service = new IncidentService(new ReporterNotifier((await loadDialogs()).t), { clock });
    reporterId = (await t.frontline.db.prisma.contact.create({ data: { displayName: 'Sam' } })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const tx = <T>(fn: (x: Tx) => Promise<T>) => t.frontline.pipeline.transaction(fn);
  const file = (at: Date, impact = 2, urgency = 2) => tx((x) => service.create(x, { title: 'Printer', description: 'jammed', reporterId, impact, urgency }, at));

  it.skipIf(skip)('counts only business time, and a pause over the weekend subtracts only its business minutes', async () => {
    const inc = await file(z('2026-11-20T15:30:00Z')); // Friday 16:30 CET, P3
    expect(inc.responseDueAt?.toISOString()).toBe('2026-11-23T08:30:00.000Z'); // Monday 09:30
    await tx((x) => service.update(x, inc.id, { status: 'pending' }, 'agent', z('2026-11-20T15:40:00Z')));
    const resumed = await tx((x) => service.update(x, inc.id, { status: 'in_progress' }, 'agent', z('2026-11-23T07:30:00Z')));
    expect(resumed.slaPausedMinutes).toBe(50); // Friday 16:40–17:00 and Monday 08:00–08:30
    expect(resumed.responseDueAt?.toISOString()).toBe('2026-11-23T09:20:00.000Z'); // Monday 10:20
    expect(resumed.resolutionDueAt?.toISOString()).toBe('2026-11-25T13:20:00.000Z'); // Wed 13:30 + 50 min
    // A later priority change counts its new targets from creation plus the same 50 paused minutes.
    const p1 = await tx((x) => service.update(x, inc.id, { priority: 'P1' }, 'agent', z('2026-11-23T08:00:00Z')));
    expect(p1.responseDueAt?.toISOString()).toBe('2026-11-23T07:35:00.000Z'); // 15 + 50 min: 30 on Friday, 35 on Monday (08:35)
    expect(p1.resolutionDueAt?.toISOString()).toBe('2026-11-23T11:20:00.000Z'); // 4 h + 50 min: Monday 12:20
  });

  it.skipIf(skip)('across a holiday and the October DST change', async () => {
    const xmas = await file(z('2026-12-23T15:00:00Z'), 1, 1); // Wednesday 16:00 CET, P1: 15 min to respond
    expect(xmas.responseDueAt?.toISOString()).toBe('2026-12-23T15:15:00.000Z');
    expect(xmas.resolutionDueAt?.toISOString()).toBe('2026-12-25T10:00:00.000Z'); // 1 h Wed, 24th closed, 3 h Fri 25th → 11:00
    const autumn = await file(z('2026-10-23T14:00:00Z'), 2, 2); // Friday 16:00 CEST, P3: 2 h to respond
    expect(autumn.responseDueAt?.toISOString()).toBe('2026-10-26T08:00:00.000Z'); // Monday 09:00 CET
  });
});
