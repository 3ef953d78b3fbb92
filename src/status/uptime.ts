/**
 * 90-day uptime bars from the intervals a service was down (declared → resolved major incidents) or in
 * maintenance. Pure: the page, the JSON endpoint and the tests compute the same bars.
 */
export type DayState = 'ok' | 'maintenance' | 'outage';

export interface DownInterval {
  start: Date;
  /** Still going when absent. */
  end?: Date;
  kind: 'outage' | 'maintenance';
}

export interface UptimeDay {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  state: DayState;
  /** Minutes of outage that day (maintenance does not count against uptime). */
  outageMinutes: number;
}

const DAY = 86_400_000;

export function uptimeBars(intervals: readonly DownInterval[], now: Date, days = 90): { days: UptimeDay[]; percent: number } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: UptimeDay[] = [];
  let down = 0;
  let total = 0;
  for (let i = days - 1; i >= 0; i--) {
    const from = today - i * DAY;
    const to = Math.min(from + DAY, now.getTime());
    const segments: [number, number][] = [];
    let maintenance = false;
    for (const iv of intervals) {
      const s = Math.max(iv.start.getTime(), from);
      const e = Math.min(iv.end?.getTime() ?? now.getTime(), to);
      if (e <= s) continue;
      if (iv.kind === 'outage') segments.push([s, e]);
      else maintenance = true;
    }
    // Overlapping outages of one service (two major incidents at once) must not count a minute twice.
    let outage = 0;
    let reach = -Infinity;
    for (const [s, e] of segments.sort((a, b) => a[0] - b[0])) {
      if (e > reach) outage += e - Math.max(s, reach);
      reach = Math.max(reach, e);
    }
    down += outage;
    total += Math.max(0, to - from);
    out.push({ date: new Date(from).toISOString().slice(0, 10), state: outage > 0 ? 'outage' : maintenance ? 'maintenance' : 'ok', outageMinutes: Math.round(outage / 60_000) });
  }
  const percent = total === 0 ? 100 : Math.floor(((total - down) / total) * 10_000) / 100;
  return { days: out, percent };
}
