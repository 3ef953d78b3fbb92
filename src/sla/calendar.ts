import { DateTime } from 'luxon';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `businessHours` in sla.yaml: local opening hours in an IANA time zone, plus closed dates (YYYY-MM-DD). */
export interface BusinessHours {
  timezone: string;
  days: Weekday[];
  start: string;
  end: string;
  holidays?: string[];
}

/**
 * How SLA time is counted. Without a calendar every millisecond counts; with one only time inside business
 * hours does, so a target of 2 h means two business hours. Durations are real elapsed milliseconds within
 * the open windows, so a window on a DST-change day is as long as the wall clock says, not a fixed 9 h.
 */
export interface SlaClock {
  /** The instant at which `ms` of counted time has passed since `from`. */
  add(from: Date, ms: number): Date;
  /** Counted time between two instants (0 if `to` is not after `from`). */
  between(from: Date, to: Date): number;
}

export const ROUND_THE_CLOCK: SlaClock = {
  add: (from, ms) => new Date(from.getTime() + ms),
  between: (from, to) => Math.max(0, to.getTime() - from.getTime()),
};

/** Ten years of closed days in a row means the calendar can never open (e.g. every weekday a holiday). */
const MAX_DAYS = 3_660;

export function isValidTimezone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/** A clock that counts only business hours; day boundaries and DST come from luxon's IANA zone data. */
export function businessClock(hours: BusinessHours): SlaClock {
  const zone = hours.timezone;
  if (!isValidTimezone(zone)) throw new Error(`unknown time zone ${zone}`);
  const open = new Set(hours.days.map((d) => WEEKDAYS.indexOf(d) + 1)); // luxon: 1 = Monday
  const closed = new Set(hours.holidays ?? []);
  const [sh, sm] = hours.start.split(':').map(Number) as [number, number];
  const [eh, em] = hours.end.split(':').map(Number) as [number, number];

  /** The open window of the local day starting at `day` (midnight), in epoch ms, or undefined if closed. */
  const window = (day: DateTime): [number, number] | undefined => {
    if (!open.has(day.weekday) || closed.has(day.toISODate()!)) return undefined;
    const s = day.set({ hour: sh, minute: sm }).toMillis();
    const e = day.set({ hour: eh, minute: em }).toMillis();
    return e > s ? [s, e] : undefined;
  };

  return {
    add(from, ms) {
      let remaining = Math.max(0, ms);
      let at = from.getTime();
      let day = DateTime.fromMillis(at, { zone }).startOf('day');
      for (let i = 0; i < MAX_DAYS; i++) {
        const w = window(day);
        if (w) {
          const s = Math.max(at, w[0]);
          if (s <= w[1]) {
            if (remaining <= w[1] - s) return new Date(s + remaining);
            remaining -= w[1] - s;
          }
        }
        day = day.plus({ days: 1 }).startOf('day');
        at = day.toMillis();
      }
      throw new Error('business-hours calendar never opens');
    },
    between(from, to) {
      const end = to.getTime();
      let total = 0;
      let day = DateTime.fromMillis(from.getTime(), { zone }).startOf('day');
      while (day.toMillis() < end) {
        const w = window(day);
        if (w) total += Math.max(0, Math.min(end, w[1]) - Math.max(from.getTime(), w[0]));
        day = day.plus({ days: 1 }).startOf('day');
      }
      return total;
    },
  };
}
