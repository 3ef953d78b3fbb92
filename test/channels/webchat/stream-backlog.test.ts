import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelHost } from '../../../src/intake/host.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import { WebchatClient } from '../../helpers/webchat-client.js';

// A reply still queued in the outbox is not news for a stream: under a backlog, every waiting widget re-read
// its transcript each poll tick, which starved the embedded database (the 94 → 11 msg/s collapse).
describe.each(DB_KINDS)('web chat stream poll under an outbox backlog ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('does not name a conversation whose only news is a reply not delivered yet', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    const f = t.frontline;
    const host = createChannelHost({ db: f.db, pipeline: f.pipeline, dispatcher: f.dispatcher, incidents: f.incidents, app: f.app, logger: f.logger });
    const id = chat.conversationId;
    const before = await host.transcript(id, 0);

    await f.dispatcher.stop(); // the backlog: replies stay queued
    expect((await chat.send({ text: 'The printer on floor 3 prints blank pages' })).status).toBe(202);
    // The reporter's own message is news…
    expect(await host.changedSince([{ conversationId: id, cursor: before.cursor }])).toEqual(new Set([id]));
    const read = await host.transcript(id, before.cursor);
    expect(read.messages.map((m) => m.direction)).toEqual(['in']);
    // …the queued reply after it is not, until it is delivered.
    const { rows } = await f.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE conversation_id = $1::uuid AND status = 'pending'`, [id]);
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(await host.changedSince([{ conversationId: id, cursor: read.cursor }])).toEqual(new Set());

    f.dispatcher.start();
    await eventually(async () => (await host.changedSince([{ conversationId: id, cursor: read.cursor }])).has(id), 10_000, 'the delivered reply');
    expect((await host.transcript(id, read.cursor)).messages.some((m) => m.direction === 'out')).toBe(true);
  });
});
