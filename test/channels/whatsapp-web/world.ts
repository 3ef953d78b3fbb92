import { randomUUID } from 'node:crypto';
import { WhatsAppWebAdapter } from '../../../channels/whatsapp-web/adapter.js';
import { parseWhatsAppWebSettings } from '../../../channels/whatsapp-web/settings.js';
import type { ChannelAdapter, ChannelHost } from '../../../channels/types.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import type { DbKind, TestDatabase } from '../../helpers/databases.js';
import { RecordingChannel } from '../../helpers/recording-channel.js';
import { ClientDouble } from './client-double.js';

/** An operators' channel that can start a conversation (like email): where WhatsApp Web alerts land. */
export class OperatorInbox extends RecordingChannel {
  constructor() {
    super('ops');
  }
  startConversation(address: string) {
    const t = `${address}-${randomUUID()}`;
    return { threadKey: `ops:${t}`, reference: { t } };
  }
}

/** A Frontline instance with the WhatsApp Web adapter on client doubles (one per build). */
export class WebWorld {
  readonly clients: ClientDouble[] = [];
  private constructor(readonly app: TestApp, readonly adapter: WhatsAppWebAdapter, readonly ops: OperatorInbox) {}

  static async start(kind: DbKind, options: { env?: Record<string, string>; db?: TestDatabase; appEnv?: Record<string, string>; leaseTtlMs?: number; extraChannels?: ChannelAdapter[] } = {}): Promise<WebWorld> {
    const settings = parseWhatsAppWebSettings({
      WHATSAPP_WEB_ENABLED: 'true',
      WHATSAPP_WEB_ALERT_TO: 'ops:helpdesk-admins',
      WHATSAPP_WEB_HEARTBEAT_MS: '100',
      WHATSAPP_WEB_BACKOFF_MS: '50',
      WHATSAPP_WEB_READY_TIMEOUT_MS: '60000',
      ...options.env,
    });
    const clients: ClientDouble[] = [];
    const adapter = new WhatsAppWebAdapter(settings, {
      factory: (_host: ChannelHost) => () => {
        const c = new ClientDouble();
        clients.push(c);
        return c;
      },
      buildMedia: (file) => ({ media: file.filename, contentType: file.contentType, bytes: file.data.length }),
      leaseTtlMs: options.leaseTtlMs ?? 3_000,
      printQr: () => {},
    });
    const ops = new OperatorInbox();
    const app = await startTestApp(kind, { channels: [adapter, ops, ...(options.extraChannels ?? [])], ...(options.db ? { db: options.db } : {}), ...(options.appEnv ? { env: options.appEnv } : {}) });
    const world = new WebWorld(app, adapter, ops);
    (world as { clients: ClientDouble[] }).clients = clients;
    return world;
  }

  /** The newest client the supervisor built. */
  get client(): ClientDouble {
    const c = this.clients.at(-1);
    if (!c) throw new Error('no client built yet');
    return c;
  }

  async readyz(): Promise<{ status: number; body: { checks: Record<string, { ok: boolean; detail?: string }> } }> {
    const res = await fetch(`${this.app.url}/readyz`);
    return { status: res.status, body: (await res.json()) as never };
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
