import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelSendError, type OutboundMessage } from '../../channels/types.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { RecordingChannel } from '../helpers/recording-channel.js';

/** A chat channel whose bot was removed from the reporter's chat: every send says the person is unreachable. */
class RemovedBotChannel extends RecordingChannel {
  unreachable = false;
  override async send(ref: { t?: unknown }, m: { text: string }) {
    if (this.unreachable) throw new ChannelSendError('403 BotNotInConversationRoster', { retryable: false, unreachable: true });
    return super.send(ref, m);
  }
}

/** A channel that can write first, as email does: a new thread per address. */
class MailLikeChannel extends RecordingChannel {
  readonly started: { address: string; title: string }[] = [];
  readonly delivered: { address: string; message: OutboundMessage }[] = [];
  startConversation(address: string, context: { incidentNumber: string; title: string }) {
    this.started.push({ address, title: context.title });
    return { threadKey: `${this.name}:${address}`, reference: { t: address } };
  }
  override async send(ref: { t?: unknown }, m: OutboundMessage) {
    this.delivered.push({ address: String(ref.t), message: m });
    return super.send(ref, m);
  }
}

describe.each(DB_KINDS)('notice fallback to another channel ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const chat = new RemovedBotChannel('chat');
  const mail = new MailLikeChannel('email');

  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [chat, mail], env: { NOTICE_FALLBACK_CHANNELS: 'email' } });
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('an unreachable reporter gets the notice once by email, and the timeline says so', async () => {
    const user = { externalId: 'aad-1', displayName: 'Ana', email: 'Ana@Example.com', emailVerified: true };
    await chat.host.receive({ ...chat.inbound('c1', 'e1', 'The projector in room 4 shows no signal'), user });
    await eventually(async () => chat.sent.some((s) => /Shall I go ahead/.test(s.text)));
    await chat.host.receive({ ...chat.inbound('c1', 'e2', ''), text: undefined, choice: 'yes', user });
    const filed = await eventually(async () => chat.sent.find((s) => /INC-\d{6}/.test(s.text)));
    const number = /INC-\d{6}/.exec(filed.text)![0];

    chat.unreachable = true; // the bot was removed from the chat
    const res = await fetch(`${t.url}/api/v1/incidents/${number}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'in_progress' }),
    });
    expect(res.status).toBe(200);
    const copy = await eventually(async () => mail.delivered.find((d) => /in progress/.test(d.message.text)));
    expect(copy.address).toBe('ana@example.com');
    expect(copy.message.incidentNumber).toBe(number);
    expect(mail.started.length).toBe(1);

    const detail = (await (await fetch(`${t.url}/api/v1/incidents/${number}`, { headers: { authorization: `Bearer ${t.tokens.agent}` } })).json()) as {
      timeline: { type: string; internal: boolean; body: string }[];
    };
    const note = detail.timeline.find((e) => e.type === 'delivery_fallback');
    expect(note?.internal).toBe(true);
    expect(note?.body).toMatch(/could not be reached on chat \(403 BotNotInConversationRoster\).*by email to ana@example\.com/);
    const dead = (await (await fetch(`${t.url}/api/v1/admin/outbox?status=dead`, { headers: { authorization: `Bearer ${t.tokens.admin}` } })).json()) as { items: { channel: string }[] };
    expect(dead.items.some((i) => i.channel === 'chat')).toBe(true);

    // A second notice reuses the same mail thread; nothing is sent twice.
    await fetch(`${t.url}/api/v1/incidents/${number}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'We are replacing the cable', author: 'Bo' }),
    });
    await eventually(async () => mail.delivered.some((d) => /replacing the cable/.test(d.message.text)));
    await new Promise((r) => setTimeout(r, 300));
    expect(mail.delivered.filter((d) => /in progress/.test(d.message.text))).toHaveLength(1);
    expect(new Set(mail.delivered.map((d) => d.address))).toEqual(new Set(['ana@example.com']));
    expect(mail.started.length).toBe(1); // the second notice continued the thread the first one started
  });
});
