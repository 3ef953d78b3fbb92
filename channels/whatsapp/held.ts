import { randomUUID } from 'node:crypto';
import type { ChannelHost, JsonValue, NoticeKind, OutboundMessage } from '../types.js';
import type { WhatsAppReference } from './thread-key.js';

/**
 * Messages held outside the 24-hour window, per conversation, in the channel's durable state (shared by every
 * instance, survives restarts). `delivered` remembers the idempotency keys sent from here, so an outbox retry
 * of a held message (e.g. an operator retrying its dead letter) is not sent twice.
 */
export interface HeldState {
  items: { key: string; reference: WhatsAppReference; message: OutboundMessage; heldAt: string }[];
  /** Template kinds sent since the window closed: one nudge per kind, not one per held message. */
  templates: NoticeKind[];
  delivered: { key: string; externalId: string | null }[];
}

const KEEP_DELIVERED = 50;
const key = (conversationId: string) => `held:${conversationId}`;
const lockKey = (conversationId: string) => `send:${conversationId}`;

export class HeldMessages {
  constructor(private readonly host: ChannelHost, private readonly holder: string) {}

  async load(conversationId: string): Promise<HeldState> {
    const v = await this.host.state.get<JsonValue>(key(conversationId));
    const s = (v ?? {}) as Partial<HeldState>;
    return { items: s.items ?? [], templates: s.templates ?? [], delivered: s.delivered ?? [] };
  }

  async save(conversationId: string, state: HeldState): Promise<void> {
    const trimmed = { ...state, delivered: state.delivered.slice(-KEEP_DELIVERED) };
    await this.host.state.set(key(conversationId), trimmed as unknown as JsonValue);
  }

  /**
   * Runs `fn` holding the conversation's send lease: a send and a flush after the reporter's message (on any
   * instance) never interleave, so held text keeps its order and goes out once.
   */
  async exclusive<T>(conversationId: string, fn: () => Promise<T>): Promise<T | 'busy'> {
    // A holder per call: a lease is re-entrant for its holder, and two calls of one instance must exclude each other.
    const holder = `${this.holder}:${randomUUID()}`;
    if (!(await this.host.state.lease(lockKey(conversationId), holder, 60_000))) return 'busy';
    try {
      return await fn();
    } finally {
      await this.host.state.release(lockKey(conversationId), holder).catch(() => {});
    }
  }
}
