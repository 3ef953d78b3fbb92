import { z } from 'zod';
import { parseChannelSettings } from '../settings.js';

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
  'TEAMS_TRIAGE_CHANNELS',
  'TEAMS_RESTRICTED_CHANNEL',
  'TEAMS_SERVICE_URL',
  'TEAMS_NOTE_PREFIX',
  'TEAMS_AGENT_USERS',
  'TEAMS_AGENT_NAMES',
] as const;

/** `key=value,key=value` → Map (keys lowercased): assignment group → Teams channel id. */
const pairs = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const map = new Map<string, string>();
      for (const part of (v ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq <= 0 || eq === part.length - 1) {
          ctx.addIssue({ code: 'custom', message: `${what}: expected group=channel id, got "${part}"` });
          continue;
        }
        map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
      }
      return map;
    });
const channelId = /^19:[^;\s]+@thread\.(tacv2|skype)$/;

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
    /** Assignment group → triage channel id (19:…@thread.tacv2); `default` catches the rest. */
    TEAMS_TRIAGE_CHANNELS: pairs('TEAMS_TRIAGE_CHANNELS').refine((m) => [...m.values()].every((c) => channelId.test(c)), 'TEAMS_TRIAGE_CHANNELS: channel ids look like 19:abc@thread.tacv2'),
    TEAMS_RESTRICTED_CHANNEL: z.string().regex(channelId, 'TEAMS_RESTRICTED_CHANNEL: a channel id like 19:abc@thread.tacv2').optional(),
    /** Where proactive posts into triage channels go before the team has sent the bot anything. */
    TEAMS_SERVICE_URL: z.url().default('https://smba.trafficmanager.net/teams/'),
    TEAMS_NOTE_PREFIX: z.string().min(1).default('note:'),
    /** AAD object ids or emails of the agents who may act on triage cards; empty: anyone in a triage channel. */
    TEAMS_AGENT_USERS: list,
    /** Name reporters see for an agent, by AAD object id or email. */
    TEAMS_AGENT_NAMES: pairs('TEAMS_AGENT_NAMES'),
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
  triageChannels: ReadonlyMap<string, string>;
  restrictedChannel: string | undefined;
  serviceUrl: string;
  notePrefix: string;
  /** Lowercased AAD object ids and emails. */
  agentUsers: readonly string[];
  /** Keyed by lowercased AAD object id or email. */
  agentNames: ReadonlyMap<string, string>;
}

/** Validates the Teams settings; throws a readable error listing every bad variable. */
export function parseTeamsSettings(env: Record<string, string | undefined>): TeamsSettings {
  const s = parseChannelSettings(teamsSettingsSchema, TEAMS_SETTING_KEYS, env, 'Teams');
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
    triageChannels: s.TEAMS_TRIAGE_CHANNELS,
    restrictedChannel: s.TEAMS_RESTRICTED_CHANNEL,
    serviceUrl: s.TEAMS_SERVICE_URL,
    notePrefix: s.TEAMS_NOTE_PREFIX,
    agentUsers: s.TEAMS_AGENT_USERS.map((u) => u.toLowerCase()),
    agentNames: s.TEAMS_AGENT_NAMES,
  };
}
