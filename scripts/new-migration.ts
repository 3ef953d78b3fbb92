// Writes the next migration (prisma/migrations/<timestamp>_<name>/migration.sql) offline with the WASM schema
// engine. Each migration folder keeps the datamodel it was generated from (schema.snapshot.prisma), so the next
// migration is a pure datamodel-to-datamodel diff: no shadow database and no native engine needed.
// (The Prisma CLI only reads migration.sql; the snapshot is ignored by `prisma migrate deploy`.)
//   npm run db:migration -- <name>
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { loadMigrationsList } from '../src/db/migrations.js';
import { MIGRATIONS_DIR, openSchemaEngine, SCHEMA_PATH } from '../src/db/schema-engine.js';

const SNAPSHOT = 'schema.snapshot.prisma';
const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]+/gi, '_').toLowerCase();
if (!name) {
  console.error('usage: npm run db:migration -- <name>');
  process.exit(2);
}
// The engine wants a database connection even for a pure diff; an in-memory PGlite is enough.
const db = await PGlite.create('memory://');
const socketDir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/frontline-shadow-'));
const server = new PGLiteSocketServer({ db, path: `${socketDir}/.s.PGSQL.5432`, maxConnections: 4 });
await server.start();
const pool = new pg.Pool({ host: socketDir, port: 5432, user: 'postgres', database: 'postgres', max: 1 });
try {
  const engine = await openSchemaEngine(pool);
  const migrations = await loadMigrationsList();
  const last = migrations.migrationDirectories.at(-1);
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  let from: Parameters<typeof engine.diff>[0]['from'] = { tag: 'empty' };
  if (last) {
    const previous = await readFile(path.join(MIGRATIONS_DIR, last.path, SNAPSHOT), 'utf8');
    from = { tag: 'schemaDatamodel', files: [{ path: SNAPSHOT, content: previous }] };
  }
  const result = await engine.diff({
    from,
    to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  engine.free();
  const sql = (result.stdout ?? '').trim();
  if (!sql || sql.startsWith('-- This is an empty migration')) {
    console.log('schema and migrations agree: nothing to write');
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    // Transactional, so an interrupted run leaves nothing half-applied and is retried at the next start
    // (see rollBackInterrupted in src/db/migrations.ts).
    await writeFile(path.join(dir, 'migration.sql'), `BEGIN;\n\n${sql}\n\nCOMMIT;\n`);
    await writeFile(path.join(dir, SNAPSHOT), schema);
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} finally {
  await pool.end();
  await server.stop();
  await db.close();
}
