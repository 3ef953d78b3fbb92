import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/openapi.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { RecordingChannel } from '../helpers/recording-channel.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/**
 * Every public route gets control characters in its path, query and body fields (seeded pseudo-random picks,
 * reproducible): none may answer 5xx. Channel events with the same characters reach the pipeline through the
 * real channel host and are stored cleaned.
 */
const NASTY = ['\u0000', 'a\u0000b', '\u0001\u0002\u001f', 'x\u007f', '\ud800', '\udc00z', 'ok\u0000\u0000', '\u000b\u000c', '%00'];

/** Routes the OpenAPI document does not list (yet) but that are public all the same. */
const EXTRA_ROUTES: { method: string; path: string }[] = [
  { method: 'get', path: '/api/v1/openapi.json' },
  { method: 'get', path: '/api/v1/reports/deflection' },
  { method: 'get', path: '/webchat/v1/config' },
  { method: 'get', path: '/webchat/v1/conversations/{id}/attachments/{attachmentId}' },
  { method: 'get', path: '/' },
  { method: 'get', path: '/widget.js' },
];

/** Field names any route's body might read, each given a hostile value. */
const FIELDS = ['text', 'choice', 'locale', 'assignee', 'assignmentGroup', 'resolution', 'author', 'name', 'role', 'displayName', 'email', 'channel', 'status', 'priority', 'tier'];

/** Percent-encodes; a lone surrogate has no UTF-8 form, so it travels as the invalid bytes a client might send. */
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};

function* random(seed: number): Generator<number> {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield s / 2 ** 31;
  }
}

describe.each(DB_KINDS)('control characters on every route ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const channel = new RecordingChannel('rec');
  let incident = '';
  let chat: WebchatClient;

  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { channels: [channel] });
    chat = await new WebchatClient(t.url).open();
    await chat.send({ text: 'Outlook crashes on start' });
    await chat.expectReply(/Shall I go ahead/);
    await chat.send({ choice: 'yes' });
    incident = /INC-\d{6}/.exec((await chat.expectReply(/INC-\d{6}/)).text)![0];
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('no route answers 5xx', async () => {
    const doc = openApiDocument('test') as { paths: Record<string, Record<string, unknown>> };
    const routes = [...Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path }))), ...EXTRA_ROUTES];
    expect(routes.length).toBeGreaterThan(15);
    const rnd = random(42);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd.next().value! * xs.length)]!;
    const failures: string[] = [];
    for (const { method, path } of routes) {
      for (let round = 0; round < 6; round++) {
        // Round 0 uses valid identifiers (so the handler itself runs); later rounds poison the path too.
        const value = (name: string) => {
          if (round > 0 && round % 2 === 0) return encode(pick(NASTY));
          return name === 'ref' ? incident : name === 'id' ? chat.conversationId : name === 'key' ? 'U0123ABCD' : name === 'attachmentId' ? '00000000-0000-4000-8000-000000000000' : 'x';
        };
        const url = new URL(t.url + path.replace(/\{(\w+)\}/g, (_, name: string) => value(name)));
        url.searchParams.set(pick(['q', 'status', 'after', 'cursor', 'priority', 'token', 'category']), pick(NASTY));
        const body: Record<string, unknown> = {};
        for (const f of FIELDS) if (rnd.next().value! < 0.5) body[f] = `${pick(['', 'Service Desk', 'hello'])}${pick(NASTY)}`;
        if (round === 1) body.text = 'printer\u0000 broken';
        const token = path.startsWith('/webchat/') ? chat.token : pick([t.tokens.admin, t.tokens.agent]);
        const upload = path.endsWith('/attachments') && method === 'post';
        const init: RequestInit = {
          method: method.toUpperCase(),
          headers: {
            authorization: `Bearer ${token}`,
            ...(upload ? { 'content-type': 'text/plain', 'x-filename': encode(`re${pick(NASTY)}port.txt`) } : { 'content-type': 'application/json' }),
            ...(method === 'post' && rnd.next().value! < 0.5 ? { 'idempotency-key': `fuzz-${round}-${path.length}` } : {}),
          },
          ...(method === 'get' ? {} : { body: upload ? `data${pick(NASTY)}` : JSON.stringify(body) }),
        };
        const controller = new AbortController();
        const res = await fetch(url, { ...init, signal: controller.signal });
        if (res.status >= 500) failures.push(`${method.toUpperCase()} ${url.pathname}${url.search} ${init.body ?? ''} → ${res.status} ${await res.text()}`);
        controller.abort(); // event streams never end on their own
      }
    }
    expect(failures).toEqual([]);
  });

  it.skipIf(skip)('channel events with control characters are stored cleaned', async () => {
    const result = await channel.host.receive({
      channel: 'rec',
      eventId: 'evt\u0000-1',
      threadKey: 'rec:fuzz\u0001',
      reference: { t: 'fuzz\u0000' },
      user: { externalId: 'user\u0000-1', displayName: 'Ann\u0000a', email: 'anna\u0000@example.com' },
      text: 'Subject:\u0000 VPN\u0007 is down',
      attachments: [],
    });
    expect(result.duplicate).toBe(false);
    const { messages } = await channel.host.transcript(result.conversationId);
    expect(messages.find((m) => m.direction === 'in')?.text).toBe('Subject: VPN is down');
    const stored = await t.frontline.db.pool.query<{ external_id: string; display_name: string | null }>(
      `SELECT ci.external_id, c.display_name FROM channel_identity ci JOIN contact c ON c.id = ci.contact_id WHERE ci.channel = 'rec'`,
    );
    expect(stored.rows).toEqual([{ external_id: 'user-1', display_name: 'Anna' }]);
    // An agent's text from a channel is cleaned the same way.
    const view = await channel.host.incidents.comment(incident, { text: 'looking\u0000 into it', author: 'Bo\u0000', internal: true });
    expect(view.number).toBe(incident);
  });
});
