import { existsSync } from 'node:fs';

import { FrontlineError } from '../errors.js';
import { CHANNEL_SETTING_KEYS } from '../channel-registry.js';
import { type Config, configSchema, OWN_PREFIXES } from './schema.js';

export type { Config } from './schema.js';

/** Loads `.env` from the working directory if present; real environment variables win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/**
 * Validates the environment. Every problem names the variable and what would fix it, and an unknown variable
 * with one of our prefixes (a typo such as `WEBCHAT_MAX_ATACHMENT_BYTES`) is refused rather than ignored.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, extraKeys: readonly string[] = CHANNEL_SETTING_KEYS): Config {
  const known = new Set([...Object.keys(configSchema.shape), ...extraKeys]);
  // FRONTLINE_TEST_* are the test harness's own knobs, never read by the app.
  const unknown = Object.keys(env).filter((k) => OWN_PREFIXES.some((p) => k.startsWith(p)) && !known.has(k) && !k.startsWith('FRONTLINE_TEST_'));
  const problems: string[] = unknown.map((k) => {
    if (RENAMED[k]) return `${k}: renamed to ${RENAMED[k]} (${RENAMED_WHY[k] ?? 'see the README'}); rename it in your environment`;
    const hint = closest(k, [...known]);
    return `${k}: unknown setting${hint ? ` (did you mean ${hint}?)` : ''}; remove it or fix its name`;
  });
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new FrontlineError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, problems);
  }
  const config = parsed.data;
  if (config.DATABASE_URL && !config.FRONTLINE_SECRET) {
    throw new FrontlineError(
      'CONFIG_INVALID',
      'invalid configuration:\n  - FRONTLINE_SECRET: required with DATABASE_URL so every instance signs web chat ' +
        'tokens with the same key (generate one with: openssl rand -hex 32)',
    );
  }
  return config;
}

export const configKeys = (): string[] => Object.keys(configSchema.shape);

/** Settings of earlier releases and their new names, so an upgrade fails with the exact fix. */
const RENAMED: Record<string, string> = {
  SLA_SWEEP_ENABLED: 'SLA_TIMERS_ENABLED',
  SLA_SWEEP_INTERVAL_MS: 'SLA_TIMERS_POLL_SECONDS',
};
const RENAMED_WHY: Record<string, string> = {
  SLA_SWEEP_ENABLED: 'the SLA timers now run on pg-boss',
  SLA_SWEEP_INTERVAL_MS: 'now in seconds, how often pg-boss polls for due timer jobs',
};

function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(3, Math.floor(name.length / 4)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

