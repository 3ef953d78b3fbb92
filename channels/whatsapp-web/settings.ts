import { z } from 'zod';
import { parseChannelSettings } from '../settings.js';

/** Environment variables the whatsapp-web.js channel reads; documented in .env.example. */
export const WHATSAPP_WEB_SETTING_KEYS = [
  'WHATSAPP_WEB_ENABLED',
  'WHATSAPP_WEB_CHROMIUM',
  'WHATSAPP_WEB_SESSION',
  'WHATSAPP_WEB_DATA_DIR',
  'WHATSAPP_WEB_GROUPS',
  'WHATSAPP_WEB_ALERT_TO',
  'WHATSAPP_WEB_READY_TIMEOUT_MS',
  'WHATSAPP_WEB_HEARTBEAT_MS',
  'WHATSAPP_WEB_BACKOFF_MS',
  'WHATSAPP_WEB_BACKUP_MS',
  'WHATSAPP_WEB_MAX_ATTACHMENT_BYTES',
] as const;

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

export const whatsappWebSettingsSchema = z.object({
  WHATSAPP_WEB_ENABLED: z.enum(['true', 'false', '1', '0', 'yes', 'no']).default('false'),
  WHATSAPP_WEB_CHROMIUM: z.string().min(1).default('/usr/bin/chromium'),
  /** RemoteAuth's clientId: letters, digits, - and _. One linked phone per session name. */
  WHATSAPP_WEB_SESSION: z.string().regex(/^[-_\w]+$/, 'WHATSAPP_WEB_SESSION: letters, digits, - and _').default('frontline'),
  WHATSAPP_WEB_DATA_DIR: z.string().min(1).default('./.wwebjs_auth'),
  WHATSAPP_WEB_GROUPS: z
    .string()
    .optional()
    .transform(list)
    .refine((ids) => ids.every((id) => id === 'all' || /^[\d-]+@g\.us$/.test(id)), 'WHATSAPP_WEB_GROUPS: group ids like 120363012345678901@g.us, or "all"'),
  WHATSAPP_WEB_ALERT_TO: z
    .string()
    .optional()
    .transform(list)
    .refine((t) => t.every((x) => /^[a-z]+:.+/.test(x)), 'WHATSAPP_WEB_ALERT_TO: channel:address targets, e.g. email:ops@example.com'),
  WHATSAPP_WEB_READY_TIMEOUT_MS: ms(100, 180_000),
  WHATSAPP_WEB_HEARTBEAT_MS: ms(50, 30_000),
  WHATSAPP_WEB_BACKOFF_MS: ms(10, 5_000),
  // RemoteAuth refuses less than a minute.
  WHATSAPP_WEB_BACKUP_MS: ms(60_000, 300_000),
  WHATSAPP_WEB_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1).default(16 * 1024 * 1024),
});

export interface WhatsAppWebSettings {
  enabled: boolean;
  chromiumPath: string;
  session: string;
  dataDir: string;
  /** Group chat ids answered; `all` for every group. Empty: groups are ignored. */
  groups: readonly string[];
  alertTo: readonly string[];
  readyTimeoutMs: number;
  heartbeatMs: number;
  backoffMs: number;
  backupMs: number;
  maxAttachmentBytes: number;
}

/** Validates the whatsapp-web.js settings; throws a readable error listing every bad variable. */
export function parseWhatsAppWebSettings(env: Record<string, string | undefined>): WhatsAppWebSettings {
  const s = parseChannelSettings(whatsappWebSettingsSchema, WHATSAPP_WEB_SETTING_KEYS, env, 'WhatsApp Web');
  return {
    enabled: /^(true|1|yes)$/.test(s.WHATSAPP_WEB_ENABLED),
    chromiumPath: s.WHATSAPP_WEB_CHROMIUM,
    session: s.WHATSAPP_WEB_SESSION,
    dataDir: s.WHATSAPP_WEB_DATA_DIR,
    groups: s.WHATSAPP_WEB_GROUPS,
    alertTo: s.WHATSAPP_WEB_ALERT_TO,
    readyTimeoutMs: s.WHATSAPP_WEB_READY_TIMEOUT_MS,
    heartbeatMs: s.WHATSAPP_WEB_HEARTBEAT_MS,
    backoffMs: s.WHATSAPP_WEB_BACKOFF_MS,
    backupMs: s.WHATSAPP_WEB_BACKUP_MS,
    maxAttachmentBytes: s.WHATSAPP_WEB_MAX_ATTACHMENT_BYTES,
  };
}
