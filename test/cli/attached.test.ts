import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/frontline.js');
const run = promisify(execFile);

/**
 * One-shot commands next to a running embedded server (`npm start`): PGlite is single-process, so they reach the
 * database through the socket the server serves it on. Real processes on both sides.
 */
describe('CLI commands while the embedded server runs', () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let url: string;
  let output = '';
  let token: string | undefined;
  const env = () => ({ ...process.env, ...db.env, LOG_LEVEL: 'warn', NODE_ENV: 'test' });

  function cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    if (input === undefined) return run(process.execPath, [BIN, ...args], { env: env(), timeout: 60_000 });
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`exit ${code}: ${stderr}`))));
      child.stdin.end(input);
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    server = spawn(process.execPath, [BIN, 'start'], { env: { ...env(), PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    url = await eventually(async () => {
      if (server.exitCode !== null) throw new Error(`server exited: ${output}`);
      return /Frontline is running: (http:\/\/\S+)/.exec(output)?.[1];
    }, 60_000, 'the server to print its URL');
  }, 90_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((r) => server.once('exit', r));
    await db?.drop();
  });

  it('a token minted by the CLI works against the running server at once', async () => {
    const { stdout } = await cli(['token', 'create', '--role', 'agent', '--name', 'from-cli']);
    token = /fl_[A-Za-z0-9_-]+/.exec(stdout)?.[0];
    expect(token).toBeDefined();
    const res = await fetch(`${url}/api/v1/incidents`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('frontline chat files an incident the server then serves', async () => {
    // Piped answers are read before the previous reply is printed: the dialog resolves each against its own question.
    const answers = ['My laptop cannot connect to the office wifi since this morning', 'none', 'yes', '1', '1', 'yes', '/quit'];
    const { stdout } = await cli(['chat', '--user', 'cli-user', '--new'], `${answers.join('\n')}\n`);
    const number = /Your incident is (INC-\d+)/.exec(stdout)?.[1];
    expect(number, stdout).toBeDefined();
    const res = await fetch(`${url}/api/v1/incidents/${number}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('office wifi');
    // The server left the terminal's messages to the chat process (it has no terminal channel).
    expect(stdout).not.toMatch(/Please pick one/);
  });

  it('db status and db migrate work and change nothing; the server keeps serving', async () => {
    expect((await cli(['db', 'status'])).stdout).toMatch(/up to date/);
    expect((await cli(['db', 'migrate'])).stdout).toMatch(/up to date/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('a server that lacks a migration this install has: commands refuse and say to restart it', async () => {
    // As if the install was upgraded under a running server: mark its newest migration as not applied.
    const client = new pg.Client({ host: path.join(db.env.FRONTLINE_DATA_DIR, 'run'), port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT migration_name AS name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1');
    const newest = rows[0]!.name;
    await client.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1', [newest]);
    try {
      const failure = (args: string[]) => cli(args).then(() => 'ok', (err: { stderr?: string }) => err.stderr ?? '');
      expect(await failure(['incidents', 'list'])).toContain(`has not applied ${newest}; restart it`);
      expect(await failure(['db', 'migrate'])).toContain(`restart it to apply ${newest}`);
      expect((await cli(['db', 'status'])).stdout).toContain(`pending: ${newest}`);
    } finally {
      await client.query('UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = $1', [newest]);
      await client.end();
    }
  });

  it('a second server on the same data directory is still refused', async () => {
    const second = await cli(['start', '--port', '0']).then(
      () => 'started',
      (err: { stderr?: string }) => err.stderr ?? '',
    );
    expect(second).toMatch(/in use by process \d+/);
  });
});
