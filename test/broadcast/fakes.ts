import { ChannelSendError, type OutboundMessage, type SendContext } from '../../channels/types.js';
import { RecordingChannel } from '../helpers/recording-channel.js';

/** A chat channel that can post into a channel by id (like Slack) and fails for chosen threads. */
export class ChatChannel extends RecordingChannel {
  readonly failing = new Set<string>();
  readonly deliveries: { thread: string; text: string; key: string }[] = [];
  startConversation(address: string) {
    return { threadKey: `${this.name}:${address}`, reference: { t: address } };
  }
  override async send(ref: { t?: unknown }, m: OutboundMessage, context?: SendContext) {
    const thread = String(ref.t);
    if (this.failing.has(thread)) throw new ChannelSendError('channel_not_found', { retryable: false });
    this.deliveries.push({ thread, text: m.text, key: context?.idempotencyKey ?? '' });
    return super.send(ref, m);
  }
}

/** Writes first to an address, as email does; records every delivery with its idempotency key. */
export class MailChannel extends RecordingChannel {
  readonly deliveries: { address: string; text: string; key: string }[] = [];
  override readonly capabilities = { buttons: false, threads: true, edit: false, attachments: false, maxTextLength: 100_000, markup: 'plain' as const };
  startConversation(address: string, context: { incidentNumber: string; title: string }) {
    return { threadKey: `${this.name}:${address}:${context.incidentNumber}:${Math.random().toString(36).slice(2)}`, reference: { t: address } };
  }
  override async send(ref: { t?: unknown }, m: OutboundMessage, context?: SendContext) {
    this.deliveries.push({ address: String(ref.t), text: m.text, key: context?.idempotencyKey ?? '' });
    return super.send(ref, m);
  }
}

/** How many times each value occurs. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}
