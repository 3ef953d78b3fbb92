import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelHost, InboundMessage } from '../../../channels/types.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { EmailWorld, mail, SUPPORT, threading } from './world.js';

const raw = (fields: Parameters<typeof mail>[0]): Buffer => Buffer.from(mail(fields));

/** EmailIntake.handleMany: noise dropped in place, the rest threaded with batched lookups and received per round. */
describe.each(DB_KINDS)('email intake in batches ($kind)', ({ kind, skip }) => {
  let world: EmailWorld;
  let host: ChannelHost;
  beforeAll(async () => {
    if (skip) return;
    world = await EmailWorld.start(kind, { imap: false });
    host = (world.email as unknown as { host: ChannelHost }).host;
  }, 60_000);
  afterAll(async () => world?.close());

  it.skipIf(skip)('drops noise in place, threads replies, and keeps mails that depend on each other in order', async () => {
    const calls: InboundMessage[][] = [];
    const original = host.receiveMany.bind(host);
    const spy = vi.spyOn(host, 'receiveMany').mockImplementation(async (messages) => {
      calls.push(messages);
      return original(messages);
    });

    // Two new reporters in one batch: two conversations, one receiveMany.
    const first = await world.email.handleMails([
      raw({ from: 'Anna <anna@example.se>', subject: 'Printer on floor 3 jams', messageId: '<a1@example.se>', body: 'The printer on floor 3 jams on every page.' }),
      raw({ from: 'Bob <bob@example.se>', subject: 'VPN drops every hour', messageId: '<b1@example.se>', body: 'My VPN connection drops every hour since Monday.' }),
    ]);
    expect(first).toEqual([
      expect.objectContaining({ kind: 'received', thread: 'new', duplicate: false }),
      expect.objectContaining({ kind: 'received', thread: 'new', duplicate: false }),
    ]);
    const [annaConv, bobConv] = first.map((o) => (o.kind === 'received' ? o.conversationId : ''));
    expect(annaConv).not.toBe(bobConv);
    expect(calls.map((c) => c.length)).toEqual([2]);

    const confirmAnna = threading(await world.expectMail('anna@example.se', /Shall I go ahead/));
    const confirmBob = threading(await world.expectMail('bob@example.se', /Shall I go ahead/));
    // Once the confirmation is delivered its options are what "1" answers.
    await eventually(async () => (await host.conversations.lastDeliveredChoices([annaConv!])).size === 1);

    calls.length = 0;
    const second = await world.email.handleMails([
      raw({ from: 'Carl <carl@example.se>', subject: 'Out of office', messageId: '<c1@example.se>', headers: ['Auto-Submitted: auto-replied'], body: 'I am away until Monday.' }),
      raw({ from: 'Anna <anna@example.se>', subject: confirmAnna.subject, messageId: '<a2@example.se>', inReplyTo: confirmAnna.messageId, references: ['<a1@example.se>', confirmAnna.messageId], body: '1\n\n> Shall I go ahead?' }),
      raw({ from: `Support <${SUPPORT}>`, subject: 'Loop', messageId: '<own@frontline.test>', body: 'our own mail coming back' }),
      // Eve answers Bob's mail, Frank answers our confirmation to Bob: one conversation, in one round.
      raw({ from: 'Eve <eve@example.se>', subject: 'Re: VPN drops every hour', messageId: '<e1@example.se>', inReplyTo: '<b1@example.se>', references: ['<b1@example.se>'], body: 'Same for me.' }),
      raw({ from: 'Frank <frank@example.se>', subject: confirmBob.subject, messageId: '<f1@example.se>', inReplyTo: confirmBob.messageId, references: [confirmBob.messageId], body: 'Me too, since Monday.' }),
      raw({ from: 'Dave <dave@example.se>', subject: 'Monitor flickers', messageId: '<d1@example.se>', body: 'My second monitor flickers.' }),
      // List mail is automatic mail: dropped before threading.
      raw({ from: 'Mia <mia@lists.example.se>', subject: 'Newsletter', messageId: '<l1@example.se>', headers: ['List-Id: <news.example.se>'], body: 'News' }),
      // Greta answers the same mail as Eve: she must see Eve's mail in the conversation, so a later round.
      raw({ from: 'Greta <greta@example.se>', subject: 'Re: VPN drops every hour', messageId: '<g1@example.se>', inReplyTo: '<b1@example.se>', references: ['<b1@example.se>'], body: 'Here as well.' }),
    ]);
    expect(second.map((o) => (o.kind === 'dropped' ? o.reason : o.thread))).toEqual(['auto-reply', 'headers', 'own-mail', 'headers', 'headers', 'new', 'auto-reply', 'headers']);
    const conv = (i: number) => (second[i]!.kind === 'received' ? (second[i] as { conversationId: string }).conversationId : undefined);
    expect(conv(1)).toBe(annaConv);
    expect([conv(3), conv(4), conv(7)]).toEqual([bobConv, bobConv, bobConv]);
    expect(new Set([annaConv, bobConv]).has(conv(5)!)).toBe(false);
    expect(calls.map((c) => c.map((m) => m.eventId))).toEqual([['<a2@example.se>', '<e1@example.se>', '<f1@example.se>', '<d1@example.se>'], ['<g1@example.se>']]);
    // Anna's "1" went in as the first option.
    expect(calls[0]![0]!.choice).toBeTruthy();
    // Frank's reference continues Eve's (same round), Greta's continues both: nobody's mail falls out of the chain.
    const { rows } = await world.app.frontline.db.pool.query<{ reference: { lastMessageId: string; references: string[] } }>('SELECT reference FROM conversation WHERE id = $1::uuid', [bobConv]);
    expect(rows[0]!.reference.lastMessageId).toBe('<g1@example.se>');
    expect(rows[0]!.reference.references).toEqual(expect.arrayContaining(['<b1@example.se>', '<e1@example.se>', '<f1@example.se>', confirmBob.messageId]));
    spy.mockRestore();

    await world.expectMail('anna@example.se', /Your incident is INC-\d+/);
    // A redelivered batch changes nothing.
    const again = await world.email.handleMails([raw({ from: 'Dave <dave@example.se>', subject: 'Monitor flickers', messageId: '<d1@example.se>', body: 'My second monitor flickers.' })]);
    expect(again).toEqual([expect.objectContaining({ kind: 'received', duplicate: true, conversationId: conv(5) })]);
  }, 60_000);
});
