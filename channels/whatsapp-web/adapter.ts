import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Message } from 'whatsapp-web.js';
import type { ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelHost, ConversationReference, OutboundMessage, SendContext, SendResult } from '../types.js';
import { ChannelSendError } from '../types.js';
import { MAX_TEXT, numberedParts } from '../whatsapp-common/compose.js';
import type { MediaBuilder, WebClientFactory } from './client-port.js';
import { receiveWebMessage, type WebIntakeRuntime } from './intake.js';
import { LeaseRunner } from '../lease-runner.js';
import { printQrToTerminal, QR_STATE_KEY, qrRouter } from './qr.js';
import { parseWhatsAppWebSettings, type WhatsAppWebSettings } from './settings.js';
import { ClientSupervisor } from './supervisor.js';
import { decodeWhatsAppWebThreadKey, encodeWhatsAppWebThreadKey, parseWhatsAppWebReference, type WhatsAppWebReference } from './thread-key.js';

export { WHATSAPP_WEB_SETTING_KEYS } from './settings.js';

export interface WhatsAppWebOptions {
  /** Builds the client; default: a real whatsapp-web.js client with its session in our database. */
  factory?: (host: ChannelHost) => WebClientFactory;
  buildMedia?: MediaBuilder;
  /** Lease time; the client is handed over this long after an instance dies. */
  leaseTtlMs?: number;
  printQr?: (qr: string) => void | Promise<void>;
}

/**
 * WhatsApp through whatsapp-web.js (an unofficial WhatsApp Web automation in the system Chromium): for small
 * teams without a Business account. One instance runs the client (a database lease); a supervisor rebuilds it
 * when it dies and tells operators when a QR scan is needed. Options go out as numbered text. See README.md.
 */
export class WhatsAppWebAdapter implements ChannelAdapter {
  readonly name = 'whatsapp-web';
  readonly capabilities: ChannelCapabilities = {
    buttons: false, // WhatsApp stopped rendering buttons and lists sent from WhatsApp Web
    threads: false,
    edit: false,
    attachments: true,
    maxTextLength: MAX_TEXT,
    markup: 'markdown',
  };
  readonly retention = { ephemeralState: [{ prefix: 'polite:', maxAgeDays: 8 }, { prefix: 'sent:', maxAgeDays: 8 }] };

  private host_: ChannelHost | undefined;
  private supervisor_: ClientSupervisor | undefined;
  private lease: LeaseRunner | undefined;
  /** Incoming messages are recorded one after the other, so a chat's messages keep their order. */
  private inbound: Promise<void> = Promise.resolve();

  constructor(readonly settings: WhatsAppWebSettings, private readonly options: WhatsAppWebOptions = {}) {}

  get supervisor(): ClientSupervisor {
    if (!this.supervisor_) throw new Error('the WhatsApp Web channel is not started');
    return this.supervisor_;
  }

  async start(host: ChannelHost): Promise<void> {
    this.host_ = host;
    const factory = this.options.factory?.(host) ?? (await defaultFactory(this.settings, host));
    const runId = randomUUID();
    const rt: WebIntakeRuntime = { host, settings: this.settings, sendText: (reference, text) => this.sendParts(reference, [text]).then(() => undefined) };
    this.supervisor_ = new ClientSupervisor({
      factory,
      readyTimeoutMs: this.settings.readyTimeoutMs,
      heartbeatMs: this.settings.heartbeatMs,
      backoffMs: this.settings.backoffMs,
      logger: host.logger,
      runId,
      onMessage: (message) => {
        this.inbound = this.inbound.then(() => receiveWebMessage(rt, message as Message)).catch((err: unknown) => host.logger.error({ err }, 'could not record a WhatsApp Web message'));
      },
      // An empty WHATSAPP_WEB_ALERT_TO lets the host pick the default (the Slack triage channel, if Slack runs).
      alert: async (key, text) => {
        await host.alertOperators({ key: `whatsapp-web:${key}`, title: 'Frontline: WhatsApp Web needs attention', text, to: this.settings.alertTo });
      },
      printQr: async (qr) => {
        await host.state.set(QR_STATE_KEY, { qr, at: new Date().toISOString() });
        await (this.options.printQr ?? printQrToTerminal)(qr);
      },
      onReady: () => host.state.set(QR_STATE_KEY, null),
    });
    host.mount('/api/v1/admin/whatsapp-web', qrRouter(host, () => {
      const s = this.supervisor.snapshot;
      return { phase: s.phase, detail: s.reason };
    }));
    const supervisor = this.supervisor_;
    // One instance at a time runs the client: two browsers on one linked session fight ("CONFLICT") and
    // WhatsApp logs both out.
    const ttlMs = this.options.leaseTtlMs ?? 30_000;
    this.lease = new LeaseRunner({
      store: host.state,
      key: `client:${this.settings.session}`,
      holder: `${os.hostname()}:${process.pid}:${runId}`,
      ttlMs,
      // Unlike mail an overlap is harmful: a leader that cannot renew gives up a little before its lease can
      // pass to another instance, so two browsers never share the session.
      keepLeadingWithoutRenewalMs: (ttlMs * 2) / 3,
      work: 'runs the WhatsApp Web client',
      lead: () => supervisor.dispatch({ type: 'lead' }),
      yieldLead: () => supervisor.dispatch({ type: 'yield' }),
      logger: host.logger,
    });
    this.lease.start();
  }

