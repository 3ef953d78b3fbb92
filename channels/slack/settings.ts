import { z } from 'zod';
import { parseChannelSettings } from '../settings.js';

/** Environment variables the Slack channel reads (the lead adds them to the config schema and .env.example). */
export const SLACK_SETTING_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_SOCKET_MODE',
  'SLACK_TRIAGE_CHANNELS',
  'SLACK_RESTRICTED_CHANNEL',
  'SLACK_AGENT_GROUPS',
  'SLACK_AGENT_USERS',
  'SLACK_AGENT_NAMES',
  'SLACK_NOTE_PREFIX',
  'SLACK_API_URL',
  'SLACK_INCIDENT_URL',
  'SLACK_MAX_FILE_BYTES',
] as const;

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** `key=value,key=value` → Map; used for triage channels per assignment group and agent name overrides. */
const pairs = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const map = new Map<string, string>();
      for (const part of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq <= 0 || eq === part.length - 1) {
          ctx.addIssue({ code: 'custom', message: `${what}: expected key=value, got "${part}"` });
          continue;
        }
        map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
      }
      return map;
    });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const channelId = /^[CGD][A-Z0-9]{2,}$/;

export const slackSettingsSchema = z
  .object({
    SLACK_BOT_TOKEN: z.string().min(1),
    SLACK_SIGNING_SECRET: z.string().optional(),
    SLACK_APP_TOKEN: z.string().optional(),
    SLACK_SOCKET_MODE: bool,
    /** Assignment group → triage channel id; `default` catches incidents without a mapped group. */
    SLACK_TRIAGE_CHANNELS: pairs('SLACK_TRIAGE_CHANNELS').refine((m) => [...m.values()].every((c) => channelId.test(c)), 'SLACK_TRIAGE_CHANNELS: channel ids look like C0123ABCD'),
    SLACK_RESTRICTED_CHANNEL: z.string().regex(channelId, 'SLACK_RESTRICTED_CHANNEL: a channel id like G0123ABCD').optional(),
    /** User group ids (S…) whose members may act on cards. */
    SLACK_AGENT_GROUPS: list,
    /** User ids (U…/W…) or emails that may act on cards. */
    SLACK_AGENT_USERS: list,
    /** Override table: Slack user id or email → the agent name reporters see (`U123=Maria (IT support)`). */
    SLACK_AGENT_NAMES: pairs('SLACK_AGENT_NAMES'),
    SLACK_NOTE_PREFIX: z.string().min(1).default('note:'),
    SLACK_API_URL: z.string().url().default('https://slack.com/api/'),
    /** Link to an incident's transcript on cards; `{number}` and `{id}` are replaced. */
    SLACK_INCIDENT_URL: z.string().optional(),
    /** Largest file relayed between a card's thread and the reporter (either way); larger ones get a note. */
    SLACK_MAX_FILE_BYTES: z.coerce.number().int().min(1).default(10 * 1024 * 1024),
  })
  .superRefine((s, ctx) => {
    if (s.SLACK_SOCKET_MODE && !s.SLACK_APP_TOKEN) ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'Socket Mode needs SLACK_APP_TOKEN (xapp-…)' });
    if (!s.SLACK_SOCKET_MODE && !s.SLACK_SIGNING_SECRET) ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'HTTP mode needs SLACK_SIGNING_SECRET' });
  });

export type SlackEnv = z.input<typeof slackSettingsSchema>;
type Parsed = z.output<typeof slackSettingsSchema>;

export interface SlackSettings {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  socketMode: boolean;
  triageChannels: ReadonlyMap<string, string>;
  restrictedChannel: string | undefined;
  agentGroups: readonly string[];
  agentUsers: readonly string[];
  agentNames: ReadonlyMap<string, string>;
  notePrefix: string;
  apiUrl: string;
  incidentUrl: string | undefined;
  maxFileBytes: number;
}

/** Validates the Slack settings; throws a readable error listing every bad variable. */
export function parseSlackSettings(env: Record<string, string | undefined>): SlackSettings {
  const s: Parsed = parseChannelSettings(slackSettingsSchema, SLACK_SETTING_KEYS, env, 'Slack');
  return {
    botToken: s.SLACK_BOT_TOKEN,
    signingSecret: s.SLACK_SIGNING_SECRET,
    appToken: s.SLACK_APP_TOKEN,
    socketMode: s.SLACK_SOCKET_MODE,
    triageChannels: s.SLACK_TRIAGE_CHANNELS,
    restrictedChannel: s.SLACK_RESTRICTED_CHANNEL,
    agentGroups: s.SLACK_AGENT_GROUPS,
    agentUsers: s.SLACK_AGENT_USERS.map((u) => (u.includes('@') ? u.toLowerCase() : u)),
    agentNames: s.SLACK_AGENT_NAMES,
    notePrefix: s.SLACK_NOTE_PREFIX,
    apiUrl: s.SLACK_API_URL.endsWith('/') ? s.SLACK_API_URL : `${s.SLACK_API_URL}/`,
    incidentUrl: s.SLACK_INCIDENT_URL,
    maxFileBytes: s.SLACK_MAX_FILE_BYTES,
  };
}
