import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { WebchatClient } from '../../helpers/webchat-client.js';

describe.each(DB_KINDS)('web chat over HTTP ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { env: { WEBCHAT_MAX_ATTACHMENT_BYTES: '64kb' } });
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('greets, files an incident and shows its number', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    expect((await chat.send({ text: 'The printer on floor 3 prints blank pages' })).status).toBe(202);
    const confirm = await chat.expectReply(/Shall I go ahead/);
    expect(confirm.choices?.map((c) => c.id)).toEqual(['yes', 'no']);
    await chat.send({ choice: 'yes' });
    const filed = await chat.expectReply(/INC-\d{6}/);
    const number = /INC-\d{6}/.exec(filed.text)![0];
    const incident = await t.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } });
    expect(incident?.description).toBe('The printer on floor 3 prints blank pages');
  });

  it.skipIf(skip)('speaks the locale chosen at the start', async () => {
    const chat = await new WebchatClient(t.url).open('sv');
    await chat.expectReply(/Vad är problemet/);
    await chat.send({ text: 'Skrivaren fungerar inte' });
    await chat.expectReply(/Ska jag göra det/);
    await chat.send({ text: 'ja' });
    await chat.expectReply(/Ditt ärende är INC-\d{6}/);
  });

  it.skipIf(skip)('a reload resumes the same conversation with its history', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.send({ text: 'Outlook keeps asking for my password' });
    await chat.expectReply(/Shall I go ahead/);
    const reloaded = new WebchatClient(t.url);
    Object.assign(reloaded, { conversationId: chat.conversationId, token: chat.token });
    await reloaded.poll();
    expect(reloaded.transcript.map((m) => m.text)).toEqual(chat.transcript.map((m) => m.text));
    expect(reloaded.transcript.some((m) => m.direction === 'in' && m.text.includes('Outlook'))).toBe(true);
  });

  it.skipIf(skip)('streams replies as Server-Sent Events', async () => {
    const chat = await new WebchatClient(t.url).open();
    const controller = new AbortController();
    const res = await fetch(`${t.url}/webchat/v1/conversations/${chat.conversationId}/events?token=${encodeURIComponent(chat.token)}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let buffer = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(buffer)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += new TextDecoder().decode(value);
      }
    };
    await readUntil(/What's the problem/);
    await chat.send({ text: 'Wi-Fi drops every ten minutes' });
    await readUntil(/Shall I go ahead/);
    const events = buffer.split('\n\n').filter((e) => e.includes('event: message'));
    const ids = events.map((e) => JSON.parse(/data: (.*)/.exec(e)![1]!).id as string);
    expect(new Set(ids).size).toBe(ids.length); // no message is streamed twice
    controller.abort();
  });

  it.skipIf(skip)('an idempotency key makes a retried POST harmless', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    const a = await chat.send({ text: 'Teams crashes on start' }, 'retry-key-123');
    const b = await chat.send({ text: 'Teams crashes on start' }, 'retry-key-123');
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    // The retry replays the first answer (IETF idempotency-key draft) and says so in a header.
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await b.json()).toEqual(await a.json());
    await chat.expectReply(/Shall I go ahead/);
    await new Promise((r) => setTimeout(r, 200));
    await chat.poll();
    expect(chat.transcript.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(chat.outTexts().filter((x) => /Shall I go ahead/.test(x))).toHaveLength(1);
  });

  it.skipIf(skip)('accepts an attachment within the limit and refuses a larger one politely', async () => {
    const chat = await new WebchatClient(t.url).open();
    const upload = (bytes: number) =>
      fetch(`${t.url}/webchat/v1/conversations/${chat.conversationId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'image/png', 'x-filename': encodeURIComponent('screen shot.png') },
        body: new Uint8Array(bytes).fill(7),
      });
    const ok = await upload(10_000);
    expect(ok.status).toBe(201);
    const stored = (await ok.json()) as { id: string; size: number; url: string };
    expect(stored.size).toBe(10_000);
    await chat.send({ text: 'screenshot of the error', attachments: [stored.id] });
    await chat.expectReply(/Shall I go ahead/);
    const mine = chat.transcript.find((m) => m.direction === 'in');
    expect(mine?.attachments?.[0]?.filename).toBe('screen shot.png');
    const download = await fetch(`${t.url}${stored.url}`); // the link carries its token: a plain <a href> works
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    expect((await download.arrayBuffer()).byteLength).toBe(10_000);

    const big = await upload(200_000);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(/too large.*up to/i);
  });

  it.skipIf(skip)('a token only opens its own conversation', async () => {
    const alice = await new WebchatClient(t.url).open();
    const bob = await new WebchatClient(t.url).open();
    const res = await fetch(`${t.url}/webchat/v1/conversations/${alice.conversationId}/messages`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(res.status).toBe(403);
    const forged = await fetch(`${t.url}/webchat/v1/conversations/${alice.conversationId}/messages`, { headers: { authorization: `Bearer ${alice.token.slice(0, -2)}xx` } });
    expect(forged.status).toBe(401);
  });
});

describe('web chat rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { env: { WEBCHAT_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => t?.close());

  it('refuses a flood from one client with 429 and a polite JSON error, nothing crashes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${t.url}/webchat/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      statuses.push(res.status);
      if (res.status === 429) expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      else await res.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('reads are never counted, and each conversation has its own budget for writes', async () => {
    const t2 = await startTestApp('pglite', { env: { WEBCHAT_RATE_LIMIT_PER_MINUTE: '4' } });
    try {
      const a = await new WebchatClient(t2.url).open();
      const b = await new WebchatClient(t2.url).open();
      // A widget polling at 2 requests/s for a minute: 120 reads, no 429.
      for (let i = 0; i < 120; i++) await a.poll();
      const sendA = [];
      for (let i = 0; i < 5; i++) sendA.push((await a.send({ text: `message ${i}` })).status);
      expect(sendA).toEqual([202, 202, 202, 202, 429]);
      // Another reporter behind the same address is not held up by the first.
      expect((await b.send({ text: 'my own problem' })).status).toBe(202);
    } finally {
      await t2.close();
    }
  });
});
