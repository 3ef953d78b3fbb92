import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { ConsoleClient } from '../console/helpers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/frontline.js');

/** The CLI as a real process with the password on a stdin pipe (FRONTLINE_PASSWORD unset). */
function cli(db: TestDatabase, args: string[], input: string): Promise<{ code: number | null; out: string }> {
  const env: Record<string, string | undefined> = { ...process.env, ...db.env, LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  delete env.FRONTLINE_PASSWORD;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

describe('frontline users: password read from a pipe', () => {
  let db: TestDatabase | undefined;
  afterAll(async () => db?.drop());

  it('is never echoed, and the account signs in with it', async () => {
    db = await createTestDatabase('pglite');
    const password = 'piped-secret-horse-42';
    const created = await cli(db, ['users', 'create', '--role', 'agent', '--email', 'pipe@example.com'], `${password}\n`);
    expect(created.code, created.out).toBe(0);
    expect(created.out).toContain('created');
    expect(created.out).not.toContain(password);
    const newer = 'reset-secret-staple-43';
    const reset = await cli(db, ['users', 'reset-password', 'pipe@example.com'], `${newer}\n`);
    expect(reset.code, reset.out).toBe(0);
    expect(reset.out).not.toContain(newer);
    const app = await startTestApp('pglite', { db });
    try {
      const client = new ConsoleClient(app.url);
      expect((await client.signIn('pipe@example.com', password)).status).toBe(401);
      expect((await client.signIn('pipe@example.com', newer)).status).toBe(201);
    } finally {
      await app.close();
    }
  }, 120_000);
});
