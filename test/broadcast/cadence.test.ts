import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceCatalog } from '../../src/services/catalog.js';
import { majorPriority, nextUpdateDue, remindOverdue } from '../../src/major/updates-cadence.js';
import { DEFAULT_UPDATE_CADENCE } from '../../src/sla/config.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { ChatChannel } from './fakes.js';

describe('update cadence rules', () => {
  it('takes the most urgent linked priority, else the service criticality; P1 every 30 min, P2 every 2 h', () => {
    expect(majorPriority(['P3', 'P1', 'P2'], 'low')).toBe('P1');
    expect(majorPriority([], 'critical')).toBe('P1');
    expect(majorPriority([], 'high')).toBe('P2');
    expect(majorPriority(['bogus'], undefined)).toBe('P3');
    const at = new Date('2026-12-03T10:00:00Z');
    expect(nextUpdateDue(at, 'P1', DEFAULT_UPDATE_CADENCE).toISOString()).toBe('2026-12-03T10:30:00.000Z');
    expect(nextUpdateDue(at, 'P2', DEFAULT_UPDATE_CADENCE).toISOString()).toBe('2026-12-03T12:00:00.000Z');
  });
});

describe.each(DB_KINDS)('overdue updates ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const chat = new ChatChannel('chat');
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [chat], env: { SLA_TIMERS_ENABLED: 'false' } });
  }, 120_000);
  afterAll(async () => t?.close());

  it.skipIf(skip)('a P1 major incident silent for 40 minutes tells its reporters once and reminds the commander', async () => {
    const prisma = t.frontline.db.prisma;
    await chat.host.receive(chat.inbound('r1', 'e1', 'The ERP is down for the whole finance department'));
    await eventually(async () => chat.sent.some((s) => /Shall I go ahead/.test(s.text)), 60_000);
    await chat.host.receive({ ...chat.inbound('r1', 'e2', ''), text: undefined, choice: 'yes' });
    await eventually(async () => chat.sent.some((s) => /INC-\d{6}/.test(s.text)), 60_000);
    const declaredAt = new Date(Date.now() - 40 * 60_000);
    const p1 = await prisma.majorIncident.create({ data: { serviceId: 'erp', title: 'ERP down', status: 'declared', declaredAt, declaredBy: 'U0COMMANDER' } });
    const p3 = await prisma.majorIncident.create({ data: { serviceId: 'printing', title: 'Printers slow', status: 'declared', declaredAt } });
    await prisma.incident.updateMany({ data: { majorIncidentId: p1.id, priority: 'P1' } });
    const run = <T,>(fn: Parameters<typeof t.frontline.pipeline.transaction<T>>[0]) => t.frontline.pipeline.transaction(fn);
    const catalog = loadServiceCatalog();
    expect(await remindOverdue(run, catalog, DEFAULT_UPDATE_CADENCE, t.frontline.logger)).toBe(1);
    expect(await remindOverdue(run, catalog, DEFAULT_UPDATE_CADENCE, t.frontline.logger)).toBe(0); // the clock restarted
    const note = await eventually(async () => chat.deliveries.find((d) => /still working on it/.test(d.text)), 20_000, 'the notice');
    expect(note.thread).toBe('r1');
    const updates = await prisma.majorIncidentUpdate.findMany({ where: { majorIncidentId: p1.id } });
    expect(updates).toMatchObject([{ automatic: true, scope: 'reporters', author: 'system' }]);
    expect(await prisma.majorIncidentUpdate.count({ where: { majorIncidentId: p3.id } })).toBe(0);
    const reminder = await prisma.incidentEvent.findFirstOrThrow({ where: { type: 'major_update_overdue' } });
    expect(reminder.internal).toBe(true);
    expect(reminder.body).toMatch(/P1 cadence \(30 min\); U0COMMANDER, please post one/);
    const history = (await (await fetch(`${t.url}/api/v1/major-incidents/MI-${p1.number}/updates`, { headers: { authorization: `Bearer ${t.tokens.agent}` } })).json()) as { cadence: { priority: string; overdue: boolean; nextUpdateDueAt: string } };
    expect(history.cadence).toMatchObject({ priority: 'P1', overdue: false });
    expect(new Date(history.cadence.nextUpdateDueAt).getTime() - Date.now()).toBeGreaterThan(25 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(chat.deliveries.filter((d) => /still working on it/.test(d.text))).toHaveLength(1);
  }, 120_000);
});
