import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelAdapter, ChannelHost, IncidentChangeEvent } from '../../channels/types.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/** An agent-workspace channel (like Slack) that records what the core lets it see. */
class ObservingChannel implements ChannelAdapter {
  readonly name = 'observer';
  readonly capabilities = { buttons: false, threads: true, edit: false, attachments: false, maxTextLength: 4000, markup: 'plain' as const };
  readonly seen: IncidentChangeEvent[] = [];
  host!: ChannelHost;
  async start(host: ChannelHost) {
    this.host = host;
    host.onIncidentChange(async (change) => {
      this.seen.push(change);
    });
  }
  async stop() {}
  encodeThreadKey() { return 'observer:x'; }
  decodeThreadKey() { return {}; }
  async send() { return {}; }
  async health() { return { ok: true }; }
}

describe.each(DB_KINDS)('secrets never reach agent channels ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const observer = new ObservingChannel();
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [observer] });
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('masks a pasted password in the incident and in follow-ups, keeps it for the reporter', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.send({ text: 'Cannot log in, my password is Winter2024! and it says locked' });
    await chat.expectReply(/Shall I go ahead/);
    await chat.send({ choice: 'yes' });
    const filed = await chat.expectReply(/INC-\d{6}/);
    await chat.send({ text: 'also tried token xoxb-1234567890-abcdefghij' });
    const created = await eventually(async () => observer.seen.find((c) => c.kind === 'created'));
    expect(created.incident.description).toBe('Cannot log in, my password is [redacted] and it says locked');
    const followUp = await eventually(async () => observer.seen.find((c) => c.kind === 'reporter_message'));
    expect(followUp.text).toBe('also tried token [redacted]');
    const viaHost = await observer.host.incidents.get(/INC-\d{6}/.exec(filed.text)![0]);
    expect(viaHost?.description).not.toContain('Winter2024');
    const stored = await t.frontline.db.prisma.incident.findFirst({ where: { id: created.incident.id } });
    expect(stored?.description).toContain('Winter2024!'); // the record itself is intact
  });
});
