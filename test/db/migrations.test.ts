import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { applyMigrations, loadMigrationsList, pendingMigrations } from '../../src/db/migrations.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

describe.each(DB_KINDS)('migrations ($kind)', ({ kind, skip }) => {
  let tdb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    if (skip) return;
    tdb = await createTestDatabase(kind);
    db = await openDatabase(loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' }), undefined, { migrate: false });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it.skipIf(skip)('applies every committed migration once, recorded as prisma migrate deploy would', async () => {
    const list = await loadMigrationsList();
    expect(await pendingMigrations(db.pool)).toEqual(list.migrationDirectories.map((d) => d.path));
    expect(await applyMigrations(db.pool)).toEqual(list.migrationDirectories.map((d) => d.path));
    expect(await applyMigrations(db.pool)).toEqual([]);
    expect(await pendingMigrations(db.pool)).toEqual([]);
    const { rows } = await db.pool.query<{ migration_name: string; checksum: string }>('SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name');
    for (const row of rows) {
      const sql = readFileSync(path.join(list.baseDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    }
  });

  it.skipIf(skip)('the schema in prisma/schema.prisma matches the migrations', async () => {
    const last = (await loadMigrationsList()).migrationDirectories.at(-1)!;
    const snapshot = readFileSync(path.join((await loadMigrationsList()).baseDir, last.path, 'schema.snapshot.prisma'), 'utf8');
    const schema = readFileSync(path.resolve(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8');
    expect(schema, 'schema.prisma changed without a migration: run npm run db:migration -- <name>').toBe(snapshot);
  });
});
