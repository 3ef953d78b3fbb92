import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { MIGRATIONS_DIR, openSchemaEngine } from './schema-engine.js';

const LOCKFILE = 'migration_lock.toml';
const NO_FILTERS = { externalTables: [], externalEnums: [] };

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
 * once: the engine serialises on a PostgreSQL advisory lock.
 */
export async function applyMigrations(pool: pg.Pool): Promise<string[]> {
  const engine = await openSchemaEngine(pool);
  try {
    const migrationsList = await loadMigrationsList();
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
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
