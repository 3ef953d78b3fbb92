import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { EmbeddedStatistics } from '../../src/db/statistics.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

/** The embedded database has no autovacuum: the app analyses what changed enough (autovacuum's rule). */
describe.each(DB_KINDS)('planner statistics refresh ($kind)', ({ kind, skip }) => {
  let tdb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    if (skip) return;
    tdb = await createTestDatabase(kind);
    db = await openDatabase(loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' }));
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const reltuples = async (table: string) =>
    Number((await db.pool.query<{ n: number }>(`SELECT reltuples AS n FROM pg_class WHERE relname = $1`, [table])).rows[0]!.n);

  it.skipIf(skip)('analyses a table once it changed by more than 50 rows + 10 %, and only then', async () => {
    const statistics = new EmbeddedStatistics(db.pool, createLogger(loadConfig({ LOG_LEVEL: 'silent' })));
    await statistics.refresh(); // whatever the migrations left
    await db.pool.query(`INSERT INTO contact (id, created_at, updated_at) SELECT gen_random_uuid(), now(), now() FROM generate_series(1, 600)`);
    expect(await reltuples('contact')).toBeLessThan(600); // what the planner believes before: never analysed

    expect(await statistics.refresh()).toContain('public.contact');
    expect(await reltuples('contact')).toBe(600);
    // Nothing changed since: nothing to do. A few rows are below the threshold too.
    await db.pool.query(`INSERT INTO contact (id, created_at, updated_at) SELECT gen_random_uuid(), now(), now() FROM generate_series(1, 20)`);
    expect(await statistics.refresh()).not.toContain('public.contact');
  });
});
