import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { expectExactReplay } from '../helpers/replay.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const CONVERSATIONS = 20;
const PER_CONVERSATION = 10;

describe.skipIf(!postgresAvailable)('two app instances on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    a = await startTestApp('postgres', { db });
    b = await startTestApp('postgres', { db });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('serve the same conversations without duplicates or lost messages', async () => {
    // Each conversation is opened on one instance and then talked to through both, alternately and concurrently.
    const clients = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => new WebchatClient(i % 2 ? a.url : b.url).open()));
    const via = (c: WebchatClient, i: number) => Object.assign(new WebchatClient(i % 2 ? a.url : b.url), { conversationId: c.conversationId, token: c.token });
    await Promise.all(clients.map(async (c) => {
      for (let i = 0; i < PER_CONVERSATION; i++) {
        const key = randomUUID();
        const res = await via(c, i).send({ text: `detail ${i}` }, key);
        expect(res.status).toBe(202);
        if (i % 3 === 0) expect((await via(c, i + 1).send({ text: `detail ${i}` }, key)).status).toBe(202); // a retry through the other instance
      }
    }));
    for (const c of clients) {
      await eventually(async () => {
        await c.poll();
        return c.transcript.filter((m) => m.direction === 'in').length === PER_CONVERSATION;
      }, 20_000, 'all messages visible');
    }
    await eventually(async () => (await a.frontline.db.prisma.outboxMessage.count({ where: { status: 'pending' } })) === 0, 20_000, 'outbox drained');
    for (const c of clients) {
      const { inbound } = await expectExactReplay(a.frontline.db, c.conversationId);
      expect(inbound).toBe(PER_CONVERSATION);
    }
    // Both instances delivered part of the work.
    const sentA = await a.frontline.metrics.outboundSent.get();
    const sentB = await b.frontline.metrics.outboundSent.get();
    const total = (m: typeof sentA) => m.values.reduce((s, v) => s + v.value, 0);
    expect(total(sentA) + total(sentB)).toBe(await a.frontline.db.prisma.outboxMessage.count());
    expect(total(sentA)).toBeGreaterThan(0);
    expect(total(sentB)).toBeGreaterThan(0);
  }, 120_000);

  it('a reply delivered by one instance reaches a stream held by the other', async () => {
    const chat = await new WebchatClient(a.url).open();
    const controller = new AbortController();
    const res = await fetch(`${b.url}/webchat/v1/conversations/${chat.conversationId}/events?token=${encodeURIComponent(chat.token)}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let buffer = '';
    await chat.send({ text: 'Monitor stays black' }); // handled and delivered by instance A
    while (!/Shall I go ahead/.test(buffer)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += new TextDecoder().decode(value);
    }
    controller.abort();
  }, 30_000);
});
