import type { EventEmitter } from 'node:events';

/**
 * The part of whatsapp-web.js's `Client` the adapter uses. The real one is built in client-factory.ts; tests
 * drive the adapter with an EventEmitter double that emits the library's own events and `Message` objects.
 */
export interface WebClient extends EventEmitter {
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  /** `CONNECTED` while the linked phone is reachable; hangs or throws when the page is dead. */
  getState(): Promise<string | null>;
  sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<{ id: { _serialized: string } }>;
}

/** Builds a fresh client (a closed one cannot be reused). */
export type WebClientFactory = () => WebClient | Promise<WebClient>;

/** A file to send: the library's `MessageMedia`, built by the factory's module so the vendor import stays there. */
export type MediaBuilder = (file: { contentType: string; data: Buffer; filename: string }) => unknown;