  async stop(): Promise<void> {
    await this.lease?.stop();
    await this.supervisor_?.dispatch({ type: 'stop' });
    await this.inbound;
  }

  encodeThreadKey(reference: ConversationReference): string {
    return encodeWhatsAppWebThreadKey(parseWhatsAppWebReference(reference));
  }

  decodeThreadKey(threadKey: string): Partial<ConversationReference> {
    return { ...decodeWhatsAppWebThreadKey(threadKey) };
  }

  async health(): Promise<ChannelHealth> {
    if (!this.supervisor_) return { ok: false, detail: 'not started' };
    return this.supervisor_.health();
  }

  /**
   * Text parts (options numbered, answered by number or word), then files. The library cannot deduplicate, so
   * each delivered message is remembered by its outbox key and a retry after a crash does not send it again.
   */
  async send(stored: ConversationReference, message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const host = this.started();
    const reference = parseWhatsAppWebReference(stored);
    const doneKey = `sent:${context.idempotencyKey}`;
    const done = await host.state.get<string>(doneKey);
    if (done) return { externalId: done };
    const files = await this.outboundFiles(message, context.conversationId);
    const parts = numberedParts(files.skipped.length ? { ...message, text: `${message.text}\n\n(${files.skipped.join(', ')}: too large to send here)` } : message);
    const first = await this.sendParts(reference, [...parts.filter((p) => p.trim()), ...files.media]);
    await host.state.set(doneKey, first ?? '');
    return first ? { externalId: first } : {};
  }

  private async sendParts(reference: WhatsAppWebReference, parts: unknown[]): Promise<string | undefined> {
    const current = this.supervisor_?.current;
    if (!current?.ready) {
      // Another instance may run the client, or it is being rebuilt: try again later (the outbox backs off).
      throw new ChannelSendError(`WhatsApp Web is not connected here (${this.supervisor_?.health().detail ?? 'not started'})`, { retryable: true, retryAfterMs: 5_000 });
    }
    let first: string | undefined;
    try {
      for (const part of parts) {
        const sent = await current.client.sendMessage(reference.chatId, part);
        first ??= sent?.id?._serialized;
      }
    } catch (err) {
      throw new ChannelSendError(`WhatsApp Web send failed: ${err instanceof Error ? err.message : String(err)}`, { retryable: true, cause: err });
    }
    return first;
  }

  private async outboundFiles(message: OutboundMessage, conversationId: string): Promise<{ media: unknown[]; skipped: string[] }> {
    const host = this.started();
    const media: unknown[] = [];
    const skipped: string[] = [];
    const build = this.options.buildMedia ?? (await import('./client-factory.js')).buildMedia;
    for (const a of message.attachments ?? []) {
      const file = a.size <= this.settings.maxAttachmentBytes && a.id ? await host.readAttachment(conversationId, a.id) : undefined;
      if (!file) skipped.push(a.filename);
      else media.push(build({ contentType: a.contentType, data: file.data, filename: a.filename }));
    }
    return { media, skipped };
  }

  private started(): ChannelHost {
    if (!this.host_) throw new Error('the WhatsApp Web channel is not started');
    return this.host_;
  }
}

async function defaultFactory(settings: WhatsAppWebSettings, host: ChannelHost): Promise<WebClientFactory> {
  const { createWebClient } = await import('./client-factory.js');
  return () => createWebClient(settings, host.blobs);
}

/** The whatsapp-web.js channel when WHATSAPP_WEB_ENABLED=true; throws on invalid settings. */
export function whatsappWebFromEnv(env: Record<string, string | undefined>, options: WhatsAppWebOptions = {}): WhatsAppWebAdapter | undefined {
  const settings = parseWhatsAppWebSettings(env);
  return settings.enabled ? new WhatsAppWebAdapter(settings, options) : undefined;
}
