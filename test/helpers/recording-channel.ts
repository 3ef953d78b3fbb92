import type { ChannelAdapter, ChannelHost, InboundMessage } from '../../channels/types.js';

/** A channel that records what it is asked to send; inbound events are injected through the real host. */
export class RecordingChannel implements ChannelAdapter {
  readonly capabilities = { buttons: true, threads: true, edit: false, attachments: false, maxTextLength: 4000, markup: 'plain' as const };
  readonly sent: { threadKey: string; text: string }[] = [];
  host!: ChannelHost;
  constructor(readonly name = 'rec') {}
  async start(host: ChannelHost) { this.host = host; }
  async stop() {}
  encodeThreadKey(ref: { t?: unknown }) { return `${this.name}:${String(ref.t)}`; }
  decodeThreadKey(key: string) { return { t: key.slice(this.name.length + 1) }; }
  async health() { return { ok: true }; }
  async send(ref: { t?: unknown }, m: { text: string }) {
    this.sent.push({ threadKey: `${this.name}:${String(ref.t)}`, text: m.text });
    return {};
  }

  /** A reporter's message on thread `thread` (user defaults to one per thread). */
  inbound(thread: string, eventId: string, text: string, user = `user-${thread}`): InboundMessage {
    return { channel: this.name, eventId, threadKey: `${this.name}:${thread}`, reference: { t: thread }, user: { externalId: user }, text };
  }
}
