import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Every database test runs on embedded PGlite AND on a real PostgreSQL (a fresh database per suite), because
 * races and SKIP LOCKED behaviour never show on the single-connection embedded server.
 */
export const POSTGRES_ADMIN_URL = process.env.FRONTLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresAvailable = await probePostgres();
if (!postgresAvailable && !process.env.FRONTLINE_TEST_QUIET) {
  console.warn(`[frontline tests] PostgreSQL unreachable at ${POSTGRES_ADMIN_URL}: PostgreSQL suites are skipped (set FRONTLINE_TEST_POSTGRES_URL).`);
}
if (process.env.CI && !postgresAvailable) throw new Error(`CI must run the PostgreSQL suites but ${POSTGRES_ADMIN_URL} is unreachable`);

export type DbKind = 'pglite' | 'postgres';
export const DB_KINDS: { kind: DbKind; skip: boolean }[] = [
  { kind: 'pglite', skip: false },
  { kind: 'postgres', skip: !postgresAvailable },
];

export interface TestDatabase {
  kind: DbKind;
  /** Settings to hand to loadConfig/openDatabase. */
  env: { DATABASE_URL?: string; FRONTLINE_DATA_DIR: string; FRONTLINE_SECRET: string };
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind (migrations run when the app opens it). */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fl-'));
  const secret = randomBytes(32).toString('hex');
  if (kind === 'pglite') {
    return { kind, env: { FRONTLINE_DATA_DIR: dataDir, FRONTLINE_SECRET: secret }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `fl_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url.toString(), FRONTLINE_DATA_DIR: dataDir, FRONTLINE_SECRET: secret },
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
