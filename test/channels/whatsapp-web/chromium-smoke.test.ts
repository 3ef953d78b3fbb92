import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebClient } from '../../../channels/whatsapp-web/client-factory.js';
import { parseWhatsAppWebSettings } from '../../../channels/whatsapp-web/settings.js';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { createBlobStore } from '../../../src/intake/blobs.js';
import { loadConfig } from '../../../src/config/load.js';
import { eventually } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';

const CHROMIUM = process.env.WHATSAPP_WEB_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[frontline tests] ${CHROMIUM} not found (apt-get install chromium): the WhatsApp Web Chromium smoke test is skipped`);

/**
 * whatsapp-web.js cannot log in offline, but everything up to opening web.whatsapp.com runs for real: RemoteAuth
 * asks our database store for a session, and the library launches the system Chromium with our puppeteer options
 * (no downloaded browser). The page load itself fails offline; the browser must have been running by then.
 */
describe.skipIf(!haveChromium)('whatsapp-web.js launches the system Chromium', () => {
  let tdb: TestDatabase;
  let db: Database;
  let dataDir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    db = await openDatabase(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...tdb.env }));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'wweb-smoke-'));
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('through the library’s puppeteer options, with the session store on our database', async () => {
    const settings = parseWhatsAppWebSettings({ WHATSAPP_WEB_ENABLED: 'true', WHATSAPP_WEB_CHROMIUM: CHROMIUM, WHATSAPP_WEB_DATA_DIR: dataDir });
    const client = createWebClient(settings, createBlobStore(db, 'whatsapp-web'), { webVersionCache: { type: 'none' } }) as unknown as {
      initialize(): Promise<void>; destroy(): Promise<void>; pupBrowser?: { version(): Promise<string>; process(): { spawnfile: string } | null; close(): Promise<void> };
    };
    const init = client.initialize().then(() => 'loaded', (err: Error) => `failed: ${err.message}`);
    try {
      const browser = await eventually(async () => client.pupBrowser, 45_000, 'the browser');
      expect(await browser.version()).toMatch(/Chrom(e|ium)\/\d+/);
      expect(browser.process()?.spawnfile).toBe(CHROMIUM);
      // RemoteAuth made the profile folder for this session (none was stored yet).
      expect(existsSync(path.join(dataDir, 'RemoteAuth-frontline'))).toBe(true);
    } finally {
      await Promise.race([init, new Promise((r) => setTimeout(r, 5_000))]);
      await client.destroy().catch(() => {});
      await client.pupBrowser?.close().catch(() => {});
    }
  }, 90_000);
});
