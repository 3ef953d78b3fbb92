import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppAdapter, whatsappFromEnv, WHATSAPP_SETTING_KEYS } from '../../../channels/whatsapp/adapter.js';
import { matchChoice, renderChoices, splitText, bodyText } from '../../../channels/whatsapp-common/compose.js';
import { toSendError, WhatsAppHealth } from '../../../channels/whatsapp/errors.js';
import { GraphClient } from '../../../channels/whatsapp/graph-client.js';
import { messageBodies } from '../../../channels/whatsapp/outbound.js';
import { parseWhatsAppSettings, templateLanguage } from '../../../channels/whatsapp/settings.js';
import { sameSecret, signatureOf, validSignature } from '../../../channels/whatsapp/signature.js';
import { createLogger } from '../../../src/logger.js';
import { loadConfig } from '../../../src/config/load.js';
import { channelsFromEnv } from '../../../src/channel-registry.js';
import { channelContract } from '../contract.js';
import { FakeGraph, GRAPH_ERRORS, type GraphFailure } from './fake-graph.js';

const base = { WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'verify-me-please', WHATSAPP_PHONE_NUMBER_ID: '106540352242922' };
const choices = (n: number, label = (i: number) => `Option ${i + 1}`) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, label: label(i) }));

describe('WhatsApp settings', () => {
  it('is off without a token, parses several numbers and the templates', () => {
    expect(whatsappFromEnv({})).toBeUndefined();
    const s = parseWhatsAppSettings({ ...base, WHATSAPP_PHONE_NUMBER_ID: '111, 222', WHATSAPP_TEMPLATES: 'status=frontline_status:en, reply=frontline_reply:pt_BR' });
    expect(s.phoneNumberIds).toEqual(['111', '222']);
    expect(s.apiVersion).toBe('v23.0');
    expect(s.apiUrl).toBe('https://graph.facebook.com');
    expect(s.templates.get('reply')).toEqual({ name: 'frontline_reply', language: 'pt_BR', languages: ['pt_BR'] });
    expect(WHATSAPP_SETTING_KEYS).toContain('WHATSAPP_MAX_ATTACHMENT_BYTES');
    // The core refuses unknown variables: ours are registered.
    expect(() => loadConfig({ NODE_ENV: 'test', ...base })).not.toThrow();
  });

  it('is registered: on when WHATSAPP_ACCESS_TOKEN is set', async () => {
    expect((await channelsFromEnv(base)).map((c) => c.name)).toEqual(['whatsapp']);
    expect(await channelsFromEnv({})).toEqual([]);
  });

  it('a template approved in several languages: the reporter’s locale picks one, else the first', () => {
    const t = parseWhatsAppSettings({ ...base, WHATSAPP_TEMPLATES: 'status=frontline_status:en|sv|pt_BR|es_ES' }).templates.get('status')!;
    expect(t).toEqual({ name: 'frontline_status', language: 'en', languages: ['en', 'sv', 'pt_BR', 'es_ES'] });
    expect(['sv', 'sv-SE', 'pt-BR', 'pt', 'es', 'de', undefined].map((l) => templateLanguage(t, l))).toEqual(['sv', 'sv', 'pt_BR', 'pt_BR', 'es_ES', 'en', 'en']);
    expect(() => parseWhatsAppSettings({ ...base, WHATSAPP_TEMPLATES: 'status=frontline_status:en|' })).toThrow(/WHATSAPP_TEMPLATES/);
  });

  it('names every bad variable', () => {
    expect(() => parseWhatsAppSettings({ WHATSAPP_ACCESS_TOKEN: 't' })).toThrow(/WHATSAPP_APP_SECRET.*WHATSAPP_VERIFY_TOKEN.*WHATSAPP_PHONE_NUMBER_ID/);
    expect(() => parseWhatsAppSettings({ ...base, WHATSAPP_TEMPLATES: 'closed=x:en' })).toThrow(/WHATSAPP_TEMPLATES/);
    expect(() => parseWhatsAppSettings({ ...base, WHATSAPP_API_VERSION: '23' })).toThrow(/v23\.0/);
  });
});

