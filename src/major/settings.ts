/**
 * Per-criticality settings ("critical:3,high:5,medium:8,low:12", or one value for all): the clustering
 * threshold (reports) and window (minutes) of a service depend on how critical it is.
 */
import { z } from 'zod';
import { CRITICALITIES, type Criticality } from '../services/catalog.js';

export type PerCriticality = Record<Criticality, number>;

export function perCriticality(defaults: PerCriticality, unit: 'count' | 'minutes') {
  const value = unit === 'count' ? '\\d+' : '\\d+m?';
  const shape = new RegExp(`^(?:${value}|(?:critical|high|medium|low):${value}(?:,(?:critical|high|medium|low):${value})*)$`);
  return z
    .string()
    .regex(shape, `one ${unit === 'count' ? 'number' : 'number of minutes'} or criticality:value pairs, e.g. critical:${defaults.critical},high:${defaults.high}`)
    .transform((text): PerCriticality => {
      const out = { ...defaults };
      if (!text.includes(':')) {
        for (const c of CRITICALITIES) out[c] = Number.parseInt(text, 10);
        return out;
      }
      for (const pair of text.split(',')) {
        const [c, v] = pair.split(':') as [Criticality, string];
        out[c] = Number.parseInt(v, 10);
      }
      return out;
    })
    .refine((v) => Object.values(v).every((n) => n >= 1), 'every value must be at least 1');
}

export const DEFAULT_THRESHOLD: PerCriticality = { critical: 3, high: 5, medium: 8, low: 12 };
export const DEFAULT_WINDOW_MINUTES: PerCriticality = { critical: 30, high: 30, medium: 60, low: 120 };
