import type { ChannelAdapter } from '../../channels/types.js';
import { createFrontline, type Frontline } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createApiToken } from '../../src/http/auth.js';
import { createTestDatabase, type DbKind, type TestDatabase } from './databases.js';

export interface TestApp {
  frontline: Frontline;
  url: string;
  db: TestDatabase;
  /** Bearer tokens for each role. */
  tokens: { admin: string; agent: string; read_only: string };
  close(): Promise<void>;
}

/** A real Frontline instance on a fresh database, listening on a free port. */
export async function startTestApp(
  kind: DbKind,
  options: { env?: Record<string, string>; channels?: ChannelAdapter[]; db?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase(kind));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.FRONTLINE_TEST_LOG ?? 'silent',
    OUTBOX_POLL_MS: '50',
    OUTBOX_BASE_DELAY_MS: '20',
    OUTBOX_MAX_DELAY_MS: '2000',
    // Channel and platform suites exercise the short report flow (describe → confirm → filed); the guided flow
    // has its own suites (test/dialog, test/e2e/dialog-guided.test.ts).
    FRONTLINE_DIALOG: 'report-incident',
    // Suites drive many conversations from one address; the limiter has its own test.
    WEBCHAT_RATE_LIMIT_PER_MINUTE: '0',
    ...db.env,
    ...options.env,
  });
  const frontline = await createFrontline(config, { channels: options.channels });
  const port = await frontline.listen();
  const mk = async (role: 'admin' | 'agent' | 'read_only') => (await createApiToken(frontline.db, `${role}-tester`, role)).token;
  const tokens = { admin: await mk('admin'), agent: await mk('agent'), read_only: await mk('read_only') };
  return {
    frontline,
    url: `http://127.0.0.1:${port}`,
    db,
    tokens,
    async close() {
      await frontline.close();
      if (!options.db) await db.drop();
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
