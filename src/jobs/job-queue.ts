import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Tx } from '../db/database.js';
import type { Logger } from '../logger.js';

export { PgBoss };

/** Runs a function in a short, retried transaction (the intake pipeline's `transaction`). */
export type RunTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * pg-boss's database port on our pool. Embedded, that pool is the ONE connection to PGlite (which has a single
 * session), so pg-boss must never open a pool of its own; on PostgreSQL sharing the pool keeps one connection
 * budget (`DATABASE_POOL_SIZE`) for the whole instance. Statements without parameters go out as they are, i.e.
 * over the simple query protocol: pg-boss's schema migrations are multi-statement scripts.
 */
export function poolExecutor(pool: pg.Pool): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result = values?.length ? await pool.query(text, values) : await pool.query(text);
      // A multi-statement script answers with one result per statement.
      const last = (Array.isArray(result) ? result.at(-1) : result) as pg.QueryResult | undefined;
      return { rows: last?.rows ?? [] };
    },
  };
}

/**
 * pg-boss's database port inside a Prisma interactive transaction, so a job is queued in the same transaction
 * as the change that calls for it: both commit, or neither (a crash cannot lose a timer).
 */
export function txExecutor(tx: Tx): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const params = (values ?? []).map((v: unknown) =>
        v === undefined ? null : v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);
      return { rows: await tx.$queryRawUnsafe<unknown[]>(text, ...params) };
    },
  };
}

export interface JobQueueOptions {
  /** Run the cron clock (scheduled jobs) on this instance; pg-boss keeps it to one emit per slot across instances. */
  schedule: boolean;
  /** pg-boss's own upkeep (expiry, archiving) on this instance. */
  supervise: boolean;
}

/** Starts pg-boss on our pool; it creates or migrates its schema `pgboss` in the same database. */
export async function startJobQueue(pool: pg.Pool, options: JobQueueOptions, logger?: Logger): Promise<PgBoss> {
  const boss = new PgBoss({
    db: poolExecutor(pool),
    schema: 'pgboss',
    migrate: true,
    schedule: options.schedule,
    supervise: options.supervise,
  });
  boss.on('error', (err) => logger?.error({ err }, 'job queue error'));
  await boss.start();
  return boss;
}
