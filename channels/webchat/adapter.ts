import path from 'node:path';
import express from 'express';
import type { ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelHost, SendResult } from '../types.js';
import { webchatRouter, type WebchatSettings } from './routes.js';

export type WebchatReference = { visitor: string };

/**
 * The web chat channel: our own page and widget. The transcript in the database IS the channel, so `send`
 * has nothing to call: once the dispatcher marks a message delivered, open streams pick it up.
 */
/** Content-Security-Policy of the chat page (see README, Security). */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *";

export class WebchatAdapter implements ChannelAdapter<WebchatReference> {
  readonly name = 'webchat';
  readonly capabilities: ChannelCapabilities = {
    buttons: true,
    threads: false,
    edit: false,
    attachments: true,
    maxTextLength: 20_000,
    markup: 'markdown',
  };

  constructor(private readonly settings: WebchatSettings) {}

  async start(host: ChannelHost): Promise<void> {
    host.mount('/webchat/v1', webchatRouter(host, this.settings, this.name));
    // The page and widget are static files; the widget is embeddable from any origin by design.
    host.mount('/', express.static(path.join(import.meta.dirname, 'public'), {
      index: 'index.html',
      maxAge: '5m',
      // The page runs only its own files: an injected script or a stray inline handler cannot run. Any origin
      // may frame it (that is what the widget does).
      setHeaders: (res, file) => {
        if (file.endsWith('.html')) res.setHeader('Content-Security-Policy', PAGE_CSP);
      },
    }));
  }

  async stop(): Promise<void> {}

  encodeThreadKey(reference: WebchatReference): string {
    return `${this.name}:${reference.visitor}`;
  }

  decodeThreadKey(threadKey: string): WebchatReference {
    const [prefix, visitor, ...rest] = threadKey.split(':');
    if (prefix !== this.name || !visitor || rest.length) throw new Error(`not a web chat thread key: ${threadKey}`);
    return { visitor };
  }

  async send(): Promise<SendResult> {
    return {};
  }

  async health(): Promise<ChannelHealth> {
    return { ok: true };
  }
}
