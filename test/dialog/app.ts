import path from 'node:path';
import { createFrontline, type Frontline } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createApiToken } from '../../src/http/auth.js';
import { importKb } from '../../src/kb/import.js';
import { createTestDatabase, type DbKind, type TestDatabase } from '../helpers/databases.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface GuidedApp {
  frontline: Frontline;
  url: string;
  db: TestDatabase;
  agentToken: string;
  close(): Promise<void>;
}

/** A real Frontline whose conversations start with the guided report flow, with the starter KB imported. */
export async function startGuidedApp(kind: DbKind, options: { db?: TestDatabase; importKb?: boolean } = {}): Promise<GuidedApp> {
  const db = options.db ?? (await createTestDatabase(kind));
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: process.env.FRONTLINE_TEST_LOG ?? 'silent', OUTBOX_POLL_MS: '50', OUTBOX_BASE_DELAY_MS: '20', WEBCHAT_RATE_LIMIT_PER_MINUTE: '0', ...db.env });
  const frontline = await createFrontline(config, { dialog: 'report-guided' });
  if (options.importKb !== false) await importKb(frontline.db, path.join(REPO_ROOT, 'kb'));
  const port = await frontline.listen();
  const agentToken = (await createApiToken(frontline.db, 'agent-tester', 'agent')).token;
  return {
    frontline,
    url: `http://127.0.0.1:${port}`,
    db,
    agentToken,
    async close() {
      await frontline.close();
      if (!options.db) await db.drop();
    },
  };
}
