import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelHost } from '../../../channels/types.js';
import { StreamHub } from '../../../channels/webchat/stream-hub.js';
import { createChannelHost } from '../../../src/intake/host.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { WebchatClient } from '../../helpers/webchat-client.js';

describe('web chat stream hub', () => {
  it('asks the database once per tick for all open streams and wakes only the changed ones', async () => {
    const calls: number[] = [];
    const changed = new Set(['c-7', 'c-42']);
    const host = {
      logger: { warn: () => {} },
      changedSince: async (cursors: { conversationId: string; cursor: number }[]) => {
        calls.push(cursors.length);
        return new Set(cursors.filter((c) => changed.has(c.conversationId) && c.cursor < 100).map((c) => c.conversationId));
      },
    } as unknown as ChannelHost;
    const hub = new StreamHub(host, 60_000);
    const pumped: string[] = [];
    const unwatch = Array.from({ length: 50 }, (_, i) => hub.watch({ conversationId: `c-${i}`, cursor: () => 5, pump: () => pumped.push(`c-${i}`) }));
    await hub.tick();
    expect(calls).toEqual([50]);
    expect(pumped.sort()).toEqual(['c-42', 'c-7']);
    // Closed streams leave the query; c-7 stays open and changed, c-42 is closed.
    unwatch.forEach((u, i) => i !== 7 && i < 45 && u());
    await hub.tick();
    expect(calls).toEqual([50, 6]);
    expect(pumped).toEqual(['c-42', 'c-7', 'c-7']);
    unwatch.forEach((u, i) => (i === 7 || i >= 45) && u());
    expect(hub.size).toBe(0);
  });

  it('a failing query is logged and the next tick tries again', async () => {
    let fail = true;
    const warnings: unknown[] = [];
    const host = {
      logger: { warn: (o: unknown) => warnings.push(o) },
      changedSince: async () => {
        if (fail) throw new Error('connection lost');
        return new Set(['c-1']);
      },
    } as unknown as ChannelHost;
    const hub = new StreamHub(host, 60_000);
    let pumps = 0;
    const unwatch = hub.watch({ conversationId: 'c-1', cursor: () => 0, pump: () => pumps++ });
    await hub.tick();
    expect(warnings).toHaveLength(1);
    fail = false;
    await hub.tick();
    expect(pumps).toBe(1);
    unwatch();
  });
});

describe.each(DB_KINDS)('ChannelHost.changedSince ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('names the conversations with messages past their cursor, in one query', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    const f = t.frontline;
    const host = createChannelHost({ db: f.db, pipeline: f.pipeline, dispatcher: f.dispatcher, incidents: f.incidents, app: f.app, logger: f.logger });
    const id = chat.conversationId;
    const page = await host.transcript(id, 0);
    expect(page.messages.length).toBeGreaterThan(0);
    expect(await host.changedSince([{ conversationId: id, cursor: 0 }, { conversationId: randomUUID(), cursor: 0 }])).toEqual(new Set([id]));
    expect(await host.changedSince([{ conversationId: id, cursor: page.cursor }])).toEqual(new Set());
    expect(await host.changedSince([])).toEqual(new Set());
    await chat.send({ text: 'The printer on floor 3 prints blank pages' });
    expect(await host.changedSince([{ conversationId: id, cursor: page.cursor }])).toEqual(new Set([id]));
  });
});
