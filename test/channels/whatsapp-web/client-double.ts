import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import wweb, { type Message as WebMessage } from 'whatsapp-web.js';
import type { WebClient } from '../../../channels/whatsapp-web/client-port.js';

// The library exports its Message class at run time; its typings declare only the instance shape.
const { Message } = wweb as unknown as { Message: new (client: unknown, data: Record<string, unknown>) => WebMessage };

export const BUSINESS = '46700000000@c.us';

/**
 * A whatsapp-web.js client double: an EventEmitter that emits the library's own events with the library's own
 * `Message` objects built from WhatsApp Web's message model. `pupPage.evaluate` answers what the page would
 * for `Message.downloadMedia` (the library's code runs; only the browser is absent).
 */
export class ClientDouble extends EventEmitter implements WebClient {
  readonly sent: { chatId: string; content: unknown; options?: Record<string, unknown> }[] = [];
  initialized = 0;
  destroyed = false;
  /** What getState answers; `hang` never answers (a dead page). */
  stateAnswer: string | 'hang' = 'CONNECTED';
  readonly media = new Map<string, { data: string; mimetype: string; filename?: string; filesize?: number }>();
  readonly pupPage = {
    evaluate: async (_fn: unknown, msgId: string) => this.media.get(msgId) ?? null,
  };

  async initialize(): Promise<void> {
    this.initialized++;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  getState(): Promise<string | null> {
    if (this.stateAnswer === 'hang') return new Promise(() => {});
    return Promise.resolve(this.stateAnswer);
  }

  async sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>) {
    this.sent.push({ chatId, content, ...(options ? { options } : {}) });
    return { id: { _serialized: `true_${chatId}_${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}` } };
  }

  /** The library's Message for an incoming WhatsApp Web message model. */
  message(data: { from: string; body?: string; type?: string; author?: string; notifyName?: string; [k: string]: unknown }) {
    const id = randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase();
    return new Message(this, {
      id: { fromMe: false, remote: data.from, id, _serialized: `false_${data.from}_${id}` },
      type: 'chat',
      t: Math.floor(Date.now() / 1000),
      to: BUSINESS,
      ...data,
    });
  }

  /** Emits an incoming message, as the library does on `message`; returns it. */
  incoming(data: Parameters<ClientDouble['message']>[0]) {
    const m = this.message(data);
    this.emit('message', m);
    return m;
  }

  texts(chatId?: string): string[] {
    return this.sent.filter((s) => (!chatId || s.chatId === chatId) && typeof s.content === 'string').map((s) => s.content as string);
  }
}
