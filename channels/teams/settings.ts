import { z } from 'zod';

/** Environment variables the Teams channel reads (registered in src/channel-registry.ts, documented in .env.example). */
export const TEAMS_SETTING_KEYS = [
  'TEAMS_APP_ID',
  'TEAMS_APP_PASSWORD',
  'TEAMS_CERT_PEM_FILE',
  'TEAMS_CERT_KEY_FILE',
  'TEAMS_TENANT_ID',
  'TEAMS_ALLOWED_TENANTS',
  'TEAMS_ENABLED',
  'TEAMS_AUTHORITY',
  'TEAMS_ISSUERS',
  'TEAMS_MAX_ATTACHMENT_BYTES',
  'TEAMS_APP_NAME',
] as const;

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const teamsSettingsSchema = z
  .object({
    /** The Azure Bot's Microsoft App ID (Entra app registration client id). Empty only with TEAMS_ENABLED for local dev. */
    TEAMS_APP_ID: z.string().regex(guid, 'TEAMS_APP_ID: the Microsoft App ID, a GUID').optional(),
    TEAMS_APP_PASSWORD: z.string().optional(),
    TEAMS_CERT_PEM_FILE: z.string().optional(),
    TEAMS_CERT_KEY_FILE: z.string().optional(),
    /** Single-tenant bots: the home tenant. Empty or `common`: multi-tenant. */
    TEAMS_TENANT_ID: z.string().optional(),
    /** Tenants whose users may talk to the bot; empty: any tenant the token is valid for. */
    TEAMS_ALLOWED_TENANTS: list,
    TEAMS_ENABLED: bool,
    TEAMS_AUTHORITY: z.url().default('https://login.microsoftonline.com'),
    /** Extra accepted token issuers (sovereign clouds, a local test issuer); the SDK's defaults always apply. */
    TEAMS_ISSUERS: list,
    TEAMS_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1).default(10 * 1024 * 1024),
    TEAMS_APP_NAME: z.string().min(1).max(30).default('Frontline'),
  })
  .superRefine((s, ctx) => {
    if (!s.TEAMS_APP_ID && !s.TEAMS_ENABLED) ctx.addIssue({ code: 'custom', path: ['TEAMS_APP_ID'], message: 'set TEAMS_APP_ID (or TEAMS_ENABLED=true for unauthenticated local development)' });
    if (s.TEAMS_APP_ID && !s.TEAMS_APP_PASSWORD && !(s.TEAMS_CERT_PEM_FILE && s.TEAMS_CERT_KEY_FILE)) {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_APP_PASSWORD'], message: 'TEAMS_APP_ID needs TEAMS_APP_PASSWORD or TEAMS_CERT_PEM_FILE + TEAMS_CERT_KEY_FILE' });
    }
  });

export interface TeamsSettings {
  /** Empty: local development without Bot Framework tokens (inbound unauthenticated, outbound without a token). */
  appId: string | undefined;
  appPassword: string | undefined;
  certPemFile: string | undefined;
  certKeyFile: string | undefined;
  tenantId: string | undefined;
  allowedTenants: readonly string[];
  authority: string;
  issuers: readonly string[];
  maxAttachmentBytes: number;
  appName: string;
}

/** Validates the Teams settings; throws a readable error listing every bad variable. */
export function parseTeamsSettings(env: Record<string, string | undefined>): TeamsSettings {
  const picked = Object.fromEntries(TEAMS_SETTING_KEYS.map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const result = teamsSettingsSchema.safeParse(picked);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'teams'}: ${i.message}`).join('; ');
    throw new Error(`invalid Teams settings: ${issues}`);
  }
  const s = result.data;
  if (!s.TEAMS_APP_ID && env.NODE_ENV === 'production') throw new Error('invalid Teams settings: TEAMS_APP_ID is required in production (TEAMS_ENABLED without it accepts unauthenticated requests)');
  return {
    appId: s.TEAMS_APP_ID,
    appPassword: s.TEAMS_APP_PASSWORD,
    certPemFile: s.TEAMS_CERT_PEM_FILE,
    certKeyFile: s.TEAMS_CERT_KEY_FILE,
    tenantId: s.TEAMS_TENANT_ID,
    allowedTenants: s.TEAMS_ALLOWED_TENANTS.map((t) => t.toLowerCase()),
    authority: s.TEAMS_AUTHORITY.replace(/\/+$/, ''),
    issuers: s.TEAMS_ISSUERS,
    maxAttachmentBytes: s.TEAMS_MAX_ATTACHMENT_BYTES,
    appName: s.TEAMS_APP_NAME,
  };
}
