import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelAdapter } from '../../../channels/types.js';
import { WhatsAppAdapter } from '../../../channels/whatsapp/adapter.js';
import { parseWhatsAppSettings } from '../../../channels/whatsapp/settings.js';
import { signatureOf } from '../../../channels/whatsapp/signature.js';
import { importKb } from '../../../src/kb/import.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import type { DbKind } from '../../helpers/databases.js';
import { FakeGraph, type SentMessage } from './fake-graph.js';

/** Meta's webhook examples live in the shared fixtures (never copied into the repository). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedWhatsApp = path.resolve(repoRoot, '../shared/fixtures/channels/whatsapp-cloud');
export const examplesDir = path.join(sharedWhatsApp, 'webhook_examples');
export const hasShared = existsSync(examplesDir);
export const MISSING = `shared WhatsApp fixtures not found at ${sharedWhatsApp} — fixture-based WhatsApp tests skipped`;

export const SECRET = 'test-app-secret';
export const VERIFY = 'verify-token-123';
export const TOKEN = 'EAAG-test-token';
/** The phone number id of Meta's examples, and a second business number. */
export const PHONE = '106540352242922';
export const PHONE2 = '106540352242999';
export const TEMPLATES = 'status=frontline_status:en,reply=frontline_reply:en,resolved=frontline_resolved:en';

type Json = Record<string, unknown>;

export function example(name: string): Json {
  return JSON.parse(readFileSync(path.join(examplesDir, name), 'utf8')) as Json;
}

let seq = 0;
/** A unique wamid-like id per message, so each test writes new messages. */
export const newWamid = () => `wamid.TEST${Date.now().toString(36)}${(seq++).toString(36)}`;

/**
 * Takes one of Meta's examples and makes it ours: its message gets a fresh id, sender and phone number, and
 * `patch` replaces fields of the message itself (e.g. `text`). The structure stays Meta's.
 */
export function fromExample(name: string, options: { from: string; phone?: string; id?: string; name?: string; patch?: Json }): Json {
  const body = example(name) as { entry: { changes: { value: Json & { metadata: Json; contacts?: Json[]; messages?: Json[] } }[] }[] };
  const value = body.entry[0]!.changes[0]!.value;
  value.metadata = { ...value.metadata, phone_number_id: options.phone ?? PHONE };
  if (value.contacts) value.contacts = [{ profile: { name: options.name ?? 'Sheena Nelson' }, wa_id: options.from }];
  const m = value.messages![0]!;
  value.messages = [{ ...m, from: options.from, id: options.id ?? newWamid(), timestamp: String(Math.floor(Date.now() / 1000)), ...options.patch }];
  return body as unknown as Json;
}

/** A `statuses` webhook for a message we sent (Meta's status notification shape). */
export function statusWebhook(wamid: string, to: string, status: string, error?: { code: number; title: string; message: string; details: string }): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '419561257915477', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: PHONE },
      statuses: [{ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to,
        ...(error ? { errors: [{ code: error.code, title: error.title, message: error.message, error_data: { details: error.details } }] } : {}) }],
    } }] }],
  };
}

export async function postWebhook(url: string, body: Json | string, options: { secret?: string | null; signature?: string } = {}): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const secret = options.secret === undefined ? SECRET : options.secret;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.signature) headers['x-hub-signature-256'] = options.signature;
  else if (secret) headers['x-hub-signature-256'] = signatureOf(raw, secret);
  return fetch(`${url}/api/whatsapp/webhook`, { method: 'POST', headers, body: raw });
}

/** A Frontline instance with the WhatsApp channel against a fake Graph API, and a movable clock. */
export class WhatsAppWorld {
  private reporters = 0;
  /** `clock.offsetMs` is added to the real time the adapter judges the 24-hour window by. */
  constructor(readonly app: TestApp, readonly graph: FakeGraph, readonly adapter: WhatsAppAdapter, readonly clock: { offsetMs: number }) {}

  static async start(kind: DbKind, options: { env?: Record<string, string>; appEnv?: Record<string, string>; kb?: boolean; channels?: ChannelAdapter[] } = {}): Promise<WhatsAppWorld> {
    const graph = await new FakeGraph(TOKEN).start();
    const clock = { offsetMs: 0 };
    const adapter = new WhatsAppAdapter(parseWhatsAppSettings({
      WHATSAPP_ACCESS_TOKEN: TOKEN,
      WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY,
      WHATSAPP_PHONE_NUMBER_ID: `${PHONE},${PHONE2}`,
      WHATSAPP_API_URL: graph.url,
      WHATSAPP_TEMPLATES: TEMPLATES,
      ...options.env,
    }), { now: () => new Date(Date.now() + clock.offsetMs) });
    const app = await startTestApp(kind, { channels: [adapter, ...(options.channels ?? [])], ...(options.appEnv ? { env: options.appEnv } : {}) });
    if (options.kb) await importKb(app.frontline.db, path.join(repoRoot, 'kb'));
    return new WhatsAppWorld(app, graph, adapter, clock);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.graph.stop();
  }

  /** A fresh reporter number, so each test starts its own conversation. */
  newReporter(): string {
    this.reporters += 1;
    return `4670${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}${this.reporters}`;
  }

  async text(from: string, body: string, options: { phone?: string; id?: string } = {}): Promise<Response> {
    return postWebhook(this.app.url, fromExample('text_message.json', { from, ...options, patch: { text: { body } } }));
  }

  /** Answers an interactive message the way WhatsApp reports a tap: a button or a list row. */
  async tap(from: string, sent: SentMessage, id: string): Promise<Response> {
    const interactive = sent.body.interactive as { type: string } | undefined;
    if (interactive?.type === 'button') {
      return postWebhook(this.app.url, fromExample('interactive_button_reply_message.json', { from, patch: { context: { from: '15550783881', id: sent.wamid }, interactive: { type: 'button_reply', button_reply: { id, title: id } } } }));
    }
    if (interactive?.type === 'list') {
      return postWebhook(this.app.url, fromExample('interactive_list_reply_message.json', { from, patch: { context: { from: '15550783881', id: sent.wamid }, interactive: { type: 'list_reply', list_reply: { id, title: id } } } }));
    }
    throw new Error(`message ${sent.wamid} offers no buttons or list`);
  }

  /** Waits for a message to `waId` whose text (body, interactive body or template) matches. */
  expectSent(waId: string, pattern: RegExp, timeoutMs = 10_000): Promise<SentMessage> {
    return eventually(async () => this.graph.sentTo(waId).find((m) => pattern.test(textOf(m))), timeoutMs, `WhatsApp message to ${waId} matching ${pattern}`);
  }
}

/** The readable text of a sent message. */
export function textOf(m: SentMessage): string {
  const b = m.body as Record<string, { body?: string; text?: string; name?: string } | undefined> & { interactive?: { body: { text: string } } };
  if (m.body.type === 'text') return b.text?.body ?? '';
  if (m.body.type === 'interactive') return b.interactive?.body.text ?? '';
  if (m.body.type === 'template') return `template:${(m.body.template as { name: string }).name}`;
  return `${m.body.type}`;
}

/** Moves a conversation's history `hours` into the past: for the window, the reporter last wrote that long ago. */
export async function age(world: WhatsAppWorld, waId: string, hours: number): Promise<void> {
  await world.app.frontline.db.prisma.$executeRawUnsafe(
    `UPDATE message SET created_at = created_at - make_interval(hours => $1::int)
      WHERE conversation_id IN (SELECT id FROM conversation WHERE thread_key LIKE '%:' || $2)`,
    hours, waId,
  );
}
