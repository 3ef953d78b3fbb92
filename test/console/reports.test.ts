import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReportHistory } from '../../bench/reports/seed.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

const N = 120;
const END = new Date(Date.UTC(2026, 10, 15, 12));
const range = Array.from({ length: N }, (_, i) => i + 1);
/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return Math.round((s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo)) * 10) / 10;
}

describe.each(DB_KINDS)('reports ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const get = async (path: string) => {
    const res = await fetch(`${t.url}/api/v1/reports/${path}`, { headers: { authorization: `Bearer ${t.tokens.read_only}` } });
    expect(res.status, path).toBe(200);
    return res;
  };
  // The whole generated history and a margin after it: every figure counts all of it.
  const period = `from=2026-09-01T00:00:00Z&to=2026-11-20T00:00:00Z`;
  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind);
    await seedReportHistory(t.frontline.db.pool, N, { end: END, days: 30 });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)('volume, MTTA/MTTR median and p90, SLA compliance, FCR, reopen rate and CSAT match their definitions', async () => {
    const r = await (await get(`summary?${period}`)).json();
    const c = r.current;
    expect(c.volume.total).toBe(N);
    expect(c.volume.byChannel).toEqual(expect.arrayContaining([{ key: 'webchat', count: N / 4 }, { key: 'email', count: N / 4 }]));
    expect(c.volume.byHour.reduce((n: number, h: { count: number }) => n + h.count, 0)).toBe(N);

    const resolved = range.filter((n) => n % 7 !== 0);
    const p1 = resolved.filter((n) => n % 5 === 0); // priority P1 = n % 5 + 1 = 1
    const mttrP1 = p1.map((n) => (n % 48 + 1) * 60);
    expect(c.mttr.byPriority.find((x: { key: string }) => x.key === 'P1')).toEqual({ key: 'P1', count: p1.length, median: percentile(mttrP1, 0.5), p90: percentile(mttrP1, 0.9) });
    const answered = range.filter((n) => n % 10 !== 0 && n % 5 === 1); // P2
    const mttaP2 = answered.map((n) => n % 60 + 1);
    expect(c.mtta.byPriority.find((x: { key: string }) => x.key === 'P2')).toMatchObject({ count: answered.length, median: percentile(mttaP2, 0.5), p90: percentile(mttaP2, 0.9) });

    expect(c.sla.resolved).toBe(resolved.length);
    expect(c.sla.met).toBe(resolved.filter((n) => n % 11 !== 0).length);
    expect(c.sla.breaches.length).toBe(resolved.filter((n) => n % 11 === 0).length);
    expect(c.fcr.count).toBe(resolved.filter((n) => n % 4 !== 0 && n % 13 !== 0).length);
    expect(c.reopen.count).toBe(resolved.filter((n) => n % 13 === 0).length);
    const scores = resolved.filter((n) => n % 3 === 0).map((n) => n % 5 + 1);
    expect(c.csat.count).toBe(scores.length);
    expect(c.csat.average).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 2);
    expect(c.backlog.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(range.filter((n) => n % 7 === 0).length);
    // The previous period (as long, just before) holds none of it.
    expect(r.previous.volume.total).toBe(0);
    expect(r.previous.sla.compliance).toBeNull();
  });

  it.skipIf(skip)('every report answers CSV too; bad periods and time zones are a 400 with a reason', async () => {
    const csv = await (await get(`mttr?${period}&format=csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('dimension,key,count,median,p90');
    expect(csv).toMatch(/^priority,P1,/m);
    for (const name of ['volume', 'mtta', 'sla', 'backlog', 'fcr', 'csat']) {
      const res = await get(`${name}?${period}&format=csv`);
      expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    }
    const hours = await (await get(`volume?${period}&tz=Europe/Stockholm`)).json();
    expect(hours.byHour).toHaveLength(24);
    for (const bad of ['tz=Mars/Olympus', 'from=2026-11-20&to=2026-11-01', 'from=yesterday']) {
      const res = await fetch(`${t.url}/api/v1/reports/summary?${bad}`, { headers: { authorization: `Bearer ${t.tokens.read_only}` } });
      expect(res.status, bad).toBe(400);
    }
    expect((await fetch(`${t.url}/api/v1/reports/summary`)).status).toBe(401);
  });
});
