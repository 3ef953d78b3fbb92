import wweb from 'whatsapp-web.js';
import type { ChannelHost } from '../types.js';
import type { MediaBuilder, WebClient } from './client-port.js';
import { DatabaseSessionStore } from './session-store.js';
import type { WhatsAppWebSettings } from './settings.js';

const { Client, MessageMedia, RemoteAuth } = wweb;

/**
 * Launch options for the system Chromium (puppeteer's own download is skipped by .puppeteerrc.cjs). The flags
 * are those a server without a display or a user namespace sandbox needs (containers, CI).
 */
export function puppeteerOptions(settings: Pick<WhatsAppWebSettings, 'chromiumPath'>) {
  return {
    executablePath: settings.chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
  };
}

/** A real whatsapp-web.js client whose session lives in our database (RemoteAuth + DatabaseSessionStore). */
export function createWebClient(settings: WhatsAppWebSettings, blobs: ChannelHost['blobs'], extra: { webVersionCache?: { type: 'none' | 'local' } } = {}): WebClient {
  const authStrategy = new RemoteAuth({
    clientId: settings.session,
    dataPath: settings.dataDir,
    store: new DatabaseSessionStore(blobs, settings.dataDir),
    backupSyncIntervalMs: settings.backupMs,
  });
  const client = new Client({
    authStrategy,
    puppeteer: puppeteerOptions(settings),
    ...(extra.webVersionCache ? { webVersionCache: extra.webVersionCache } : {}),
  });
  return client as unknown as WebClient;
}

export const buildMedia: MediaBuilder = (file) => new MessageMedia(file.contentType, file.data.toString('base64'), file.filename, file.data.length);
