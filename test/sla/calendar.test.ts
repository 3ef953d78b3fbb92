import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/db/database.js';
import { type BusinessHours, businessClock, ROUND_THE_CLOCK } from '../../src/sla/calendar.js';
import { parseSlaConfig } from '../../src/sla/config.js';
import { plannedMilestones } from '../../src/sla/milestones.js';
import { DEFAULT_SLA, dueTimes } from '../../src/sla/policy.js';

const OFFICE: BusinessHours = { timezone: 'Europe/Stockholm', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' };
const office = businessClock(OFFICE);
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (d: Date) => d.toISOString();
const z = (s: string) => new Date(s);

describe('business-hours clock (Europe/Stockholm, 08–17 Mon–Fri)', () => {
  it('P3 2 h response reported Friday 16:30 is due Monday 09:30', () => {
    const friday = z('2026-11-20T15:30:00Z'); // 16:30 CET
    expect(iso(dueTimes('P3', friday, DEFAULT_SLA, office).responseDueAt)).toBe('2026-11-23T08:30:00.000Z'); // Mon 09:30 CET
    // 24 h resolution = 24 business hours: 30 min Fri, 9 h Mon, Tue, then 5.5 h on Wednesday.
    expect(iso(dueTimes('P3', friday, DEFAULT_SLA, office).resolutionDueAt)).toBe('2026-11-25T12:30:00.000Z'); // Wed 13:30 CET
  });

  it('starts counting at opening time when reported at night or at the weekend', () => {
    expect(iso(office.add(z('2026-11-22T20:00:00Z'), 15 * MIN))).toBe('2026-11-23T07:15:00.000Z'); // Sun night → Mon 08:15
    expect(iso(office.add(z('2026-11-24T05:00:00Z'), 0))).toBe('2026-11-24T07:00:00.000Z');
    expect(office.between(z('2026-11-21T08:00:00Z'), z('2026-11-22T20:00:00Z'))).toBe(0); // a whole weekend
  });

  it('spring forward (last Sunday of March): Friday 16:00 CET + 2 h is Monday 09:00 CEST', () => {
    expect(iso(office.add(z('2026-03-27T15:00:00Z'), 2 * HOUR))).toBe('2026-03-30T07:00:00.000Z');
    expect(office.between(z('2026-03-27T15:00:00Z'), z('2026-03-30T07:00:00Z'))).toBe(2 * HOUR);
  });

  it('fall back (last Sunday of October): Friday 16:00 CEST + 2 h is Monday 09:00 CET', () => {
    expect(iso(office.add(z('2026-10-23T14:00:00Z'), 2 * HOUR))).toBe('2026-10-26T08:00:00.000Z');
    expect(office.between(z('2026-10-23T14:00:00Z'), z('2026-10-26T08:00:00Z'))).toBe(2 * HOUR);
  });

  it('an open window across the DST change is as long as the wall clock says', () => {
    const night = businessClock({ timezone: 'Europe/Stockholm', days: ['sat', 'sun', 'mon'], start: '01:00', end: '04:00' });
    // 01:00–04:00 is 3 h, except on 29 March (2 h: 02:00 → 03:00 skipped) and 25 October (4 h: 03:00 → 02:00 twice).
    expect(night.between(z('2026-03-28T00:00:00Z'), z('2026-03-31T00:00:00Z'))).toBe((3 + 2 + 3) * HOUR);
    expect(night.between(z('2026-10-23T12:00:00Z'), z('2026-10-27T00:00:00Z'))).toBe((3 + 4 + 3) * HOUR);
    // Sunday 29 March opens 01:00 CET = 00:00Z and closes 04:00 CEST = 02:00Z.
    expect(iso(night.add(z('2026-03-28T03:00:00Z'), 2 * HOUR))).toBe('2026-03-29T02:00:00.000Z');
  });

  it('skips holidays', () => {
    const xmas = businessClock({ ...OFFICE, holidays: ['2026-12-24', '2026-12-25'] });
    // Wednesday 23rd 16:00 CET + 2 h: 1 h that day, Thu 24 and Fri 25 closed, the weekend, Monday 28th 09:00.
    expect(iso(xmas.add(z('2026-12-23T15:00:00Z'), 2 * HOUR))).toBe('2026-12-28T08:00:00.000Z');
    expect(iso(office.add(z('2026-12-23T15:00:00Z'), 2 * HOUR))).toBe('2026-12-24T08:00:00.000Z');
  });

  it('adding is composable, so shifting a due time by a pause equals counting the pause from the start', () => {
    const from = z('2026-03-26T10:17:00Z');
    for (const [a, b] of [[0, 0], [2 * HOUR, 7 * HOUR], [9 * HOUR, 0], [8.5 * HOUR, 31 * HOUR], [45 * MIN, 3 * 9 * HOUR]] as const) {
      expect(iso(office.add(office.add(from, a), b))).toBe(iso(office.add(from, a + b)));
      expect(office.between(from, office.add(from, a + b))).toBe(a + b);
    }
  });

  it('time paused outside business hours is not counted twice', () => {
    // Reported Friday 16:30 (P3, due Monday 09:30); waiting on the reporter from Friday 16:40 to Monday 08:30.
    const due = z('2026-11-23T08:30:00Z');
    const paused = office.between(z('2026-11-20T15:40:00Z'), z('2026-11-23T07:30:00Z'));
    expect(paused).toBe(50 * MIN); // 20 min on Friday + 30 min on Monday; the weekend was never counted
    // 10 min were used before the pause, 110 remain from Monday 08:30: due 10:20.
    expect(iso(office.add(due, paused))).toBe('2026-11-23T09:20:00.000Z');
  });

  it('around the clock without a calendar', () => {
    expect(iso(ROUND_THE_CLOCK.add(z('2026-11-20T15:30:00Z'), 2 * HOUR))).toBe('2026-11-20T17:30:00.000Z');
    expect(ROUND_THE_CLOCK.between(z('2026-11-20T15:30:00Z'), z('2026-11-20T15:00:00Z'))).toBe(0);
  });
});

describe('sla.yaml businessHours', () => {
  const targets = Object.fromEntries(Object.entries(DEFAULT_SLA).map(([p, t]) => [p, { response: `${t.responseMinutes}m`, resolution: `${t.resolutionMinutes}m` }]));

  it('applies the calendar, holidays included', () => {
    const sla = parseSlaConfig({ targets, businessHours: { ...OFFICE, holidays: ['2026-11-23'] } });
    expect(iso(dueTimes('P3', z('2026-11-20T15:30:00Z'), sla.policy, sla.clock).responseDueAt)).toBe('2026-11-24T08:30:00.000Z'); // Tue 09:30
    expect(iso(parseSlaConfig({ targets }).clock.add(z('2026-11-20T15:30:00Z'), HOUR))).toBe('2026-11-20T16:30:00.000Z');
  });

  it('refuses an unknown time zone, a bad date or hours that end before they start', () => {
    expect(() => parseSlaConfig({ targets, businessHours: { ...OFFICE, timezone: 'Europe/Stokholm' } })).toThrow(/businessHours\.timezone: use an IANA time zone/);
    expect(() => parseSlaConfig({ targets, businessHours: { ...OFFICE, holidays: ['24/12'] } })).toThrow(/businessHours\.holidays\.0: use YYYY-MM-DD/);
    expect(() => parseSlaConfig({ targets, businessHours: { ...OFFICE, start: '17:00', end: '08:00' } })).toThrow(/businessHours\.end: start must be before end/);
  });
});

describe('planned milestones', () => {
  const base = {
    id: 'i', status: 'new', priority: 'P3', createdAt: z('2026-11-20T15:30:00Z'), slaPausedAt: null, slaPausedMinutes: 0,
    firstRespondedAt: null, responseWarnedAt: null, responseBreachedAt: null, slaWarnedAt: null, slaBreachedAt: null, resolvedAt: null,
  };
  const settings = { policy: DEFAULT_SLA, warnAt: 0.75, autoCloseDays: 5, clock: office };
  const incident = (over: Partial<Incident>) => ({ ...base, ...dueTimes('P3', base.createdAt, DEFAULT_SLA, office), ...over }) as Incident;
  const plan = (over: Partial<Incident> = {}) => plannedMilestones(incident(over), settings).map((p) => [p.milestone, iso(p.at)]);

  it('warns at 75 % of the business time', () => {
    expect(plan()).toEqual([
      ['response_warning', '2026-11-23T08:00:00.000Z'], // 90 business minutes: Mon 09:00
      ['response_breach', '2026-11-23T08:30:00.000Z'],
      ['resolution_warning', '2026-11-24T15:30:00.000Z'], // 18 business hours: Tue 16:30
      ['resolution_breach', '2026-11-25T12:30:00.000Z'],
    ]);
  });

  it('drops what is answered, recorded, paused or over', () => {
    expect(plan({ firstRespondedAt: z('2026-11-20T15:40:00Z'), slaWarnedAt: z('2026-11-24T14:30:00Z') }).map(([m]) => m)).toEqual(['resolution_breach']);
    expect(plan({ responseBreachedAt: z('2026-11-23T08:30:00Z') }).map(([m]) => m)).toEqual(['resolution_warning', 'resolution_breach']);
    expect(plan({ status: 'pending', slaPausedAt: z('2026-11-20T15:40:00Z') })).toEqual([]);
    expect(plan({ status: 'resolved', resolvedAt: z('2026-11-21T10:00:00Z') })).toEqual([['auto_close', '2026-11-26T10:00:00.000Z']]);
    expect(plan({ status: 'closed' })).toEqual([]);
  });
});
