// The baseline of the footprint bench: plain Node + Express + one database client, nothing of Frontline.
//   node bare.mjs pg <postgres url>       Express + pg.Pool on PostgreSQL
//   node bare.mjs pglite <data dir>       Express + PGlite in-process (what embedded mode must carry anyway)
// GET /readyz answers after `SELECT 1`; prints READY <port> once listening.
import express from 'express';

const [kind, target] = process.argv.slice(2);
let query;
if (kind === 'pglite') {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create({ dataDir: target, postgresqlconf: ['shared_buffers=16MB'] }); // as src/db/embedded.ts
  query = (sql) => db.query(sql);
} else {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: target, max: 4 });
  query = (sql) => pool.query(sql);
}
const app = express();
app.get('/readyz', async (_req, res) => {
  await query('SELECT 1');
  res.json({ status: 'ready' });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
