import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BOT } from './emulator.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
/** Slack's payload templates (java-slack-sdk json-logs) and the signature test vector, kept outside the repo. */
export const SLACK_FIXTURES = path.resolve(repoRoot, '../shared/fixtures/channels/slack');
export const fixturesPresent = existsSync(path.join(SLACK_FIXTURES, 'json-logs/samples/events/MessagePayload.json'));
export const MISSING = `Slack fixtures missing at ${SLACK_FIXTURES} (see GUIDE.md §2)`;

/** Slack's v0 signature: `v0=` + HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`). */
export function signSlackRequest(secret: string, rawBody: string, timestamp: number | string): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
}

type Json = Record<string, unknown>;
/** Union-only parts of the templates that a real payload of this kind would not carry. */
const UNION_ONLY = new Set(['bot_profile', 'user_profile', 'blocks', 'attachments', 'files', 'file', 'reactions', 'pinned_to', 'icons', 'function_data', 'interactivity', 'enterprise']);

/**
 * The templates are the union of every field Slack was observed to send, with values blanked ("" and 123).
 * A payload is the template with placeholders and union-only parts removed, then our values merged in: the
 * field names and nesting stay Slack's.
 */
export function fromTemplate(relativePath: string, values: Json): Json {
  const template = JSON.parse(readFileSync(path.join(SLACK_FIXTURES, 'json-logs/samples', relativePath), 'utf8')) as Json;
  return merge(prune(template) as Json, values);
}

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return undefined;
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (UNION_ONLY.has(k)) continue;
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === '' || v === 123 ? undefined : v;
}

function merge(base: Json, values: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete out[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') out[k] = merge(out[k] as Json, v as Json);
    else out[k] = v;
  }
  return out;
}

let counter = 0;
export const nextEventId = () => `Ev${Date.now().toString(36).toUpperCase()}${(++counter).toString().padStart(4, '0')}`;

/** An Events API envelope around `event`, from the template of that event type. */
export function eventEnvelope(templateFile: string, event: Json, eventId = nextEventId()): Json {
  return fromTemplate(`events/${templateFile}`, {
    token: 'legacy-verification-token',
    team_id: BOT.team,
    api_app_id: 'A0FRONTLINE',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: BOT.team, user_id: BOT.userId, is_bot: true, is_enterprise_install: false }],
    event: { team: BOT.team, ...event },
  });
}

/** An interactivity payload (block_actions, view_submission, message_action) as Slack form-encodes it. */
export function interactivityBody(templatePath: string, values: Json): string {
  const payload = fromTemplate(templatePath, { token: 'legacy-verification-token', api_app_id: 'A0FRONTLINE', team: { id: BOT.team, domain: 'emulated' }, ...values });
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function slashCommandBody(values: Json): string {
  const fields = fromTemplate('app-backend/slash-commands/SlashCommandPayload.json', { token: 'legacy-verification-token', team_id: BOT.team, api_app_id: 'A0FRONTLINE', command: '/incident', ...values });
  return new URLSearchParams(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))).toString();
}

/** POSTs a signed request to our Slack endpoint, like Slack does. */
export async function postToSlackEndpoint(
  url: string,
  body: string | Json,
  options: { secret: string; timestamp?: number; retryNum?: number; signature?: string },
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = signSlackRequest(options.secret, raw, timestamp);
  return fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json',
      ...signed,
      ...(options.signature ? { 'x-slack-signature': options.signature } : {}),
      ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
    body: raw,
  });
}
