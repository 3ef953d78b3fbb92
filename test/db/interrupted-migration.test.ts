import { createHash } from 'node:crypto';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { applyMigrations } from '../../src/db/migrations.js';
import { MIGRATIONS_DIR } from '../../src/db/schema-engine.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

describe.each(DB_KINDS)('a migration interrupted half-way ($kind)', ({ kind, skip }) => {
  let tdb: TestDatabase;
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    if (skip) return;
    tdb = await createTestDatabase(kind);
    db = await openDatabase(loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' }), undefined, { migrate: false });
    dir = await mkdtemp(path.join(os.tmpdir(), 'fl-mig-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('is recorded as rolled back and applied again at the next start', async () => {
    const single = kind === 'postgres' ? new (await import('pg')).default.Pool({ connectionString: tdb.env.DATABASE_URL, max: 1 }) : db.pool;
    await applyMigrations(single, dir);
    // A new transactional migration whose run was cut off: the engine had recorded its start, PostgreSQL
    // rolled its transaction back (exactly what a crash leaves behind).
    const name = '20991231000000_interrupted';
    const sql = 'BEGIN;\nCREATE TABLE interrupted_demo (id int);\nCOMMIT;\n';
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
    await single.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
      [crypto.randomUUID(), createHash('sha256').update(sql).digest('hex'), name],
    );
    expect(await applyMigrations(single, dir)).toEqual([name]);
    expect((await single.query(`SELECT to_regclass('public.interrupted_demo') AS t`)).rows[0].t).toBe('interrupted_demo');
    const { rows } = await single.query(`SELECT rolled_back_at IS NOT NULL AS rolled_back, finished_at IS NOT NULL AS finished FROM _prisma_migrations WHERE migration_name = $1 ORDER BY started_at`, [name]);
    expect(rows).toEqual([{ rolled_back: true, finished: false }, { rolled_back: false, finished: true }]);
    expect(await readFile(path.join(dir, name, 'migration.sql'), 'utf8')).toBe(sql);
    if (single !== db.pool) await single.end();
  });
});