describe('signature and verify token', () => {
  it('accepts Meta’s HMAC of the raw body only', () => {
    const raw = Buffer.from('{"object":"whatsapp_business_account"}');
    expect(validSignature(raw, signatureOf(raw, 'secret'), 'secret')).toBe(true);
    expect(validSignature(raw, signatureOf(raw, 'other'), 'secret')).toBe(false);
    expect(validSignature(raw, undefined, 'secret')).toBe(false);
    expect(validSignature(raw, 'sha1=abc', 'secret')).toBe(false);
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});

describe('WhatsApp message rules (shared with any WhatsApp transport)', () => {
  it('splits long text at breaks, never above 4,096 characters', () => {
    const text = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.join(' ')).toBe(text);
  });

  it('≤ 3 short options → buttons; ≤ 10 → a list (long labels shortened); more → numbered text', () => {
    expect(renderChoices(choices(3)).kind).toBe('buttons');
    expect(renderChoices(choices(2, () => 'A label longer than twenty')).kind).toBe('list');
    const list = renderChoices(choices(10, (i) => `A really quite long option label ${i}`));
    expect(list.kind).toBe('list');
    if (list.kind === 'list') for (const r of list.rows) expect(r.title.length).toBeLessThanOrEqual(24);
    const numbered = renderChoices(choices(11));
    expect(numbered).toMatchObject({ kind: 'numbered', text: expect.stringContaining('11. Option 11') });
    expect(matchChoice('2', choices(11))).toBe('c1');
    expect(matchChoice(' option 11 ', choices(11))).toBe('c10');
    expect(matchChoice('42', choices(11))).toBeUndefined();
  });

  it('names the agent in bold and renders interactive bodies within their limits', () => {
    expect(bodyText({ text: 'Try **this**', author: { kind: 'agent', name: 'Maria' } })).toBe('*Maria*: Try *this*');
    expect(bodyText({ text: 'Maria on INC-000001: Try it', author: { kind: 'agent', name: 'Maria' } })).toBe('*Maria* on INC-000001: Try it');
    const long = 'x'.repeat(1500);
    const bodies = messageBodies('4670', { text: long, author: { kind: 'bot' }, choices: choices(2) });
    expect(bodies.map((b) => b.type)).toEqual(['text', 'interactive']);
    const interactive = bodies[1]!.interactive as { body: { text: string }; action: { buttons: unknown[] } };
    expect(interactive.body.text.length).toBeLessThanOrEqual(1024);
    expect(interactive.action.buttons).toHaveLength(2);
  });
});

describe('Graph errors → the outbox retry contract (against the fake Graph API)', () => {
  let graph: FakeGraph;
  let client: GraphClient;
  const health = new WhatsAppHealth(createLogger(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })));
  beforeAll(async () => {
    graph = await new FakeGraph('tok').start();
    client = new GraphClient({ apiUrl: graph.url, apiVersion: 'v23.0', accessToken: 'tok' });
  });
  afterAll(async () => graph.stop());
  const attempt = async (failure: GraphFailure) => {
    graph.fail(failure);
    return toSendError(await client.postJson('106540352242922/messages', { to: '1', type: 'text', text: { body: 'x' } }).catch((e: unknown) => e), health);
  };

  it('maps rate limits, server errors, expired tokens and permanent errors', async () => {
    expect(await attempt(GRAPH_ERRORS.http429)).toMatchObject({ retryable: true, retryAfterMs: 3_000 });
    expect(await attempt(GRAPH_ERRORS.rateLimited)).toMatchObject({ retryable: true, retryAfterMs: 10_000 });
    for (const code of [4, 80007, 131056]) expect(await attempt({ status: 400, code, message: 'limited' })).toMatchObject({ retryable: true });
    expect(await attempt({ status: 503, code: 1, message: 'Service temporarily unavailable' })).toMatchObject({ retryable: true });
    const permanent = await attempt(GRAPH_ERRORS.invalidRecipient);
    expect(permanent).toMatchObject({ retryable: false, message: expect.stringContaining('Message undeliverable') });
    expect(health.ok).toBe(true);
    expect(await attempt(GRAPH_ERRORS.tokenExpired)).toMatchObject({ retryable: false });
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/WHATSAPP_ACCESS_TOKEN/);
    expect(toSendError(new TypeError('fetch failed'), health)).toMatchObject({ retryable: true });
  });
});

channelContract('whatsapp', () => new WhatsAppAdapter(parseWhatsAppSettings(base)), {
  references: [
    { phoneNumberId: '106540352242922', waId: '16505551234' },
    { phoneNumberId: '106540352242999', waId: '46701234567' },
  ],
  foreignKeys: ['slack:T1:D1', 'whatsapp:abc:123', 'whatsapp:123', 'whatsapp:1:2:3'],
});
