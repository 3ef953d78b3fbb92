import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelAdapter, ChannelHost, InboundMessage } from '../../channels/types.js';
import { createLookups } from '../../src/intake/lookups.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

/** A channel that only receives: conversations are made through the real host, the lookups read them back. */
class QuietChannel implements ChannelAdapter {
  readonly name = 'look';
  readonly capabilities = { buttons: true, threads: true, edit: false, attachments: false, maxTextLength: 4000, markup: 'plain' as const };
  host!: ChannelHost;
  async start(host: ChannelHost) { this.host = host; }
  async stop() {}
  encodeThreadKey(ref: { t?: unknown }) { return `look:${String(ref.t)}`; }
  decodeThreadKey(key: string) { return { t: key.slice(5) }; }
  async health() { return { ok: true }; }
  async send() { return {}; }
}

const inbound = (thread: string, eventId: string, user: string, subjectKey: string): InboundMessage => ({
  channel: 'look', eventId, threadKey: `look:${thread}`, reference: { t: thread }, matchKey: `${user} ${subjectKey}`, user: { externalId: user }, text: 'My screen is black',
});

describe.each(DB_KINDS)('batched host lookups ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const channel = new QuietChannel();
  const ids: Record<string, string> = {};
  /** Statements matching `sql` (the lookup's table; the outbox polls meanwhile) sent while `fn` runs. */
  async function statements<T>(sql: RegExp, fn: () => Promise<T>): Promise<{ result: T; count: number }> {
    const spy = vi.spyOn(t.frontline.db.pool, 'query');
    try {
      const result = await fn();
      const texts = spy.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text?: string }).text ?? ''));
      return { result, count: texts.filter((q) => sql.test(q)).length };
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { channels: [channel] });
    const r = (m: InboundMessage) => channel.host.receive(m);
    ids.a = (await r(inbound('a', 'a-1', 'alice@x', 'printer'))).conversationId;
    await r(inbound('a', 'a-2', 'alice@x', 'printer'));
    ids.b = (await r(inbound('b', 'b-1', 'bob@x', 'vpn'))).conversationId;
    // Alice again on the same subject, later: the newest conversation is the one a subject lookup finds.
    await new Promise((resolve) => setTimeout(resolve, 20));
    ids.a2 = (await r(inbound('a2', 'a2-1', 'alice@x', 'printer'))).conversationId;
  }, 60_000);
  afterAll(async () => t?.close());

  it.skipIf(skip)('finds conversations by message ids with one statement, as the single lookup does per id', async () => {
    const { conversations } = channel.host;
    const { result: found, count } = await statements(/JOIN conversation c/, () => conversations.findManyByMessageExternalIds('look', ['a-1', 'a-2', 'b-1', 'nope', 'a-1']));
    expect(count).toBe(1);
    expect([...found.keys()].sort()).toEqual(['a-1', 'a-2', 'b-1']);
    expect(found.get('a-2')).toMatchObject({ conversationId: ids.a, threadKey: 'look:a', reporterExternalId: 'alice@x', reference: { t: 'a' } });
    expect(found.get('b-1')?.conversationId).toBe(ids.b);
    // The single form: the first id that has a conversation decides.
    expect((await conversations.findByMessageExternalIds('look', ['nope', 'b-1', 'a-1']))?.conversationId).toBe(ids.b);
    expect(await conversations.findByMessageExternalIds('look', ['nope'])).toBeUndefined();
    expect((await conversations.findManyByMessageExternalIds('other', ['a-1'])).size).toBe(0);
    expect((await conversations.findManyByMessageExternalIds('look', [])).size).toBe(0);
  });

  it.skipIf(skip)('finds the newest conversation per match key, each with its own window', async () => {
    const { conversations } = channel.host;
    const past = new Date(Date.now() - 60 * 60_000);
    const future = new Date(Date.now() + 60 * 60_000);
    const { result, count } = await statements(/FROM conversation c/, () =>
      conversations.findRecentByMatchKeys('look', [
        { key: 'alice@x printer', since: past },
        { key: 'bob@x printer', since: past },
        { key: 'alice@x printer', since: future },
        { key: 'bob@x vpn', since: past },
      ]),
    );
    expect(count).toBe(1);
    expect(result.map((m) => m?.conversationId)).toEqual([ids.a2, undefined, undefined, ids.b]);
    expect((await conversations.findRecentByMatchKeys('look', [{ key: 'bob@x vpn', since: past }]))[0]?.conversationId).toBe(ids.b);
    expect(await conversations.findRecentByMatchKeys('look', [])).toEqual([]);
    // A later event of the conversation does not move it to another key: it keeps the one it was opened with.
    await channel.host.receive(inbound('b', 'b-2', 'bob@x', 'renamed'));
    expect((await conversations.findRecentByMatchKeys('look', [{ key: 'bob@x vpn', since: past }]))[0]?.conversationId).toBe(ids.b);
    expect((await conversations.findRecentByMatchKeys('look', [{ key: 'bob@x renamed', since: past }]))[0]).toBeUndefined();
  });

  it.skipIf(skip)('finds origin conversations by incident number, ignoring numbers that do not exist', async () => {
    const { rows } = await t.frontline.db.pool.query<{ number: number }>(
      `INSERT INTO incident (id, title, description, reporter_id, origin_conversation_id, updated_at)
       SELECT gen_random_uuid(), 'Black screen', 'x', c.contact_id, c.id, now() FROM conversation c WHERE c.id = $1::uuid
       RETURNING number`,
      [ids.b],
    );
    const number = rows[0]!.number;
    const { conversations } = channel.host;
    const { result, count } = await statements(/FROM conversation c/, () => conversations.findManyByIncidentNumbers('look', [number, 999_999_999_999]));
    expect(count).toBe(1);
    expect([...result.keys()]).toEqual([number]);
    expect(result.get(number)?.conversationId).toBe(ids.b);
    expect((await conversations.findByIncidentNumber('look', number))?.conversationId).toBe(ids.b);
    expect(await conversations.findByIncidentNumber('other', number)).toBeUndefined();
  });

  it.skipIf(skip)('clears many failing addresses in one statement', async () => {
    const { deliveries } = channel.host;
    expect(await deliveries.markFailing('look', 'alice@x', { status: '5.1.1' })).toBe(true);
    expect(await deliveries.markFailing('look', 'bob@x', { status: '4.2.2' })).toBe(true);
    const { count } = await statements(/channel_identity/, () => deliveries.clearMany('look', ['alice@x', 'bob@x', 'nobody@x']));
    expect(count).toBe(1);
    expect(await deliveries.get('look', 'alice@x')).toBeUndefined();
    expect(await deliveries.get('look', 'bob@x')).toBeUndefined();
    await deliveries.markFailing('look', 'bob@x', {});
    await deliveries.clear('look', 'bob@x');
    expect(await deliveries.get('look', 'bob@x')).toBeUndefined();
  });

  it.skipIf(skip)('keeps channel state per channel; a stored null is no value', async () => {
    const { state } = channel.host;
    await state.set('k1', [{ id: 'yes', label: 'Yes' }]);
    await state.set('k2', null);
    await state.set('k3', 'three');
    expect(await state.get('k1')).toEqual([{ id: 'yes', label: 'Yes' }]);
    expect(await state.get('k2')).toBeUndefined();
    expect(await state.get('k3')).toBe('three');
    expect(await state.get('missing')).toBeUndefined();
    // Another channel's state is not visible.
    expect(await createLookups(t.frontline.db).stateFor('other').get('k1')).toBeUndefined();
  });

  it.skipIf(skip)('gives the options of the last bot message each reporter received, in one statement', async () => {
    const pool = t.frontline.db.pool;
    const add = (conv: string, author: string, choices: unknown, delivered: boolean) => pool.query(
      `INSERT INTO message (id, conversation_id, direction, author, text, choices, delivered_at, created_at)
       VALUES (gen_random_uuid(), $1::uuid, 'out', $2, 'q', $3::jsonb, CASE WHEN $4 THEN now() END, now())`,
      [conv, author, choices === null ? null : JSON.stringify(choices), delivered],
    );
    const yesNo = [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }];
    await add(ids.a!, 'bot', yesNo, true);
    await add(ids.a!, 'agent:Maria', null, true); // an agent's words do not replace the question
    await add(ids.a!, 'bot', [{ id: 'later', label: 'Later' }], false); // queued, not yet seen by the reporter
    await add(ids.b!, 'bot', yesNo, true);
    await add(ids.b!, 'bot', null, true); // the last question asked nothing
    const { result, count } = await statements(/FROM message m/, () => channel.host.conversations.lastDeliveredChoices([ids.a!, ids.b!]));
    expect(count).toBe(1);
    expect([...result.keys()]).toEqual([ids.a]);
    expect(result.get(ids.a!)).toEqual(yesNo);
  });
});
