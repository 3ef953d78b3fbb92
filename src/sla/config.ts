import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';
import { businessClock, isValidTimezone, ROUND_THE_CLOCK, type SlaClock, WEEKDAYS, type Weekday } from './calendar.js';
import type { SlaPolicy } from './policy.js';
import { DEFAULT_MATRIX, PRIORITIES, type Priority, type PriorityMatrix } from './priority.js';

/**
 * `dialogs/sla.yaml`: the priority matrix, SLA targets per priority, reopen and auto-close windows. Validated
 * by zod on start; durations are written the way people say them (15m, 4h, 5d).
 */
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(m|min|h|d)$/i, 'use a duration such as 15m, 4h or 5d')
  .transform((s) => {
    const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/i.exec(s)!;
    const unit = m[2]!.toLowerCase();
    // `days` is kept: with a business-hours calendar a day is one opening window, not 24 h.
    return { minutes: Math.round(Number(m[1]) * (unit === 'd' ? 1440 : unit === 'h' ? 60 : 1)), days: unit === 'd' };
  });
const priority = z.enum(PRIORITIES as [Priority, ...Priority[]]);
const cell = z.enum(['11', '12', '13', '21', '22', '23', '31', '32', '33']);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM');

export const slaConfigSchema = z
  .object({
    matrix: z.record(cell, priority).default(DEFAULT_MATRIX as Record<z.infer<typeof cell>, Priority>),
    targets: z.record(priority, z.object({ response: duration, resolution: duration }).strict()),
    /** Service requests (access, hardware, installs): their own targets; a priority not listed uses `targets`. */
    requestTargets: z.partialRecord(priority, z.object({ response: duration, resolution: duration }).strict()).default({}),
    warnAt: z.number().gt(0).lt(1).default(0.75),
    reopenWindowDays: z.number().min(0).default(7),
    autoCloseDays: z.number().min(0).default(5),
    /** [mib] How often a major incident of each priority gets an update (wall-clock time, not business hours). */
    updateCadence: z.record(priority, duration).optional(),
    businessHours: z
      .object({
        timezone: z.string().min(1).refine(isValidTimezone, 'use an IANA time zone such as Europe/Stockholm'),
        days: z.array(z.enum(WEEKDAYS as [Weekday, ...Weekday[]])).min(1),
        start: hhmm,
        end: hhmm,
        holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')).default([]),
      })
      .strict()
      .refine((b) => b.start < b.end, { message: 'start must be before end', path: ['end'] })
      .optional(),
  })
  .strict();

export interface SlaConfig {
  matrix: PriorityMatrix;
  policy: SlaPolicy;
  /** Targets for service requests (`requestTargets`, completed from `targets`). */
  requestPolicy: SlaPolicy;
  warnAt: number;
  reopenWindowDays: number;
  autoCloseDays: number;
  /** [mib] Minutes between updates of a major incident, per priority (src/major/updates-cadence.ts). */
  updateCadenceMinutes: Record<Priority, number>;
  businessHours?: z.infer<typeof slaConfigSchema>['businessHours'];
  /** Counts SLA time: business hours only when `businessHours` is set, otherwise around the clock. */
  clock: SlaClock;
}

/** [mib] P1 every 30 minutes, P2 every 2 hours … when sla.yaml says nothing. */
export const DEFAULT_UPDATE_CADENCE: Record<Priority, number> = { P1: 30, P2: 120, P3: 240, P4: 1440, P5: 1440 };

export function parseSlaConfig(input: unknown, source = 'sla.yaml'): SlaConfig {
  const parsed = slaConfigSchema.safeParse(input);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new FrontlineError('CONFIG_INVALID', `${source}: ${why}`);
  }
  const c = parsed.data;
  const missingCells = Object.keys(DEFAULT_MATRIX).filter((k) => !(k in c.matrix));
  const missingTargets = PRIORITIES.filter((p) => !(p in c.targets));
  if (missingCells.length || missingTargets.length) {
    throw new FrontlineError('CONFIG_INVALID', `${source}: missing ${[...missingCells.map((k) => `matrix.${k}`), ...missingTargets.map((p) => `targets.${p}`)].join(', ')}`);
  }
  // With a calendar a target in days means business days (5d = five opening-hours windows), as service desks
  // read it; minutes and hours are business minutes and hours. Without one, a day is 24 h.
  const day = c.businessHours ? businessDayMinutes(c.businessHours) : 1440;
  const minutes = (d: { minutes: number; days: boolean }) => (d.days ? (d.minutes / 1440) * day : d.minutes);
  const policy = Object.fromEntries(
    PRIORITIES.map((p) => [p, { responseMinutes: minutes(c.targets[p]!.response), resolutionMinutes: minutes(c.targets[p]!.resolution) }]),
  ) as unknown as SlaPolicy;
  const requestPolicy = Object.fromEntries(
    PRIORITIES.map((p) => {
      const t = c.requestTargets[p];
      return [p, t ? { responseMinutes: minutes(t.response), resolutionMinutes: minutes(t.resolution) } : policy[p]];
    }),
  ) as unknown as SlaPolicy;
  return { matrix: c.matrix as PriorityMatrix, policy, requestPolicy, warnAt: c.warnAt, reopenWindowDays: c.reopenWindowDays, autoCloseDays: c.autoCloseDays, businessHours: c.businessHours,
    updateCadenceMinutes: { ...DEFAULT_UPDATE_CADENCE, ...Object.fromEntries(Object.entries(c.updateCadence ?? {}).map(([p, d]) => [p, d.minutes])) },
    clock: c.businessHours ? businessClock(c.businessHours) : ROUND_THE_CLOCK };
}

export async function loadSlaConfig(file = path.resolve(import.meta.dirname, '../../dialogs/sla.yaml')): Promise<SlaConfig> {
  return parseSlaConfig(parseYaml(await readFile(file, 'utf8')), file);
}

/** Length of one business day (the daily opening window) in minutes. */
export function businessDayMinutes(hours: { start: string; end: string }): number {
  const at = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return at(hours.end) - at(hours.start);
}

/** A target as whole business days (5 for 5d under a calendar), or undefined when it is not whole days. */
export function wholeBusinessDays(minutes: number, hours: { start: string; end: string }): number | undefined {
  const day = businessDayMinutes(hours);
  return minutes >= day && minutes % day === 0 ? minutes / day : undefined;
}

/** Building an Intl formatter costs far more than formatting; every filed report says its targets in words. */
const unitFormats = new Map<string, Intl.NumberFormat>();

/** "4 hours", "30 minuter", "5 días": a duration in the reporter's language, in its largest whole unit. */
export function durationWords(minutes: number, locale: string): string {
  const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  const key = `${locale}|${unit}`;
  let format = unitFormats.get(key);
  if (!format) unitFormats.set(key, (format = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' })));
  return format.format(value);
}
