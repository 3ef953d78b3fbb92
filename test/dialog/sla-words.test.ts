import { describe, expect, it } from 'vitest';
import { DialogActions } from '../../src/dialog/actions.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import type { Tx } from '../../src/db/database.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadSlaConfig, parseSlaConfig } from '../../src/sla/config.js';

const SLA_FILE = path.resolve(import.meta.dirname, '../../dialogs/sla.yaml');

/** The filed message states the SLA targets in words; with a business-hours calendar it must say so. */
describe('SLA targets in the reporter’s words', () => {
  const ctx = { conversationId: '00000000-0000-4000-8000-000000000001', contactId: '00000000-0000-4000-8000-000000000002', channel: 'webchat', locale: 'en' };

  async function prioritize(locale: string, businessHours: boolean) {
    const { t } = await loadDialogs();
    const sla = await loadSlaConfig();
    const services = { sla: businessHours ? parseSlaConfig({ ...(parseYaml(await readFile(SLA_FILE, 'utf8')) as object), businessHours: { timezone: 'Europe/Stockholm', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' } }) : sla };
    const actions = new DialogActions(services as never, t);
    // impact 3 (only me) × urgency 2 → P4 with the shipped matrix: 8 h to respond, 5 days to resolve.
    return actions.run(undefined as unknown as Tx, 'prioritize', { impact: 3, urgency: 2, locale }, { ...ctx, locale } as never);
  }

  it('around the clock: plain durations', async () => {
    expect(await prioritize('en', false)).toMatchObject({ priority: 'P4', response: '8 hours', resolution: '5 days' });
  });

  it.each([
    ['en', '8 hours (business hours)', '5 business days'],
    ['sv', '8 timmar (kontorstid)', '5 arbetsdagar'],
    ['es', '8 horas (en horario laboral)', '5 días laborables'],
    ['pt', '8 horas (em horário comercial)', '5 dias úteis'],
  ])('with a business-hours calendar, says which hours count (%s)', async (locale, response, resolution) => {
    expect(await prioritize(locale, true)).toMatchObject({ priority: 'P4', response, resolution });
  });

  it('with a calendar, a target in days is business days (one opening window each), hours stay hours', () => {
    const sla = parseSlaConfig({
      targets: { P1: { response: '15m', resolution: '4h' }, P2: { response: '30m', resolution: '8h' }, P3: { response: '2h', resolution: '1d' }, P4: { response: '8h', resolution: '5d' }, P5: { response: '1d', resolution: '10d' } },
      businessHours: { timezone: 'Europe/Stockholm', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' },
    });
    expect(sla.policy.P4).toEqual({ responseMinutes: 8 * 60, resolutionMinutes: 5 * 9 * 60 });
    expect(sla.policy.P5.responseMinutes).toBe(9 * 60);
    // Friday 16:00 Stockholm (UTC+1 in November) + 1 business day → Monday 16:00.
    expect(sla.clock.add(new Date('2026-11-20T15:00:00Z'), sla.policy.P5.responseMinutes * 60_000).toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });
});
