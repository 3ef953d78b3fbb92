import { describe, expect, it } from 'vitest';
import { uptimeBars } from '../../src/status/uptime.js';

const now = new Date('2026-12-03T12:00:00Z');

describe('90-day uptime bars', () => {
  it('a clean service is 100 % with 90 green days ending today', () => {
    const { days, percent } = uptimeBars([], now);
    expect(days).toHaveLength(90);
    expect(days.at(-1)!.date).toBe('2026-12-03');
    expect(days[0]!.date).toBe('2026-09-05');
    expect(percent).toBe(100);
    expect(days.every((d) => d.state === 'ok')).toBe(true);
  });
  it('an outage colours its days and counts its minutes once, maintenance does not cost uptime', () => {
    const { days, percent } = uptimeBars([
      { kind: 'outage', start: new Date('2026-12-01T23:00:00Z'), end: new Date('2026-12-02T01:00:00Z') },
      { kind: 'outage', start: new Date('2026-12-02T00:00:00Z'), end: new Date('2026-12-02T00:30:00Z') }, // overlaps: not extra
      { kind: 'maintenance', start: new Date('2026-11-20T02:00:00Z'), end: new Date('2026-11-20T03:00:00Z') },
    ], now);
    const byDate = Object.fromEntries(days.map((d) => [d.date, d]));
    expect(byDate['2026-12-01']).toMatchObject({ state: 'outage', outageMinutes: 60 });
    expect(byDate['2026-12-02']).toMatchObject({ state: 'outage', outageMinutes: 60 }); // the overlapping half hour counts once
    expect(byDate['2026-11-20']!.state).toBe('maintenance');
    const totalMinutes = 89 * 1440 + 12 * 60;
    expect(percent).toBe(Math.floor(((totalMinutes - 120) / totalMinutes) * 10_000) / 100);
  });
  it('an ongoing outage runs until now', () => {
    const { days } = uptimeBars([{ kind: 'outage', start: new Date('2026-12-03T11:00:00Z') }], now);
    expect(days.at(-1)).toMatchObject({ state: 'outage', outageMinutes: 60 });
  });
});
