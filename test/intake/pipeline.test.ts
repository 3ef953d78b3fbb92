import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../channels/types.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { RecordingChannel } from '../helpers/recording-channel.js';

const inbound = (thread: string, eventId: string, text: string, user = `user-${thread}`): InboundMessage =>
  new RecordingChannel().inbound(thread, eventId, text, user);

describe.each(DB_KINDS)('intake pipeline ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const channel = new RecordingChannel();
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [channel] });
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('the same inbound event delivered twice produces one effect', async () => {
    const first = await channel.host.receive(inbound('dup', 'evt-1', 'My screen is black'));
    const again = await Promise.all([1, 2, 3].map(() => channel.host.receive(inbound('dup', 'evt-1', 'My screen is black'))));
    expect(first.duplicate).toBe(false);
    expect(again.every((r) => r.duplicate && r.conversationId === first.conversationId)).toBe(true);
    await eventually(async () => channel.sent.some((s) => s.threadKey === 'rec:dup' && /Shall I go ahead/.test(s.text)));
    await new Promise((r) => setTimeout(r, 200));
    const db = t.frontline.db.prisma;
    expect(await db.message.count({ where: { conversationId: first.conversationId, direction: 'in' } })).toBe(1);
    expect(channel.sent.filter((s) => s.threadKey === 'rec:dup' && /Shall I go ahead/.test(s.text))).toHaveLength(1);
    expect(await db.inboundEvent.count({ where: { channel: 'rec', externalId: 'evt-1' } })).toBe(1);
  });

  it.skipIf(skip)('concurrent events on one conversation are serialised, none lost', async () => {
    // The first message opens the conversation; then 20 arrive at once.
    await channel.host.receive(inbound('burst', 'b-0', 'Printer is offline'));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => channel.host.receive(inbound('burst', `b-${i + 1}`, `more detail ${i + 1}`))));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    const conversationId = results[0]!.conversationId;
    const db = t.frontline.db.prisma;
    expect(await db.message.count({ where: { conversationId, direction: 'in' } })).toBe(21);
    const session = await db.dialogSession.findUnique({ where: { conversationId } });
    expect(session?.version).toBe(20); // created at version 0, then one optimistic-lock bump per step: none lost
  });

  it.skipIf(skip)('one person on one channel keeps one contact across conversations', async () => {
    const a = await channel.host.receive(inbound('p1', 'p-1', 'Keyboard broken', 'same-person'));
    const b = await channel.host.receive(inbound('p2', 'p-2', 'Mouse broken', 'same-person'));
    const db = t.frontline.db.prisma;
    const [ca, cb] = await Promise.all([db.conversation.findUnique({ where: { id: a.conversationId } }), db.conversation.findUnique({ where: { id: b.conversationId } })]);
    expect(ca!.contactId).toBe(cb!.contactId);
  });

  it.skipIf(skip)('a verified email links accounts across channels; an address someone typed links nobody', async () => {
    const contactOf = async (r: { conversationId: string }) => (await t.frontline.db.prisma.conversation.findUniqueOrThrow({ where: { id: r.conversationId } })).contactId;
    const as = (m: InboundMessage, channelName: string, user: InboundMessage['user']): InboundMessage => ({ ...m, channel: channelName, user });
    // A mail's sender: the account is the address itself (replies reach its owner), so it may be linked to.
    const mail = await channel.host.receive(as(inbound('x1', 'x-1', 'VPN drops'), 'rec', { externalId: 'maria@example.com', email: 'maria@example.com', emailVerified: false }));
    const chat = await channel.host.receive(as(inbound('x2', 'x-2', 'VPN drops again'), 'rec2', { externalId: 'U-MARIA', email: 'maria@example.com', emailVerified: true }));
    expect(await contactOf(chat)).toBe(await contactOf(mail));
    // An account that merely claims an address (typed) neither links nor can be linked to.
    const typed = await channel.host.receive(as(inbound('x3', 'x-3', 'Printer jam'), 'rec3', { externalId: 'visitor-1', email: 'boss@example.com', emailVerified: false }));
    const real = await channel.host.receive(as(inbound('x4', 'x-4', 'Laptop slow'), 'rec2', { externalId: 'U-BOSS', email: 'boss@example.com', emailVerified: true }));
    expect(await contactOf(real)).not.toBe(await contactOf(typed));
  });
});
