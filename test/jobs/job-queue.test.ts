import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/database.js';
import { poolExecutor } from '../../src/jobs/job-queue.js';
import { HOUSEKEEPING_QUEUE, IDLE_QUEUE, Timers } from '../../src/jobs/timers.js';
import { MILESTONE_QUEUE } from '../../src/jobs/sla-timers.js';
import { createTestDatabase, DB_KINDS } from '../helpers/databases.js';

describe.each(DB_KINDS)('pg-boss on our pool ($kind)', ({ kind, skip }) => {
  it.skipIf(skip)('instances starting together install pg-boss and its queues once', async () => {
    const tdb = await createTestDatabase(kind);
    const config = loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' });
    // Embedded allows one process per data directory: there the "instances" share its single connection.
    const first = await openDatabase(config);
    const dbs = kind === 'postgres' ? [first, await openDatabase(config), await openDatabase(config)] : [first, first, first];
    try {
      const timers = await Promise.all(dbs.map((db) => Timers.open(db, { work: false, pollSeconds: 1, stopTimeoutMs: 2_000 })));
      const { rows } = await first.pool.query<{ name: string; policy: string }>(`SELECT name, policy FROM pgboss.queue WHERE name NOT LIKE '\\_\\_%' ORDER BY name`);
      expect(rows).toEqual([{ name: HOUSEKEEPING_QUEUE, policy: 'short' }, { name: IDLE_QUEUE, policy: 'short' }, { name: MILESTONE_QUEUE, policy: 'stately' }]);
      for (const t of timers) await t.stop();
      // pg-boss's migrations are parameterless multi-statement scripts: they go over the simple protocol.
      const sql = poolExecutor(first.pool);
      const out = await sql.executeSql('CREATE TEMP TABLE t (n int); INSERT INTO t VALUES (1), (2); SELECT sum(n)::int AS s FROM t', []);
      expect(out.rows).toEqual([{ s: 3 }]);
      expect((await sql.executeSql('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }]);
    } finally {
      for (const db of new Set(dbs)) await db.close();
      await tdb.drop();
    }
  }, 60_000);
});
