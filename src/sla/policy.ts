import { ROUND_THE_CLOCK, type SlaClock } from './calendar.js';
import type { Priority } from './priority.js';

/** First-response and resolution targets per priority, in minutes. Defaults follow common service-desk practice. */
export type SlaPolicy = Readonly<Record<Priority, { responseMinutes: number; resolutionMinutes: number }>>;

export const DEFAULT_SLA: SlaPolicy = {
  P1: { responseMinutes: 15, resolutionMinutes: 4 * 60 },
  P2: { responseMinutes: 30, resolutionMinutes: 8 * 60 },
  P3: { responseMinutes: 2 * 60, resolutionMinutes: 24 * 60 },
  P4: { responseMinutes: 8 * 60, resolutionMinutes: 5 * 24 * 60 },
  P5: { responseMinutes: 24 * 60, resolutionMinutes: 10 * 24 * 60 },
};

export interface SlaDue {
  responseDueAt: Date;
  resolutionDueAt: Date;
}

/**
 * Due times for a priority counted from `from` on `clock` (business hours or around the clock). `offsetMs` is
 * counted time already spent paused, which pushes both targets out (used when the priority changes later).
 */
export function dueTimes(priority: Priority, from: Date, policy: SlaPolicy = DEFAULT_SLA, clock: SlaClock = ROUND_THE_CLOCK, offsetMs = 0): SlaDue {
  const p = policy[priority];
  return {
    responseDueAt: clock.add(from, p.responseMinutes * 60_000 + offsetMs),
    resolutionDueAt: clock.add(from, p.resolutionMinutes * 60_000 + offsetMs),
  };
}
