import { z } from 'zod';
import type { NoticeKind } from '../types.js';
import { parseChannelSettings } from '../settings.js';

/** Environment variables the WhatsApp (Cloud API) channel reads; documented in .env.example. */
export const WHATSAPP_SETTING_KEYS = [
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'WHATSAPP_API_VERSION',
  'WHATSAPP_TEMPLATES',
  'WHATSAPP_API_URL',
  'WHATSAPP_MAX_ATTACHMENT_BYTES',
] as const;

/** The progress notices that may go out as an approved template outside the 24-hour window. */
export const NOTICE_KINDS: readonly NoticeKind[] = ['status', 'reply', 'resolved', 'reminder'];
export type { NoticeKind };

export interface TemplateRef {
  name: string;
  /** Meta's language code the template was approved in, e.g. `en`, `sv`, `pt_BR`; the first of `languages`. */
  language: string;
  /** Every language it was approved in (`name:en|sv|es`); the reporter's language picks one, else `language`. */
  languages: readonly string[];
}

/** The template language for a reporter's locale (`sv-SE` → `sv_SE`, else `sv`, else the first configured). */
export function templateLanguage(template: TemplateRef, locale: string | undefined): string {
  if (!locale) return template.language;
  const wanted = locale.replace('-', '_').toLowerCase();
  const base = wanted.split('_')[0]!;
  const langs = template.languages;
  return langs.find((l) => l.toLowerCase() === wanted) ?? langs.find((l) => l.toLowerCase() === base) ?? langs.find((l) => l.toLowerCase().split('_')[0] === base) ?? template.language;
}

/**
 * `status=frontline_status:en,reply=frontline_reply:en|sv` → Map(kind → {name, language, languages}): a template
 * registered in several languages lists them with `|`, the first being the default.
 */
const templates = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const map = new Map<NoticeKind, TemplateRef>();
    for (const part of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([a-z]+)\s*=\s*([a-z0-9_]+):([A-Za-z_]{2,8}(?:\|[A-Za-z_]{2,8})*)$/.exec(part);
      if (!m || !(NOTICE_KINDS as readonly string[]).includes(m[1]!)) {
        ctx.addIssue({ code: 'custom', message: `WHATSAPP_TEMPLATES: expected <${NOTICE_KINDS.join('|')}>=<template name>:<language>[|<language>…], got "${part}"` });
        continue;
      }
      const languages = m[3]!.split('|');
      map.set(m[1] as NoticeKind, { name: m[2]!, language: languages[0]!, languages });
    }
    return map;
  });

export const whatsappSettingsSchema = z.object({
  /** A permanent System User token with whatsapp_business_messaging (Business settings → System users). */
  WHATSAPP_ACCESS_TOKEN: z.string().min(1),
  /** The Meta app's secret: every webhook POST is signed with it (X-Hub-Signature-256). */
  WHATSAPP_APP_SECRET: z.string().min(1, 'WHATSAPP_APP_SECRET is required: unsigned webhooks are refused'),
  /** Any string you also type into the app's webhook settings; Meta echoes it in the GET handshake. */
  WHATSAPP_VERIFY_TOKEN: z.string().min(8, 'WHATSAPP_VERIFY_TOKEN: at least 8 characters'),
  /** The business phone number id(s) this instance answers for (comma-separated). */
  WHATSAPP_PHONE_NUMBER_ID: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((ids) => ids.length > 0 && ids.every((id) => /^\d+$/.test(id)), 'WHATSAPP_PHONE_NUMBER_ID: numeric ids, comma-separated'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'WHATSAPP_API_VERSION: like v23.0').default('v23.0'),
  WHATSAPP_TEMPLATES: templates,
  WHATSAPP_API_URL: z.string().url().default('https://graph.facebook.com'),
  /** Cloud API media limits are 5–100 MB by type; this is ours, for both directions. */
  WHATSAPP_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1).default(16 * 1024 * 1024),
});

export interface WhatsAppSettings {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberIds: readonly string[];
  apiVersion: string;
  templates: ReadonlyMap<NoticeKind, TemplateRef>;
  apiUrl: string;
  maxAttachmentBytes: number;
}

/** Validates the WhatsApp settings; throws a readable error listing every bad variable. */
export function parseWhatsAppSettings(env: Record<string, string | undefined>): WhatsAppSettings {
  const s = parseChannelSettings(whatsappSettingsSchema, WHATSAPP_SETTING_KEYS, env, 'WhatsApp');
  return {
    accessToken: s.WHATSAPP_ACCESS_TOKEN,
    appSecret: s.WHATSAPP_APP_SECRET,
    verifyToken: s.WHATSAPP_VERIFY_TOKEN,
    phoneNumberIds: s.WHATSAPP_PHONE_NUMBER_ID,
    apiVersion: s.WHATSAPP_API_VERSION,
    templates: s.WHATSAPP_TEMPLATES,
    apiUrl: s.WHATSAPP_API_URL.replace(/\/+$/, ''),
    maxAttachmentBytes: s.WHATSAPP_MAX_ATTACHMENT_BYTES,
  };
}
