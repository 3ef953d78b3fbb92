import { z } from 'zod';
import { DEFAULT_THRESHOLD, DEFAULT_WINDOW_MINUTES, perCriticality } from '../major/settings.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'use a size such as 512kb or 10mb')
  .transform(parseBytes);

/**
 * Every setting Frontline reads, with its default. `.env.example` documents each one; a test keeps the two in
 * step.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  FRONTLINE_DATA_DIR: z.string().min(1).default('./data'),
  FRONTLINE_SECRET: z.string().min(32, 'must be at least 32 characters (try: openssl rand -hex 32)').optional(),
  FRONTLINE_AUTO_MIGRATE: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  HTTP_BODY_LIMIT: bytes.default(parseBytes('256kb')),
  TRUST_PROXY: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000),
  OUTBOX_MAX_ATTEMPTS: int(1, 100).default(10),
  OUTBOX_BASE_DELAY_MS: int(10, 600_000).default(1_000),
  OUTBOX_MAX_DELAY_MS: int(100, 86_400_000).default(15 * 60_000),
  OUTBOX_POLL_MS: int(20, 60_000).default(500),
  OUTBOX_LEASE_MS: int(1_000, 600_000).default(30_000),
  OUTBOX_CONCURRENCY: int(1, 256).default(16),
  NOTICE_FALLBACK_CHANNELS: z.string().regex(/^[a-z]+(,[a-z]+)*$/, 'comma-separated channel names, e.g. email,whatsapp').default('email,whatsapp,teams,slack'),
  WEBCHAT_ENABLED: bool.default(true),
  WEBCHAT_ALLOWED_ORIGINS: z.string().default('*'),
  WEBCHAT_MAX_ATTACHMENT_BYTES: bytes.default(parseBytes('10mb')),
  WEBCHAT_TOKEN_TTL_DAYS: int(1, 3650).default(30),
  WEBCHAT_RATE_LIMIT_PER_MINUTE: int(0, 100_000).default(120),
  WEBCHAT_IDENTITY_SECRET: z.string().min(16).optional(),
  KB_RANKER: z.enum(['memory', 'pg']).default('memory'),
  KB_AUTO_IMPORT: bool.default(true),
  FRONTLINE_DIALOG: z.string().regex(/^[a-z][a-z0-9-]*$/).default('report-guided'),
  TRIAGE_MODEL_DIR: z.string().min(1).optional(),
  SLA_TIMERS_ENABLED: bool.default(true), // [sla-timers] this instance works the pg-boss timer queues
  SLA_TIMERS_POLL_SECONDS: z.coerce.number().min(0.5).max(600).default(2), // [sla-timers] pg-boss's floor is 0.5
  STATUS_PAGE_PUBLIC: bool.default(true), // [mib] false: /status needs an agent token or the sign-in form
  INBOUND_EVENT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30), // 0 keeps dedupe keys for ever
  // [major] clustering of reports into major incidents (src/major), monitoring alerts, problems
  MAJOR_INCIDENT_THRESHOLD: perCriticality(DEFAULT_THRESHOLD, 'count').default(DEFAULT_THRESHOLD),
  MAJOR_INCIDENT_WINDOW: perCriticality(DEFAULT_WINDOW_MINUTES, 'minutes').default(DEFAULT_WINDOW_MINUTES),
  MAJOR_INCIDENT_AUTO_DECLARE: bool.default(false),
  ALERTS_RESOLVE_INCIDENTS: bool.default(false),
  ALERTS_FLAP_WINDOW_MINUTES: int(0, 1440).default(10),
  PROBLEM_RULE_MIN_INCIDENTS: int(0, 1000).default(5),
  PROBLEM_RULE_DAYS: int(1, 365).default(30),
});

export type Config = z.infer<typeof configSchema>;

/** Prefixes that belong to Frontline: an unknown variable with one of them is a typo, not someone else's. */
export const OWN_PREFIXES = ['FRONTLINE_', 'WEBCHAT_', 'OUTBOX_', 'DATABASE_', 'LOG_', 'HTTP_', 'SLACK_', 'TEAMS_', 'WHATSAPP_', 'IMAP_', 'SMTP_', 'EMAIL_', 'TRIAGE_', 'KB_', 'SLA_', 'LLM_', 'MAJOR_', 'ALERTS_', 'PROBLEM_'];

export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit] ?? 1;
  return Math.round(Number(m[1]) * mult);
}
