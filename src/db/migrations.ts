import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { MIGRATIONS_DIR, openSchemaEngine, type SchemaEngine } from './schema-engine.js';

const LOCKFILE = 'migration_lock.toml';
const NO_FILTERS = { externalTables: [], externalEnums: [] };

type MigrationsList = Awaited<ReturnType<typeof loadMigrationsList>>;

/** Reads `prisma/migrations` the way the Prisma CLI does. */
export async function loadMigrationsList(dir = MIGRATIONS_DIR) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (err: unknown) => ({ tag: 'error' as const, value: String(err) }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lock = await readFile(path.join(dir, LOCKFILE), 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: LOCKFILE, content: lock },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/**
 * Applies pending migrations and records them in `_prisma_migrations` exactly as `prisma migrate deploy`
 * would (same checksums), so both tools can manage the same database. Safe to run from several instances at
 * once: the engine serialises on a PostgreSQL advisory lock. `pool` must hand out ONE connection: our
 * migration scripts run inside BEGIN/COMMIT, statement by statement.
 */
export async function applyMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const engine = await openSchemaEngine(pool);
  try {
    const migrationsList = await loadMigrationsList(dir);
    try {
      return (await engine.applyMigrations({ migrationsList, filters: NO_FILTERS })).appliedMigrationNames;
    } catch (err) {
      await pool.query('ROLLBACK').catch(() => {}); // a failed script leaves its transaction open
      if ((await rollBackInterrupted(engine, pool, migrationsList)).length === 0) throw err;
      return (await engine.applyMigrations({ migrationsList, filters: NO_FILTERS })).appliedMigrationNames;
    }
  } finally {
    engine.free();
  }
}

/**
 * A migration interrupted half-way (Ctrl-C or a crash during the first start) stays "failed" in
 * `_prisma_migrations`, and the engine then refuses to continue. Our scripts are transactional (they begin
 * with `BEGIN;`), so PostgreSQL rolled them back: record that, as `prisma migrate resolve --rolled-back` would,
 * and the migration runs again. Non-transactional scripts are left for an operator to resolve.
 */
async function rollBackInterrupted(engine: SchemaEngine, pool: pg.Pool, list: MigrationsList): Promise<string[]> {
  const { rows } = await pool
    .query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL')
    .catch(() => ({ rows: [] as { migration_name: string }[] }));
  const resolved: string[] = [];
  for (const { migration_name: name } of rows) {
    const content = list.migrationDirectories.find((d) => d.path === name)?.migrationFile.content;
    if (content?.tag !== 'ok' || !/^\s*BEGIN;/i.test(content.value)) continue;
    await engine.markMigrationRolledBack({ migrationName: name });
    resolved.push(name);
  }
  return resolved;
}

/** Names of committed migrations not yet applied (for /readyz). */
export async function pendingMigrations(pool: pg.Pool): Promise<string[]> {
  const list = await loadMigrationsList();
  const all = list.migrationDirectories.map((d) => d.path);
  const applied = await pool
    .query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    )
    .then((r) => new Set(r.rows.map((x) => x.migration_name)))
    .catch(() => new Set<string>());
  return all.filter((name) => !applied.has(name));
}
