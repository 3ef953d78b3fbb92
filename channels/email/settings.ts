import { z } from 'zod';
import type { ProcessedAction } from './imap-source.js';
import { parseChannelSettings } from '../settings.js';

/** Environment variables the email channel reads (documented in .env.example and channels/email/README.md). */
export const EMAIL_SETTING_KEYS = [
  'IMAP_HOST',
  'IMAP_PORT',
  'IMAP_SECURE',
  'IMAP_USER',
  'IMAP_PASSWORD',
  'IMAP_MAILBOX',
  'IMAP_PROCESSED',
  'IMAP_POLL_INTERVAL_MS',
  'IMAP_LEASE_MS',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_SECURE',
  'SMTP_USER',
  'SMTP_PASSWORD',
  'SUPPORT_ADDRESS',
  'EMAIL_MAX_ATTACHMENT_BYTES',
  'EMAIL_SENDER_RATE_LIMIT',
] as const;

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'use a size such as 512kb or 10mb')
  .default('10mb')
  .transform((text) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim())!;
    const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
    return Math.round(Number(m[1]) * mult);
  });

/** `seen` flags handled mail \Seen; `move:<folder>` moves it (the folder must exist). */
const processed = z
  .string()
  .default('seen')
  .transform((v, ctx): ProcessedAction => {
    if (v === 'seen') return { kind: 'seen' };
    const folder = /^move:(.+)$/.exec(v)?.[1]?.trim();
    if (folder) return { kind: 'move', folder };
    ctx.addIssue({ code: 'custom', message: `expected "seen" or "move:<folder>", got "${v}"` });
    return z.NEVER;
  });

/** `support@example.com` or `"IT Support" <support@example.com>`. */
const mailbox = z
  .string()
  .refine((v) => /^[^@\s<>]+@[^@\s<>]+$/.test(addressOf(v)), 'an address such as support@example.com or "IT Support" <support@example.com>');

export const emailSettingsSchema = z.object({
  IMAP_HOST: z.string().min(1),
  IMAP_PORT: port(993),
  IMAP_SECURE: bool(true),
  IMAP_USER: z.string().min(1),
  IMAP_PASSWORD: z.string().min(1),
  IMAP_MAILBOX: z.string().min(1).default('INBOX'),
  IMAP_PROCESSED: processed,
  IMAP_POLL_INTERVAL_MS: z.coerce.number().int().min(1_000).default(60_000),
  IMAP_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  SMTP_HOST: z.string().min(1),
  SMTP_PORT: port(587),
  SMTP_SECURE: bool(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SUPPORT_ADDRESS: mailbox,
  EMAIL_MAX_ATTACHMENT_BYTES: bytes,
  EMAIL_SENDER_RATE_LIMIT: z.coerce.number().int().min(0).default(20),
});

export interface EmailSettings {
  imap: {
    host: string;
    port: number;
    secure: boolean;
    user: string;
    pass: string;
    mailbox: string;
    processed: ProcessedAction;
    pollIntervalMs: number;
    /** How long the reading instance's lease lasts; a standby takes over at most this long after a crash. */
    leaseMs: number;
  };
  smtp: { host: string; port: number; secure: boolean; user: string | undefined; pass: string | undefined };
  /** As configured (may carry a display name); used as From and Reply-To. */
  supportAddress: string;
  /** The bare, lower-cased address of `supportAddress`. */
  supportMailbox: string;
  maxAttachmentBytes: number;
  /** Mails per sender per hour that are answered; 0 turns the limit off. */
  senderRateLimit: number;
}

/** The bare address in `"Name" <a@b>` or `a@b`, lower-cased. */
export function addressOf(value: string): string {
  return (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
}

/** Validates the email settings; throws a readable error naming every bad variable. */
export function parseEmailSettings(env: Record<string, string | undefined>): EmailSettings {
  const s = parseChannelSettings(emailSettingsSchema, EMAIL_SETTING_KEYS, env, 'email');
  return {
    imap: {
      host: s.IMAP_HOST,
      port: s.IMAP_PORT,
      secure: s.IMAP_SECURE,
      user: s.IMAP_USER,
      pass: s.IMAP_PASSWORD,
      mailbox: s.IMAP_MAILBOX,
      processed: s.IMAP_PROCESSED,
      pollIntervalMs: s.IMAP_POLL_INTERVAL_MS,
      leaseMs: s.IMAP_LEASE_MS,
    },
    smtp: { host: s.SMTP_HOST, port: s.SMTP_PORT, secure: s.SMTP_SECURE, user: s.SMTP_USER, pass: s.SMTP_PASSWORD },
    supportAddress: s.SUPPORT_ADDRESS,
    supportMailbox: addressOf(s.SUPPORT_ADDRESS),
    maxAttachmentBytes: s.EMAIL_MAX_ATTACHMENT_BYTES,
    senderRateLimit: s.EMAIL_SENDER_RATE_LIMIT,
  };
}
