import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Config } from '../config/load.js';
import { FrontlineError } from '../errors.js';
import type { Logger } from '../logger.js';
import { attachEmbeddedPostgres, EMBEDDED_SOCKET_PORT, type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.js';
import { PrismaClient } from './generated/client.js';
import { applyMigrations, pendingMigrations } from './migrations.js';

export { Prisma, PrismaClient } from './generated/client.js';
export type * from './generated/client.js';
export type { ApiRole, IncidentStatus as IncidentStatusEnum } from './generated/enums.js';

/** An interactive-transaction client. Inside a transaction use only this, never the root client. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Shared by Prisma and pg-boss: embedded, ONE connection (PGlite has one session for all connections). */
  readonly pool: pg.Pool;
  readonly prisma: PrismaClient;
  /** Embedded only: the pid of the running server this process reached the database through, if it did. */
  readonly attachedTo?: number;
  close(): Promise<void>;
}

// BIGINT (message/outbox sequence numbers) as JS numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Opens the database named by the config: `DATABASE_URL` for PostgreSQL, otherwise embedded PGlite in
 * `FRONTLINE_DATA_DIR`. Everything above this function is identical for both.
 */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'FRONTLINE_DATA_DIR' | 'FRONTLINE_AUTO_MIGRATE'>,
  logger?: Logger,
  options: {
    migrate?: boolean;
    /**
     * Embedded only: when a running server holds the data directory, use the database through that server's
     * socket (one-shot commands) instead of refusing. Migrations are the server's: if it lacks some, this fails.
     */
    attach?: boolean;
  } = {},
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let pool: pg.Pool;
  if (config.DATABASE_URL) {
    pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
  } else {
    embedded = (options.attach ? await attachEmbeddedPostgres(config.FRONTLINE_DATA_DIR) : undefined) ??
      (await startEmbeddedPostgres(config.FRONTLINE_DATA_DIR));
    pool = new pg.Pool({
      host: embedded.socketDir,
      port: EMBEDDED_SOCKET_PORT,
      user: 'postgres',
      database: 'postgres',
      max: 1,
    });
  }
  // An idle client dying (server restart) must not crash the process; the pool reconnects on next use.
  pool.on('error', (err) => logger?.warn({ err }, 'database connection dropped'));
  const kind = embedded ? 'pglite' : 'postgres';
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded?.stop();
    throw new FrontlineError('DB_UNAVAILABLE', `cannot reach the database (${kind}): ${(err as Error).message}`);
  }
  const attachedTo = embedded?.serverPid;
  if (attachedTo !== undefined && options.migrate !== false) {
    // The running server migrated at its start; a newer install than the server must not change the schema under it.
    const pending = await pendingMigrations(pool);
    if (pending.length) {
      await pool.end().catch(() => {});
      throw new FrontlineError(
        'DB_EMBEDDED_LOCKED',
        `the server running on ${config.FRONTLINE_DATA_DIR} (process ${attachedTo}) has not applied ${pending.join(', ')}; ` +
          'restart it (it migrates at start), then run this command again',
      );
    }
  } else if (options.migrate ?? config.FRONTLINE_AUTO_MIGRATE) {
    // On PostgreSQL the engine serialises instances with a session advisory lock: give it its own connection
    // and close it afterwards, so the lock cannot linger on a pooled connection and block the next instance.
    const migrationPool = config.DATABASE_URL ? new pg.Pool({ connectionString: config.DATABASE_URL, max: 1 }) : pool;
    try {
      const applied = await applyMigrations(migrationPool);
      if (applied.length) logger?.info({ applied }, 'database migrations applied');
    } finally {
      if (migrationPool !== pool) await migrationPool.end().catch(() => {});
    }
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    kind,
    pool,
    prisma,
    ...(attachedTo !== undefined ? { attachedTo } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
      await embedded?.stop();
    },
  };
}
