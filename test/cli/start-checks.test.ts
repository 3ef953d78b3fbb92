import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { createTestDatabase, DB_KINDS } from '../helpers/databases.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/frontline.js');
const run = promisify(execFile);

/** Issue #19.6: `frontline start` on a busy port, and where the first-start admin token goes. */
describe.each(DB_KINDS)('frontline start ($kind)', ({ kind, skip }) => {
  it.skipIf(skip)('a busy port is said plainly, before any migration runs', async () => {
    const db = await createTestDatabase(kind);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await run(process.execPath, [BIN, 'start', '--port', String(port)], { env: { ...process.env, ...db.env, NODE_ENV: 'test', LOG_LEVEL: 'warn' }, timeout: 60_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`frontline: port ${port} is in use, set PORT (or --port) to a free port\n`);
      if (db.env.DATABASE_URL) {
        const client = new pg.Client({ connectionString: db.env.DATABASE_URL });
        await client.connect();
        const { rows } = await client.query(`SELECT to_regclass('public._prisma_migrations') AS t`);
        await client.end();
        expect(rows[0].t).toBeNull();
      } else {
        expect(existsSync(db.env.FRONTLINE_DATA_DIR) ? readdirSync(db.env.FRONTLINE_DATA_DIR) : []).toEqual([]);
      }
    } finally {
      blocker.close();
      await db.drop();
    }
  }, 90_000);

  it.skipIf(skip)('the first-start admin token never lands in redirected output', async () => {
    const db = await createTestDatabase(kind);
    let server: ChildProcess | undefined;
    let output = '';
    try {
      server = spawn(process.execPath, [BIN, 'start', '--port', '0'], { env: { ...process.env, ...db.env, NODE_ENV: 'test', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
      server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await eventually(async () => {
        if (server!.exitCode !== null) throw new Error(`server exited: ${output}`);
        return /First start: an admin API token was created/.test(output);
      }, 60_000, 'the first-start notice');
      expect(output).not.toMatch(/fl_[A-Za-z0-9_-]{10,}/);
      const file = path.resolve(db.env.FRONTLINE_DATA_DIR, 'admin-token');
      if (output.includes(file)) {
        expect(readFileSync(file, 'utf8')).toMatch(/^fl_/);
        expect(statSync(file).mode & 0o077).toBe(0);
      } else {
        expect(output).toMatch(/shown on the terminal/);
      }
    } finally {
      server?.kill('SIGTERM');
      if (server && server.exitCode === null) await new Promise((r) => server!.once('exit', r));
      await db.drop();
    }
  }, 90_000);
});
