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
  STATUS_SUBSCRIBE_RATE_LIMIT_PER_MINUTE: int(0, 10_000).default(5), // [mib] subscribe-form posts per client address; 0 = off
  STATUS_SUBSCRIBE_RATE_LIMIT_PER_ADDRESS_PER_HOUR: int(0, 10_000).default(3), // [mib] posts naming one email address; 0 = off
  INBOUND_EVENT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30), // 0 keeps dedupe keys for ever
  // [runtime] admission control for web chat writes (src/http/admission.ts); 0 in flight turns it off.
  WEBCHAT_MAX_IN_FLIGHT: int(0, 10_000).optional(), // unset: 8 embedded, 2 × DATABASE_POOL_SIZE on PostgreSQL
  WEBCHAT_MAX_QUEUED: int(0, 100_000).default(16),
  WEBCHAT_MAX_QUEUE_WAIT_MS: int(1, 60_000).default(500),
  // [major] clustering of reports into major incidents (src/major), monitoring alerts, problems
  MAJOR_INCIDENT_THRESHOLD: perCriticality(DEFAULT_THRESHOLD, 'count').default(DEFAULT_THRESHOLD),
  MAJOR_INCIDENT_WINDOW: perCriticality(DEFAULT_WINDOW_MINUTES, 'minutes').default(DEFAULT_WINDOW_MINUTES),
  MAJOR_INCIDENT_AUTO_DECLARE: bool.default(false),
  ALERTS_RESOLVE_INCIDENTS: bool.default(false),
  ALERTS_FLAP_WINDOW_MINUTES: int(0, 1440).default(10),
  PROBLEM_RULE_MIN_INCIDENTS: int(0, 1000).default(5),
  PROBLEM_RULE_DAYS: int(1, 365).default(30),
  CONSOLE_SESSION_HOURS: int(1, 24 * 90).default(12), // [console]
  CONSOLE_LOGIN_MAX_FAILURES: int(1, 100).default(5), // [console] then the account is locked
  CONSOLE_LOCKOUT_MINUTES: int(1, 24 * 60).default(15), // [console]
  CONSOLE_LOGIN_RATE_LIMIT_PER_MINUTE: int(0, 10_000).default(10), // [console] per source address
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(0), // [audit] 0 keeps entries for ever
  // [llm] optional language model (src/llm): off while LLM_MODEL is unset.
  AGENT_LANGUAGE: z.enum(['en', 'sv', 'es', 'pt']).default('en'), // [llm] the desk's language: reporter text is translated into it
  LLM_PROVIDER: z.enum(['openai', 'azure']).default('openai'), // [llm] azure: LLM_BASE_URL is the resource endpoint, models are deployment names
  LLM_BASE_URL: z.url().optional(), // [llm] any OpenAI-compatible endpoint (Ollama: http://127.0.0.1:11434/v1)
  LLM_API_KEY: z.string().min(1).optional(), // [llm]
  LLM_MODEL: z.string().min(1).optional(), // [llm] the chat model; setting it turns the layer on
  LLM_MODEL_TRANSLATE: z.string().min(1).optional(), // [llm] per-feature overrides of LLM_MODEL
  LLM_MODEL_TRIAGE: z.string().min(1).optional(), // [llm]
  LLM_MODEL_KB: z.string().min(1).optional(), // [llm]
  LLM_MODEL_SUMMARY: z.string().min(1).optional(), // [llm]
  LLM_EMBEDDING_MODEL: z.string().min(1).optional(), // [llm] embeddings for KB retrieval; unset = BM25 only
  LLM_AZURE_API_VERSION: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'an Azure OpenAI api-version such as 2024-10-21').default('2024-10-21'), // [llm]
  LLM_FEATURES: z.string().regex(/^(translate|triage|kb|summary)(,(translate|triage|kb|summary))*$/, 'comma-separated: translate,triage,kb,summary').default('translate,triage,kb,summary'), // [llm]
  LLM_TIMEOUT_MS: int(500, 600_000).default(20_000), // [llm] per request, retries included separately
  LLM_MAX_RETRIES: int(0, 10).default(2), // [llm] the SDK's own retries (exponential backoff, honours retry-after)
  LLM_BREAKER_FAILURES: int(1, 1000).default(3), // [llm] consecutive failures that open a feature's circuit
  LLM_BREAKER_COOLDOWN_SECONDS: int(1, 86_400).default(60), // [llm] how long an open circuit skips the feature
  LLM_DAILY_TOKEN_BUDGET: int(0, 1_000_000_000).default(0), // [llm] tokens per UTC day across all instances; 0 = no limit
  LLM_REDACT: bool.default(true), // [llm] mask secrets before any text leaves
  LLM_ALLOW_CONFIDENTIAL: bool.default(false), // [llm] send confidential incidents' text to the model
  LLM_TRIAGE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6), // [llm] classifier confidence under which the model is asked
});

export type Config = z.infer<typeof configSchema>;

/** Prefixes that belong to Frontline: an unknown variable with one of them is a typo, not someone else's. */
export const OWN_PREFIXES = ['FRONTLINE_', 'WEBCHAT_', 'OUTBOX_', 'DATABASE_', 'LOG_', 'HTTP_', 'SLACK_', 'TEAMS_', 'WHATSAPP_', 'IMAP_', 'SMTP_', 'EMAIL_', 'TRIAGE_', 'KB_', 'SLA_', 'LLM_', 'MAJOR_', 'ALERTS_', 'PROBLEM_', 'CONSOLE_', 'AUDIT_'];

export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit] ?? 1;
  return Math.round(Number(m[1]) * mult);
}
